"""Post-LN needs learning-rate warm-up at a high learning rate; Pre-LN does not."""

from __future__ import annotations

from verifiers.experiments._common import at_least, at_most, cancellable, pick, seeded_model, seeds, small_config, text, token_frequency_baseline, torch_session
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

SIZES = {
    "tiny": dict(d_model=64, layers=4, lr=5e-3, steps=120, warmup=40, batch=16, seeds=1),
    "quick": dict(d_model=64, layers=4, lr=5e-3, steps=120, warmup=40, batch=16, seeds=2),
    "full": dict(d_model=128, layers=6, lr=3e-3, steps=300, warmup=100, batch=32, seeds=5),
}
VOCAB = 16
STUCK_AT_LEAST = 0.9  # final loss / unigram-baseline loss for "stayed at chance"
LEARNED_AT_MOST = 0.8  # final loss / unigram-baseline loss for "learned"
CONFIGURATIONS = (("post", False), ("post", True), ("pre", False))


BOUNDS = {  # what bench/seeds.py measures each claim's margin against (the recorded value is the one compared)
    "post-ln-without-warmup-fails": at_least(STUCK_AT_LEAST),
    "post-ln-with-warmup-learns": at_most(LEARNED_AT_MOST),
    "pre-ln-without-warmup-learns": at_most(LEARNED_AT_MOST),
}

@verifier(
    id="pre-post-ln-warmup",
    kind="experiment",
    title=text(
        zh="高学习率下 Post-LN 需要 warm-up，Pre-LN 不需要",
        en="At a high learning rate Post-LN needs warm-up and Pre-LN does not",
    ),
    explanation=text(
        zh="在合成的序列到序列任务（反转序列）上用 Adam 以较高的学习率训练三种模型：Post-LN 不加 warm-up、Post-LN 加线性 warm-up、"
        "Pre-LN 不加 warm-up，并在多个随机种子上重复。Post-LN 不加 warm-up 时损失停在“只会猜词频”的水平（或发散），"
        "加了 warm-up 的 Post-LN 和不加 warm-up 的 Pre-LN 都能学会。原因是 Post-LN 初始化时靠近输出的梯度很大"
        "（见 pre-post-ln-gradients），一开始就用大步长会把模型推到坏的区域；warm-up 或把 LN 移到子层之前都能避免。",
        en="Three models are trained with Adam at a high learning rate on a synthetic sequence-to-sequence task "
        "(reversal), over several seeds: Post-LN without warm-up, Post-LN with linear warm-up, and Pre-LN without "
        "warm-up. Post-LN without warm-up stays at the loss of guessing token frequencies (or diverges), while Post-LN "
        "with warm-up and Pre-LN without it learn. Post-LN's gradients near the output are large at initialisation (see "
        "pre-post-ln-gradients), so large steps from the start push it into a bad region; warm-up, or moving the LN "
        "before the sublayers, avoids that.",
    ),
    cost=Cost(quick_s=15.0, full_s=240.0),
    claims=(
        Claim(
            "post-ln-without-warmup-fails",
            text(
                zh="Post-LN 不加 warm-up 时，损失停在词频基线附近（不低于基线的 90%）或发散（每个种子）",
                en="Post-LN without warm-up stays near the token-frequency baseline (at least 90% of it) or diverges (every seed)",
            ),
        ),
        Claim(
            "post-ln-with-warmup-learns",
            text(
                zh="同样的 Post-LN 加上 warm-up 后能学习：损失降到基线的 80% 以下（每个种子）",
                en="The same Post-LN with warm-up learns: its loss falls below 80% of the baseline (every seed)",
            ),
        ),
        Claim(
            "pre-ln-without-warmup-learns",
            text(
                zh="Pre-LN 不加 warm-up 也能学习：损失降到基线的 80% 以下（每个种子）",
                en="Pre-LN learns without warm-up: its loss falls below 80% of the baseline (every seed)",
            ),
        ),
    ),
    libraries=("torch",),
)
def pre_post_ln_warmup(ctx: Context, evidence: Evidence) -> None:
    import math

    from transformer_core import EncoderDecoder, SyntheticTask, train

    size = pick(ctx, SIZES)
    peak, warmup = size["lr"], size["warmup"]
    schedules = {False: peak, True: lambda step: peak * min(1.0, step / warmup)}
    records: dict[tuple[str, bool], list] = {}
    with torch_session(ctx) as device:
        baseline = token_frequency_baseline(SyntheticTask("reverse", vocab_size=VOCAB, min_length=4, max_length=8))
        for seed in seeds(ctx, size["seeds"]):
            task = SyntheticTask("reverse", vocab_size=VOCAB, min_length=4, max_length=8, seed=seed)
            for placement, warm in CONFIGURATIONS:
                ctx.check_cancelled()
                config = small_config(
                    vocab_size=VOCAB, d_model=size["d_model"], d_ff=2 * size["d_model"], n_encoder_layers=size["layers"],
                    n_decoder_layers=size["layers"], norm_placement=placement, max_len=task.max_sequence_length + 1,
                )
                model = seeded_model(EncoderDecoder, config, seed, device)
                record = train(model, cancellable(ctx, task.batches(size["batch"])), steps=size["steps"], lr=schedules[warm], record_every=10**9)
                records.setdefault((placement, warm), []).append(record)

    def final(record) -> float:
        return math.inf if record.diverged else record.final_loss(20)

    def label(placement: str, warm: bool) -> str:
        return f"{placement.capitalize()}-LN, {'warm-up' if warm else 'no warm-up'}"

    rows = []
    for (placement, warm), runs in records.items():
        for index, record in enumerate(runs):
            rows.append((label(placement, warm), index, final(record), final(record) / baseline, record.diverged, max(record.total_gradient_norms)))
    evidence.table(
        "final_loss",
        text(zh="最后 20 步的平均损失（与词频基线之比）", en="Mean loss over the last 20 steps (and its ratio to the token-frequency baseline)"),
        ("configuration", "seed", "final loss", "÷ baseline", "diverged", "largest gradient norm"),
        rows,
    )
    evidence.plot(
        "loss_curves",
        text(zh="训练损失（第一个种子）", en="Training loss (first seed)"),
        text(zh="步数", en="step"),
        text(zh="交叉熵（nats）", en="cross-entropy (nats)"),
        {
            **{label(p, w): (list(range(1, len(r[0].losses) + 1)), r[0].losses) for (p, w), r in records.items()},
            "token-frequency baseline": ([1, size["steps"]], [baseline, baseline]),
        },
    )
    evidence.plot(
        "gradient_norms",
        text(zh="训练中的总梯度范数（第一个种子）", en="Total gradient norm during training (first seed)"),
        text(zh="步数", en="step"),
        text(zh="梯度 L2 范数", en="gradient L2 norm"),
        {label(p, w): (list(range(1, len(r[0].total_gradient_norms) + 1)), r[0].total_gradient_norms) for (p, w), r in records.items()},
        y_log=True,
    )
    evidence.metric("baseline_loss", baseline, "nats", zh="只按词频猜测的损失", en="loss of guessing token frequencies")
    evidence.metric("peak_learning_rate", peak, zh="峰值学习率", en="peak learning rate")

    def ratios(placement: str, warm: bool) -> list[float]:
        return [final(r) / baseline for r in records[(placement, warm)]]

    def described(placement: str, warm: bool) -> str:
        return ", ".join("diverged" if r.diverged else f"{final(r):.3f}" for r in records[(placement, warm)])

    setting = f"Adam {peak:g}, {size['steps']} steps, {size['layers']}+{size['layers']} layers, d_model {size['d_model']}"
    evidence.step(
        r"\eta_t = \eta_{\max}\cdot\min\!\big(1,\ t / T_{\text{warm-up}}\big)",
        f"warm-up：前 {warmup} 步学习率线性增加到峰值 {peak:g}。",
        f"Warm-up: the learning rate rises linearly to its peak {peak:g} over the first {warmup} steps.",
    )
    evidence.claim(
        "post-ln-without-warmup-fails",
        holds=all(r >= STUCK_AT_LEAST for r in ratios("post", False)),
        measured=f"final loss {described('post', False)} vs baseline {baseline:.3f} ({setting})",
        value=min(ratios("post", False)),
    )
    evidence.claim(
        "post-ln-with-warmup-learns",
        holds=all(r <= LEARNED_AT_MOST for r in ratios("post", True)),
        measured=f"final loss {described('post', True)} vs baseline {baseline:.3f} (warm-up {warmup} steps)",
        value=max(ratios("post", True)),
    )
    evidence.claim(
        "pre-ln-without-warmup-learns",
        holds=all(r <= LEARNED_AT_MOST for r in ratios("pre", False)),
        measured=f"final loss {described('pre', False)} vs baseline {baseline:.3f}",
        value=max(ratios("pre", False)),
    )
    evidence.set_summary(
        zh=f"{setting}：Post-LN 不加 warm-up 的最终损失 {described('post', False)}，停在词频基线 {baseline:.2f} 附近；"
        f"加 warm-up 后 {described('post', True)}，Pre-LN 不加 warm-up {described('pre', False)}。",
        en=f"{setting}: Post-LN without warm-up ends at {described('post', False)}, at the token-frequency baseline "
        f"{baseline:.2f}; with warm-up {described('post', True)}; Pre-LN without warm-up {described('pre', False)}.",
    )
