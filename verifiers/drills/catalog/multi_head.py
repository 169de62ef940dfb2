"""Drills: multi-head attention from given weights, grouped-query attention, a KV-cache decoding step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verifiers.drills.catalog._common import TOLERANCE_EN, TOLERANCE_ZH, random_mask, text
from verifiers.drills.spec import Drill, check

if TYPE_CHECKING:
    from verifiers.drills.context import DrillContext


def torch_mha(query: Any, key: Any, value: Any, w_q: Any, w_k: Any, w_v: Any, w_o: Any, num_heads: int, mask: Any = None) -> Any:
    """torch's own multi-head attention (``F.multi_head_attention_forward``, no biases) with these weights.

    Differentiable in every argument; ``mask`` in our convention (True = may
    attend), broadcastable to (B, h, T_q, T_k).
    """
    import torch
    import torch.nn.functional as F

    B, T_q, d_model = query.shape
    T_k = key.size(1)
    attn_mask = None
    if mask is not None:
        # torch's boolean attn_mask is the opposite convention (True = masked out), one (T_q, T_k) per batch x head.
        attn_mask = ~mask.expand(B, num_heads, T_q, T_k).reshape(B * num_heads, T_q, T_k)
    out, _ = F.multi_head_attention_forward(
        query.transpose(0, 1),
        key.transpose(0, 1),
        value.transpose(0, 1),
        d_model,
        num_heads,
        torch.cat([w_q, w_k, w_v]),
        None,
        None,
        None,
        False,
        0.0,
        w_o,
        None,
        training=False,
        need_weights=False,
        attn_mask=attn_mask,
    )
    return out.transpose(0, 1)


def _mha_variant(query: Any, key: Any, value: Any, w_q: Any, w_k: Any, w_v: Any, w_o: Any, h: int, mask: Any = None, *, split: str = "right", scale: str = "head", transpose_weights: bool = True, merge: str = "right") -> Any:
    """Multi-head attention written with one of the usual mistakes, for diagnosing."""
    import math

    import torch

    B, T_q, d = query.shape
    T_k = key.size(1)
    dh = d // h

    def project(x: Any, w: Any) -> Any:
        return x @ (w.T if transpose_weights else w)

    def heads(x: Any, T: int) -> Any:
        return x.view(B, T, h, dh).transpose(1, 2) if split == "right" else x.reshape(B, h, T, dh)

    q, k, v = heads(project(query, w_q), T_q), heads(project(key, w_k), T_k), heads(project(value, w_v), T_k)
    scores = q @ k.transpose(-2, -1) / math.sqrt(dh if scale == "head" else d)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v
    merged = out.transpose(1, 2).reshape(B, T_q, d) if merge == "right" else out.reshape(B, T_q, d)
    return project(merged, w_o)


def _mha_mistakes(*args: Any, mask: Any = None) -> list:
    return [
        (
            text(
                "拆分头的方式错了：应 view(B, T, h, d_head).transpose(1, 2)，直接 view(B, h, T, d_head) 会把不同位置混进同一个头。",
                "The heads are split wrongly: view(B, T, h, d_head).transpose(1, 2); a plain view(B, h, T, d_head) mixes positions into heads.",
            ),
            _mha_variant(*args, mask, split="wrong"),
        ),
        (
            text("缩放应除以 √d_head（每个头的维度），不是 √d_model。", "Scale by sqrt(d_head), each head's size, not sqrt(d_model)."),
            _mha_variant(*args, mask, scale="model"),
        ),
        (
            text("权重按 nn.Linear 的约定使用：x @ w.T，不是 x @ w。", "Apply the weights as nn.Linear does: x @ w.T, not x @ w."),
            _mha_variant(*args, mask, transpose_weights=False),
        ),
        (
            text(
                "合并头之前要先 transpose(1, 2) 回到 (B, T, h, d_head)，再 reshape 成 (B, T, d_model)。",
                "Before merging, transpose(1, 2) back to (B, T, h, d_head), then reshape to (B, T, d_model).",
            ),
            _mha_variant(*args, mask, merge="wrong"),
        ),
    ]


def _weights(ctx: "DrillContext", d_model: int, dtype: Any) -> tuple:
    scale = d_model**-0.5
    return tuple(ctx.randn(d_model, d_model, dtype=dtype, scale=scale) for _ in range(4))


MHA_SHAPES = ((1, 1, 1, 4, 1), (2, 3, 3, 8, 2), (2, 4, 6, 12, 3), (1, 5, 2, 8, 4))  # (B, T_q, T_k, d_model, h)


@check(
    "self-attention",
    en=f"With query = key = value, equals torch's multi-head attention (F.multi_head_attention_forward, no biases) "
    f"with these weights for (B, T, d_model, h) in {[(b, tq, d, h) for b, tq, _, d, h in MHA_SHAPES]}, {TOLERANCE_EN}.",
    zh=f"query = key = value 时，与 torch 的多头注意力（F.multi_head_attention_forward，无偏置）在这些权重下一致，"
    f"(B, T, d_model, h) ∈ {[(b, tq, d, h) for b, tq, _, d, h in MHA_SHAPES]}，{TOLERANCE_ZH}。",
    hint_en="Project (x @ w.T), split into heads with view(B, T, h, d_head).transpose(1, 2), attend with scale "
    "1/sqrt(d_head), merge with transpose(1, 2).reshape(B, T, d_model), then @ w_o.T.",
    hint_zh="投影（x @ w.T），用 view(B, T, h, d_head).transpose(1, 2) 拆头，按 1/sqrt(d_head) 缩放做注意力，用 "
    "transpose(1, 2).reshape(B, T, d_model) 合并，再乘 w_o.T。",
)
def _mha_self(mha: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for B, T, _, d, h in MHA_SHAPES:
            x = ctx.randn(B, T, d, dtype=dtype)
            weights = _weights(ctx, d, dtype)
            ctx.close(
                ctx.call(mha, x, x, x, *weights, h),
                torch_mha(x, x, x, *weights, h),
                inputs={"query=key=value": x, "num_heads": h, "w_q": weights[0]},
                mistakes=lambda: _mha_mistakes(x, x, x, *weights, h),
            )


@check(
    "cross-attention",
    en=f"With different query and key/value sequences (T_q != T_k), equals torch's multi-head attention, {TOLERANCE_EN}.",
    zh=f"query 与 key/value 来自不同序列（T_q ≠ T_k）时，与 torch 的多头注意力一致，{TOLERANCE_ZH}。",
    hint_en="Queries come from query (length T_q), keys and values from key and value (length T_k): split each with its own length.",
    hint_zh="查询来自 query（长度 T_q），键和值来自 key、value（长度 T_k）：拆头时各用自己的长度。",
)
def _mha_cross(mha: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for B, T_q, T_k, d, h in MHA_SHAPES[1:]:
            query, memory = ctx.randn(B, T_q, d, dtype=dtype), ctx.randn(B, T_k, d, dtype=dtype)
            weights = _weights(ctx, d, dtype)
            ctx.close(
                ctx.call(mha, query, memory, memory, *weights, h),
                torch_mha(query, memory, memory, *weights, h),
                inputs={"query": query, "key=value": memory, "num_heads": h},
                mistakes=lambda: _mha_mistakes(query, memory, memory, *weights, h),
            )


@check(
    "mask",
    en=f"With a causal (T, T) mask and a key-padding (B, 1, 1, T_k) mask (True = may attend), equals torch's "
    f"multi-head attention, {TOLERANCE_EN}.",
    zh=f"使用因果 (T, T) mask 和键 padding (B, 1, 1, T_k) mask（True = 可以关注）时，与 torch 的多头注意力一致，{TOLERANCE_ZH}。",
    hint_en="Apply the mask to the (B, h, T_q, T_k) scores before the softmax: masked_fill(~mask, float('-inf')).",
    hint_zh="在 softmax 之前把 mask 作用在 (B, h, T_q, T_k) 的分数上：masked_fill(~mask, float('-inf'))。",
)
def _mha_mask(mha: Any, ctx: "DrillContext") -> None:
    import torch

    B, T, d, h = 2, 5, 8, 2
    for dtype in ctx.dtypes:
        x = ctx.randn(B, T, d, dtype=dtype)
        weights = _weights(ctx, d, dtype)
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        padding = (torch.arange(T)[None, :] < torch.tensor([5, 3])[:, None])[:, None, None, :]
        for mask in (causal, padding):
            ctx.close(
                ctx.call(mha, x, x, x, *weights, h, mask=mask),
                torch_mha(x, x, x, *weights, h, mask),
                inputs={"query=key=value": x, "num_heads": h, "mask": mask},
                mistakes=lambda: _mha_mistakes(x, x, x, *weights, h, mask=mask),
            )


@check(
    "gradients",
    en="Gradients flow to the inputs and to all four weight matrices and equal torch's (float64).",
    zh="梯度能回传到输入和全部四个权重矩阵，并与 torch 的一致（float64）。",
    hint_en="Use only differentiable tensor operations on the given weights; do not copy them into a new nn.Linear.",
    hint_zh="只对给定的权重做可微的张量运算；不要把它们复制进新的 nn.Linear。",
)
def _mha_gradients(mha: Any, ctx: "DrillContext") -> None:
    query, memory = ctx.randn(2, 3, 8), ctx.randn(2, 4, 8)
    w_q, w_k, w_v, w_o = _weights(ctx, 8, query.dtype)
    args = {"query": query, "key": memory, "value": memory, "w_q": w_q, "w_k": w_k, "w_v": w_v, "w_o": w_o, "num_heads": 2}
    ctx.gradients(mha, torch_mha, args, wrt=("query", "key", "w_q", "w_k", "w_v", "w_o"))


MULTI_HEAD_ATTENTION = Drill(
    id="multi-head-attention",
    entry="multi_head_attention",
    reference="multi_head_attention.py",
    title=text("由给定权重实现多头注意力", "Multi-head attention from given weights"),
    task=text(
        "实现 multi_head_attention(query, key, value, w_q, w_k, w_v, w_o, num_heads, mask=None)。query (B, T_q, d_model)，"
        "key/value (B, T_k, d_model)；四个权重都是 (d_model, d_model)，像 nn.Linear 那样用 x @ w.T（无偏置）。"
        "拆成 num_heads 个头（d_head = d_model // h，第 i 个头用投影的第 i 段维度），每个头做缩放点积注意力，拼接后乘 w_o.T。"
        "mask 为布尔，True = 可以关注，可广播到 (B, h, T_q, T_k)。结果应与 nn.MultiheadAttention(bias=False, batch_first=True) 相同。",
        "Write multi_head_attention(query, key, value, w_q, w_k, w_v, w_o, num_heads, mask=None). query (B, T_q, d_model), "
        "key/value (B, T_k, d_model); the four weights are (d_model, d_model), applied as nn.Linear does: x @ w.T (no "
        "biases). Split into num_heads heads (d_head = d_model // h; head i uses the i-th slice of the projection's "
        "dims), run scaled dot-product attention per head, concatenate, multiply by w_o.T. mask is boolean, True = may "
        "attend, broadcastable to (B, h, T_q, T_k). The result must equal nn.MultiheadAttention(bias=False, batch_first=True).",
    ),
    hints=(
        text("先投影再拆头：(B, T, d_model) → view(B, T, h, d_head) → transpose(1, 2) → (B, h, T, d_head)。", "Project first, then split: (B, T, d_model) → view(B, T, h, d_head) → transpose(1, 2) → (B, h, T, d_head)."),
        text("每个头按 1/√d_head 缩放。", "Each head scales by 1/sqrt(d_head)."),
        text("合并：transpose(1, 2) 再 reshape(B, T_q, d_model)，最后乘 w_o.T。", "Merge: transpose(1, 2), reshape(B, T_q, d_model), then @ w_o.T."),
    ),
    questions=("mha-how-implemented", "mha-qkv-computation", "mha-concat-output", "mha-per-head-dim-reduction"),
    checks=(_mha_self, _mha_cross, _mha_mask, _mha_gradients),
    forbidden=(
        "torch.nn.functional.multi_head_attention_forward",
        "torch.nn.functional.scaled_dot_product_attention",
    ),
)

# -- grouped-query attention -------------------------------------------------------------------


def _gqa_reference(q: Any, k: Any, v: Any, mask: Any = None) -> Any:
    from verifiers.drills.catalog.attention import attention_reference

    group = q.size(1) // k.size(1)
    return attention_reference(q, k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1), mask)


def _gqa_mistakes(q: Any, k: Any, v: Any, mask: Any = None) -> list:
    from verifiers.drills.catalog.attention import attention_reference

    group = q.size(1) // k.size(1)
    tiled = attention_reference(q, k.repeat(1, group, 1, 1), v.repeat(1, group, 1, 1), mask)
    return [
        (
            text(
                "头的对应关系错了：k.repeat(1, g, 1, 1) 让查询头 h 用 h % H_kv 号 KV 头；应当是连续的 g 个查询头共享一个 KV 头（repeat_interleave，h // g）。",
                "Wrong head mapping: k.repeat(1, g, 1, 1) pairs query head h with key/value head h % H_kv; each group of g "
                "consecutive query heads shares one key/value head (repeat_interleave, h // g).",
            ),
            tiled,
        )
    ]


GQA_HEADS = ((1, 1), (4, 4), (4, 2), (6, 2), (4, 1))  # (H_q, H_kv): MHA, GQA, MQA


@check(
    "matches-reference",
    en=f"For (H_q, H_kv) in {GQA_HEADS} (multi-head, grouped and multi-query), T_q != T_k and d != d_v, equals "
    f"attention with each key/value head repeat_interleaved g = H_q // H_kv times, {TOLERANCE_EN}.",
    zh=f"对 (H_q, H_kv) ∈ {GQA_HEADS}（多头、分组、多查询），T_q ≠ T_k、d ≠ d_v 时，与把每个 KV 头 repeat_interleave "
    f"g = H_q // H_kv 次后的注意力一致，{TOLERANCE_ZH}。",
    hint_en="Query head h uses key/value head h // g: repeat each key/value head g times in place "
    "(repeat_interleave(g, dim=1)), not the whole stack g times (repeat).",
    hint_zh="查询头 h 使用 h // g 号 KV 头：把每个 KV 头原地重复 g 次（repeat_interleave(g, dim=1)），而不是把整组重复 g 次（repeat）。",
)
def _gqa_matches(gqa: Any, ctx: "DrillContext") -> None:
    B, T_q, T_k, d, d_v = 2, 3, 5, 4, 6
    for dtype in ctx.dtypes:
        for H_q, H_kv in GQA_HEADS:
            q = ctx.randn(B, H_q, T_q, d, dtype=dtype)
            k, v = ctx.randn(B, H_kv, T_k, d, dtype=dtype), ctx.randn(B, H_kv, T_k, d_v, dtype=dtype)
            ctx.close(ctx.call(gqa, q, k, v), _gqa_reference(q, k, v), inputs={"q": q, "k": k, "v": v}, mistakes=lambda: _gqa_mistakes(q, k, v))


@check(
    "mask",
    en=f"With a causal (T_q, T_k) mask and a (B, 1, T_q, T_k) mask (True = may attend), equals the reference, {TOLERANCE_EN}.",
    zh=f"使用因果 (T_q, T_k) mask 和 (B, 1, T_q, T_k) mask（True = 可以关注）时，与参考一致，{TOLERANCE_ZH}。",
    hint_en="Apply the mask to the (B, H_q, T_q, T_k) scores before the softmax; it broadcasts over the heads.",
    hint_zh="在 softmax 之前把 mask 作用在 (B, H_q, T_q, T_k) 的分数上；它会在头维度上广播。",
)
def _gqa_mask(gqa: Any, ctx: "DrillContext") -> None:
    import torch

    B, H_q, H_kv, T, d = 2, 6, 2, 4, 4
    for dtype in ctx.dtypes:
        q, k, v = ctx.randn(B, H_q, T, d, dtype=dtype), ctx.randn(B, H_kv, T, d, dtype=dtype), ctx.randn(B, H_kv, T, d, dtype=dtype)
        for mask in (torch.ones(T, T, dtype=torch.bool).tril(), random_mask(ctx, B, 1, T, T)):
            ctx.close(
                ctx.call(gqa, q, k, v, mask=mask), _gqa_reference(q, k, v, mask), inputs={"q": q, "k": k, "v": v, "mask": mask}, mistakes=lambda: _gqa_mistakes(q, k, v, mask)
            )


@check(
    "gradients",
    en="Gradients reach q, k and v; a shared key/value head collects the gradient of every query head in its group (float64).",
    zh="梯度能到达 q、k、v；被共享的 KV 头要汇集其组内每个查询头的梯度（float64）。",
    hint_en="Repeat with differentiable operations (repeat_interleave, expand + reshape); never copy values into a new tensor.",
    hint_zh="用可微的操作重复（repeat_interleave、expand + reshape）；不要把值拷贝进新张量。",
)
def _gqa_gradients(gqa: Any, ctx: "DrillContext") -> None:
    q, k, v = ctx.randn(1, 4, 3, 4), ctx.randn(1, 2, 5, 4), ctx.randn(1, 2, 5, 3)
    ctx.gradients(gqa, _gqa_reference, {"q": q, "k": k, "v": v}, wrt=("q", "k", "v"))


GQA_ATTENTION = Drill(
    id="gqa-attention",
    entry="grouped_query_attention",
    reference="grouped_query_attention.py",
    title=text("分组查询注意力（GQA）", "Grouped-query attention (GQA)"),
    task=text(
        "实现 grouped_query_attention(q, k, v, mask=None)：q (B, H_q, T_q, d)，k (B, H_kv, T_k, d)，v (B, H_kv, T_k, d_v)，"
        "H_q 是 H_kv 的倍数（相等即 MHA，H_kv = 1 即 MQA）。g = H_q // H_kv，查询头 h 使用 h // g 号 KV 头（Llama 的 repeat_kv）。"
        "mask 同缩放点积注意力（True = 可以关注）。返回 (B, H_q, T_q, d_v)。",
        "Write grouped_query_attention(q, k, v, mask=None): q (B, H_q, T_q, d), k (B, H_kv, T_k, d), v (B, H_kv, T_k, d_v), "
        "H_q a multiple of H_kv (equal: MHA; H_kv = 1: MQA). With g = H_q // H_kv, query head h uses key/value head "
        "h // g (Llama's repeat_kv). mask as in scaled dot-product attention (True = may attend). Returns (B, H_q, T_q, d_v).",
    ),
    hints=(
        text("先把 K、V 扩展到 H_q 个头，再做普通的缩放点积注意力。", "Expand K and V to H_q heads, then run ordinary scaled dot-product attention."),
        text("repeat_interleave(g, dim=1) 得到 [kv0, kv0, kv1, kv1, ...]；repeat 得到的是 [kv0, kv1, kv0, kv1, ...]。", "repeat_interleave(g, dim=1) gives [kv0, kv0, kv1, kv1, ...]; repeat gives [kv0, kv1, kv0, kv1, ...]."),
    ),
    questions=("efficient-mqa-gqa", "decoding-kv-cache-memory"),
    checks=(_gqa_matches, _gqa_mask, _gqa_gradients),
    forbidden=("torch.nn.functional.scaled_dot_product_attention",),
)

# -- KV-cache decoding step ------------------------------------------------------------------------


def _full_causal(x_all: Any, weights: tuple, h: int) -> Any:
    import torch

    T = x_all.size(1)
    return torch_mha(x_all, x_all, x_all, *weights, h, torch.ones(T, T, dtype=torch.bool).tril())


def _projected(x_all: Any, w: Any, h: int) -> Any:
    B, T, d = x_all.shape
    return (x_all @ w.T).view(B, T, h, d // h).transpose(1, 2)


def _step(kv_cache_step: Any, ctx: "DrillContext", x_new: Any, weights: tuple, h: int, cache: Any, x_all: Any) -> Any:
    """Call one step and hold its output and cache to full causal attention over ``x_all``."""
    inputs = {"x (new tokens)": x_new, "num_heads": h, "cache length": 0 if cache is None else cache[0].size(2)}
    got = ctx.call(kv_cache_step, x_new, *weights, h, cache=cache)
    ok = isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], tuple) and len(got[1]) == 2
    ctx.require(ok, text("应返回 (output, (keys, values))", "it should return (output, (keys, values))"), inputs=inputs, got=got)
    output, (keys, values) = got
    T_new = x_new.size(1)
    ctx.close(output, _full_causal(x_all, weights, h)[:, -T_new:], inputs=inputs)
    ctx.close(keys, _projected(x_all, weights[1], h), inputs=inputs, what=text("返回的 keys 缓存", "the returned keys cache"))
    ctx.close(values, _projected(x_all, weights[2], h), inputs=inputs, what=text("返回的 values 缓存", "the returned values cache"))
    return keys, values


@check(
    "prefill",
    en=f"With cache=None and a whole prompt (T = 1 and 5), the output equals full causal self-attention and the returned "
    f"cache holds the projected keys and values, (B, h, T, d_head) each, {TOLERANCE_EN}.",
    zh=f"cache=None 且输入整个提示（T = 1 和 5）时，输出等于完整的因果自注意力，返回的缓存是投影后的键和值，各为 (B, h, T, d_head)，{TOLERANCE_ZH}。",
    hint_en="The prompt's tokens must not see each other's future: apply a causal mask inside the new tokens too.",
    hint_zh="提示中的词元也不能看到彼此的未来：新词元内部同样要加因果 mask。",
)
def _kv_prefill(kv_cache_step: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for B, T, d, h in ((1, 1, 4, 1), (2, 5, 8, 2)):
            x = ctx.randn(B, T, d, dtype=dtype)
            _step(kv_cache_step, ctx, x, _weights(ctx, d, dtype), h, None, x)


@check(
    "token-by-token",
    en=f"After a 3-token prompt, four single-token steps each give the output full causal attention gives at that "
    f"position, and the cache grows by one position per step, {TOLERANCE_EN}.",
    zh=f"在 3 个词元的提示之后，连续 4 次单词元步骤的输出都等于完整因果注意力在该位置的输出，缓存每步增加一个位置，{TOLERANCE_ZH}。",
    hint_en="Append the new keys and values to the cache along the time axis (dim 2) before attending, so the new "
    "token also sees itself.",
    hint_zh="在计算注意力之前沿时间维（dim 2）把新的键和值追加到缓存，这样新词元也能看到自己。",
)
def _kv_steps(kv_cache_step: Any, ctx: "DrillContext") -> None:
    B, d, h = 2, 8, 2
    for dtype in ctx.dtypes:
        weights = _weights(ctx, d, dtype)
        x_all = ctx.randn(B, 7, d, dtype=dtype)
        cache = _step(kv_cache_step, ctx, x_all[:, :3], weights, h, None, x_all[:, :3])
        for t in range(3, 7):
            cache = _step(kv_cache_step, ctx, x_all[:, t : t + 1], weights, h, tuple(c.detach() for c in cache), x_all[:, : t + 1])


@check(
    "chunk-after-cache",
    en=f"Three new tokens at once after four cached ones: each sees the cache, the new tokens before it and itself, "
    f"never a later new token, {TOLERANCE_EN}.",
    zh=f"在 4 个已缓存词元之后一次输入 3 个新词元：每个新词元能看到缓存、它之前的新词元和它自己，看不到后面的新词元，{TOLERANCE_ZH}。",
    hint_en="With T_past cached positions, new token i sits at position T_past + i: its mask row allows keys "
    "0 .. T_past + i (tril with diagonal=T_past).",
    hint_zh="有 T_past 个缓存位置时，新词元 i 位于 T_past + i：它的 mask 行允许键 0 .. T_past + i（tril 的 diagonal=T_past）。",
)
def _kv_chunk(kv_cache_step: Any, ctx: "DrillContext") -> None:
    B, d, h = 1, 8, 4
    for dtype in ctx.dtypes:
        weights = _weights(ctx, d, dtype)
        x_all = ctx.randn(B, 7, d, dtype=dtype)
        cache = (_projected(x_all[:, :4], weights[1], h), _projected(x_all[:, :4], weights[2], h))
        _step(kv_cache_step, ctx, x_all[:, 4:], weights, h, cache, x_all)


KV_CACHE_STEP = Drill(
    id="kv-cache-step",
    entry="kv_cache_step",
    reference="kv_cache_step.py",
    title=text("KV cache 解码步", "A KV-cache decoding step"),
    task=text(
        "实现 kv_cache_step(x, w_q, w_k, w_v, w_o, num_heads, cache=None)：因果多头自注意力，只为新词元 x (B, T_new, d_model) 计算，"
        "复用缓存的键和值。权重用法与多头注意力相同（x @ w.T，无偏置）。cache 为 None 或 (keys, values)，各为 (B, h, T_past, d_head)。"
        "返回 (output (B, T_new, d_model), (keys, values))，新缓存各为 (B, h, T_past + T_new, d_head)；output 必须等于对全部词元做完整因果自注意力在新位置上的结果。",
        "Write kv_cache_step(x, w_q, w_k, w_v, w_o, num_heads, cache=None): causal multi-head self-attention computed only "
        "for the new tokens x (B, T_new, d_model), reusing cached keys and values. Weights as in multi-head attention "
        "(x @ w.T, no biases). cache is None or (keys, values), each (B, h, T_past, d_head). Return (output (B, T_new, "
        "d_model), (keys, values)) with the new cache (B, h, T_past + T_new, d_head) each; output must equal full causal "
        "self-attention over all tokens at the new positions.",
    ),
    hints=(
        text("缓存的是投影并拆头之后的 K 和 V，不是 Q，也不是 Q·K 的结果。", "Cache K and V after projection and head split: not Q, and not Q·K products."),
        text("新的 K、V 沿时间维（dim 2）拼到缓存后面，再做注意力。", "Concatenate the new K and V to the cache along time (dim 2), then attend."),
        text("一次输入多个新词元时，它们之间也需要因果 mask：tril(diagonal=T_past)。", "Several new tokens at once need a causal mask among themselves: tril(diagonal=T_past)."),
    ),
    questions=("decoding-kv-cache", "decoding-kv-cache-memory", "decoding-inference-cost"),
    checks=(_kv_prefill, _kv_steps, _kv_chunk),
    forbidden=("torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward"),
)
