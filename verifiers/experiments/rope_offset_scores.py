"""RoPE makes a model's attention scores depend on the offset only; added absolute positions do not."""

from __future__ import annotations

from verifiers.experiments._common import Bound, at_least, at_most, fmt, pick, small_config, text, torch_session
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

SIZES = {
    "tiny": dict(d_model=64, heads=4, pairs=20, offsets=(1, 3, 8), starts=8),
    "quick": dict(d_model=128, heads=4, pairs=50, offsets=(1, 2, 4, 8, 16, 32), starts=16),
    "full": dict(d_model=256, heads=8, pairs=200, offsets=(1, 2, 4, 8, 16, 32, 64, 128), starts=64),
}
MAX_LEN = 512
RELATIVE_WITHIN = 1e-4  # spread over absolute positions / score scale; float32 angles give ~1e-6
ABSOLUTE_AT_LEAST = 0.05  # the same spread that counts as "depends on where the pair sits"
INTERPOLATION_FACTOR = 4

BOUNDS = {  # what bench/seeds.py measures each claim's margin against (the recorded value is the one compared)
    "rope-scores-depend-on-offset-only": at_most(RELATIVE_WITHIN),
    "learned-positions-scores-depend-on-absolute-position": at_least(ABSOLUTE_AT_LEAST),
    "sinusoidal-scores-depend-on-offset-only": Bound(high=RELATIVE_WITHIN),
    "interpolation-maps-offsets": at_most(RELATIVE_WITHIN),
}


@verifier(
    id="rope-offset-scores",
    kind="experiment",
    title=text(
        zh="RoPE 让模型里的注意力分数只取决于相对距离；加到输入上的绝对位置做不到",
        en="RoPE makes a model's attention scores depend only on the offset; absolute positions added to the input do not",
    ),
    explanation=text(
        zh="在 transformer_core 的模型里取第 0 层的注意力，用模型自己的投影和位置编码，计算同一对词（查询词 a、键词 b）"
        "放在位置 (p+k, p) 时的打分，让 p 变化而 k 不变。RoPE（Llama 的做法）把查询和键按位置旋转，"
        "打分里只剩 (p+k)−p=k：对所有 p 分数相同（只差 float32 的舍入）。把可学习的绝对位置（GPT-2、BERT）或正弦位置加到输入上，"
        "打分里有内容与位置的交叉项和 W_Q、W_K 对位置向量的变换，分数随 p 明显变化——"
        "“正弦位置编码让注意力只看相对位置”只对 PE 自身的点积成立，对模型的打分不成立。"
        "线性位置插值（把位置除以 s）让偏移 s·k 的分数等于原来偏移 k 的分数，这正是它扩展上下文的方式。",
        en="In a transformer_core model, take layer 0's attention and, with the model's own projections and position "
        "encoding, compute the score of one token pair (query token a, key token b) placed at positions (p+k, p), moving "
        "p with k fixed. RoPE (Llama's choice) rotates queries and keys by their positions, so only (p+k)-p = k is left "
        "in the score: the same for every p, up to float32 rounding. With learned absolute positions (GPT-2, BERT) or "
        "sinusoids added to the input, the score has content-position cross terms and W_Q, W_K act on the position "
        "vectors, so it moves with p. 'Sinusoidal encodings make attention relative' holds for PE(p)·PE(p+k) alone, not "
        "for a model's scores. Linear position interpolation (positions divided by s) gives offset s·k the score offset "
        "k had, which is how it extends the context.",
    ),
    cost=Cost(quick_s=1.0, full_s=5.0),
    claims=(
        Claim(
            "rope-scores-depend-on-offset-only",
            text(
                zh="用 RoPE 时，同一对词在位置 (p+k, p) 的注意力分数对所有 p 相同，只取决于 k",
                en="With RoPE the attention score of a token pair at positions (p+k, p) is the same for every p: it depends on k only",
            ),
        ),
        Claim(
            "learned-positions-scores-depend-on-absolute-position",
            text(
                zh="用加到输入上的可学习绝对位置时，同一对词、同一偏移的分数随绝对位置 p 变化",
                en="With learned absolute positions added to the input, the score of the same pair at the same offset changes with the absolute position p",
            ),
        ),
        Claim(
            "sinusoidal-scores-depend-on-offset-only",
            text(
                zh="正弦位置编码加到输入上后，模型的注意力分数也只取决于相对距离",
                en="With sinusoidal encodings added to the input, the model's attention scores also depend on the offset only",
            ),
            expected=False,
        ),
        Claim(
            "interpolation-maps-offsets",
            text(
                zh="线性位置插值（因子 s）下偏移 s·k 的分数等于不插值时偏移 k 的分数",
                en="Under linear position interpolation (factor s) the score at offset s·k equals the uninterpolated score at offset k",
            ),
        ),
    ),
    libraries=("torch",),
)
def rope_offset_scores(ctx: Context, evidence: Evidence) -> None:
    import dataclasses

    import torch

    from transformer_core import DecoderOnly

    size = pick(ctx, SIZES)
    with torch_session(ctx) as device:
        generator = ctx.seed_torch(1)
        base = small_config(
            vocab_size=64, d_model=size["d_model"], n_heads=size["heads"], d_ff=2 * size["d_model"],
            n_encoder_layers=0, n_decoder_layers=1, max_len=MAX_LEN, norm_placement="pre", scale_embeddings=False,
        )
        kinds = {
            "rope": dataclasses.replace(base, positional_encoding="rope"),
            "learned": dataclasses.replace(base, positional_encoding="learned"),
            "sinusoidal": dataclasses.replace(base, positional_encoding="sinusoidal"),
        }
        pairs = torch.randint(0, 64, (size["pairs"], 2), generator=generator)
        starts = torch.arange(size["starts"]) * 7  # absolute positions p of the key
        spreads: dict[str, list[float]] = {}
        curves: dict[str, tuple[list[int], list[float]]] = {}
        for kind, config in kinds.items():
            torch.manual_seed(ctx.seed)
            model = DecoderOnly(config).to(device).eval()
            if kind == "learned":  # trained GPT-2 positions are far from zero; give them a comparable scale
                torch.nn.init.normal_(model.embed.position.embedding.weight, std=0.5)
            spreads[kind] = []
            for offset in size["offsets"]:
                scores = _pair_scores(model, pairs, starts, offset, device)  # (pairs, starts, heads)
                scale = float(scores.abs().mean())
                spread = float((scores.amax(dim=1) - scores.amin(dim=1)).amax()) / scale
                spreads[kind].append(spread)
            curves[kind] = (list(size["offsets"]), [max(v, 1e-12) for v in spreads[kind]])
        # Position interpolation: the scaled model at offset s*k against the plain RoPE model at offset k.
        torch.manual_seed(ctx.seed)
        plain = DecoderOnly(kinds["rope"]).to(device).eval()
        scaled = DecoderOnly(dataclasses.replace(kinds["rope"], rope_scaling="linear", rope_scaling_factor=float(INTERPOLATION_FACTOR))).to(device).eval()
        scaled.load_state_dict(plain.state_dict())
        interpolation = 0.0
        for offset in size["offsets"][:3]:
            near = _pair_scores(plain, pairs, starts[:4] * 0, offset, device)
            far = _pair_scores(scaled, pairs, starts[:4] * 0, INTERPOLATION_FACTOR * offset, device)
            interpolation = max(interpolation, float((near - far).abs().max()) / float(near.abs().mean()))

    rows = [
        (offset, *(spreads[kind][i] for kind in kinds))
        for i, offset in enumerate(size["offsets"])
    ]
    evidence.table(
        "spread_over_absolute_positions",
        text(zh="同一对词、同一偏移在不同绝对位置的分数差（最大差 / 分数均值）", en="Score spread over absolute positions for the same pair and offset (max - min, over the mean score)"),
        ("offset k", "RoPE", "learned absolute", "sinusoidal added"),
        rows,
    )
    evidence.plot(
        "spread",
        text(zh="分数随绝对位置的变化", en="How much the score moves with the absolute position"),
        text(zh="偏移 k", en="offset k"),
        text(zh="相对变化", en="relative spread"),
        curves,
        x_log=True,
        y_log=True,
    )
    rope, learned, sinusoidal = max(spreads["rope"]), min(spreads["learned"]), min(spreads["sinusoidal"])
    evidence.metric("rope_spread", rope, zh="RoPE 的最大相对变化", en="RoPE: largest relative spread")
    evidence.metric("learned_spread", learned, zh="可学习绝对位置的最小相对变化", en="learned positions: smallest relative spread")
    evidence.step(
        r"\langle R_{p+k} q,\ R_p k\rangle = q^\top R_{p+k}^\top R_p\, k = q^\top R_{-k}\, k",
        "旋转矩阵满足 R_a^T R_b = R_{b-a}：位置只以差值进入分数。加法位置编码的分数是 (x_a+P_{p+k})^T W_Q^T W_K (x_b+P_p)，"
        "展开后有内容-位置交叉项，不是 k 的函数。",
        "Rotations satisfy R_a^T R_b = R_{b-a}: positions enter the score only through their difference. With added "
        "positions the score is (x_a+P_{p+k})^T W_Q^T W_K (x_b+P_p), whose expansion has content-position cross terms "
        "that are not functions of k.",
    )
    evidence.claim(
        "rope-scores-depend-on-offset-only",
        holds=BOUNDS["rope-scores-depend-on-offset-only"].holds(rope),
        measured=f"largest spread over {size['starts']} absolute positions, {size['pairs']} pairs, offsets "
        f"{list(size['offsets'])}: {fmt(rope)} of the mean score (float32 rotation angles)",
        value=rope,
    )
    evidence.claim(
        "learned-positions-scores-depend-on-absolute-position",
        holds=BOUNDS["learned-positions-scores-depend-on-absolute-position"].holds(learned),
        measured=f"smallest spread over the offsets: {fmt(learned)} of the mean score",
        value=learned,
    )
    evidence.claim(
        "sinusoidal-scores-depend-on-offset-only",
        holds=BOUNDS["sinusoidal-scores-depend-on-offset-only"].holds(sinusoidal),
        measured=f"with sinusoids added to the input the smallest spread is {fmt(sinusoidal)} of the mean score",
        value=sinusoidal,
    )
    evidence.claim(
        "interpolation-maps-offsets",
        holds=BOUNDS["interpolation-maps-offsets"].holds(interpolation),
        measured=f"factor {INTERPOLATION_FACTOR}: largest difference between offset {INTERPOLATION_FACTOR}k (interpolated) "
        f"and offset k (plain) is {fmt(interpolation)} of the mean score",
        value=interpolation,
    )
    evidence.set_summary(
        zh=f"RoPE：同一对词、同一偏移在不同绝对位置的分数只差 {fmt(rope)}（舍入误差）；可学习绝对位置至少差 {fmt(learned)}，"
        f"加正弦位置也差 {fmt(sinusoidal)}：只有 RoPE 让模型的打分真正只看相对距离。",
        en=f"RoPE: the same pair at the same offset scores the same at every absolute position (spread {fmt(rope)}, "
        f"rounding); learned absolute positions move it by at least {fmt(learned)}, added sinusoids by {fmt(sinusoidal)}: "
        "only RoPE makes the model's scores depend on the offset alone.",
    )


def _pair_scores(model, pairs, starts, offset: int, device):
    """Layer-0 attention scores, per head, of key token b at position p and query token a at p + offset.

    Built from the model's own parts (embedding with its positions, first norm, Q/K projections, rotary
    angles): the scores its attention computes before the softmax. Returns ``(pairs, starts, heads)``.
    """
    import torch

    from transformer_core.embeddings import apply_rotary

    layer = model.decoder.layers[0]
    attention = layer.self_attention
    norm = layer.self_attention_sublayer.norm
    d, d_head, heads = model.config.d_model, attention.d_head, attention.n_heads
    results = []
    with torch.no_grad():
        for p in starts.tolist():
            positions = torch.tensor([[p, p + offset]], device=device).expand(pairs.size(0), 2)
            ids = pairs[:, [1, 0]].to(device)  # key token b first (at p), query token a second (at p + offset)
            hidden = norm(model.embed(ids, position_ids=positions))  # (N, 2, d)
            q = torch.nn.functional.linear(hidden[:, 1:], attention.in_proj.weight[:d], attention.in_proj.bias[:d])
            k = torch.nn.functional.linear(
                hidden[:, :1], attention.in_proj.weight[d : 2 * d], attention.in_proj.bias[d : 2 * d]
            )
            q = q.view(-1, 1, heads, d_head).transpose(1, 2)  # (N, H, 1, d_head)
            k = k.view(-1, 1, heads, d_head).transpose(1, 2)
            if model.rotary is not None:
                q = apply_rotary(q, *model.rotary(positions[:, 1:], q.dtype))
                k = apply_rotary(k, *model.rotary(positions[:, :1], k.dtype))
            results.append((q * k).sum(-1)[..., 0] * attention.scale)  # (N, H)
    return torch.stack(results, dim=1)
