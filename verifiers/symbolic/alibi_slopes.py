"""ALiBi's head slopes: the geometric sequence 2^(−8i/n), the rule for non-powers of two, and how hard each head fades."""

from __future__ import annotations

import math

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

HEAD_COUNTS = (8, 12, 16, 20, 32, 40)
TRAINED_LENGTH = 1024


@verifier(
    id="alibi-slopes",
    kind="symbolic",
    title=Bilingual(
        zh="ALiBi 的头斜率：几何序列 2^(−8i/n)，非 2 的幂的规则，以及每个头对远处 token 的压制",
        en="ALiBi's head slopes: the geometric sequence 2^(−8i/n), the rule for non-powers of two, and how hard each head suppresses distant tokens",
    ),
    explanation=Bilingual(
        zh="ALiBi 给第 h 个头的分数加上 −m_h·(i − j)。n 是 2 的幂时斜率是首项与公比都为 2^(−8/n) 的几何序列 2^(−8/n), 2^(−16/n), …, 2^(−8)："
        "8 个头是 1/2, 1/4, …, 1/256，16 个头是 2^(−0.5), 2^(−1), …, 2^(−8)。n 不是 2 的幂时，参考实现取不超过 n 的最大 2 的幂 k 的斜率，"
        "再从 2k 个头的序列里隔一个取 n − k 个补上。斜率是固定的，不学习。偏置 −m·Δ 让权重乘以 e^(−mΔ)：斜率 1/2 的头在距离 10 时就把权重压到 "
        "e^(−5)，斜率 1/256 的头要到 1179 个 token 才压到 1%。这里按论文参考代码的规则计算并检查这些性质（测试另外与 transformers 的 BLOOM 实现逐个比较）。",
        en="ALiBi adds −m_h·(i − j) to head h's scores. For n a power of two the slopes are the geometric sequence whose first term and "
        "ratio are both 2^(−8/n): 2^(−8/n), 2^(−16/n), …, 2^(−8); 1/2, 1/4, …, 1/256 for 8 heads, 2^(−0.5), 2^(−1), …, 2^(−8) for 16. "
        "When n is not a power of two, the reference code takes the slopes of the largest power of two k below n and adds n − k "
        "slopes taken every other one from the 2k-head sequence. The slopes are fixed, not learned. A bias −m·Δ multiplies a "
        "weight by e^(−mΔ): the head with slope 1/2 has cut a key to e^(−5) by distance 10, while the head with slope 1/256 needs "
        "1179 tokens to cut it to 1%. This computes the slopes by the reference code's rule and checks these properties (the tests also "
        "compare them one by one with transformers' BLOOM implementation).",
    ),
    cost=Cost(quick_s=0.1),
    claims=(
        Claim(
            "power-of-two-geometric",
            Bilingual(
                zh="n 为 2 的幂：斜率是首项与公比都为 2^(−8/n) 的几何序列，最后一个是 2^(−8)；8 个头为 1/2 … 1/256，16 个头为 2^(−0.5) … 2^(−8)",
                en="For n a power of two the slopes form the geometric sequence with first term and ratio 2^(−8/n), ending at 2^(−8): "
                "1/2 … 1/256 for 8 heads, 2^(−0.5) … 2^(−8) for 16",
            ),
        ),
        Claim(
            "non-power-of-two-interleaves",
            Bilingual(
                zh="n 不是 2 的幂（如 12、20、40）：前 k 个是 k = 2^⌊log₂n⌋ 个头的斜率，其余取 2k 个头序列的第 0、2、4… 个；所有斜率互不相同且在 (0, 1) 内",
                en="For n not a power of two (12, 20, 40): the first k are the slopes for k = 2^⌊log₂n⌋ heads, the rest are entries 0, 2, 4, … "
                "of the 2k-head sequence; all slopes are distinct and in (0, 1)",
            ),
        ),
        Claim(
            "distance-to-one-percent",
            Bilingual(
                zh="8 个头：偏置把远处 key 的权重压到 1% 所需的距离从 9（斜率 1/2）到 1179（斜率 1/256）；有 7 个头在训练长度 1024 以内就压到 1%",
                en="With 8 heads the distance at which the bias cuts a key's weight to 1% runs from 9 (slope 1/2) to 1179 (slope 1/256); "
                "7 of the 8 heads reach 1% within the training length of 1024",
            ),
        ),
        Claim(
            "halving-for-every-head-count",
            Bilingual(
                zh="任何头数 n，斜率都是 1/2, 1/4, …, 1/2ⁿ（16 个头时最小斜率是 2^(−16)）",
                en="For any number of heads n the slopes are 1/2, 1/4, …, 1/2ⁿ (the smallest slope for 16 heads being 2^(−16))",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy",),
)
def alibi_slopes(ctx: Context, evidence: Evidence) -> None:
    import sympy as sp

    n, i = sp.symbols("n i", positive=True, integer=True)
    slope = 2 ** (-8 * i / n)
    ratio = sp.powsimp(slope.subs(i, i + 1) / slope, force=True)
    last = slope.subs(i, n)
    evidence.step(
        r"m_i = 2^{-8i/n},\ i = 1, \dots, n:\quad \frac{m_{i+1}}{m_i} = " + sp.latex(ratio) + r",\quad m_n = " + sp.latex(last),
        "首项和公比都是 2^(−8/n)，最后一个斜率总是 2^(−8)，与头数无关。",
        "First term and ratio are both 2^(−8/n); the last slope is always 2^(−8), whatever the number of heads.",
    )
    evidence.step(
        r"\text{score}_{ij} = q_i^\top k_j - m\,(i - j) \Rightarrow \text{weight} \propto e^{q_i^\top k_j}\,e^{-m(i-j)},\quad "
        r"e^{-m\Delta} = 0.01 \Leftrightarrow \Delta = \frac{\ln 100}{m}",
        "相同内容分数下，距离 Δ 处的 key 权重被乘以 e^(−mΔ)。",
        "At equal content scores a key at distance Δ has its weight multiplied by e^(−mΔ).",
    )

    slopes = {count: _alibi_slopes(count) for count in HEAD_COUNTS}
    geometric_ok = True
    for count in (8, 16, 32):
        exact = [slope.subs({n: count, i: k}) for k in range(1, count + 1)]
        geometric_ok &= all(abs(a - float(b)) < 1e-15 for a, b in zip(slopes[count], exact))
        geometric_ok &= all(abs(slopes[count][k + 1] / slopes[count][k] - 2 ** (-8 / count)) < 1e-12 for k in range(count - 1))
        geometric_ok &= abs(slopes[count][-1] - 2**-8) < 1e-15
    eight_exact = slopes[8] == [2.0**-k for k in range(1, 9)]
    sixteen_first = abs(slopes[16][0] - 2**-0.5) < 1e-15
    interleaved_ok = True
    for count in (12, 20, 40):
        k = 2 ** math.floor(math.log2(count))
        interleaved_ok &= slopes[count][:k] == _alibi_slopes(k)
        interleaved_ok &= slopes[count][k:] == _alibi_slopes(2 * k)[0::2][: count - k]
        interleaved_ok &= len(set(slopes[count])) == count and all(0 < s < 1 for s in slopes[count])
    evidence.table(
        "slopes",
        Bilingual(zh="各头数的斜率（以 2 为底的对数）", en="Slopes for each head count (as log₂)"),
        ("heads", "log2 of the slopes"),
        [(count, ", ".join(f"{math.log2(s):g}" for s in slopes[count])) for count in HEAD_COUNTS],
    )
    reach = [(s, math.log(100) / s, math.exp(-s * TRAINED_LENGTH)) for s in slopes[8]]
    within = sum(1 for _, distance, _ in reach if distance <= TRAINED_LENGTH)
    evidence.table(
        "reach",
        Bilingual(zh="8 个头：偏置把权重压到 1% 的距离", en="8 heads: the distance at which the bias cuts a weight to 1%"),
        ("slope", "distance to 1%", f"factor at distance {TRAINED_LENGTH}"),
        [(f"1/{round(1 / s)}", round(distance, 1), f"{factor:.2e}") for s, distance, factor in reach],
    )
    evidence.plot(
        "bias-decay",
        Bilingual(zh="8 个头的偏置因子 e^(−mΔ)", en="The bias factor e^(−mΔ) of the 8 heads"),
        Bilingual(zh="距离 Δ", en="distance Δ"),
        Bilingual(zh="e^(−mΔ)", en="e^(−mΔ)"),
        {f"m = 1/{round(1 / s)}": (list(range(0, 2049, 64)), [math.exp(-s * d) for d in range(0, 2049, 64)]) for s in slopes[8][::2]},
    )

    evidence.metric("smallest_slope_16_heads", slopes[16][-1], en="smallest slope with 16 heads", zh="16 个头的最小斜率")

    evidence.claim(
        "power-of-two-geometric",
        holds=geometric_ok and eight_exact and sixteen_first,
        measured=f"8 heads: {', '.join(f'1/{round(1 / s)}' for s in slopes[8])}; 16 heads: first {slopes[16][0]:.4f} = 2^-0.5, last {slopes[16][-1]:g}; "
        "ratio 2^(−8/n) throughout",
    )
    evidence.claim(
        "non-power-of-two-interleaves",
        holds=interleaved_ok,
        measured="; ".join(f"{count} heads: log₂ = {', '.join(f'{math.log2(s):g}' for s in slopes[count][2 ** math.floor(math.log2(count)):])} after the first {2 ** math.floor(math.log2(count))}" for count in (12, 20)),
    )
    evidence.claim(
        "distance-to-one-percent",
        holds=round(reach[0][1]) == 9 and round(reach[-1][1]) == 1179 and within == 7,
        measured=f"distances to 1%: {', '.join(f'{distance:.0f}' for _, distance, _ in reach)}; {within} of 8 within {TRAINED_LENGTH}",
    )
    evidence.claim(
        "halving-for-every-head-count",
        holds=all(slopes[count] == [2.0**-k for k in range(1, count + 1)] for count in (8, 16, 32)),
        measured=f"16 heads: smallest slope {slopes[16][-1]:g} = 2^-8, not 2^-16 = {2.0**-16:g}; only n = 8 gives 1/2 … 1/2ⁿ",
    )
    evidence.set_summary(
        zh=f"ALiBi 斜率 2^(−8i/n)：8 个头 1/2 … 1/256，16 个头 2^-0.5 … 2^-8（不是 2^-16）；非 2 的幂时隔一个取 2k 头序列补齐。"
        f"8 个头中有 {within} 个在 {TRAINED_LENGTH} 个 token 内就把远处 key 的权重压到 1%。",
        en=f"ALiBi's slopes are 2^(−8i/n): 1/2 … 1/256 for 8 heads, 2^-0.5 … 2^-8 for 16 (not 2^-16); non-powers of two take every other "
        f"slope of the 2k-head sequence. {within} of 8 heads cut a distant key's weight to 1% within {TRAINED_LENGTH} tokens.",
    )


def _alibi_slopes(heads: int) -> list[float]:
    """The reference code's get_slopes (Press et al., 2022)."""

    def power_of_two(count: int) -> list[float]:
        start = 2 ** (-(2 ** -(math.log2(count) - 3)))  # = 2^(−8/count)
        return [start * start**k for k in range(count)]

    if math.log2(heads).is_integer():
        return power_of_two(heads)
    closest = 2 ** math.floor(math.log2(heads))
    return power_of_two(closest) + _alibi_slopes(2 * closest)[0::2][: heads - closest]

