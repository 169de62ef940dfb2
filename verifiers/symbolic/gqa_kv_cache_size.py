"""MQA and GQA shrink the KV cache by g/h; they do not shrink the attention FLOPs."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

# Llama 2 70B (Touvron et al., 2023): 80 layers, 64 query heads of 128 dimensions, 8 KV heads.
LLAMA2_70B = {"layers": 80, "heads": 64, "kv_heads": 8, "head_dim": 128}
CONTEXT = 4096
BYTES_FP16 = 2


@verifier(
    id="gqa-kv-cache-size",
    kind="symbolic",
    title=Bilingual(
        zh="MQA / GQA：KV cache 缩小为 g/h，而注意力计算量不变",
        en="MQA / GQA: the KV cache shrinks to g/h of its size while the attention FLOPs stay the same",
    ),
    explanation=Bilingual(
        zh="标准多头注意力每层每个 token 缓存 2·h·d_k 个数；GQA 把 h 个 query 头分成 g 组、每组共享一组 K/V，缓存变为 2·g·d_k，"
        "即原来的 g/h（MQA 是 g = 1）。K、V 投影的参数同样缩小，Q 与输出投影不变。每个 query 头仍要与所有 key 计算分数，"
        "所以分数与加权求和的 FLOPs 不变：GQA 加速解码是因为每步要从显存读的 KV cache 变少了（解码受带宽限制）。"
        "GQA 等价于组内 K/V 权重相同的 MHA，g = h 时就是 MHA。以 Llama 2 70B 为例计算 4096 个 token 的 fp16 缓存。",
        en="Standard multi-head attention caches 2·h·d_k numbers per token per layer; GQA splits the h query heads into g groups "
        "that each share one K/V head, caching 2·g·d_k, i.e. g/h of the original (MQA is g = 1). The K and V projections shrink "
        "the same way; Q and the output projection do not. Every query head still scores against every key, so the FLOPs of "
        "the scores and the weighted sum do not change: GQA speeds up decoding because each step reads a smaller KV cache "
        "from memory (decoding is bandwidth-bound). GQA equals an MHA whose K/V weights are tied within groups, and g = h is "
        "MHA. Llama 2 70B's fp16 cache for 4096 tokens is worked out as an example.",
    ),
    cost=Cost(quick_s=0.3),
    claims=(
        Claim(
            "cache-shrinks-by-g-over-h",
            Bilingual(zh="每层每 token 的 KV cache：MHA 2·h·d_k，GQA 2·g·d_k，比例 g/h", en="KV cache per token per layer: MHA 2·h·d_k, GQA 2·g·d_k, a ratio of g/h"),
        ),
        Claim(
            "llama2-70b-cache",
            Bilingual(
                zh="Llama 2 70B（80 层，64 个 query 头，8 个 KV 头，d_k = 128）：4096 个 token 的 fp16 缓存约 1.34 GB，MHA 则约 10.7 GB",
                en="Llama 2 70B (80 layers, 64 query heads, 8 KV heads, d_k = 128): about 1.34 GB of fp16 cache for 4096 tokens, "
                "against about 10.7 GB with MHA",
            ),
        ),
        Claim(
            "gqa-is-mha-with-tied-kv",
            Bilingual(
                zh="GQA 的输出与组内 K/V 权重相同的 MHA 完全一致；g = h 时等于 MHA",
                en="GQA's output equals that of an MHA whose K/V weights are tied within groups; with g = h it is MHA",
            ),
        ),
        Claim(
            "gqa-cuts-attention-flops",
            Bilingual(zh="GQA/MQA 把注意力分数与加权求和的计算量按 g/h 减少", en="GQA/MQA cut the FLOPs of the scores and weighted sum by g/h"),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy"),
)
def gqa_kv_cache_size(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    h, g, d_k, n, L, b = sp.symbols("h g d_k n L b", positive=True, integer=True)
    mha_cache = 2 * h * d_k
    gqa_cache = 2 * g * d_k
    ratio = sp.simplify(gqa_cache / mha_cache)
    d = h * d_k
    kv_params_mha, kv_params_gqa = 2 * d * (h * d_k), 2 * d * (g * d_k)
    attention_flops = h * (2 * n * d_k) * 2  # per new token: each query head scores n keys and mixes n values
    evidence.step(
        r"\text{cache per token per layer: } 2hd_k \ (\text{MHA}),\ 2gd_k\ (\text{GQA}),\quad \frac{2gd_k}{2hd_k} = " + sp.latex(ratio),
        "K 和 V 各存一份，每个 KV 头 d_k 个数。",
        "One copy each of K and V, d_k numbers per KV head.",
    )
    evidence.step(
        r"\text{total} = 2\,L\,n\,g\,d_k\,b \text{ bytes},\qquad P_{KV} = 2\,d\,(g d_k)\ \text{vs}\ 2d^2",
        "L 层、n 个 token、每个数 b 字节；K/V 投影矩阵同比例缩小。",
        "L layers, n tokens, b bytes per number; the K/V projection matrices shrink in the same proportion.",
    )
    evidence.step(
        r"\text{FLOPs per decoded token} = h\cdot(2nd_k + 2nd_k) = " + sp.latex(sp.expand(attention_flops)),
        "每个 query 头仍与全部 n 个 key 计算，式中不含 g。",
        "Every query head still works through all n keys: g does not appear.",
    )

    llama = {L: LLAMA2_70B["layers"], g: LLAMA2_70B["kv_heads"], h: LLAMA2_70B["heads"], d_k: LLAMA2_70B["head_dim"], n: CONTEXT, b: BYTES_FP16}
    gqa_bytes = int((L * n * gqa_cache * b).subs(llama))
    mha_bytes = int((L * n * mha_cache * b).subs(llama))
    evidence.table(
        "llama2-70b",
        Bilingual(zh=f"Llama 2 70B，{CONTEXT} 个 token，fp16", en=f"Llama 2 70B, {CONTEXT} tokens, fp16"),
        ("attention", "KV heads", "cache (GB)", "K/V projection parameters"),
        [
            ("MHA", LLAMA2_70B["heads"], round(mha_bytes / 1e9, 3), int(kv_params_mha.subs(llama))),
            ("GQA", LLAMA2_70B["kv_heads"], round(gqa_bytes / 1e9, 3), int(kv_params_gqa.subs(llama))),
            ("MQA", 1, round(mha_bytes / LLAMA2_70B["heads"] / 1e9, 3), int(kv_params_gqa.subs({**llama, g: 1}))),
        ],
    )

    # Numeric: GQA (K/V heads repeated across each group) == MHA with K/V weights tied within groups.
    rng = ctx.numpy_rng()
    tokens, heads, groups, head_dim = 12, 8, 2, 16
    width = heads * head_dim
    x = rng.standard_normal((tokens, width))
    w_q = rng.standard_normal((width, width)) / np.sqrt(width)
    w_k_groups = rng.standard_normal((width, groups * head_dim)) / np.sqrt(width)
    w_v_groups = rng.standard_normal((width, groups * head_dim)) / np.sqrt(width)
    per_group = heads // groups
    tie = lambda w: np.concatenate([w[:, (i // per_group) * head_dim : (i // per_group + 1) * head_dim] for i in range(heads)], axis=1)  # noqa: E731
    gqa_out = _gqa(np, x, w_q, w_k_groups, w_v_groups, heads, groups, head_dim)
    tied_mha_out = _gqa(np, x, w_q, tie(w_k_groups), tie(w_v_groups), heads, heads, head_dim)
    tied_difference = float(np.abs(gqa_out - tied_mha_out).max())
    w_k_full = rng.standard_normal((width, width)) / np.sqrt(width)
    w_v_full = rng.standard_normal((width, width)) / np.sqrt(width)
    mha_direct = _mha(np, x, w_q, w_k_full, w_v_full, heads, head_dim)
    g_equals_h = float(np.abs(_gqa(np, x, w_q, w_k_full, w_v_full, heads, heads, head_dim) - mha_direct).max())

    evidence.claim(
        "cache-shrinks-by-g-over-h",
        holds=ratio == g / h,
        measured=f"ratio = {ratio}; Llama 2 70B: {LLAMA2_70B['kv_heads']}/{LLAMA2_70B['heads']} = {LLAMA2_70B['kv_heads'] / LLAMA2_70B['heads']}",
    )
    evidence.claim(
        "llama2-70b-cache",
        holds=abs(gqa_bytes / 1e9 - 1.34) < 0.01 and abs(mha_bytes / 1e9 - 10.7) < 0.05,
        measured=f"GQA {gqa_bytes:,} bytes ({gqa_bytes / 1e9:.3f} GB), MHA {mha_bytes:,} bytes ({mha_bytes / 1e9:.2f} GB)",
        value=gqa_bytes,
    )
    evidence.claim(
        "gqa-is-mha-with-tied-kv",
        holds=tied_difference < 1e-12 and g_equals_h < 1e-12,
        measured=f"max |GQA − tied MHA| = {tied_difference:.1e}; max |GQA(g=h) − MHA| = {g_equals_h:.1e}",
        value=max(tied_difference, g_equals_h),
    )
    evidence.claim(
        "gqa-cuts-attention-flops",
        holds=g in attention_flops.free_symbols,
        measured=f"FLOPs per decoded token = {sp.expand(attention_flops)} (no g); "
        f"{int(attention_flops.subs(llama)):,} per layer at n={CONTEXT} for MHA, GQA and MQA alike",
    )
    evidence.set_summary(
        zh=f"GQA 把 KV cache 缩小为 g/h（Llama 2 70B：{gqa_bytes / 1e9:.2f} GB 对 MHA 的 {mha_bytes / 1e9:.1f} GB），"
        "注意力 FLOPs 不变；GQA 就是组内 K/V 权重相同的 MHA。",
        en=f"GQA shrinks the KV cache to g/h (Llama 2 70B: {gqa_bytes / 1e9:.2f} GB against {mha_bytes / 1e9:.1f} GB for MHA) while the "
        "attention FLOPs stay the same; GQA is MHA with K/V weights tied within groups.",
    )


def _attend(np, q, k, v):
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])  # (H, T, T)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    return (weights / weights.sum(-1, keepdims=True)) @ v


def _mha(np, x, w_q, w_k, w_v, heads, head_dim):
    split = lambda t: t.reshape(t.shape[0], heads, head_dim).transpose(1, 0, 2)  # (H, T, d_k)  # noqa: E731
    return _attend(np, split(x @ w_q), split(x @ w_k), split(x @ w_v))


def _gqa(np, x, w_q, w_k, w_v, heads, groups, head_dim):
    """Query heads h; K/V heads g, each shared by h/g consecutive query heads (repeated, as implementations do)."""
    q = (x @ w_q).reshape(x.shape[0], heads, head_dim).transpose(1, 0, 2)
    k = (x @ w_k).reshape(x.shape[0], groups, head_dim).transpose(1, 0, 2)
    v = (x @ w_v).reshape(x.shape[0], groups, head_dim).transpose(1, 0, 2)
    repeat = heads // groups
    return _attend(np, q, np.repeat(k, repeat, axis=0), np.repeat(v, repeat, axis=0))
