"""The online (block-by-block) softmax of FlashAttention is exact, not an approximation."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

BLOCK = 64


@verifier(
    id="online-softmax-exact",
    kind="symbolic",
    title=Bilingual(
        zh="在线 softmax（FlashAttention 的分块计算）是精确的，不是近似",
        en="The online softmax behind FlashAttention's block-wise computation is exact, not an approximation",
    ),
    explanation=Bilingual(
        zh="分块处理一行打分时维护运行最大值 m、归一化和 ℓ = Σ eˢ⁻ᵐ 与未归一化输出 o = Σ eˢ⁻ᵐ v；新块到来时旧的 ℓ、o 乘以 e^(m−m') "
        "换算到新的最大值。因为 softmax 对任意平移常数不变，合并结果与一次看完整行在代数上完全相同。这里对两个块、任意平移常数用 sympy 证明，"
        "再用 numpy 实现的分块注意力与直接计算对比（包括 logit 达到上千、朴素 exp 会溢出的情形），并统计中间结果所需的内存。",
        en="Processing a row of scores block by block keeps a running maximum m, the normaliser ℓ = Σ eˢ⁻ᵐ and the unnormalised "
        "output o = Σ eˢ⁻ᵐ v; when a block arrives, the old ℓ and o are multiplied by e^(m−m') to re-express them against the new "
        "maximum. Softmax is invariant to any shift, so the merged result is algebraically identical to seeing the whole row at once. "
        "This proves it with sympy for two blocks and arbitrary shifts, compares a numpy block-wise attention with the direct "
        "computation (including logits in the thousands, where a naive exp overflows), and counts the memory the intermediates need.",
    ),
    cost=Cost(quick_s=0.6),
    claims=(
        Claim(
            "merge-is-algebraically-exact",
            Bilingual(
                zh="两块的 (m, ℓ, o) 按 e^(m−m') 重缩放后合并，等于整行 softmax 加权和（对任意平移常数成立）",
                en="Merging two blocks' (m, ℓ, o) with the e^(m−m') rescaling equals the whole-row softmax-weighted sum, for any shifts",
            ),
        ),
        Claim(
            "blockwise-equals-direct",
            Bilingual(
                zh=f"n = 1000、块大小 {BLOCK} 的分块注意力与直接计算的最大差异 < 1e-12（相对），logit 达到 ±2000 时也成立",
                en=f"Block-wise attention (n = 1000, blocks of {BLOCK}) matches the direct computation within 1e-12 (relative), even with logits up to ±2000",
            ),
        ),
        Claim(
            "naive-exponent-overflows",
            Bilingual(
                zh="不减最大值的朴素 softmax 在 logit 超过约 709（float64）/ 88（float32）时溢出为 inf/NaN",
                en="A naive softmax that does not subtract the maximum overflows to inf/NaN beyond logits of about 709 (float64) / 88 (float32)",
            ),
        ),
        Claim(
            "memory-linear-in-length",
            Bilingual(
                zh="分块计算的中间结果只需 O(n·B) 而不是 O(n²)：n = 4096、B = 64 时小 64 倍",
                en="Block-wise intermediates take O(n·B) rather than O(n²): 64 times less at n = 4096, B = 64",
            ),
        ),
        Claim(
            "flashattention-approximates",
            Bilingual(zh="FlashAttention 通过近似注意力来换取速度", en="FlashAttention trades accuracy for speed by approximating attention"),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy"),
)
def online_softmax_exact(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    scores = sp.symbols("s1:5", real=True)
    values = sp.symbols("v1:5", real=True)
    m1, m2, m_new = sp.symbols("m_1 m_2 m'", real=True)  # any shifts: the identity does not need them to be maxima
    block_one, block_two = (0, 1), (2, 3)
    l1 = sum(sp.exp(scores[j] - m1) for j in block_one)
    o1 = sum(sp.exp(scores[j] - m1) * values[j] for j in block_one)
    l2 = sum(sp.exp(scores[j] - m2) for j in block_two)
    o2 = sum(sp.exp(scores[j] - m2) * values[j] for j in block_two)
    merged_l = sp.exp(m1 - m_new) * l1 + sp.exp(m2 - m_new) * l2
    merged_o = sp.exp(m1 - m_new) * o1 + sp.exp(m2 - m_new) * o2
    direct = sum(sp.exp(s) * v for s, v in zip(scores, values)) / sum(sp.exp(s) for s in scores)
    difference = sp.simplify(sp.powsimp(sp.expand(merged_o / merged_l - direct)))
    evidence.step(
        r"\ell_b = \sum_{j\in b} e^{s_j - m_b},\quad o_b = \sum_{j\in b} e^{s_j - m_b} v_j",
        "每个块相对自己的平移常数 m_b（实际取块内最大值）累加。",
        "Each block accumulates relative to its own shift m_b (in practice the block's maximum).",
    )
    evidence.step(
        r"\ell = e^{m_1 - m'}\ell_1 + e^{m_2 - m'}\ell_2,\quad o = e^{m_1 - m'}o_1 + e^{m_2 - m'}o_2",
        "乘以 e^(m_b − m') 把两块换算到同一个平移常数 m'（实际取两者最大值）。",
        "Multiplying by e^(m_b − m') re-expresses both blocks against one shift m' (in practice the larger maximum).",
    )
    evidence.step(
        r"\frac{o}{\ell} - \frac{\sum_j e^{s_j} v_j}{\sum_j e^{s_j}} = " + sp.latex(difference),
        "每一项都含同一个因子 e^(−m')，分子分母约去：平移常数对结果没有影响，合并是精确的。",
        "Every term carries the same factor e^(−m'), which cancels between numerator and denominator: the shifts do not "
        "affect the result, so the merge is exact.",
    )

    rng = ctx.numpy_rng()
    length, dim = 1000, 32
    rows = []
    worst = 0.0
    for spread in (1.0, 30.0, 2000.0):
        logits = rng.standard_normal((8, length)) * spread
        vals = rng.standard_normal((length, dim))
        direct_out = _direct(np, logits, vals)
        tiled_out = _blockwise(np, logits, vals, BLOCK)
        error = float(np.abs(tiled_out - direct_out).max() / np.abs(direct_out).max())
        worst = max(worst, error)
        with np.errstate(over="ignore", invalid="ignore"):
            naive = np.exp(logits) @ vals / np.exp(logits).sum(axis=1, keepdims=True)
        rows.append((spread, float(np.abs(logits).max()), float(f"{error:.3g}"), bool(np.isfinite(naive).all())))
    evidence.table(
        "blockwise-vs-direct",
        Bilingual(zh=f"分块（B={BLOCK}）与直接计算，n = {length}", en=f"Block-wise (B={BLOCK}) vs direct, n = {length}"),
        ("logit scale", "max |logit|", "relative difference", "naive softmax finite"),
        rows,
    )
    with np.errstate(over="ignore", invalid="ignore"):
        overflow64 = float(np.exp(np.float64(710.0)))
        overflow32 = float(np.exp(np.float32(89.0)))
    sequence, block = 4096, BLOCK
    full_scores, tiled_scores = sequence * sequence, sequence * block
    evidence.metric("max_relative_difference", worst, en="largest relative difference, block-wise vs direct", zh="分块与直接计算的最大相对差")
    evidence.metric("score_memory_ratio", full_scores / tiled_scores, en=f"n² / (n·B) at n={sequence}, B={block}", zh="中间结果内存之比")

    evidence.claim(
        "merge-is-algebraically-exact",
        holds=difference == 0,
        measured=f"sympy: merged − direct = {difference} for symbolic scores, values and shifts",
    )
    evidence.claim(
        "blockwise-equals-direct",
        holds=worst < 1e-12,
        measured=f"largest relative difference {worst:.1e} over logit scales 1, 30 and 2000",
        value=worst,
    )
    evidence.claim(
        "naive-exponent-overflows",
        holds=not rows[-1][3] and np.isinf(overflow64) and np.isinf(overflow32) and rows[0][3],
        measured=f"exp(710) in float64 = {overflow64}, exp(89) in float32 = {overflow32}; naive softmax finite at scale 1: "
        f"{rows[0][3]}, at scale 2000: {rows[-1][3]}",
    )
    evidence.claim(
        "memory-linear-in-length",
        holds=full_scores // tiled_scores == 64,
        measured=f"score entries held at once: {full_scores:,} for the whole matrix vs {tiled_scores:,} per block of rows × keys",
        value=full_scores / tiled_scores,
    )
    evidence.claim(
        "flashattention-approximates",
        holds=difference != 0 or worst > 1e-6,
        measured=f"the merge is an algebraic identity (difference {difference}) and the numeric difference is {worst:.1e}, float round-off",
        value=worst,
    )
    evidence.set_summary(
        zh=f"在线 softmax 的合并在代数上与整行 softmax 相同（sympy 证明），数值上相对差 {worst:.0e}，logit 达 ±2000 也稳定；"
        "FlashAttention 是精确注意力，省的是内存读写，不是精度。",
        en=f"The online-softmax merge is algebraically the whole-row softmax (proved with sympy) and numerically within {worst:.0e}, "
        "stable even with logits of ±2000; FlashAttention is exact attention that saves memory traffic, not accuracy.",
    )


def _direct(np, logits, values):
    shifted = logits - logits.max(axis=1, keepdims=True)
    weights = np.exp(shifted)
    return weights @ values / weights.sum(axis=1, keepdims=True)


def _blockwise(np, logits, values, block: int):
    """FlashAttention's forward recurrence over key blocks: running max, normaliser and unnormalised output."""
    rows = logits.shape[0]
    running_max = np.full((rows, 1), -np.inf)
    normaliser = np.zeros((rows, 1))
    output = np.zeros((rows, values.shape[1]))
    for start in range(0, logits.shape[1], block):
        scores = logits[:, start : start + block]
        new_max = np.maximum(running_max, scores.max(axis=1, keepdims=True))
        rescale = np.exp(running_max - new_max)  # e^(m - m'): old accumulators against the new maximum
        weights = np.exp(scores - new_max)
        normaliser = rescale * normaliser + weights.sum(axis=1, keepdims=True)
        output = rescale * output + weights @ values[start : start + block]
        running_max = new_max
    return output / normaliser
