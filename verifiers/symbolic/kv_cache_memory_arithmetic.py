"""KV-cache bytes per token for real model shapes (Llama-2-70B, Llama-2-7B, GQA, MLA), checked against our model's cache."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

GIB = 2**30
CONTEXT = 4096
BATCH = 32
GPU_BYTES = 80e9
# name: (layers, query heads, KV heads, head dim, d_model); fp16/bf16 caches.
SHAPES = {
    "Llama-2-70B (GQA-8)": (80, 64, 8, 128, 8192),
    "Llama-2-70B as MHA": (80, 64, 64, 128, 8192),
    "Llama-2-7B (MHA)": (32, 32, 32, 128, 4096),
    "Llama-3-8B (GQA-8)": (32, 32, 8, 128, 4096),
}
LLAMA2_7B_PARAMETERS = 6_738_415_616
# DeepSeek-V2/V3 MLA: a 512-dimensional latent plus a 64-dimensional decoupled RoPE key per token and layer.
MLA = {"latent": 512, "rope_key": 64, "heads": 128, "head_dim": 128, "layers_v3": 61}


@verifier(
    id="kv-cache-memory-arithmetic",
    kind="symbolic",
    title=Bilingual(
        zh="KV cache 的字节数：Llama-2-70B 有无 GQA、7B 的批量上限、MLA 的 576 个数，并与我们模型实际分配的缓存核对",
        en="KV-cache bytes: Llama-2-70B with and without GQA, the 7B batch limit, MLA's 576 numbers, checked against the cache our model allocates",
    ),
    explanation=Bilingual(
        zh="每个 token 的缓存是 2·L·h_kv·d_h·b 字节：2 是 K 和 V，b 是每个数的字节数（fp16 为 2），只有 KV 头被缓存，query 头数不出现。"
        "Llama-2-70B（80 层、8 个 KV 头、d_h = 128）为 327,680 B = 320 KiB/token，4096 个 token 1.25 GiB；同形状的 MHA（64 个 KV 头）"
        "为 2.5 MiB/token、10 GiB。Llama-2-7B（32 层、32 头）为 512 KiB/token：32 条 4k 序列要 64 GiB，加上 13.5 GB 权重超过 80 GB。"
        "DeepSeek 的 MLA 每层每 token 只缓存 512 维潜向量加 64 维 RoPE key，共 576 个数，而 128 头 MHA 是 32,768 个。"
        "这里用 sympy 写出公式，并让 transformer_core 以这些形状（meta 设备，不分配内存）跑一次前向，读出它的缓存实际占多少字节。",
        en="Each token caches 2·L·h_kv·d_h·b bytes: 2 for K and V, b bytes per number (2 in fp16); only KV heads are cached, so the "
        "number of query heads does not appear. Llama-2-70B (80 layers, 8 KV heads, d_h = 128) takes 327,680 B = 320 KiB per token, "
        "1.25 GiB for 4096 tokens; the same shape with MHA (64 KV heads) 2.5 MiB per token and 10 GiB. Llama-2-7B (32 layers, 32 "
        "heads) takes 512 KiB per token: 32 sequences of 4k tokens need 64 GiB, which with 13.5 GB of weights exceeds 80 GB. "
        "DeepSeek's MLA caches only a 512-dimensional latent plus a 64-dimensional RoPE key per token and layer, 576 numbers, "
        "against 32,768 for 128-head MHA. The formula is written in sympy, and transformer_core runs a forward pass at these "
        "shapes (on the meta device, allocating nothing) so that the bytes its cache actually holds can be read off.",
    ),
    cost=Cost(quick_s=0.3),
    claims=(
        Claim(
            "llama2-70b-per-token",
            Bilingual(
                zh="Llama-2-70B fp16：GQA-8 每 token 327,680 B（320 KiB），4096 个 token 1.25 GiB；64 个 KV 头时 2,621,440 B（2.5 MiB）、10 GiB，8 倍",
                en="Llama-2-70B in fp16: 327,680 B (320 KiB) per token with GQA-8, 1.25 GiB for 4096 tokens; 2,621,440 B (2.5 MiB) and "
                "10 GiB with 64 KV heads, 8 times more",
            ),
        ),
        Claim(
            "model-cache-matches-formula",
            Bilingual(
                zh="transformer_core 以 70B 与 7B 的注意力形状建模（GQA 与 MHA），缓存实际占用的字节数与公式逐字节相等",
                en="transformer_core models with the 70B and 7B attention shapes (GQA and MHA) hold exactly the formula's bytes in their cache",
            ),
        ),
        Claim(
            "llama2-7b-batch-does-not-fit",
            Bilingual(
                zh="Llama-2-7B fp16 每 token 512 KiB：32 条 4k 序列 64 GiB，加 13.5 GB 权重超过 80 GB；8 个 KV 头时只要 16 GiB",
                en="Llama-2-7B in fp16 takes 512 KiB per token: 32 sequences of 4k need 64 GiB, which with 13.5 GB of weights exceeds "
                "80 GB; with 8 KV heads they need only 16 GiB",
            ),
        ),
        Claim(
            "mla-576-per-layer",
            Bilingual(
                zh="MLA（DeepSeek-V2/V3）每层每 token 缓存 512 + 64 = 576 个数，是 128 头 MHA（32,768）的约 1/57，相当于 2.25 个 KV 头的 GQA；"
                "DeepSeek-V3（61 层，bf16）每 token 70,272 B",
                en="MLA (DeepSeek-V2/V3) caches 512 + 64 = 576 numbers per token per layer, about 1/57 of 128-head MHA (32,768), like GQA "
                "with 2.25 KV heads; DeepSeek-V3 (61 layers, bf16) takes 70,272 B per token",
            ),
        ),
        Claim(
            "query-heads-set-cache",
            Bilingual(
                zh="缓存大小由 query 头数决定：GQA 下 Llama-2-70B 每 token 仍要 2.5 MiB",
                en="The cache is sized by the query heads: even with GQA, Llama-2-70B needs 2.5 MiB per token",
            ),
            expected=False,
        ),
        Claim(
            "leading-two-is-fp16-bytes",
            Bilingual(
                zh="公式里开头的 2 就是 fp16 的字节数，所以 Llama-2-70B 每 token 160 KiB",
                en="The leading 2 of the formula is fp16's bytes, so Llama-2-70B takes 160 KiB per token",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy", "torch"),
)
def kv_cache_memory_arithmetic(ctx: Context, evidence: Evidence) -> None:
    import sympy as sp

    L, h_kv, d_h, b, n, B = sp.symbols("L h_kv d_h b n B", positive=True, integer=True)
    per_token = 2 * L * h_kv * d_h * b
    evidence.step(
        r"\text{bytes per token} = 2 \cdot L \cdot h_{kv} \cdot d_h \cdot b,\qquad \text{total} = " + sp.latex(per_token * n * B),
        "K 和 V 各一份（2），每层（L）每个 KV 头（h_kv）d_h 个数，每个数 b 字节；n 个 token、B 条序列。query 头数不出现。",
        "One K and one V (2), d_h numbers per KV head (h_kv) per layer (L), b bytes each; n tokens, B sequences. The number of "
        "query heads does not appear.",
    )

    def bytes_for(shape, dtype_bytes=2):
        layers, _, kv_heads, head_dim, _ = shape
        return int(per_token.subs({L: layers, h_kv: kv_heads, d_h: head_dim, b: dtype_bytes}))

    rows, figures = [], {}
    for name, shape in SHAPES.items():
        token_bytes = bytes_for(shape)
        figures[name] = token_bytes
        rows.append((name, shape[0], shape[2], token_bytes, round(token_bytes / 1024, 1), round(token_bytes * CONTEXT / GIB, 3), round(token_bytes * CONTEXT * BATCH / GIB, 1)))
    mla_elements = MLA["latent"] + MLA["rope_key"]
    mha_elements = 2 * MLA["heads"] * MLA["head_dim"]
    mla_v3_bytes = MLA["layers_v3"] * mla_elements * 2
    rows.append(("DeepSeek-V3 (MLA)", MLA["layers_v3"], "latent 512 + key 64", mla_v3_bytes, round(mla_v3_bytes / 1024, 1), round(mla_v3_bytes * CONTEXT / GIB, 3), round(mla_v3_bytes * CONTEXT * BATCH / GIB, 1)))
    evidence.table(
        "cache-per-token",
        Bilingual(zh=f"fp16/bf16 KV cache：每 token、{CONTEXT} 个 token、{BATCH} 条 {CONTEXT} token 的序列", en=f"fp16/bf16 KV cache: per token, per {CONTEXT} tokens, for {BATCH} sequences of {CONTEXT}"),
        ("model", "layers", "KV heads", "bytes per token", "KiB per token", f"GiB per {CONTEXT} tokens", f"GiB for {BATCH} × {CONTEXT}"),
        rows,
    )
    evidence.step(
        r"\text{MLA: } d_c + d_h^R = 512 + 64 = 576 \ \text{vs}\ 2 n_h d_h = 2\cdot128\cdot128 = 32768,\quad \frac{576}{2 d_h} = 2.25",
        "MLA 只缓存共享的潜向量 c^KV 和一个共享的 RoPE key；K、V 的上投影可以吸收进 query 与输出投影。",
        "MLA caches only the shared latent c^KV and one shared RoPE key; the K and V up-projections fold into the query and "
        "output projections.",
    )

    # The cache our model holds, at these shapes, on the meta device (no memory): two layers, five tokens.
    import torch

    from transformer_core import DecoderOnly, TransformerConfig

    measured_rows, all_match = [], True
    for name in ("Llama-2-70B (GQA-8)", "Llama-2-70B as MHA", "Llama-2-7B (MHA)", "Llama-3-8B (GQA-8)"):
        layers, heads, kv_heads, head_dim, width = SHAPES[name]
        config = TransformerConfig(
            vocab_size=256, d_model=width, n_heads=heads, n_kv_heads=kv_heads, d_ff=256, n_encoder_layers=0, n_decoder_layers=2,
            max_len=64, pad_id=None, dropout=0.0, attention_dropout=0.0, embedding_dropout=0.0, norm_placement="pre",
            norm_kind="rms", positional_encoding="none", bias=False,
        )
        with torch.device("meta"):
            model = DecoderOnly(config).to(torch.float16)
        cache = model.new_cache()
        tokens = 5
        with torch.no_grad():
            model.decoder(torch.zeros(1, tokens, width, dtype=torch.float16, device="meta"), padding=None, causal=True, cache=cache, rotary=None)
        per_layer_token = cache.nbytes() / (2 * tokens)
        formula_per_layer = 2 * kv_heads * head_dim * 2
        matches = per_layer_token == formula_per_layer and per_layer_token * layers == figures[name]
        all_match &= matches
        key_shape = tuple(cache.layers[0].self_attention.key.shape)
        measured_rows.append((name, str(key_shape), int(per_layer_token), formula_per_layer, int(per_layer_token * layers), "yes" if matches else "NO"))
    evidence.table(
        "transformer-core-cache",
        Bilingual(zh="transformer_core 的缓存（meta 设备，2 层、5 个 token，fp16）", en="transformer_core's cache (meta device, 2 layers, 5 tokens, fp16)"),
        ("shape", "key cache (B, H_kv, T, d_h)", "bytes per layer per token", "formula 2·h_kv·d_h·2", "× layers", "match"),
        measured_rows,
    )

    gqa, mha = figures["Llama-2-70B (GQA-8)"], figures["Llama-2-70B as MHA"]
    small = figures["Llama-2-7B (MHA)"]
    small_batch = small * CONTEXT * BATCH
    weights = LLAMA2_7B_PARAMETERS * 2
    small_gqa_batch = figures["Llama-3-8B (GQA-8)"] * CONTEXT * BATCH
    evidence.metric("llama2_70b_bytes_per_token", gqa, "B", en="Llama-2-70B KV cache per token (fp16, GQA-8)", zh="Llama-2-70B 每 token 的 KV cache")
    evidence.metric("llama2_7b_batch_gib", small_batch / GIB, "GiB", en=f"Llama-2-7B, {BATCH} × {CONTEXT} tokens", zh=f"Llama-2-7B，{BATCH} × {CONTEXT} token")
    evidence.metric("mla_reduction", mha_elements / mla_elements, "×", en="128-head MHA / MLA elements per token per layer", zh="MHA 与 MLA 每层每 token 元素数之比")

    evidence.claim(
        "llama2-70b-per-token",
        holds=gqa == 327_680 and mha == 2_621_440 and gqa * CONTEXT == 1.25 * GIB and mha * CONTEXT == 10 * GIB,
        measured=f"GQA-8: {gqa:,} B = {gqa / 1024:g} KiB per token, {gqa * CONTEXT / GIB:g} GiB per {CONTEXT}; MHA: {mha:,} B = "
        f"{mha / 2**20:g} MiB, {mha * CONTEXT / GIB:g} GiB ({mha // gqa}×)",
        value=gqa,
    )
    evidence.claim(
        "model-cache-matches-formula",
        holds=all_match,
        measured="; ".join(f"{row[0]}: {row[2]:,} B per layer per token × {SHAPES[row[0]][0]} = {row[4]:,}" for row in measured_rows),
    )
    evidence.claim(
        "llama2-7b-batch-does-not-fit",
        holds=small == 512 * 1024 and small_batch == 64 * GIB and small_batch + weights > GPU_BYTES and small_gqa_batch == 16 * GIB,
        measured=f"{small:,} B per token; {BATCH} × {CONTEXT}: {small_batch / GIB:g} GiB ({small_batch / 1e9:.1f} GB) + weights "
        f"{weights / 1e9:.1f} GB = {(small_batch + weights) / 1e9:.1f} GB > 80 GB; with 8 KV heads {small_gqa_batch / GIB:g} GiB",
        value=small_batch / GIB,
    )
    evidence.claim(
        "mla-576-per-layer",
        holds=mla_elements == 576 and round(mha_elements / mla_elements) == 57 and mla_elements / (2 * MLA["head_dim"]) == 2.25 and mla_v3_bytes == 70_272,
        measured=f"{mla_elements} vs {mha_elements:,} elements ({mha_elements / mla_elements:.1f}×); {mla_elements / (2 * MLA['head_dim']):g} "
        f"GQA-equivalent KV heads; DeepSeek-V3: {MLA['layers_v3']} × {mla_elements} × 2 = {mla_v3_bytes:,} B ({mla_v3_bytes / 1024:.1f} KiB) per token",
        value=mla_elements,
    )
    evidence.claim(
        "query-heads-set-cache",
        holds=gqa == 2_621_440,
        measured=f"our GQA model caches keys of shape {measured_rows[0][1]}: 8 KV heads, not 64; {gqa / 1024:g} KiB per token, not 2.5 MiB",
        value=gqa,
    )
    evidence.claim(
        "leading-two-is-fp16-bytes",
        holds=gqa == 160 * 1024,
        measured=f"K and V are two tensors and fp16 is another factor 2: 2 × 80 × 8 × 128 × 2 = {gqa:,} B = 320 KiB, not 160 KiB",
        value=gqa,
    )
    evidence.set_summary(
        zh=f"Llama-2-70B 每 token {gqa / 1024:g} KiB（MHA 为 {mha / 2**20:g} MiB），4096 个 token {gqa * CONTEXT / GIB:g} GiB 对 {mha * CONTEXT / GIB:g} GiB；"
        f"Llama-2-7B 32 × 4k 需 {small_batch / GIB:g} GiB，单卡 80 GB 放不下；MLA 每层每 token 576 个数，比 MHA 小 {mha_elements / mla_elements:.0f} 倍。"
        "transformer_core 的缓存与公式逐字节一致。",
        en=f"Llama-2-70B caches {gqa / 1024:g} KiB per token ({mha / 2**20:g} MiB with MHA), {gqa * CONTEXT / GIB:g} GiB against "
        f"{mha * CONTEXT / GIB:g} GiB for 4096 tokens; Llama-2-7B needs {small_batch / GIB:g} GiB for 32 × 4k, too much for one 80 GB GPU; "
        f"MLA caches 576 numbers per token per layer, {mha_elements / mla_elements:.0f} times fewer than MHA. transformer_core's cache "
        "matches the formula byte for byte.",
    )
