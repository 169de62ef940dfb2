"""Softmax saturates as the logits spread out: max probability → 1, Jacobian → 0."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

SPREADS = (0.25, 0.5, 1, 2, 4, 8, 16, 32, 64)
KEYS = 16


@verifier(
    id="softmax-saturation",
    kind="symbolic",
    title=Bilingual(
        zh="softmax 饱和：logit 差距越大，最大概率趋于 1，雅可比趋于 0",
        en="Softmax saturation: as logits spread out, the top probability tends to 1 and the Jacobian to 0",
    ),
    explanation=Bilingual(
        zh="softmax 的雅可比是 diag(p) − ppᵀ。当 logit 之间差距变大时，输出趋近 one-hot：最大概率趋于 1，"
        "其余趋于 0，雅可比的每一项都趋于 0，于是经 softmax 回传的梯度消失。这正是不缩放的 QKᵀ"
        "（方差为 d_k）在大 d_k 时的处境。注意：饱和时并不是所有输出都“很小”，而是一个接近 1、其余接近 0。",
        en="The softmax Jacobian is diag(p) − ppᵀ. As the logits spread apart the output tends to one-hot: the top "
        "probability tends to 1, the rest to 0, and every entry of the Jacobian tends to 0, so gradients through "
        "the softmax vanish. That is what happens to unscaled QKᵀ scores (variance d_k) at large d_k. Note that "
        "saturation does not make every output small: one tends to 1 and the others to 0.",
    ),
    cost=Cost(quick_s=0.8),
    claims=(
        Claim(
            "max-probability-tends-to-one",
            Bilingual(
                zh="logits 为 (s, 0, …, 0) 时，s → ∞ 则最大概率 eˢ/(eˢ+n−1) → 1（任意 n）",
                en="For logits (s, 0, …, 0), the top probability eˢ/(eˢ+n−1) → 1 as s → ∞ (any n)",
            ),
        ),
        Claim(
            "jacobian-tends-to-zero",
            Bilingual(
                zh="同时 softmax 雅可比 diag(p) − ppᵀ 的 Frobenius 范数 → 0，梯度消失",
                en="Meanwhile the Frobenius norm of the softmax Jacobian diag(p) − ppᵀ → 0: gradients vanish",
            ),
        ),
        Claim(
            "unscaled-scores-saturate",
            Bilingual(
                zh="d_k = 512 的随机 q、k：不缩放时注意力平均最大概率 > 0.9，雅可比范数不到缩放时的一半",
                en="Random q, k with d_k = 512: unscaled, the mean top attention probability exceeds 0.9 and the "
                "Jacobian norm is less than half of the scaled one",
            ),
        ),
        Claim(
            "saturated-outputs-are-all-small",
            Bilingual(
                zh="分数很大时 softmax 的输出值都会变得很小（《Transformer 面试突击》的说法）",
                en="With very large scores every softmax output becomes very small (as “Transformer 面试突击” puts it)",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy"),
)
def softmax_saturation(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    from verifiers.symbolic._numeric import is_monotone, softmax, softmax_jacobian

    # The Jacobian, derived rather than quoted: differentiate softmax of three symbolic logits.
    z = sp.symbols("z1:4", real=True)
    denominator = sum(sp.exp(v) for v in z)
    p = [sp.exp(v) / denominator for v in z]
    jacobian = sp.Matrix(3, 3, lambda i, j: sp.diff(p[i], z[j]))
    expected_form = sp.Matrix(3, 3, lambda i, j: p[i] * ((1 if i == j else 0) - p[j]))
    jacobian_matches = sp.simplify(jacobian - expected_form) == sp.zeros(3, 3)
    evidence.step(
        r"\frac{\partial p_i}{\partial z_j} = p_i(\delta_{ij} - p_j),\qquad J = \operatorname{diag}(p) - pp^\top",
        "对三个符号 logit 求导并化简，得到 softmax 雅可比的一般形式。",
        "Differentiating softmax of three symbolic logits and simplifying gives the general Jacobian.",
    )

    s = sp.Symbol("s", positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    top = sp.exp(s) / (sp.exp(s) + n - 1)
    other = 1 / (sp.exp(s) + n - 1)
    top_limit = sp.limit(top, s, sp.oo)
    evidence.step(
        r"z = (s, 0, \dots, 0):\quad p_{\max} = \frac{e^{s}}{e^{s} + n - 1},\qquad \lim_{s\to\infty} p_{\max} = " + sp.latex(top_limit),
        "一个 logit 比其余大 s：s 越大，最大概率越接近 1（对任意 n）。",
        "One logit exceeds the others by s: the larger s, the closer the top probability is to 1 (for any n).",
    )
    frobenius_squared = (
        (top * (1 - top)) ** 2
        + 2 * (n - 1) * (top * other) ** 2
        + (n - 1) * (other * (1 - other)) ** 2
        + (n - 1) * (n - 2) * other**4
    )
    jacobian_limit = sp.limit(frobenius_squared.subs(n, KEYS), s, sp.oo)
    evidence.step(
        r"\|J\|_F^2 = p_{\max}^2(1-p_{\max})^2 + 2(n-1)p_{\max}^2 p_o^2 + (n-1)p_o^2(1-p_o)^2 + (n-1)(n-2)p_o^4"
        + rf",\qquad \lim_{{s\to\infty}} \|J\|_F^2 = {sp.latex(jacobian_limit)}\ (n = {KEYS})",
        "p_o = 1/(eˢ+n−1) 为其余各项的概率；每一项都含 (1−p_max) 或 p_o 因子，因此趋于 0。",
        "p_o = 1/(eˢ+n−1) is each other probability; every term carries a factor (1−p_max) or p_o, so it tends to 0.",
    )

    # Numeric: evenly spaced logits scaled by a growing spread.
    base = np.linspace(-1.0, 1.0, KEYS)
    top_probabilities, jacobian_norms = [], []
    for spread in SPREADS:
        probabilities = softmax(base * spread)
        top_probabilities.append(float(probabilities.max()))
        jacobian_norms.append(float(np.linalg.norm(softmax_jacobian(probabilities))))
    evidence.plot(
        "saturation",
        Bilingual(zh="logit 差距增大时的 softmax", en="Softmax as the logit spread grows"),
        Bilingual(zh="logit 差距倍数 s", en="logit spread s"),
        Bilingual(zh="值", en="value"),
        {"max probability": (SPREADS, top_probabilities), "‖Jacobian‖_F": (SPREADS, jacobian_norms)},
        x_log=True,
    )
    evidence.table(
        "saturation",
        Bilingual(zh=f"{KEYS} 个等距 logit（[−s, s]）", en=f"{KEYS} evenly spaced logits in [−s, s]"),
        ("s", "max p", "min p", "‖J‖_F"),
        [(sp_, round(t, 6), float(f"{softmax(base * sp_).min():.3g}"), float(f"{j:.3g}")) for sp_, t, j in zip(SPREADS, top_probabilities, jacobian_norms)],
    )

    # The attention case: random queries and keys, d_k = 512, with and without 1/√d_k.
    rng = ctx.numpy_rng()
    d_k, queries = 512, (500 if ctx.quick else 5000)
    q = rng.standard_normal((queries, d_k))
    k = rng.standard_normal((KEYS, d_k))
    measured = {}
    for label, scale in (("unscaled", 1.0), ("scaled", 1 / np.sqrt(d_k))):
        probabilities = softmax(q @ k.T * scale)
        measured[label] = (
            float(probabilities.max(axis=-1).mean()),
            float(np.linalg.norm(softmax_jacobian(probabilities), axis=(-2, -1)).mean()),
        )
    ratio = measured["unscaled"][1] / measured["scaled"][1]
    evidence.metric("attention_top_probability_unscaled", measured["unscaled"][0], en="mean top probability, unscaled", zh="不缩放时平均最大概率")
    evidence.metric("attention_top_probability_scaled", measured["scaled"][0], en="mean top probability, scaled", zh="缩放后平均最大概率")
    evidence.metric("jacobian_norm_ratio", ratio, en="Jacobian norm, unscaled / scaled", zh="雅可比范数之比（不缩放/缩放）")

    evidence.claim(
        "max-probability-tends-to-one",
        holds=top_limit == 1 and top_probabilities[-1] > 0.999 and is_monotone(top_probabilities, increasing=True),
        measured=f"lim p_max = {top_limit}; numerically {top_probabilities[0]:.3f} at s={SPREADS[0]} → {top_probabilities[-1]:.6f} at s={SPREADS[-1]}",
        value=top_probabilities[-1],
    )
    evidence.claim(
        "jacobian-tends-to-zero",
        holds=jacobian_matches and jacobian_limit == 0 and jacobian_norms[-1] < 1e-3 and is_monotone(jacobian_norms[int(np.argmax(jacobian_norms)) :], increasing=False),
        measured=f"J = diag(p) − ppᵀ derived: {jacobian_matches}; lim ‖J‖²_F = {jacobian_limit}; "
        f"‖J‖_F peaks at {max(jacobian_norms):.3f} (s={SPREADS[int(np.argmax(jacobian_norms))]}), then falls steadily to "
        f"{jacobian_norms[-1]:.2e} at s={SPREADS[-1]}",
        value=jacobian_norms[-1],
    )
    evidence.claim(
        "unscaled-scores-saturate",
        holds=measured["unscaled"][0] > 0.9 and ratio < 0.5,
        measured=f"mean top probability {measured['unscaled'][0]:.3f} unscaled vs {measured['scaled'][0]:.3f} scaled; "
        f"mean ‖J‖_F {measured['unscaled'][1]:.3f} vs {measured['scaled'][1]:.3f} (ratio {ratio:.2f})",
        value=ratio,
    )
    evidence.claim(
        "saturated-outputs-are-all-small",
        holds=top_probabilities[-1] < 0.5,
        measured=f"at s={SPREADS[-1]} the top probability is {top_probabilities[-1]:.6f}, the others sum to {1 - top_probabilities[-1]:.2e}: one-hot, not all small",
        value=top_probabilities[-1],
    )
    evidence.set_summary(
        zh=f"logit 差距增大时 softmax 趋于 one-hot（最大概率 → 1），雅可比 → 0；d_k=512 不缩放时平均最大概率 {measured['unscaled'][0]:.2f}，"
        f"雅可比范数只有缩放时的 {ratio:.2f} 倍。",
        en=f"As logits spread, softmax tends to one-hot (top probability → 1) and its Jacobian to 0; unscaled at d_k=512 the mean "
        f"top probability is {measured['unscaled'][0]:.2f} and the Jacobian norm {ratio:.2f}× the scaled one.",
    )
