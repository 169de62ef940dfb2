"""INT8 quantisation: absmax's error bound s/2, what an outlier does, zero-point quantisation, and scale granularity."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

EXAMPLE = (0.503, -1.27, 0.0249)  # the bank's worked example (quant-absmax-int8)


@verifier(
    id="int8-quantization-error",
    kind="symbolic",
    title=Bilingual(
        zh="INT8 量化：absmax 的误差上界 s/2、离群值的代价、零点（非对称）量化与缩放粒度",
        en="INT8 quantisation: absmax's error bound s/2, what an outlier costs, zero-point (asymmetric) quantisation and scale granularity",
    ),
    explanation=Bilingual(
        zh="absmax：s = max|x|/127，q = round(x/s) ∈ [−127, 127]，x̂ = s·q。四舍五入误差至多半个单位，所以 |x − x̂| ≤ s/2 = max|x|/254，"
        "而且 |x| ≤ max|x| 不会截断；误差近似均匀，均方误差约 s²/12。一个离群值决定整组的 s，其余元素的误差随之放大。"
        "零点量化把 [min, max] 映到 [0, 255]：s = (max − min)/255，z = round(−min/s)，0 被精确表示，误差同样 ≤ s/2；"
        "对单侧分布（如 GELU 之后）它比对称量化的误差约小一半。矩阵乘法里 Σ s_x(q_x − z_x)·s_w(q_w − z_w) 展开为四项，"
        "只有沿归约维不变的缩放因子才能提到整数 GEMM 之外：按 token 的激活缩放和按输出通道的权重缩放可以。"
        "这里用 sympy 推导，穷举所有整数格点及其中点（恰好的平局）检查上界，并在随机数据上比较各种方案。",
        en="Absmax: s = max|x|/127, q = round(x/s) ∈ [−127, 127], x̂ = s·q. Rounding errs by at most half a step, so "
        "|x − x̂| ≤ s/2 = max|x|/254, and |x| ≤ max|x| means nothing is clipped; the error is roughly uniform with mean squared "
        "error about s²/12. A single outlier sets s for its whole group and inflates every other element's error. Zero-point "
        "quantisation maps [min, max] onto [0, 255]: s = (max − min)/255, z = round(−min/s); 0 is represented exactly and the "
        "error is still ≤ s/2; for one-sided distributions (after a GELU, say) it roughly halves the error of symmetric "
        "quantisation. In a matmul Σ s_x(q_x − z_x)·s_w(q_w − z_w) expands into four terms, and only scales constant along the "
        "reduction dimension leave the integer GEMM: per-token activation scales and per-output-channel weight scales do. "
        "This derives it with sympy, checks the bound exhaustively on every integer grid point and every midpoint (exact "
        "ties), and compares the schemes on random data.",
    ),
    cost=Cost(quick_s=0.2),
    claims=(
        Claim(
            "worked-example",
            Bilingual(
                zh="x = [0.503, −1.27, 0.0249]：s = 0.01，q = [50, −127, 2]，误差 [0.003, 0, 0.0049]，都 ≤ s/2 = 0.005",
                en="x = [0.503, −1.27, 0.0249]: s = 0.01, q = [50, −127, 2], errors [0.003, 0, 0.0049], all ≤ s/2 = 0.005",
            ),
        ),
        Claim(
            "error-at-most-half-step",
            Bilingual(
                zh="absmax 的误差对每个元素都 ≤ s/2，在恰好的平局（格点中点）处取等；均方误差约 s²/12",
                en="Absmax's error is ≤ s/2 for every element, with equality at exact ties (midpoints); the mean squared error is about s²/12",
            ),
        ),
        Claim(
            "outlier-inflates-every-error",
            Bilingual(
                zh="在 4095 个 N(0, 0.5²) 值里加一个 60 的离群值：s 与其余元素的均方根误差都放大 20 倍以上，八成以上的值只剩 −1、0、1 三个级别",
                en="Adding one outlier of 60 to 4095 values drawn from N(0, 0.5²) makes s and the other elements' RMS error more than 20 "
                "times larger, and leaves over 80% of the values with the levels −1, 0, 1",
            ),
        ),
        Claim(
            "zero-point-exact-zero-and-tighter",
            Bilingual(
                zh="零点量化：0 被精确表示，误差 ≤ s/2；对 [−0.17, 6] 上的单侧数据，均方根误差约为对称 absmax 的一半",
                en="Zero-point quantisation represents 0 exactly with error ≤ s/2; on one-sided data in [−0.17, 6] its RMS error is "
                "about half that of symmetric absmax",
            ),
        ),
        Claim(
            "per-channel-beats-per-tensor",
            Bilingual(
                zh="各行范围从 0.01 到 10 的权重矩阵：按输出通道（每行一个）缩放时每行的平均相对误差不到整张量一个缩放时的 5%；"
                "并且按 token × 按输出通道的缩放可以提到整数 GEMM 之外（结果与反量化后相乘一致）",
                en="For a weight matrix whose rows range from 0.01 to 10, one scale per output channel (row) gives under 5% of the mean "
                "relative row error of one scale per tensor; and per-token × per-output-channel scales factor out of the integer GEMM "
                "(same result as multiplying the dequantised matrices)",
            ),
        ),
        Claim(
            "bound-uses-255-levels",
            Bilingual(
                zh="INT8 有 255 个级别，所以 s = max|x|/255，误差上界 max|x|/510",
                en="INT8 has 255 levels, so s = max|x|/255 and the error bound is max|x|/510",
            ),
            expected=False,
        ),
        Claim(
            "error-can-reach-a-full-step",
            Bilingual(zh="四舍五入可能朝任一方向，单个元素的误差可以达到 s", en="Rounding can go either way, so a single element's error can reach s"),
            expected=False,
        ),
        Claim(
            "zero-not-representable",
            Bilingual(
                zh="零点量化的偏移是浮点数，所以量化后 0.0 一般不能被精确表示",
                en="Zero-point quantisation's offset is a floating-point number, so 0.0 is generally not exactly representable after quantisation",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy"),
)
def int8_quantization_error(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    s, e = sp.symbols("s e", positive=True)
    mse = sp.integrate(e**2 / s, (e, -s / 2, s / 2))
    evidence.step(
        r"s = \frac{\max|x|}{127},\ q = \mathrm{round}(x/s),\ \hat x = sq:\quad |x - \hat x| = s\,\Big|\frac{x}{s} - \mathrm{round}\Big(\frac{x}{s}\Big)\Big| \le \frac{s}{2}",
        "四舍五入到最近的整数最多差 0.5 个单位；|x/s| ≤ 127，所以 q 从不需要截断。",
        "Rounding to the nearest integer is off by at most half a unit; |x/s| ≤ 127, so q never needs clipping.",
    )
    evidence.step(
        r"e \sim U\Big(-\frac{s}{2}, \frac{s}{2}\Big):\quad \mathbb{E}[e^2] = \int_{-s/2}^{s/2}\frac{e^2}{s}\,de = " + sp.latex(mse),
        "误差近似均匀分布时，均方误差为 s²/12。",
        "With roughly uniform error, the mean squared error is s²/12.",
    )
    s_x, s_w, q_x, q_w, z_x, z_w = sp.symbols("s_x s_w q_x q_w z_x z_w", real=True)
    product = sp.expand(s_x * (q_x - z_x) * s_w * (q_w - z_w))
    evidence.step(
        r"s_x(q_x - z_x)\,s_w(q_w - z_w) = " + sp.latex(product),
        "零点让一次乘法变成四项：z_x 的两项只依赖权重，可以预先并入偏置；z_w 的项需要运行时对激活求和，所以权重通常取对称（z_w = 0）。",
        "The zero points turn one product into four terms: the z_x terms depend only on the weights and fold into the bias ahead "
        "of time; the z_w term needs a run-time sum over the activations, which is why weights are usually symmetric (z_w = 0).",
    )

    def absmax(values, axis=None):
        scale = np.abs(values).max(axis=axis, keepdims=axis is not None) / 127
        q = np.clip(np.round(values / scale), -127, 127)
        return q, scale, q * scale

    def zero_point(values):
        low, high = values.min(), values.max()
        scale = (high - low) / 255
        zero = np.round(-low / scale)
        q = np.clip(np.round(values / scale) + zero, 0, 255)
        return q, scale, zero, (q - zero) * scale

    example = np.array(EXAMPLE)
    q_example, s_example, x_hat = absmax(example)
    example_errors = np.abs(example - x_hat)

    # Exhaustive: every grid point k·s and every midpoint (k + ½)·s for k = −127 … 126, with s from max|x| = 1.27.
    step = 1.27 / 127
    grid = np.concatenate([np.arange(-127, 128) * step, (np.arange(-127, 127) + 0.5) * step, [1.27, -1.27]])
    _, grid_scale, grid_hat = absmax(grid)
    grid_errors = np.abs(grid - grid_hat)
    rng = ctx.numpy_rng()
    random_values = rng.standard_normal(100_000)
    _, random_scale, random_hat = absmax(random_values)
    random_errors = random_values - random_hat
    bound = random_scale / 2 * (1 + 1e-12)  # float round-off in x/s and s·q
    random_mse_ratio = float((random_errors**2).mean() / (random_scale**2 / 12))
    tie_error = float(grid_errors.max() / grid_scale)

    # The outlier.
    typical = rng.normal(0.0, 0.5, 4095)
    with_outlier = np.append(typical, 60.0)
    _, clean_scale, clean_hat = absmax(typical)
    q_outlier, outlier_scale, outlier_hat = absmax(with_outlier)
    clean_rmse = float(np.sqrt(((typical - clean_hat) ** 2).mean()))
    outlier_rmse = float(np.sqrt(((typical - outlier_hat[:-1]) ** 2).mean()))
    few_levels = float(np.isin(q_outlier[:-1], (-1, 0, 1)).mean())

    # Zero-point on one-sided data (after a GELU): values in [−0.17, 6].
    one_sided = np.concatenate([[-0.17, 6.0], np.clip(rng.gamma(1.5, 0.8, 9998) - 0.17, -0.17, 6.0)])
    _, symmetric_scale, symmetric_hat = absmax(one_sided)
    q_zp, zp_scale, zp_zero, zp_hat = zero_point(one_sided)
    symmetric_rmse = float(np.sqrt(((one_sided - symmetric_hat) ** 2).mean()))
    zp_rmse = float(np.sqrt(((one_sided - zp_hat) ** 2).mean()))
    zp_max_error = float(np.abs(one_sided - zp_hat).max())
    zero_image = float((np.round(0.0 / zp_scale) + zp_zero - zp_zero) * zp_scale)

    # Granularity: rows with ranges from 0.01 to 10.
    row_ranges = np.logspace(-2, 1, 64)[:, None]
    weight = rng.standard_normal((64, 256)) * row_ranges
    _, _, per_tensor_hat = absmax(weight)
    q_w, row_scales, per_channel_hat = absmax(weight, axis=1)
    row_rms = np.sqrt((weight**2).mean(axis=1))
    per_tensor_rmse = float((np.sqrt(((weight - per_tensor_hat) ** 2).mean(axis=1)) / row_rms).mean())  # mean relative row error
    per_channel_rmse = float((np.sqrt(((weight - per_channel_hat) ** 2).mean(axis=1)) / row_rms).mean())
    activations = rng.standard_normal((16, 256)) * np.logspace(-1, 1, 16)[:, None]
    q_a, token_scales, activations_hat = absmax(activations, axis=1)
    integer_gemm = (q_a.astype(np.int64) @ q_w.astype(np.int64).T).astype(np.float64)  # exact integer accumulation
    rescaled = token_scales * integer_gemm * row_scales.T
    dequantised_product = activations_hat @ per_channel_hat.T
    factor_gap = float(np.abs(rescaled - dequantised_product).max() / np.abs(dequantised_product).max())

    evidence.table(
        "schemes",
        Bilingual(zh="各方案的误差", en="Error of each scheme"),
        ("data", "scheme", "scale s", "max error / s", "RMS error"),
        [
            ("N(0, 1), 100k values", "absmax per tensor", round(float(random_scale), 5), round(float(np.abs(random_errors).max() / random_scale), 4), f"{np.sqrt((random_errors**2).mean()):.2e}"),
            ("grid points and midpoints", "absmax per tensor", round(float(grid_scale), 5), round(tie_error, 4), f"{np.sqrt((grid_errors**2).mean()):.2e}"),
            ("N(0, 0.5²), no outlier", "absmax per tensor", round(float(clean_scale), 5), round(float(np.abs(typical - clean_hat).max() / clean_scale), 4), f"{clean_rmse:.2e}"),
            ("N(0, 0.5²) + one 60", "absmax per tensor", round(float(outlier_scale), 5), round(float(np.abs(typical - outlier_hat[:-1]).max() / outlier_scale), 4), f"{outlier_rmse:.2e}"),
            ("one-sided [−0.17, 6]", "absmax (symmetric)", round(float(symmetric_scale), 5), round(float(np.abs(one_sided - symmetric_hat).max() / symmetric_scale), 4), f"{symmetric_rmse:.2e}"),
            ("one-sided [−0.17, 6]", "zero-point (asymmetric)", round(float(zp_scale), 5), round(zp_max_error / zp_scale, 4), f"{zp_rmse:.2e}"),
            ("rows ranging 0.01…10", "absmax per tensor", "1 scale", "-", f"{per_tensor_rmse:.2e} (relative, mean over rows)"),
            ("rows ranging 0.01…10", "absmax per output channel", "64 scales", "-", f"{per_channel_rmse:.2e} (relative, mean over rows)"),
        ],
    )
    evidence.metric("outlier_error_factor", outlier_rmse / clean_rmse, en="RMS error of the other elements with / without the outlier", zh="有/无离群值时其余元素的均方根误差之比")
    evidence.metric("zero_point_error_ratio", zp_rmse / symmetric_rmse, en="RMS error, zero-point / symmetric, one-sided data", zh="单侧数据：零点 / 对称的均方根误差之比")
    evidence.metric("per_channel_error_ratio", per_channel_rmse / per_tensor_rmse, en="mean relative row error, per channel / per tensor", zh="按通道 / 按张量的每行平均相对误差之比")

    evidence.claim(
        "worked-example",
        holds=abs(float(s_example) - 0.01) < 1e-15 and q_example.tolist() == [50, -127, 2] and bool((example_errors <= 0.005 + 1e-15).all()),
        measured=f"s = {float(s_example):g}, q = {[int(v) for v in q_example]}, x̂ = {[round(float(v), 4) for v in x_hat]}, errors "
        f"{[round(float(v), 4) for v in example_errors]}",
    )
    evidence.claim(
        "error-at-most-half-step",
        holds=bool((np.abs(random_errors) <= bound).all()) and abs(tie_error - 0.5) < 1e-9 and tie_error <= 0.5 + 1e-9
        and abs(random_mse_ratio - 1) < 0.05 and mse == s**2 / 12,
        measured=f"max error over {len(grid)} grid points and midpoints: {tie_error:.6f}·s (the midpoints); over 100,000 normal values "
        f"{float(np.abs(random_errors).max() / random_scale):.4f}·s; mean squared error {random_mse_ratio:.3f} × s²/12",
        value=tie_error,
    )
    evidence.claim(
        "outlier-inflates-every-error",
        holds=outlier_scale / clean_scale > 20 and outlier_rmse / clean_rmse > 20 and few_levels > 0.8,
        measured=f"s {float(clean_scale):.4f} → {float(outlier_scale):.4f} ({float(outlier_scale / clean_scale):.0f}×); the other elements' RMS error "
        f"{clean_rmse:.2e} → {outlier_rmse:.2e} ({outlier_rmse / clean_rmse:.0f}×); {few_levels:.0%} of them quantise to −1, 0 or 1",
        value=outlier_rmse / clean_rmse,
    )
    evidence.claim(
        "zero-point-exact-zero-and-tighter",
        holds=zero_image == 0.0 and zp_max_error <= zp_scale / 2 * (1 + 1e-9) and zp_rmse / symmetric_rmse < 0.6,
        measured=f"0 ↦ q = z = {int(zp_zero)} ↦ {zero_image}; max error {zp_max_error / zp_scale:.4f}·s; RMS error {zp_rmse:.2e} vs "
        f"{symmetric_rmse:.2e} for absmax ({zp_rmse / symmetric_rmse:.2f}×); s = {float(zp_scale):.4f} vs {float(symmetric_scale):.4f}",
        value=zp_rmse / symmetric_rmse,
    )
    evidence.claim(
        "per-channel-beats-per-tensor",
        holds=per_channel_rmse < 0.05 * per_tensor_rmse and factor_gap < 1e-12,
        measured=f"mean relative row error per channel {per_channel_rmse:.2e} vs per tensor {per_tensor_rmse:.2e} ({per_channel_rmse / per_tensor_rmse:.3f}×); "
        f"s_x[t]·s_w[j]·Σ q_x q_w vs dequantised product: relative difference {factor_gap:.0e}",
        value=per_channel_rmse / per_tensor_rmse,
    )
    evidence.claim(
        "bound-uses-255-levels",
        holds=tie_error * float(grid_scale) <= 1.27 / 510 * (1 + 1e-9),
        measured=f"the largest error is {tie_error * float(grid_scale):.5f} = max|x|/254 (s/2 with s = max|x|/127), twice max|x|/510 = {1.27 / 510:.5f}: "
        "symmetric INT8 uses 127 steps each side",
        value=tie_error * float(grid_scale),
    )
    evidence.claim(
        "error-can-reach-a-full-step",
        holds=tie_error > 0.5 + 1e-9,
        measured=f"the largest error over every grid point, midpoint and 100,000 random values is {max(tie_error, float(np.abs(random_errors).max() / random_scale)):.6f}·s",
        value=tie_error,
    )
    evidence.claim(
        "zero-not-representable",
        holds=zero_image != 0.0,
        measured=f"the zero point z = {int(zp_zero)} is an integer, so 0.0 quantises to z and dequantises to exactly {zero_image}",
        value=zero_image,
    )
    evidence.set_summary(
        zh=f"absmax 误差 ≤ s/2（平局处恰为 {tie_error:.2f}s），均方误差 ≈ s²/12；一个 60 的离群值让其余元素误差放大 {outlier_rmse / clean_rmse:.0f} 倍。"
        f"零点量化精确表示 0，单侧数据上误差为对称的 {zp_rmse / symmetric_rmse:.2f} 倍；按通道缩放的每行相对误差为按张量的 {per_channel_rmse / per_tensor_rmse:.3f} 倍。",
        en=f"Absmax's error is ≤ s/2 (exactly {tie_error:.2f}s at ties) with mean squared error ≈ s²/12; one outlier of 60 makes the "
        f"other elements' error {outlier_rmse / clean_rmse:.0f} times larger. Zero-point quantisation keeps 0 exact and gets "
        f"{zp_rmse / symmetric_rmse:.2f}× the symmetric error on one-sided data; per-channel scales give {per_channel_rmse / per_tensor_rmse:.3f}× "
        "the per-tensor relative row error.",
    )
