"""Drills: softmax and scaled dot-product attention -- the first thing an interviewer asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verifiers.drills.catalog._common import TOLERANCE_EN, TOLERANCE_ZH, nonempty_rows, random_mask, text
from verifiers.drills.spec import Drill, check

if TYPE_CHECKING:
    from verifiers.drills.context import DrillContext

# -- softmax ---------------------------------------------------------------------------------

SOFTMAX_SHAPES = ((3,), (4, 1), (2, 5), (2, 3, 4))


@check(
    "matches-torch",
    en=f"Equals torch.softmax on seeded random logits of shapes {', '.join(map(str, SOFTMAX_SHAPES))} along every "
    f"dim (negative ones too), {TOLERANCE_EN}; the output keeps the input's shape and dtype.",
    zh=f"在形状为 {', '.join(map(str, SOFTMAX_SHAPES))} 的随机 logits 上、沿每个维度（包括负数维度）与 torch.softmax "
    f"一致，{TOLERANCE_ZH}；输出保持输入的形状和 dtype。",
    hint_en="Reduce along the dim you are given, with keepdim=True for both the max and the sum so they broadcast back.",
    hint_zh="沿给定的 dim 归约，max 和 sum 都用 keepdim=True，这样才能正确广播回去。",
)
def _softmax_matches_torch(softmax: Any, ctx: "DrillContext") -> None:
    import torch

    for dtype in ctx.dtypes:
        for shape in SOFTMAX_SHAPES:
            for dim in range(-len(shape), len(shape)):
                x = ctx.randn(*shape, dtype=dtype, scale=3.0)
                ctx.close(ctx.call(softmax, x, dim=dim), torch.softmax(x, dim=dim), inputs={"x": x, "dim": dim})


@check(
    "large-logits",
    en="Stays finite and correct for logits of ±1e4, including rows whose logits are all huge or all very negative "
    "next to rows of ordinary size.",
    zh="logits 为 ±1e4 时仍然有限且正确，包括整行都很大或都很负的行与普通大小的行放在一起的情况。",
    hint_en="exp(1e4) overflows to inf, and inf/inf is NaN. Subtract each row's own maximum (along dim) before exp: "
    "the result is unchanged and the largest exponent becomes 0.",
    hint_zh="exp(1e4) 会溢出成 inf，inf/inf 得 NaN。在 exp 之前减去每一行（沿 dim）自己的最大值：结果不变，最大的指数变成 0。",
)
def _softmax_large_logits(softmax: Any, ctx: "DrillContext") -> None:
    import torch

    rows = [[1e4, 0.0, -1e4], [-1e4, -1e4 + 1.0, -1e4 + 2.0], [1e4, 1e4, 1e4], [0.5, -0.5, 0.0]]
    for dtype in ctx.dtypes:
        x = torch.tensor(rows, dtype=dtype)
        for dim in (-1, 0):
            ctx.close(ctx.call(softmax, x, dim=dim), torch.softmax(x, dim=dim), inputs={"x": x, "dim": dim})


@check(
    "gradient",
    en="Gradients flow back to x and equal torch.softmax's (float64, dim -1 and 0).",
    zh="梯度能回传到 x，并与 torch.softmax 的梯度一致（float64，dim 为 -1 和 0）。",
    hint_en="Build the output from differentiable tensor operations on x: no .detach(), .data, numpy or Python floats.",
    hint_zh="用对 x 可微的张量运算构造输出：不要用 .detach()、.data、numpy 或 Python 浮点数。",
)
def _softmax_gradient(softmax: Any, ctx: "DrillContext") -> None:
    import torch

    for dim in (-1, 0):
        x = ctx.randn(3, 4, scale=2.0)
        ctx.gradients(softmax, torch.softmax, {"x": x, "dim": dim}, wrt=("x",), keywords=("dim",))


SOFTMAX = Drill(
    id="softmax",
    entry="softmax",
    reference="softmax.py",
    title=text("数值稳定的 softmax", "Numerically stable softmax"),
    task=text(
        "实现 softmax(x, dim=-1)：沿 dim 计算 exp(x_i) / Σ_j exp(x_j)。对任意形状、float32 和 float64 都要正确，"
        "logits 达到 ±1e4 时也不能出现 inf 或 NaN，梯度要能回传。不要调用 torch.softmax 或 F.softmax。",
        "Write softmax(x, dim=-1): exp(x_i) / sum_j exp(x_j) along dim. It must be right for any shape, in float32 and "
        "float64, stay free of inf and NaN for logits as large as ±1e4, and let gradients flow. Do not call "
        "torch.softmax or F.softmax.",
    ),
    hints=(
        text("softmax(x) = softmax(x - c) 对任意常数 c 成立。", "softmax(x) = softmax(x - c) for any constant c."),
        text(
            "取 c 为沿 dim 的最大值（keepdim=True），这样最大的指数是 0，exp 不会溢出。",
            "Take c as the maximum along dim (keepdim=True): the largest exponent is then 0 and exp cannot overflow.",
        ),
        text("分母同样沿 dim 求和并 keepdim=True。", "Sum the denominator along dim with keepdim=True too."),
    ),
    questions=("attention-why-softmax", "attention-scale-sqrt-dk", "efficient-online-softmax"),
    checks=(_softmax_matches_torch, _softmax_large_logits, _softmax_gradient),
    forbidden=(
        "torch.softmax",
        "torch.Tensor.softmax",
        "torch.nn.functional.softmax",
        "torch.log_softmax",
        "torch.Tensor.log_softmax",
        "torch.nn.functional.log_softmax",
        "torch.special.softmax",
    ),
)

# -- scaled dot-product attention ------------------------------------------------------------

# (leading dims, T_q, T_k, d, d_v), smallest first so the first counterexample is small.
ATTENTION_SHAPES = (((), 1, 1, 2, 2), ((), 3, 5, 4, 2), ((2,), 4, 3, 8, 5), ((2, 3), 3, 6, 4, 4))


def attention_reference(q: Any, k: Any, v: Any, mask: Any = None) -> Any:
    """``transformer_core``'s readable attention: zero output for a query with no allowed key."""
    from transformer_core.attention import scaled_dot_product_attention

    return scaled_dot_product_attention(q, k, v, mask)[0]


def attention_mistakes(q: Any, k: Any, v: Any, mask: Any = None) -> list:
    """What the usual mistakes would return, with the hint for each."""
    import math

    import torch

    def weighted(scores: Any, dim: int = -1) -> Any:
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        return torch.softmax(scores, dim=dim) @ v

    raw = q @ k.transpose(-2, -1)
    found = [
        (text("缺少 1/√d 缩放：分数应除以 sqrt(d)（d 是 q 的最后一维）。", "The 1/sqrt(d) scale is missing: divide the scores by sqrt(d), d = q.size(-1)."), weighted(raw)),
        (text("除以了 d 而不是 √d。", "The scores are divided by d instead of sqrt(d)."), weighted(raw / q.size(-1))),
        (text("softmax 应沿键的维度（最后一维）做，而不是查询的维度。", "Take the softmax over the keys (the last dim), not over the queries."), weighted(raw / math.sqrt(q.size(-1)), dim=-2)),
    ]
    if mask is not None:
        found.append(
            (
                text("mask 的方向反了：True 表示可以关注，应把 False 的位置设为 -inf。", "The mask is inverted: True means the query may attend; fill the False positions with -inf."),
                attention_reference(q, k, v, ~mask),
            )
        )
    return found


@check(
    "matches-reference",
    en=f"Without a mask, equals softmax(q k^T / sqrt(d)) v for shapes (leading, T_q, T_k, d, d_v) in {ATTENTION_SHAPES}, "
    f"T_q != T_k and d != d_v included, {TOLERANCE_EN}.",
    zh=f"不带 mask 时，对形状 (前导维, T_q, T_k, d, d_v) ∈ {ATTENTION_SHAPES}（包括 T_q ≠ T_k、d ≠ d_v）等于 "
    f"softmax(q k^T / sqrt(d)) v，{TOLERANCE_ZH}。",
    hint_en="scores = q @ k.transpose(-2, -1) / sqrt(d) has shape (..., T_q, T_k); softmax over the last dim; then @ v.",
    hint_zh="scores = q @ k.transpose(-2, -1) / sqrt(d)，形状 (..., T_q, T_k)；沿最后一维 softmax；再乘 v。",
)
def _sdpa_matches(attention: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for lead, t_q, t_k, d, d_v in ATTENTION_SHAPES:
            q, k, v = ctx.randn(*lead, t_q, d, dtype=dtype), ctx.randn(*lead, t_k, d, dtype=dtype), ctx.randn(*lead, t_k, d_v, dtype=dtype)
            ctx.close(
                ctx.call(attention, q, k, v),
                attention_reference(q, k, v),
                inputs={"q": q, "k": k, "v": v, "mask": None},
                mistakes=lambda: attention_mistakes(q, k, v),
            )


@check(
    "boolean-mask",
    en="With boolean masks (True = may attend) of shapes (T_q, T_k), (B, 1, T_q, T_k), (B, 1, 1, T_k) and "
    f"(B, H, T_q, T_k) broadcast against (B, H, T_q, T_k) scores, equals the reference, {TOLERANCE_EN}.",
    zh="使用形状为 (T_q, T_k)、(B, 1, T_q, T_k)、(B, 1, 1, T_k)、(B, H, T_q, T_k) 的布尔 mask（True = 可以关注），"
    f"与 (B, H, T_q, T_k) 的分数广播后，结果与参考一致，{TOLERANCE_ZH}。",
    hint_en="Set the scores where mask is False to -inf before the softmax (scores.masked_fill(~mask, float('-inf'))); "
    "masked_fill broadcasts the mask for you.",
    hint_zh="在 softmax 之前把 mask 为 False 的分数设为 -inf（scores.masked_fill(~mask, float('-inf'))）；masked_fill 会自动广播 mask。",
)
def _sdpa_mask(attention: Any, ctx: "DrillContext") -> None:
    B, H, t_q, t_k, d = 2, 3, 4, 5, 4
    for dtype in ctx.dtypes:
        for mask_shape in ((t_q, t_k), (B, 1, t_q, t_k), (B, 1, 1, t_k), (B, H, t_q, t_k)):
            q, k, v = ctx.randn(B, H, t_q, d, dtype=dtype), ctx.randn(B, H, t_k, d, dtype=dtype), ctx.randn(B, H, t_k, d, dtype=dtype)
            mask = random_mask(ctx, *mask_shape)
            ctx.close(
                ctx.call(attention, q, k, v, mask=mask),
                attention_reference(q, k, v, mask),
                inputs={"q": q, "k": k, "v": v, "mask": mask},
                mistakes=lambda: attention_mistakes(q, k, v, mask),
            )


@check(
    "fully-masked-row",
    en="A query whose every key is masked gets an all-zero output, not NaN and not the average of v; the other rows "
    "are unaffected and the gradients stay finite and equal the reference's.",
    zh="所有键都被屏蔽的查询输出全零，而不是 NaN，也不是 v 的平均；其他行不受影响，梯度保持有限并与参考一致。",
    hint_en="A row that is all -inf makes softmax return NaN; a big negative number like -1e9 instead gives a uniform "
    "average of v. Find the rows with no allowed key (mask.any(-1)) and set their weights to 0.",
    hint_zh="整行都是 -inf 时 softmax 得到 NaN；用 -1e9 之类的大负数则会得到 v 的均匀平均。找出没有任何可关注键的行（mask.any(-1)），把它们的权重置 0。",
)
def _sdpa_fully_masked(attention: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        q, k, v = ctx.randn(2, 3, 4, dtype=dtype), ctx.randn(2, 5, 4, dtype=dtype), ctx.randn(2, 5, 3, dtype=dtype)
        mask = random_mask(ctx, 2, 3, 5)
        mask[0, 1] = False  # the second query of the first batch row sees nothing
        mask[1, :] = False  # and nothing at all in the second batch row
        ctx.close(ctx.call(attention, q, k, v, mask=mask), attention_reference(q, k, v, mask), inputs={"q": q, "k": k, "v": v, "mask": mask})
    q, k, v = ctx.randn(2, 3, 4), ctx.randn(2, 5, 4), ctx.randn(2, 5, 3)
    mask = random_mask(ctx, 2, 3, 5)
    mask[0, 1] = False
    ctx.gradients(attention, attention_reference, {"q": q, "k": k, "v": v, "mask": mask}, wrt=("q", "k", "v"), keywords=("mask",))


@check(
    "large-scores",
    en="Stays finite and correct when q and k are large (scores in the thousands), with and without a mask.",
    zh="q 和 k 很大（分数上千）时，无论有无 mask，结果都有限且正确。",
    hint_en="A hand-written exp() of scores in the thousands overflows: subtract the row maximum first, or use a "
    "stable softmax.",
    hint_zh="对上千的分数直接 exp() 会溢出：先减去每行最大值，或使用数值稳定的 softmax。",
)
def _sdpa_large(attention: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        q, k, v = ctx.randn(2, 3, 8, dtype=dtype, scale=30.0), ctx.randn(2, 4, 8, dtype=dtype, scale=30.0), ctx.randn(2, 4, 2, dtype=dtype)
        ctx.close(ctx.call(attention, q, k, v), attention_reference(q, k, v), inputs={"q": q, "k": k, "v": v})
        mask = random_mask(ctx, 3, 4)
        ctx.close(ctx.call(attention, q, k, v, mask=mask), attention_reference(q, k, v, mask), inputs={"q": q, "k": k, "v": v, "mask": mask})


@check(
    "gradients",
    en="Gradients flow to q, k and v and equal the reference's (float64, with a mask).",
    zh="梯度能回传到 q、k、v，并与参考一致（float64，带 mask）。",
    hint_en="Use only differentiable tensor operations; mask with masked_fill (not in place on a leaf) and do not detach.",
    hint_zh="只用可微的张量运算；用 masked_fill（不要对叶子张量原地修改）来屏蔽，不要 detach。",
)
def _sdpa_gradients(attention: Any, ctx: "DrillContext") -> None:
    q, k, v = ctx.randn(2, 3, 4), ctx.randn(2, 5, 4), ctx.randn(2, 5, 3)
    mask = nonempty_rows(ctx.rand(3, 5) < 0.7)
    ctx.gradients(attention, attention_reference, {"q": q, "k": k, "v": v, "mask": mask}, wrt=("q", "k", "v"), keywords=("mask",))


SCALED_DOT_PRODUCT_ATTENTION = Drill(
    id="scaled-dot-product-attention",
    entry="scaled_dot_product_attention",
    reference="scaled_dot_product_attention.py",
    title=text("缩放点积注意力（带布尔 mask）", "Scaled dot-product attention with a boolean mask"),
    task=text(
        "实现 scaled_dot_product_attention(q, k, v, mask=None) = softmax(q k^T / √d) v。形状：q (..., T_q, d)，"
        "k (..., T_k, d)，v (..., T_k, d_v)。mask 是布尔张量，True 表示可以关注，可广播到 (..., T_q, T_k)。"
        "没有任何可关注键的查询输出全零（不是 NaN）。不要调用 F.scaled_dot_product_attention。",
        "Write scaled_dot_product_attention(q, k, v, mask=None) = softmax(q k^T / sqrt(d)) v. Shapes: q (..., T_q, d), "
        "k (..., T_k, d), v (..., T_k, d_v). mask is boolean, True = may attend, broadcastable to (..., T_q, T_k). A "
        "query with no allowed key gets a zero output (not NaN). Do not call F.scaled_dot_product_attention.",
    ),
    hints=(
        text("分数矩阵 q @ k.transpose(-2, -1) 的形状是 (..., T_q, T_k)。", "The score matrix q @ k.transpose(-2, -1) has shape (..., T_q, T_k)."),
        text("除以 √d 让分数方差保持在 1 左右，softmax 不会饱和。", "Dividing by sqrt(d) keeps the scores' variance near 1 so the softmax does not saturate."),
        text(
            "被屏蔽的位置设 -inf；整行被屏蔽时，softmax 之后把该行权重置 0。",
            "Masked positions get -inf; for a row masked entirely, zero its weights after the softmax.",
        ),
    ),
    questions=("attention-how-computed", "attention-scale-sqrt-dk", "masks-why-large-negative", "attention-why-softmax"),
    checks=(_sdpa_matches, _sdpa_mask, _sdpa_fully_masked, _sdpa_large, _sdpa_gradients),
    forbidden=("torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward"),
)
