"""Attention as soft k-nearest-neighbour lookup: as the scale grows, the output tends to the best key's value."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

SCALES = (0.1, 0.3, 1, 3, 10, 30, 100, 300)


@verifier(
    id="attention-soft-knn",
    kind="symbolic",
    title=Bilingual(
        zh="注意力是软的最近邻查找：缩放越大，输出越接近最匹配键的值",
        en="Attention is a soft nearest-neighbour lookup: as the scale grows, the output tends to the best key's value",
    ),
    explanation=Bilingual(
        zh="注意力输出 o(β) = Σᵢ softmax(β·q·kᵢ)ᵢ vᵢ 是值向量的加权平均。β → ∞ 时权重集中到得分最高的键，o → v_(i*)（硬查找，1-NN）；"
        "β → 0 时权重均匀，o → 值的平均。误差上界为 ‖o − v_(i*)‖ ≤ (n−1)e⁻ᵝᵟ·max‖vᵢ − v_(i*)‖，δ 为最高分与次高分之差。"
        "当所有键的范数相同时，点积最大的键正是欧氏距离最近的键，这就是“软 kNN”的含义；范数不同时两者可以不一致。",
        en="The attention output o(β) = Σᵢ softmax(β·q·kᵢ)ᵢ vᵢ is a weighted average of the values. As β → ∞ the weight "
        "concentrates on the highest-scoring key and o → v_(i*) (a hard lookup, 1-NN); as β → 0 the weights are uniform "
        "and o → the mean value. The error is bounded by ‖o − v_(i*)‖ ≤ (n−1)e⁻ᵝᵟ·max‖vᵢ − v_(i*)‖ with δ the gap "
        "between the best and second-best score. When all keys have the same norm, the key with the largest dot product "
        "is the nearest in Euclidean distance, hence 'soft kNN'; with unequal norms the two can disagree.",
    ),
    cost=Cost(quick_s=0.6),
    claims=(
        Claim("large-scale-picks-best-value", Bilingual(zh="β → ∞ 时输出 → 最高分键对应的值", en="As β → ∞ the output → the value of the best-scoring key")),
        Claim("small-scale-averages", Bilingual(zh="β → 0 时输出 → 所有值的平均", en="As β → 0 the output → the mean of the values")),
        Claim(
            "exponential-error-bound",
            Bilingual(zh="‖o(β) − v_(i*)‖ ≤ (n−1)e⁻ᵝᵟ·max‖vᵢ − v_(i*)‖ 对所有测试的 β 成立", en="‖o(β) − v_(i*)‖ ≤ (n−1)e⁻ᵝᵟ·max‖vᵢ − v_(i*)‖ at every scale tested"),
        ),
        Claim(
            "equal-norm-keys-nearest-neighbour",
            Bilingual(zh="键范数相同时，点积最大的键就是欧氏最近邻", en="With equal-norm keys, the largest dot product picks the Euclidean nearest neighbour"),
        ),
        Claim(
            "best-dot-product-is-always-nearest",
            Bilingual(zh="无论键的范数如何，点积最大的键总是欧氏最近邻", en="Whatever the key norms, the largest dot product always picks the Euclidean nearest neighbour"),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy"),
)
def attention_soft_knn(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    from verifiers.symbolic._numeric import is_monotone, softmax

    beta = sp.Symbol("beta", positive=True)
    scores = (2, 1, -1)
    values = sp.symbols("v1:4")
    weights = [sp.exp(beta * s) for s in scores]
    output = sum(w * v for w, v in zip(weights, values)) / sum(weights)
    hard = sp.limit(output, beta, sp.oo)
    average = sp.limit(output, beta, 0, "+")
    evidence.step(
        r"o(\beta) = \frac{\sum_i e^{\beta s_i} v_i}{\sum_j e^{\beta s_j}},\quad s = (2, 1, -1):\ "
        + r"\lim_{\beta\to\infty} o = " + sp.latex(hard) + r",\ \lim_{\beta\to0^+} o = " + sp.latex(average),
        "sympy 对符号值向量求两个极限：大尺度取最高分的值，小尺度取平均。",
        "sympy takes both limits for symbolic values: a large scale returns the best key's value, a small one the average.",
    )
    evidence.step(
        r"o - v_{i^*} = \sum_{i\neq i^*} w_i (v_i - v_{i^*}),\quad w_i \le e^{-\beta(s_{i^*} - s_i)} \le e^{-\beta\delta}"
        r"\ \Rightarrow\ \|o - v_{i^*}\| \le (n-1)e^{-\beta\delta}\max_i\|v_i - v_{i^*}\|",
        "权重和为 1，所以 o − v* 是其余权重乘以差向量之和；每个其余权重都不超过 e⁻ᵝᵟ。",
        "The weights sum to 1, so o − v* is the other weights times the differences; each other weight is at most e⁻ᵝᵟ.",
    )

    rng = ctx.numpy_rng()
    n_keys, dim, trials = 32, 16, (50 if ctx.quick else 500)
    errors = np.zeros((trials, len(SCALES)))
    bound_holds = True
    means_error = 0.0
    for trial in range(trials):
        query = rng.standard_normal(dim)
        keys = rng.standard_normal((n_keys, dim))
        vals = rng.standard_normal((n_keys, dim))
        raw = keys @ query
        best = int(raw.argmax())
        gap = float(raw[best] - np.partition(raw, -2)[-2])
        spread = float(np.linalg.norm(vals - vals[best], axis=1).max())
        for j, scale in enumerate(SCALES):
            out = softmax(scale * raw) @ vals
            errors[trial, j] = float(np.linalg.norm(out - vals[best]))
            bound_holds &= errors[trial, j] <= (n_keys - 1) * np.exp(-scale * gap) * spread + 1e-12
        means_error = max(means_error, float(np.linalg.norm(softmax(1e-9 * raw) @ vals - vals.mean(axis=0))))
    median_errors = np.median(errors, axis=0)
    evidence.plot(
        "error-vs-scale",
        Bilingual(zh="‖o(β) − v*‖ 的中位数", en="Median ‖o(β) − v*‖"),
        Bilingual(zh="缩放 β", en="scale β"),
        Bilingual(zh="距离", en="distance"),
        {"median error": (SCALES, median_errors)},
        x_log=True,
        y_log=True,
    )

    # Nearest neighbour vs largest dot product.
    agree_equal, agree_unequal, checks = 0, 0, 2000 if ctx.quick else 20000
    for _ in range(checks):
        query = rng.standard_normal(dim)
        keys = rng.standard_normal((8, dim))
        unit = keys / np.linalg.norm(keys, axis=1, keepdims=True)
        agree_equal += int((unit @ query).argmax() == np.linalg.norm(unit - query, axis=1).argmin())
        agree_unequal += int((keys @ query).argmax() == np.linalg.norm(keys - query, axis=1).argmin())
    evidence.table(
        "nearest-neighbour",
        Bilingual(zh=f"点积最大 与 欧氏最近 一致的比例（{checks} 次，8 个键，d={dim}）", en=f"How often the largest dot product is the nearest key ({checks} draws, 8 keys, d={dim})"),
        ("keys", "agreement"),
        [("unit norm", agree_equal / checks), ("random norms", agree_unequal / checks)],
    )

    evidence.claim(
        "large-scale-picks-best-value",
        holds=hard == values[0] and float(median_errors[-1]) < 1e-6 and is_monotone(median_errors, increasing=False, strict=False),
        measured=f"lim β→∞ o = {hard}; median ‖o − v*‖ {median_errors[0]:.3f} at β={SCALES[0]} → {median_errors[-1]:.1e} at β={SCALES[-1]}",
        value=float(median_errors[-1]),
    )
    evidence.claim(
        "small-scale-averages",
        holds=sp.simplify(average - sum(values) / 3) == 0 and means_error < 1e-6,
        measured=f"lim β→0⁺ o = {average}; numerically within {means_error:.1e} of the mean value",
        value=means_error,
    )
    evidence.claim(
        "exponential-error-bound",
        holds=bool(bound_holds),
        measured=f"bound held for all {trials} × {len(SCALES)} (query, scale) pairs: {bool(bound_holds)}",
    )
    evidence.claim(
        "equal-norm-keys-nearest-neighbour",
        holds=agree_equal == checks,
        measured=f"{agree_equal}/{checks} agree with unit-norm keys (‖q − k‖² = ‖q‖² + 1 − 2q·k)",
        value=agree_equal / checks,
    )
    evidence.claim(
        "best-dot-product-is-always-nearest",
        holds=agree_unequal == checks,
        measured=f"with random-norm keys only {agree_unequal}/{checks} agree ({agree_unequal / checks:.1%})",
        value=agree_unequal / checks,
    )
    evidence.set_summary(
        zh=f"缩放 β 增大时注意力输出以 e^(−βδ) 的速度收敛到最高分键的值（β={SCALES[-1]} 时中位误差 {median_errors[-1]:.1e}），β → 0 时为值的平均；"
        f"键范数相同时点积最大即最近邻，范数不同时只有 {agree_unequal / checks:.0%} 一致。",
        en=f"As the scale β grows, the attention output converges to the best key's value at rate e^(−βδ) (median error "
        f"{median_errors[-1]:.1e} at β={SCALES[-1]}); as β → 0 it is the mean value. With equal-norm keys the largest dot "
        f"product is the nearest neighbour; with unequal norms they agree only {agree_unequal / checks:.0%} of the time.",
    )
