"""The KV cache changes nothing but the cost: same logits, growing speed-up, memory 2 × layers × length × d_model."""

from __future__ import annotations

from verifiers.experiments._common import at_most, fastest_time, fmt, max_abs_difference, pick, seeded_model, small_config, text, torch_session
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

SIZES = {
    "tiny": dict(d_model=32, layers=2, batch=2, prompt=4, lengths=(8, 192), generate=16, repeats=5),
    "quick": dict(d_model=64, layers=2, batch=2, prompt=4, lengths=(8, 64, 256), generate=32, repeats=7),
    # On a GPU a short prefix costs about the kernel launches either way; the long prefix shows the growth.
    "full": dict(d_model=512, layers=8, batch=16, prompt=16, lengths=(32, 512, 2048), generate=256, repeats=15),
}
LOGIT_TOLERANCE = 1e-4  # float32; the cached path sums over the same keys in a different grouping
MIN_LONG_SPEEDUP = 1.5
GROWTH_AT_LEAST = 1.5  # the longest length's speed-up over the shortest's


BOUNDS = {  # what bench/seeds.py measures each claim's margin against (the recorded value is the one compared)
    "cached-equals-uncached": at_most(LOGIT_TOLERANCE),  # and the same tokens
}

@verifier(
    id="kv-cache-equivalence",
    kind="experiment",
    title=text(
        zh="KV cache 只改变代价：输出相同、加速随长度增长、显存为 2 × 层数 × 长度 × d_model",
        en="The KV cache changes only the cost: same outputs, a speed-up that grows with length, memory 2 × layers × length × d_model",
    ),
    explanation=text(
        zh="自回归生成时，每一步只需为新词计算 q、k、v，把 k、v 追加到缓存，再用新词的 q 与全部缓存的 k 计算分数。"
        "实验用同一个解码器分别带缓存与不带缓存（每步重算整个前缀）生成：逐步 logits 的最大差异在浮点误差以内、生成的词完全一致；"
        "不带缓存时生成下一个词要重算整个前缀，所以每步的加速比随前缀长度增大；缓存大小恰为 2（K 和 V）× 层数 × 批大小 × 长度 × d_model × 每元素字节数，"
        "随长度线性增长。缓存里存的是键和值本身，而不是文档所说的 Q·K 点积（那会随长度平方增长，且过去的查询根本不再需要）。",
        en="In autoregressive generation each step needs q, k, v for the new token only: k and v are appended to the "
        "cache and the new q is scored against every cached key. The same decoder generates with the cache and without "
        "it (recomputing the whole prefix each step): step-by-step logits agree within float error and the tokens are "
        "identical; without the cache the next token costs a pass over the whole prefix, so the per-step speed-up grows "
        "with the prefix length; the cache holds exactly 2 (K and V) × layers × batch × length × d_model × bytes per element, linear "
        "in length. It stores keys and values themselves, not the Q·K products a document describes (those would grow "
        "with the square of the length, and past queries are never needed again).",
    ),
    cost=Cost(quick_s=1.0, full_s=20.0),
    claims=(
        Claim(
            "cached-equals-uncached",
            text(
                zh="带缓存的逐词解码与每步重算整个前缀得到相同的 logits（误差在浮点舍入内）与相同的生成结果",
                en="Decoding token by token with the cache gives the same logits (within float round-off) and the same tokens as recomputing the prefix",
            ),
        ),
        Claim(
            "speedup-grows-with-length",
            text(
                zh="生成下一个词时缓存带来的加速比随前缀长度增大：最长前缀时至少 1.5 倍，且至少是最短前缀时的 1.5 倍",
                en="The cache's per-step speed-up grows with the prefix length: at least 1.5× at the longest prefix, and at least 1.5× the shortest prefix's",
            ),
        ),
        Claim(
            "cache-memory-formula",
            text(
                zh="缓存字节数 = 2 × 层数 × 批大小 × 长度 × d_model × 每元素字节数",
                en="Cache bytes = 2 × layers × batch × length × d_model × bytes per element",
            ),
        ),
        Claim(
            "cache-stores-qk-products",
            text(
                zh="KV cache 存储的是之前的 Q·K 点积",
                en="The KV cache stores the earlier Q·K dot products",
            ),
            expected=False,
        ),
    ),
    libraries=("torch",),
)
def kv_cache_equivalence(ctx: Context, evidence: Evidence) -> None:
    import torch

    from transformer_core import DecoderOnly, greedy_decode

    size = pick(ctx, SIZES)
    longest = max(size["lengths"])
    with torch_session(ctx) as device, torch.no_grad():
        generator = ctx.seed_torch(1)
        config = small_config(
            vocab_size=64, d_model=size["d_model"], d_ff=4 * size["d_model"], n_decoder_layers=size["layers"],
            n_encoder_layers=0, max_len=size["prompt"] + longest + 2 * size["repeats"] + 4, pad_id=None,
        )
        model = seeded_model(DecoderOnly, config, ctx.seed, device).eval()
        prompt = torch.randint(0, 64, (size["batch"], size["prompt"]), generator=generator).to(device)

        # Logits, step by step: one full forward pass vs feeding one token at a time through the cache.
        sequence = torch.randint(0, 64, (size["batch"], size["prompt"] + longest), generator=generator).to(device)
        full = model(sequence)
        cache = model.new_cache()
        stepwise = torch.cat([model(sequence[:, t : t + 1], cache=cache) for t in range(sequence.size(1))], dim=1)
        logit_difference = max_abs_difference(stepwise, full)

        cached = greedy_decode(model, prompt=prompt, max_new_tokens=size["generate"], use_cache=True)
        uncached = greedy_decode(model, prompt=prompt, max_new_tokens=size["generate"], use_cache=False)
        same_tokens = bool(torch.equal(cached.sequences, uncached.sequences))

        # The cost of producing the token after a prefix of T: one cached step vs a forward pass over the prefix.
        timings = []
        for length in size["lengths"]:
            ctx.check_cancelled()
            prefix, new = sequence[:, :length], sequence[:, length : length + 1]
            cache = model.new_cache()
            model(prefix, cache=cache)
            # Each timed call appends one position, so the cache grows from T to T + repeats + 1 while timed.
            time_cached = fastest_time(lambda: model(new, cache=cache), repeats=size["repeats"], device=device)
            time_uncached = fastest_time(lambda: model(sequence[:, : length + 1]), repeats=size["repeats"], device=device)
            timings.append((length, time_uncached, time_cached, time_uncached / time_cached))

        memory_rows = []
        formula_holds = True
        element = next(model.parameters()).element_size()
        for length in size["lengths"]:
            cache = model.new_cache()
            model(sequence[:, :length], cache=cache)
            measured = cache.self_attention_nbytes()
            formula = 2 * size["layers"] * size["batch"] * length * size["d_model"] * element
            formula_holds &= measured == formula
            shapes = {tuple(layer.self_attention.key.shape) for layer in cache.layers}
            memory_rows.append((length, measured, formula, str(sorted(shapes)[0])))

    evidence.table(
        "timing",
        text(
            zh="在长度 T 的前缀之后生成下一个词的耗时：重算整个前缀 vs 带缓存的一步",
            en="Time to produce the token after a prefix of T: recomputing the prefix vs one cached step",
        ),
        ("prefix length", "without cache (s)", "with cache (s)", "speed-up"),
        timings,
    )
    evidence.plot(
        "speedup",
        text(zh="KV cache 每步加速比随前缀长度", en="KV-cache per-step speed-up vs prefix length"),
        text(zh="前缀长度", en="prefix length"),
        text(zh="加速比（倍）", en="speed-up (×)"),
        {"uncached / cached": ([t[0] for t in timings], [t[3] for t in timings])},
    )
    evidence.table(
        "memory",
        text(zh="缓存大小与公式", en="Cache size and the formula"),
        ("cached length", "bytes measured", "2·L·B·T·d_model·bytes", "key shape (B, H, T, d_head)"),
        memory_rows,
    )
    evidence.plot(
        "cache_bytes",
        text(zh="缓存字节数随长度线性增长", en="Cache bytes grow linearly with length"),
        text(zh="缓存长度", en="cached length"),
        text(zh="字节", en="bytes"),
        {"measured": ([r[0] for r in memory_rows], [r[1] for r in memory_rows])},
    )
    speedups = [t[3] for t in timings]
    evidence.metric("max_logit_difference", logit_difference, zh="逐步 logits 的最大差异", en="largest step-wise logit difference")
    evidence.metric("longest_speedup", speedups[-1], "×", zh="最长生成的加速比", en="speed-up at the longest length")
    evidence.step(
        r"\text{bytes} = 2 \times L \times B \times T \times d_{\text{model}} \times \text{bytes/element}",
        "每层为每个已处理的位置存一个键向量和一个值向量（所有头拼起来共 d_model 维）。",
        "Each layer stores one key and one value vector (d_model wide over all heads) per processed position.",
    )
    evidence.claim(
        "cached-equals-uncached",
        holds=logit_difference <= LOGIT_TOLERANCE and same_tokens,
        measured=f"max |logit difference| {fmt(logit_difference)} over {size['prompt'] + longest} positions; "
        f"greedy tokens identical over {size['generate']} generated tokens: {same_tokens}",
        value=logit_difference,
    )
    evidence.claim(
        "speedup-grows-with-length",
        holds=speedups[-1] >= max(MIN_LONG_SPEEDUP, GROWTH_AT_LEAST * speedups[0]),
        measured="per-step speed-ups " + ", ".join(f"prefix {t[0]}: {t[3]:.2f}×" for t in timings)
        + f" (longest ≥ {MIN_LONG_SPEEDUP}× and ≥ {GROWTH_AT_LEAST}× the shortest's)",
        value=speedups[-1],
    )
    evidence.claim(
        "cache-memory-formula",
        holds=formula_holds,
        measured="; ".join(f"T={r[0]}: {r[1]} B measured, {r[2]} B by the formula" for r in memory_rows),
    )
    growth = memory_rows[-1][1] / memory_rows[0][1]
    length_ratio = memory_rows[-1][0] / memory_rows[0][0]
    evidence.claim(
        "cache-stores-qk-products",
        holds=abs(growth - length_ratio**2) < abs(growth - length_ratio),
        measured=f"cached tensors have shape {memory_rows[-1][3]} (keys; values the same); length ×{length_ratio:g} "
        f"grew the cache ×{growth:g} (linear), not ×{length_ratio**2:g} as T×T products would",
        value=growth,
    )
    evidence.set_summary(
        zh=f"带/不带缓存的 logits 最大差 {fmt(logit_difference)}，生成结果相同；每步加速比从 {speedups[0]:.2f}× 增至 {speedups[-1]:.2f}×；"
        "缓存大小与 2·L·B·T·d_model 公式一致，存的是 K 与 V。",
        en=f"Cached and uncached logits differ by at most {fmt(logit_difference)} and the tokens match; the per-step speed-up grows "
        f"from {speedups[0]:.2f}× to {speedups[-1]:.2f}×; the cache size matches 2·L·B·T·d_model: it holds K and V.",
    )
