"""Drill: attention computed block by block with online softmax, equal to full attention."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verifiers.drills.catalog._common import TOLERANCE_EN, TOLERANCE_ZH, text
from verifiers.drills.spec import Drill, check

if TYPE_CHECKING:
    from verifiers.drills.context import DrillContext


def _full_attention(q: Any, k: Any, v: Any, block_size: int = 0) -> Any:
    """Full attention (``block_size`` is accepted and ignored, so it takes the drill's arguments)."""
    from verifiers.drills.catalog.attention import attention_reference

    return attention_reference(q, k, v)


def _online_mistakes(q: Any, k: Any, v: Any, block_size: int) -> list:
    """Blockwise attention that forgets to rescale the running sums, for diagnosing."""
    import math

    import torch

    scale = 1 / math.sqrt(q.size(-1))
    m = torch.full(q.shape[:-1] + (1,), float("-inf"), dtype=q.dtype)
    l = torch.zeros(q.shape[:-1] + (1,), dtype=q.dtype)
    acc = torch.zeros(q.shape[:-1] + (v.size(-1),), dtype=q.dtype)
    for start in range(0, k.size(-2), block_size):
        s = q @ k[..., start : start + block_size, :].transpose(-2, -1) * scale
        m = torch.maximum(m, s.amax(-1, keepdim=True))
        w = torch.exp(s - m)
        l = l + w.sum(-1, keepdim=True)
        acc = acc + w @ v[..., start : start + block_size, :]
    return [
        (
            text(
                "运行最大值变大时，之前累加的分母和输出都要乘 exp(m_old - m_new) 重新缩放。",
                "When the running maximum grows, rescale the denominator and the output summed so far by exp(m_old - m_new).",
            ),
            acc / l,
        )
    ]


ONLINE_CASES = (((), 1, 1, 2, 2, 1), ((), 3, 7, 4, 3, 2), ((2,), 4, 10, 8, 5, 3), ((2, 2), 2, 9, 4, 4, 4), ((), 3, 5, 4, 2, 8))  # (leading, T_q, T_k, d, d_v, block)


@check(
    "matches-full-attention",
    en=f"Equals full softmax(q k^T / sqrt(d)) v for (leading, T_q, T_k, d, d_v, block_size) in {ONLINE_CASES}: blocks "
    f"of 1, blocks that do not divide T_k, and a block larger than T_k, {TOLERANCE_EN}.",
    zh=f"对 (前导维, T_q, T_k, d, d_v, block_size) ∈ {ONLINE_CASES}，等于完整的 softmax(q k^T / sqrt(d)) v：包括块大小为 1、块大小不整除 T_k、块比 T_k 还大的情况，{TOLERANCE_ZH}。",
    hint_en="Loop over key blocks (the last may be shorter); keep a running max m, denominator l and output acc per query; return acc / l.",
    hint_zh="按键的块循环（最后一块可以更短）；为每个查询维护运行最大值 m、分母 l 和输出 acc；最后返回 acc / l。",
)
def _online_matches(attention: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for lead, T_q, T_k, d, d_v, block in ONLINE_CASES:
            q, k, v = ctx.randn(*lead, T_q, d, dtype=dtype), ctx.randn(*lead, T_k, d, dtype=dtype), ctx.randn(*lead, T_k, d_v, dtype=dtype)
            ctx.close(
                ctx.call(attention, q, k, v, block),
                _full_attention(q, k, v),
                inputs={"q": q, "k": k, "v": v, "block_size": block},
                mistakes=lambda: _online_mistakes(q, k, v, block),
            )


@check(
    "rescales-across-blocks",
    en=f"Stays finite and equal to full attention when the scores are in the thousands and the largest ones sit in a "
    f"later block than the first, {TOLERANCE_EN}.",
    zh=f"分数上千、且最大的分数出现在第一块之后的块里时，结果仍然有限并等于完整注意力，{TOLERANCE_ZH}。",
    hint_en="exp() of scores in the thousands overflows unless the running maximum is subtracted; when a later block raises "
    "the maximum, everything accumulated so far must be rescaled by exp(m_old - m_new).",
    hint_zh="上千的分数直接 exp() 会溢出，必须减去运行最大值；当后面的块抬高了最大值时，之前累加的量都要乘 exp(m_old - m_new) 重新缩放。",
)
def _online_rescaling(attention: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        q = ctx.randn(3, 4, dtype=dtype, scale=10.0)
        k = ctx.randn(12, 4, dtype=dtype, scale=10.0)
        k[8:] *= 8.0  # the last block holds the largest scores
        v = ctx.randn(12, 3, dtype=dtype)
        ctx.close(
            ctx.call(attention, q, k, v, 4),
            _full_attention(q, k, v),
            inputs={"q": q, "k": k, "v": v, "block_size": 4},
            mistakes=lambda: _online_mistakes(q, k, v, 4),
        )


@check(
    "never-builds-full-scores",
    en="With T_q = 4, T_k = 37 and blocks of 8, no tensor the code creates has (T_q, T_k) = (4, 37) as its last two "
    "dimensions (or (37, 4)): the full score matrix is never built.",
    zh="T_q = 4、T_k = 37、块大小为 8 时，代码创建的任何张量的最后两维都不是 (T_q, T_k) = (4, 37)（或 (37, 4)）：从不构造完整的分数矩阵。",
    hint_en="Compute scores only against one block of keys at a time: q @ k[..., start:start + block_size, :].transpose(-2, -1).",
    hint_zh="每次只和一块键计算分数：q @ k[..., start:start + block_size, :].transpose(-2, -1)。",
)
def _online_blockwise(attention: Any, ctx: "DrillContext") -> None:
    q, k, v = ctx.randn(4, 6), ctx.randn(37, 6), ctx.randn(37, 5)
    inputs = {"q": q, "k": k, "v": v, "block_size": 8}
    got, shapes = ctx.call_traced(attention, q, k, v, 8)
    ctx.close(got, _full_attention(q, k, v), inputs=inputs)
    full = [(name, shape) for name, shape in shapes if shape[-2:] in ((4, 37), (37, 4))]
    ctx.require(
        not full,
        text(
            f"构造了完整的分数矩阵：{full[0][0] if full else ''} 返回了形状 {full[0][1] if full else ''} 的张量",
            f"it builds the full score matrix: {full[0][0] if full else ''} returned a tensor of shape {full[0][1] if full else ''}",
        ),
        inputs=inputs,
    )


@check(
    "gradients",
    en="Gradients flow to q, k and v and equal full attention's (float64).",
    zh="梯度能回传到 q、k、v，并与完整注意力的一致（float64）。",
    hint_en="Build the running statistics with out-of-place operations (new = old * scale + ...), not in-place updates of tensors autograd needs.",
    hint_zh="用非原地运算更新运行统计量（new = old * scale + ...），不要原地修改 autograd 需要的张量。",
)
def _online_gradients(attention: Any, ctx: "DrillContext") -> None:
    q, k, v = ctx.randn(2, 3, 4), ctx.randn(2, 7, 4), ctx.randn(2, 7, 3)
    ctx.gradients(attention, _full_attention, {"q": q, "k": k, "v": v, "block_size": 3}, wrt=("q", "k", "v"))


ONLINE_SOFTMAX_ATTENTION = Drill(
    id="online-softmax-attention",
    entry="online_softmax_attention",
    reference="online_softmax_attention.py",
    title=text("在线 softmax 的分块注意力（FlashAttention 的递推）", "Blockwise attention with online softmax (FlashAttention's recurrence)"),
    task=text(
        "实现 online_softmax_attention(q, k, v, block_size)：结果等于完整的 softmax(q kᵀ/√d) v，但按 block_size 个键一块地处理，从不构造完整的 (T_q, T_k) 分数矩阵。"
        "为每个查询维护运行最大值 m、分母 l、未归一化输出 acc；每块更新 m_new = max(m, max(s))，并把 l 和 acc 乘 exp(m - m_new) 后再累加。不要调用 F.scaled_dot_product_attention。",
        "Write online_softmax_attention(q, k, v, block_size): the result equals full softmax(q k^T / sqrt(d)) v, but keys "
        "are processed block_size at a time and the full (T_q, T_k) score matrix is never built. Per query keep a "
        "running max m, a denominator l and an unnormalised output acc; for each block set m_new = max(m, max(s)) and "
        "rescale l and acc by exp(m - m_new) before adding the block. Do not call F.scaled_dot_product_attention.",
    ),
    hints=(
        text("softmax 的分母可以分块求：Σ exp(s - m) 在 m 改变时乘 exp(m_old - m_new) 即可更新。", "The softmax denominator can be summed in blocks: when m changes, multiply the sum by exp(m_old - m_new)."),
        text("输出的分子 Σ exp(s - m) v 也用同样的因子重新缩放。", "The numerator sum exp(s - m) v is rescaled by the same factor."),
        text("初始 m = -inf、l = 0、acc = 0；exp(-inf - m_new) = 0，第一块自然正确。", "Start with m = -inf, l = 0, acc = 0; exp(-inf - m_new) = 0 makes the first block come out right."),
    ),
    questions=("efficient-online-softmax", "efficient-flashattention", "efficient-approximate-vs-exact"),
    checks=(_online_matches, _online_rescaling, _online_blockwise, _online_gradients),
    forbidden=("torch.nn.functional.scaled_dot_product_attention",),
)
