"""Multi-head attention has 4d² + 4d parameters whatever the head count (d_k = d_model/h)."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

D_MODEL = 512
HEAD_COUNTS = (1, 2, 4, 8, 16, 32, 64)


@verifier(
    id="multihead-parameter-invariance",
    kind="symbolic",
    title=Bilingual(
        zh="多头注意力的参数量与头数无关（d_k = d_model/h）",
        en="Multi-head attention has the same parameter count for any number of heads (d_k = d_model/h)",
    ),
    explanation=Bilingual(
        zh="h 个头各有 W_Qⁱ, W_Kⁱ, W_Vⁱ ∈ ℝ^(d×d_k)（及偏置），输出投影 W_O ∈ ℝ^(h·d_k×d)。取 d_k = d/h 时，"
        "3·h·(d·d/h + d/h) + (d·d + d) = 4d² + 4d，h 约去：多头只是把同样的参数切成 h 份，"
        "让每个头在自己的子空间里计算注意力，并不增加参数。这里用 sympy 推导，并按各矩阵形状逐一计数核对。",
        en="h heads each have W_Qⁱ, W_Kⁱ, W_Vⁱ ∈ ℝ^(d×d_k) (with biases) and the output projection is W_O ∈ ℝ^(h·d_k×d). "
        "With d_k = d/h, 3·h·(d·d/h + d/h) + (d·d + d) = 4d² + 4d and h cancels: multi-head attention splits the same "
        "parameters into h parts so that each head attends in its own subspace; it adds no parameters. Derived with "
        "sympy and checked by counting the entries of every matrix.",
    ),
    cost=Cost(quick_s=0.2),
    claims=(
        Claim(
            "count-is-4d2-plus-4d",
            Bilingual(zh="带偏置时参数量为 4d² + 4d（不带偏置为 4d²）", en="With biases the count is 4d² + 4d (4d² without)"),
        ),
        Claim(
            "count-independent-of-heads",
            Bilingual(zh="对 h ∈ {1,…,64}、d = 512，逐矩阵计数都得到同一个数", en="For h ∈ {1,…,64} and d = 512, counting every matrix gives the same number"),
        ),
        Claim(
            "more-heads-more-parameters",
            Bilingual(zh="h 个头的参数量是单头的 h 倍", en="h heads have h times the parameters of a single head"),
            expected=False,
        ),
    ),
    libraries=("sympy",),
)
def multihead_parameter_invariance(ctx: Context, evidence: Evidence) -> None:
    import math

    import sympy as sp

    d, h = sp.symbols("d h", positive=True, integer=True)
    d_k = d / h
    per_head = 3 * (d * d_k + d_k)  # W_Q, W_K, W_V columns of one head, with biases
    output = h * d_k * d + d
    total = sp.simplify(h * per_head + output)
    total_without_bias = sp.simplify(h * 3 * d * d_k + h * d_k * d)
    evidence.step(
        r"P(h) = h\cdot 3\Big(d\cdot\frac{d}{h} + \frac{d}{h}\Big) + \Big(h\cdot\frac{d}{h}\cdot d + d\Big) = " + sp.latex(total),
        "每个头 Q/K/V 三个 d×d_k 矩阵和偏置，加上输出投影；h 全部约去。",
        "Three d×d_k matrices (and biases) per head for Q/K/V, plus the output projection; every h cancels.",
    )
    evidence.step(
        r"\frac{\partial P}{\partial h} = " + sp.latex(sp.diff(total, h)) + r",\qquad P_{\text{no bias}} = " + sp.latex(total_without_bias),
        "参数量对 h 的导数为 0。",
        "The derivative of the count with respect to h is 0.",
    )

    rows = []
    for heads in HEAD_COUNTS:
        head_dim = D_MODEL // heads
        shapes = [(D_MODEL, head_dim)] * (3 * heads) + [(head_dim,)] * (3 * heads) + [(heads * head_dim, D_MODEL), (D_MODEL,)]
        counted = sum(math.prod(shape) for shape in shapes)
        rows.append((heads, head_dim, counted, int(total.subs({d: D_MODEL, h: heads}))))
    counts = {row[2] for row in rows}
    evidence.table(
        "per-head-count",
        Bilingual(zh=f"d_model = {D_MODEL} 时按矩阵形状计数", en=f"Counted from the matrix shapes, d_model = {D_MODEL}"),
        ("h", "d_k", "counted", "4d²+4d"),
        rows,
    )
    single_head = rows[0][2]
    evidence.claim(
        "count-is-4d2-plus-4d",
        holds=sp.simplify(total - (4 * d**2 + 4 * d)) == 0 and sp.simplify(total_without_bias - 4 * d**2) == 0,
        measured=f"P = {sp.expand(total)}; without biases {total_without_bias}; {rows[0][2]:,} at d={D_MODEL}",
        value=rows[0][2],
    )
    evidence.claim(
        "count-independent-of-heads",
        holds=len(counts) == 1 and all(row[2] == row[3] for row in rows) and sp.diff(total, h) == 0,
        measured="counted: " + ", ".join(f"h={row[0]}: {row[2]:,}" for row in rows),
    )
    evidence.claim(
        "more-heads-more-parameters",
        holds=rows[-1][2] == HEAD_COUNTS[-1] * single_head,
        measured=f"h={HEAD_COUNTS[-1]}: {rows[-1][2]:,} parameters, h=1: {single_head:,} (ratio {rows[-1][2] / single_head:g})",
    )
    evidence.set_summary(
        zh=f"多头注意力参数量恒为 4d² + 4d（d={D_MODEL} 时 {single_head:,}），与头数无关。",
        en=f"Multi-head attention always has 4d² + 4d parameters ({single_head:,} at d={D_MODEL}), whatever the head count.",
    )

