"""PE(p)·PE(p+k) = Σ cos(ω_i k) depends only on k, and ‖PE(p)‖² = d_model/2 everywhere."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

D_MODEL = 512


@verifier(
    id="sinusoidal-pe-offset-dot-product",
    kind="symbolic",
    title=Bilingual(
        zh="正弦位置编码的点积只依赖偏移 k，且每个位置的范数相同",
        en="Sinusoidal PE dot products depend only on the offset, and every position has the same norm",
    ),
    explanation=Bilingual(
        zh="每对维度贡献 sin(ωp)sin(ω(p+k)) + cos(ωp)cos(ω(p+k)) = cos(ωk)，所以 PE(p)·PE(p+k) = Σᵢ cos(ωᵢk)，"
        "与绝对位置 p 无关，而且关于 k 对称（点积分不清前后）。令 k = 0 得 ‖PE(p)‖² = d_model/2：远处位置的编码"
        "并不会“衰减”或失去影响力。但点积并不随距离单调下降；而且一旦经过不同的 W_Q、W_K 投影，"
        "PE(p)ᵀW_QᵀW_K PE(p+k) 又会依赖 p。",
        en="Each pair of dimensions contributes sin(ωp)sin(ω(p+k)) + cos(ωp)cos(ω(p+k)) = cos(ωk), so "
        "PE(p)·PE(p+k) = Σᵢ cos(ωᵢk): independent of the absolute position p, and symmetric in k (the dot product "
        "cannot tell before from after). Setting k = 0 gives ‖PE(p)‖² = d_model/2: far positions do not fade or lose "
        "influence. The dot product is not monotone in the distance, though, and once projected by different W_Q "
        "and W_K, PE(p)ᵀW_QᵀW_K PE(p+k) depends on p again.",
    ),
    cost=Cost(quick_s=0.5),
    claims=(
        Claim(
            "dot-product-depends-on-offset-only",
            Bilingual(
                zh="PE(p)·PE(p+k) = Σᵢ cos(ωᵢk)，与 p 无关（符号推导 + d_model=512 数值检验）",
                en="PE(p)·PE(p+k) = Σᵢ cos(ωᵢk), independent of p (symbolic, and numerically at d_model = 512)",
            ),
        ),
        Claim(
            "dot-product-symmetric-in-offset",
            Bilingual(zh="PE(p)·PE(p+k) = PE(p)·PE(p−k)：点积本身分不清方向", en="PE(p)·PE(p+k) = PE(p)·PE(p−k): the dot product alone cannot tell direction"),
        ),
        Claim(
            "norm-constant",
            Bilingual(zh="对每个位置 ‖PE(p)‖² = d_model/2", en="‖PE(p)‖² = d_model/2 at every position"),
        ),
        Claim(
            "far-positions-fade",
            Bilingual(
                zh="序列很长时，靠后位置的编码会逐渐失去影响力（《Transformer 的问题》的说法）",
                en="In long sequences, the encodings of far positions gradually lose influence (as “Transformer 的问题” says)",
            ),
            expected=False,
        ),
        Claim(
            "dot-product-monotone-in-distance",
            Bilingual(zh="点积随距离 |k| 单调递减", en="The dot product decreases monotonically with the distance |k|"),
            expected=False,
        ),
        Claim(
            "projected-score-depends-on-position",
            Bilingual(
                zh="经随机的不同投影 W_Q ≠ W_K 后，PE(p)ᵀW_QᵀW_K PE(p+k) 随 p 变化（相对位置信息不再纯粹）",
                en="After different random projections W_Q ≠ W_K, PE(p)ᵀW_QᵀW_K PE(p+k) varies with p (relative position is no longer pure)",
            ),
        ),
    ),
    libraries=("sympy", "numpy"),
)
def sinusoidal_pe_offset_dot_product(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    from verifiers.symbolic._numeric import is_monotone, pe_frequencies, sinusoidal_positional_encoding

    omega, p, k = sp.symbols("omega p k", real=True)
    pair_product = sp.sin(omega * p) * sp.sin(omega * (p + k)) + sp.cos(omega * p) * sp.cos(omega * (p + k))
    pair_closed_form = sp.simplify(sp.trigsimp(sp.expand_trig(pair_product)))
    pair_is_cos = sp.simplify(pair_closed_form - sp.cos(omega * k)) == 0
    evidence.step(
        r"\sin(\omega p)\sin(\omega(p+k)) + \cos(\omega p)\cos(\omega(p+k)) = " + sp.latex(pair_closed_form),
        "cos(x − y) = cos x cos y + sin x sin y：每对维度的贡献只剩 cos(ωk)，p 消失。",
        "cos(x − y) = cos x cos y + sin x sin y: each pair contributes cos(ωk), and p drops out.",
    )
    evidence.step(
        r"PE(p)\cdot PE(p+k) = \sum_{i=0}^{d/2-1} \cos(\omega_i k)",
        "对全部 d_model/2 对维度求和；cos 为偶函数，所以对 k 对称。",
        "Summing over all d_model/2 pairs; cos is even, so the result is symmetric in k.",
    )
    symmetric = sp.simplify(pair_closed_form.subs(k, -k) - pair_closed_form) == 0
    half = sp.Symbol("d_model", positive=True, even=True) / 2
    squared_norm_pair = sp.simplify(pair_product.subs(k, 0))
    evidence.step(
        r"\|PE(p)\|^2 = \sum_{i} \big(\sin^2\omega_i p + \cos^2\omega_i p\big) = " + sp.latex(squared_norm_pair) + r"\cdot \frac{d_{\text{model}}}{2} = " + sp.latex(half),
        "令 k = 0：每对维度贡献 1，与位置无关。",
        "Set k = 0: each pair contributes 1, whatever the position.",
    )

    positions = np.arange(0, 2048 if ctx.quick else 10_000)
    encodings = sinusoidal_positional_encoding(positions, D_MODEL)
    frequencies = pe_frequencies(D_MODEL)
    squared_norms = (encodings**2).sum(axis=1)
    norm_error = float(np.abs(squared_norms - D_MODEL / 2).max())

    offsets = np.arange(0, 200)
    closed_form = np.cos(np.outer(offsets, frequencies)).sum(axis=1)
    rng = ctx.numpy_rng()
    starts = rng.integers(200, len(positions) - 200, size=20)
    offset_error = 0.0
    symmetry_error = 0.0
    for start in starts:
        forward = encodings[start + offsets] @ encodings[start]
        backward = encodings[start - offsets] @ encodings[start]
        offset_error = max(offset_error, float(np.abs(forward - closed_form).max()))
        symmetry_error = max(symmetry_error, float(np.abs(forward - backward).max()))
    increases = [int(o) for o in offsets[1:][np.diff(closed_form) > 0]]

    w_q = rng.standard_normal((D_MODEL, 64)) / np.sqrt(D_MODEL)
    w_k = rng.standard_normal((D_MODEL, 64)) / np.sqrt(D_MODEL)
    offset = 5
    projected = np.einsum("pd,pd->p", encodings[:1000] @ w_q, encodings[offset : 1000 + offset] @ w_k)
    projected_spread = float(projected.max() - projected.min())
    unprojected = np.einsum("pd,pd->p", encodings[:1000], encodings[offset : 1000 + offset])
    unprojected_spread = float(unprojected.max() - unprojected.min())

    evidence.plot(
        "dot-product-vs-offset",
        Bilingual(zh=f"PE(p)·PE(p+k)（d_model={D_MODEL}）", en=f"PE(p)·PE(p+k) (d_model={D_MODEL})"),
        Bilingual(zh="偏移 k", en="offset k"),
        Bilingual(zh="点积", en="dot product"),
        {"Σ cos(ω_i k)": (offsets, closed_form), f"p = {int(starts[0])}": (offsets, encodings[starts[0] + offsets] @ encodings[starts[0]])},
    )
    evidence.metric("squared_norm_max_error", norm_error, en="max |‖PE(p)‖² − d_model/2|", zh="范数平方最大误差")
    evidence.metric("offset_formula_max_error", offset_error, en="max |PE(p)·PE(p+k) − Σcos(ω_i k)|", zh="点积公式最大误差")

    evidence.claim(
        "dot-product-depends-on-offset-only",
        holds=pair_is_cos and offset_error < 1e-9,
        measured=f"each pair: {pair_closed_form}; numeric max error {offset_error:.1e} over {len(starts)} starts × {len(offsets)} offsets",
        value=offset_error,
    )
    evidence.claim(
        "dot-product-symmetric-in-offset",
        holds=symmetric and symmetry_error < 1e-9,
        measured=f"cos(−ωk) = cos(ωk): {symmetric}; numeric max |forward − backward| {symmetry_error:.1e}",
        value=symmetry_error,
    )
    evidence.claim(
        "norm-constant",
        holds=norm_error < 1e-9,
        measured=f"‖PE(p)‖² = {squared_norms.min():.9f} … {squared_norms.max():.9f} for p < {len(positions)} (d_model/2 = {D_MODEL // 2})",
        value=norm_error,
    )
    evidence.claim(
        "far-positions-fade",
        holds=bool(squared_norms[-1] < 0.9 * squared_norms[0]),
        measured=f"‖PE(0)‖² = {squared_norms[0]:.6f}, ‖PE({positions[-1]})‖² = {squared_norms[-1]:.6f}: no fading",
        value=float(squared_norms[-1]),
    )
    evidence.claim(
        "dot-product-monotone-in-distance",
        holds=is_monotone(closed_form, increasing=False),
        measured=f"Σcos(ω_i k) rises again at {len(increases)} of {len(offsets) - 1} steps, first at k = {', '.join(map(str, increases[:5]))}, …",
        value=float(len(increases)),
    )
    evidence.claim(
        "projected-score-depends-on-position",
        holds=projected_spread > 1e-3 and unprojected_spread < 1e-9,
        measured=f"offset k={offset}, p = 0…999: projected score ranges over {projected_spread:.3f}; "
        f"the unprojected dot product over {unprojected_spread:.1e}",
        value=projected_spread,
    )
    evidence.set_summary(
        zh=f"PE(p)·PE(p+k) = Σcos(ωᵢk)，只依赖 k 且对 k 对称；‖PE(p)‖² 恒为 {D_MODEL // 2}，远处位置不会衰减；点积并非随距离单调下降。",
        en=f"PE(p)·PE(p+k) = Σcos(ω_i k), a function of k alone and symmetric in k; ‖PE(p)‖² is always {D_MODEL // 2}, so far "
        "positions do not fade; the dot product is not monotone in the distance.",
    )
