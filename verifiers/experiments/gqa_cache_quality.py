"""Grouped-query and multi-query attention: a KV cache n_heads / n_kv_heads smaller, at a measured cost in quality."""

from __future__ import annotations

from verifiers.experiments._common import Bound, at_least, at_most, cancellable, fmt, pick, seeds, small_config, text, torch_session
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

SIZES = {
    "tiny": dict(d_model=32, heads=8, layers=1, steps=60, batch=16, max_length=5, seeds=1, eval_batch=32),
    "quick": dict(d_model=64, heads=8, layers=2, steps=300, batch=32, max_length=6, seeds=2, eval_batch=128),
    "full": dict(d_model=256, heads=8, layers=4, steps=2000, batch=64, max_length=12, seeds=3, eval_batch=512),
}
VOCAB = 16
KV_HEADS = (8, 2, 1)  # MHA, GQA with 4 query heads per key/value head, MQA
LOGIT_TOLERANCE = 1e-4  # float32
GQA_LOSS_WITHIN = 1.5  # GQA's held-out loss at most this multiple of MHA's
FLOPS_SHRINK_SHARE = 0.9  # "cuts FLOPs like the cache": at least 90% of the cache's factor

BOUNDS = {  # what bench/seeds.py measures each claim's margin against (the recorded value is the one compared)
    "cache-shrinks-by-head-ratio": Bound(1 - 1e-9, 1 + 1e-9),  # measured saving / n_heads:n_kv_heads
    "grouped-cache-equals-recomputation": at_most(LOGIT_TOLERANCE),
    "gqa-quality-close-to-mha": at_most(GQA_LOSS_WITHIN),
    "mqa-cuts-compute-like-memory": at_least(FLOPS_SHRINK_SHARE),
}


@verifier(
    id="gqa-cache-quality",
    kind="experiment",
    title=text(
        zh="GQA/MQA 把 KV cache 缩小 n_heads/n_kv_heads 倍，质量代价可测；计算量却几乎不变",
        en="GQA/MQA shrink the KV cache by n_heads/n_kv_heads at a measured cost in quality; the compute barely changes",
    ),
    explanation=text(
        zh="同一个 Llama 式小模型（RoPE、RMSNorm、SwiGLU）用 8 个查询头，键/值头分别为 8（MHA）、2（GQA）、1（MQA），"
        "在反转任务上用同样的数据训练。测量：生成时 KV cache 的字节数（只存键/值头，按 n_heads/n_kv_heads 缩小）；"
        "用缓存与不用缓存的输出相同；保留集上的损失（质量代价）；以及一次前向的 FLOPs——注意力分数和加权求和的计算量与键/值头数无关，"
        "只有 W_K、W_V 的投影变小，所以 MQA 省的是显存和带宽，不是计算。",
        en="One small Llama-style model (RoPE, RMSNorm, SwiGLU) with 8 query heads and 8 (MHA), 2 (GQA) or 1 (MQA) "
        "key/value heads, trained on the same reversal batches. Measured: the KV cache's bytes during generation (only "
        "key/value heads are stored, so it shrinks by n_heads/n_kv_heads); cached and recomputed outputs agree; the "
        "held-out loss (the cost in quality); and one forward pass's FLOPs: scores and the weighted sum do not depend "
        "on the number of key/value heads, only W_K and W_V shrink, so MQA saves memory and bandwidth, not compute.",
    ),
    cost=Cost(quick_s=15.0, full_s=240.0),
    claims=(
        Claim(
            "cache-shrinks-by-head-ratio",
            text(
                zh="生成时 KV cache 的字节数正好按 n_heads/n_kv_heads 缩小（GQA 4 倍、MQA 8 倍）",
                en="The KV cache's bytes during generation shrink by exactly n_heads/n_kv_heads (GQA 4x, MQA 8x)",
            ),
        ),
        Claim(
            "grouped-cache-equals-recomputation",
            text(
                zh="只缓存键/值头的 GQA/MQA 解码与不用缓存的重算结果相同",
                en="GQA/MQA decoding with a cache that holds only the key/value heads equals recomputation",
            ),
        ),
        Claim(
            "gqa-quality-close-to-mha",
            text(
                zh="GQA（每 4 个查询头共享一组键/值）的保留集损失不超过 MHA 的 1.5 倍",
                en="GQA (4 query heads per key/value head) reaches a held-out loss at most 1.5 times MHA's",
            ),
        ),
        Claim(
            "mqa-cuts-compute-like-memory",
            text(
                zh="MQA 把一次前向的计算量也缩小到接近 1/n_heads，和 KV cache 一样",
                en="MQA cuts a forward pass's compute by close to n_heads, as it cuts the KV cache",
            ),
            expected=False,
        ),
    ),
    libraries=("torch",),
)
def gqa_cache_quality(ctx: Context, evidence: Evidence) -> None:
    import dataclasses

    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from transformer_core import DecoderOnly, SyntheticTask, greedy_decode, label_smoothed_cross_entropy, train

    size = pick(ctx, SIZES)
    with torch_session(ctx) as device:
        base = small_config(
            vocab_size=VOCAB, d_model=size["d_model"], n_heads=size["heads"], d_ff=2 * size["d_model"],
            n_encoder_layers=0, n_decoder_layers=size["layers"], max_len=4 * size["max_length"] + 4,
            norm_placement="pre", norm_kind="rms", activation="silu", gated_feed_forward=True,
            positional_encoding="rope", bias=False, scale_embeddings=False,
        )
        configs = {kv: dataclasses.replace(base, n_kv_heads=kv) for kv in KV_HEADS}
        runs = []
        for seed in seeds(ctx, size["seeds"]):
            task = SyntheticTask("reverse", vocab_size=VOCAB, min_length=2, max_length=size["max_length"], seed=seed)
            held_out = task.make_language_model_batch(size["eval_batch"], torch.Generator().manual_seed(seed + 1)).to(device)
            losses = {}
            for kv, config in configs.items():
                ctx.check_cancelled()
                torch.manual_seed(seed)
                model = DecoderOnly(config).to(device)
                train(model, cancellable(ctx, task.language_model_batches(size["batch"])), steps=size["steps"], lr=3e-3, record_every=10**9)
                model.eval()
                with torch.no_grad():
                    losses[kv] = float(label_smoothed_cross_entropy(model(held_out.ids, held_out.padding_mask), held_out.targets))
            runs.append(losses)

        # Cache size and cached = recomputed decoding, on untrained models of each kind.
        generator = ctx.seed_torch(2)
        prompt = torch.randint(3, VOCAB, (4, 6), generator=generator).to(device)
        cache_bytes, differences, flops, parameters = {}, {}, {}, {}
        for kv, config in configs.items():
            torch.manual_seed(ctx.seed)
            model = DecoderOnly(config).to(device).eval()
            with torch.no_grad():
                cache = model.new_cache()
                stepped = torch.cat([model(prompt[:, t : t + 1], cache=cache) for t in range(prompt.size(1))], dim=1)
                differences[kv] = float((stepped - model(prompt)).abs().max())
                cache_bytes[kv] = cache.nbytes()
                cached = greedy_decode(model, prompt=prompt, max_new_tokens=8)
                recomputed = greedy_decode(model, prompt=prompt, max_new_tokens=8, use_cache=False)
                if not torch.equal(cached.sequences, recomputed.sequences):
                    differences[kv] = float("inf")
                counter = FlopCounterMode(display=False)
                with counter:
                    model(prompt)
                flops[kv] = counter.get_total_flops()
            parameters[kv] = sum(p.numel() for p in model.parameters())

    heads = size["heads"]
    rows = [
        (
            {heads: "MHA", 1: "MQA"}.get(kv, "GQA"), kv, heads // kv, cache_bytes[kv], cache_bytes[heads] / cache_bytes[kv],
            parameters[kv], flops[heads] / flops[kv], *(run[kv] for run in runs),
        )
        for kv in KV_HEADS
    ]
    evidence.table(
        "variants",
        text(zh="MHA / GQA / MQA：缓存、参数、计算量、质量", en="MHA / GQA / MQA: cache, parameters, compute, quality"),
        ("kind", "kv heads", "query heads per kv head", "cache bytes", "cache saving", "parameters", "FLOPs saving",
         *(f"held-out loss, seed {i}" for i in range(len(runs)))),
        rows,
    )
    evidence.plot(
        "cost_vs_saving",
        text(zh="KV cache 缩小倍数与保留集损失", en="KV-cache saving and held-out loss"),
        text(zh="KV cache 缩小倍数", en="KV-cache saving (x)"),
        text(zh="保留集损失（nats）", en="held-out loss (nats)"),
        {f"seed {i}": ([heads // kv for kv in KV_HEADS], [run[kv] for kv in KV_HEADS]) for i, run in enumerate(runs)},
        x_log=True,
    )
    savings = [(cache_bytes[heads] / cache_bytes[kv]) / (heads // kv) for kv in KV_HEADS]
    saving_error = max(savings, key=lambda r: abs(r - 1.0))
    worst_difference = max(differences.values())
    gqa_ratio = max(run[2] / run[heads] for run in runs)
    mqa_ratio = max(run[1] / run[heads] for run in runs)
    flops_share = (flops[heads] / flops[1]) / heads
    for kv in KV_HEADS:
        evidence.metric(f"cache_bytes_kv{kv}", cache_bytes[kv], "B", zh=f"{kv} 个键/值头时的 KV cache", en=f"KV cache with {kv} key/value heads")
    evidence.metric("gqa_loss_over_mha", gqa_ratio, zh="GQA / MHA 损失比（最大）", en="GQA / MHA loss ratio (largest)")
    evidence.metric("mqa_loss_over_mha", mqa_ratio, zh="MQA / MHA 损失比（最大）", en="MQA / MHA loss ratio (largest)")
    evidence.step(
        r"\text{KV cache} = 2\,L\,B\,T\,h_{kv}\,d_{head}\,b,\qquad \text{scores: } B\,h\,T^2 d_{head} \text{ (independent of } h_{kv})",
        "缓存只存 h_kv 个键/值头；但每个查询头仍要和全部键算分数、对全部值加权，所以注意力的计算量不变。",
        "The cache holds only h_kv key/value heads; every query head still scores all keys and weighs all values, so the "
        "attention compute is unchanged.",
    )
    evidence.claim(
        "cache-shrinks-by-head-ratio",
        holds=BOUNDS["cache-shrinks-by-head-ratio"].holds(saving_error),
        measured="cache bytes after prefilling 4 prompts of 6 tokens: "
        + ", ".join(f"{kv} kv heads {cache_bytes[kv]}" for kv in KV_HEADS)
        + f"; savings {', '.join(f'{cache_bytes[heads] / cache_bytes[kv]:g}x' for kv in KV_HEADS)}",
        value=saving_error,
    )
    evidence.claim(
        "grouped-cache-equals-recomputation",
        holds=BOUNDS["grouped-cache-equals-recomputation"].holds(worst_difference),
        measured=f"largest logit difference cached vs recomputed: {fmt(worst_difference)}; greedy tokens identical for "
        f"{sum(1 for v in differences.values() if v != float('inf'))}/{len(KV_HEADS)} kinds",
        value=worst_difference,
    )
    evidence.claim(
        "gqa-quality-close-to-mha",
        holds=BOUNDS["gqa-quality-close-to-mha"].holds(gqa_ratio),
        measured="held-out loss MHA / GQA / MQA: "
        + "; ".join(f"{run[heads]:.3f} / {run[2]:.3f} / {run[1]:.3f}" for run in runs),
        value=gqa_ratio,
    )
    evidence.claim(
        "mqa-cuts-compute-like-memory",
        holds=BOUNDS["mqa-cuts-compute-like-memory"].holds(flops_share),
        measured=f"forward FLOPs MHA {flops[heads]:,} vs MQA {flops[1]:,}: {flops[heads] / flops[1]:.2f}x fewer, "
        f"against a {heads}x smaller cache",
        value=flops_share,
    )
    evidence.set_summary(
        zh=f"KV cache 正好缩小 {heads // 2} 倍（GQA）和 {heads} 倍（MQA）；保留集损失是 MHA 的 {gqa_ratio:.2f} 倍（GQA）和 "
        f"{mqa_ratio:.2f} 倍（MQA）；一次前向的计算量只少 {flops[heads] / flops[1]:.2f} 倍。",
        en=f"The KV cache is exactly {heads // 2}x (GQA) and {heads}x (MQA) smaller; the held-out loss is {gqa_ratio:.2f}x "
        f"(GQA) and {mqa_ratio:.2f}x (MQA) MHA's; a forward pass needs only {flops[heads] / flops[1]:.2f}x fewer FLOPs.",
    )
