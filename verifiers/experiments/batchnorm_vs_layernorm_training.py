"""BatchNorm vs LayerNorm in training on variable-length sequences: fluctuating batch statistics and a train/inference gap."""

from __future__ import annotations

from verifiers.experiments._common import Bound, at_least, at_most, cancellable, pick, seeded_model, seeds, small_config, text, token_frequency_baseline, torch_session
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

SIZES = {
    "tiny": dict(d_model=64, layers=2, steps=150, batch=16, seeds=1, eval_batches=4),
    "quick": dict(d_model=64, layers=2, steps=200, batch=16, seeds=2, eval_batches=8),
    "full": dict(d_model=256, layers=6, steps=2000, batch=32, seeds=5, eval_batches=32),
}
VOCAB = 16
SETTLE_STEPS = 20  # running statistics start at (0, 1); compare only once they have followed the batches a while
FLUCTUATES_AT_LEAST = 0.05  # mean relative deviation of a batch variance from the running variance
SAME_WITHIN = 0.01  # relative: what "equal to the whole training set's statistics" would mean


BOUNDS = {  # what bench/seeds.py measures each claim's margin against (the recorded value is the one compared)
    "batch-statistics-fluctuate": at_least(FLUCTUATES_AT_LEAST),
    "batchnorm-train-eval-mismatch": at_least(0.01),  # and LayerNorm's change exactly 0
    "batchnorm-still-learns": Bound(high=0.5),  # worst final loss / token-frequency baseline
    "running-stats-are-training-set-stats": at_most(SAME_WITHIN),
}

@verifier(
    id="batchnorm-vs-layernorm-training",
    kind="experiment",
    title=text(
        zh="在变长序列上训练 BatchNorm 与 LayerNorm：批统计量波动、训练/推理不一致",
        en="Training with BatchNorm vs LayerNorm on variable-length sequences: fluctuating batch statistics, a train/inference gap",
    ),
    explanation=text(
        zh="同一个模型、同样的变长数据，分别用 LayerNorm 和 BatchNorm 训练。记录第一个 BatchNorm 层每一步的批方差与它的滑动平均（推理时用的统计量）："
        "在填充量随批次变化的文本数据上，批统计量相对滑动平均的波动很大（Shen et al., 2020, PowerNorm 报告的现象）。"
        "推理模式下 BatchNorm 改用滑动平均统计量，损失比训练模式下高，而 LayerNorm 两种模式完全相同，最终（推理模式）损失也更低。"
        "滑动平均是最近若干批统计量的指数平均，并不是文档所说的“整个训练集的均值和方差”：用最终权重在全部训练批次上重新计算的方差与它并不相等。",
        en="The same model on the same variable-length data, trained once with LayerNorm and once with BatchNorm. The "
        "first BatchNorm layer's batch variance is recorded at every step next to its running average (what inference "
        "uses): on text, where the amount of padding changes from batch to batch, batch statistics fluctuate strongly "
        "around the running ones (the effect Shen et al., 2020, PowerNorm, report). In evaluation mode BatchNorm switches "
        "to the running statistics and its predictions on the same data differ from training mode, while LayerNorm is identical in both "
        "modes. At this small scale BatchNorm still learns the task, with a final loss close to LayerNorm's and above or "
        "below it depending on the seed: its problem is inconsistency (batch dependence, train/inference mismatch), not an "
        "inability to fit. The running average is an exponential average of recent "
        "batches, not 'the mean and variance of the whole training set' as a document says: recomputed with the final "
        "weights over every training batch, the variance differs from it.",
    ),
    cost=Cost(quick_s=14.0, full_s=120.0),
    claims=(
        Claim(
            "batch-statistics-fluctuate",
            text(
                zh="训练中 BatchNorm 的批方差相对其滑动平均的平均偏离至少 5%",
                en="During training BatchNorm's batch variance deviates from its running average by at least 5% on average",
            ),
        ),
        Claim(
            "batchnorm-train-eval-mismatch",
            text(
                zh="同一批留出数据，BatchNorm 模型在训练模式与推理模式下至少有 1% 的预测不同；LayerNorm 模型完全相同",
                en="On the same held-out batches the BatchNorm model changes at least 1% of its predictions between training and evaluation mode; the LayerNorm model changes none",
            ),
        ),
        Claim(
            "batchnorm-still-learns",
            text(
                zh="BatchNorm 模型仍能学会任务：推理模式的最终损失低于词频基线的一半（每个种子），问题在于不一致而不是学不会",
                en="The BatchNorm model still learns the task: its final eval-mode loss is below half the token-frequency baseline (every seed); its problem is inconsistency, not an inability to fit",
            ),
        ),
        Claim(
            "running-stats-are-training-set-stats",
            text(
                zh="推理时 BatchNorm 使用的是整个训练集的均值和方差",
                en="At inference BatchNorm uses the mean and variance of the whole training set",
            ),
            expected=False,
        ),
    ),
    libraries=("torch",),
)
def batchnorm_vs_layernorm_training(ctx: Context, evidence: Evidence) -> None:
    import statistics

    import torch

    from transformer_core import EncoderDecoder, SyntheticTask, batch_loss, train

    size = pick(ctx, SIZES)
    runs = []
    baseline = token_frequency_baseline(SyntheticTask("reverse", vocab_size=VOCAB, min_length=2, max_length=12))
    with torch_session(ctx) as device:
        for seed in seeds(ctx, size["seeds"]):
            task = SyntheticTask("reverse", vocab_size=VOCAB, min_length=2, max_length=12, seed=seed)
            held_out = [task.make_batch(size["batch"], torch.Generator().manual_seed(seed + 1 + i)).to(device) for i in range(size["eval_batches"])]
            run = {}
            for norm in ("layer", "batch"):
                ctx.check_cancelled()
                config = small_config(
                    vocab_size=VOCAB, d_model=size["d_model"], d_ff=2 * size["d_model"], n_encoder_layers=size["layers"],
                    n_decoder_layers=size["layers"], norm_kind=norm, norm_placement="pre", max_len=task.max_sequence_length + 1,
                )
                model = seeded_model(EncoderDecoder, config, seed, device)
                watcher = _StatisticsWatcher(model) if norm == "batch" else None
                training_batches = []

                def kept(stream):
                    for batch in stream:
                        training_batches.append(batch)
                        yield batch

                record = train(
                    model, cancellable(ctx, kept(task.batches(size["batch"]))), steps=size["steps"],
                    lr=lambda step: 2e-3 * min(1.0, step / 20), record_every=10**9,
                )
                if watcher is not None:
                    watcher.close()
                losses, predictions = {}, {}
                if norm == "batch":
                    _freeze_running_statistics(model)  # the training-mode passes below must not update them
                with torch.no_grad():
                    for mode in ("train", "eval"):
                        model.train(mode == "train")
                        losses[mode] = statistics.fmean(float(batch_loss(model, b)) for b in held_out)
                        predictions[mode] = torch.cat([
                            model(b.src, b.tgt_in, b.src_padding_mask, b.tgt_padding_mask).argmax(-1)[b.tgt_padding_mask] for b in held_out
                        ])
                changed = float((predictions["train"] != predictions["eval"]).double().mean())
                run[norm] = {"record": record, "losses": losses, "changed": changed}
                if norm == "batch":
                    run[norm]["fluctuation"] = watcher.fluctuation(SETTLE_STEPS)
                    run[norm]["variance_series"] = watcher.series()
                    run[norm]["running_vs_exact"] = _running_vs_exact(torch, model, training_batches, device)
            runs.append(run)

    rows = []
    for index, run in enumerate(runs):
        for norm in ("layer", "batch"):
            figures = run[norm]
            rows.append((index, norm, figures["record"].final_loss(20), figures["losses"]["train"], figures["losses"]["eval"], figures["changed"]))
    evidence.table(
        "losses",
        text(zh="训练末尾损失与留出数据上的损失（训练/推理模式）", en="End-of-training loss and held-out loss in training and evaluation mode"),
        ("seed", "norm", "training loss (last 20 steps)", "held-out, train mode", "held-out, eval mode", "predictions changed"),
        rows,
    )
    first = runs[0]
    steps, batch_variance, running_variance = first["batch"]["variance_series"]
    evidence.plot(
        "batch_statistics",
        text(zh="第一个 BatchNorm 层：批方差与滑动平均方差（通道平均）", en="First BatchNorm layer: batch variance vs running variance (mean over channels)"),
        text(zh="步数", en="step"),
        text(zh="方差", en="variance"),
        {"batch variance": (steps, batch_variance), "running variance": (steps, running_variance)},
    )
    evidence.plot(
        "loss_curves",
        text(zh="训练损失（第一个种子）", en="Training loss (first seed)"),
        text(zh="步数", en="step"),
        text(zh="交叉熵（nats）", en="cross-entropy (nats)"),
        {f"{norm} norm": (list(range(1, len(first[norm]["record"].losses) + 1)), first[norm]["record"].losses) for norm in ("layer", "batch")},
    )
    fluctuation = min(run["batch"]["fluctuation"] for run in runs)
    bn_changed = [run["batch"]["changed"] for run in runs]
    ln_changed = [run["layer"]["changed"] for run in runs]
    running_vs_exact = min(run["batch"]["running_vs_exact"] for run in runs)
    evidence.metric("batch_variance_fluctuation", fluctuation, zh="批方差相对滑动平均的平均偏离（最小种子）", en="mean relative deviation of batch variance from running variance (smallest seed)")
    evidence.metric("batchnorm_predictions_changed", min(bn_changed), zh="BatchNorm 训练/推理模式预测不同的比例（最小）", en="share of BatchNorm predictions that differ between modes (smallest)")
    evidence.metric("baseline_loss", baseline, "nats", zh="只按词频猜测的损失", en="loss of guessing token frequencies")
    evidence.metric("running_vs_exact_variance", running_vs_exact, zh="滑动方差与全训练集方差的相对差", en="relative difference, running vs whole-training-set variance")
    evidence.step(
        r"\hat\sigma^2_{\text{run}} \leftarrow (1-m)\,\hat\sigma^2_{\text{run}} + m\,\sigma^2_{\text{batch}},\quad m = 0.1",
        "PyTorch 的 BatchNorm 推理统计量是批统计量的指数滑动平均，主要反映最近十几个批次、且是在权重不断变化时收集的。",
        "PyTorch's BatchNorm inference statistics are an exponential moving average of batch statistics, dominated by "
        "the last dozen or so batches and collected while the weights kept changing.",
    )
    evidence.claim(
        "batch-statistics-fluctuate",
        holds=fluctuation >= FLUCTUATES_AT_LEAST,
        measured="mean |σ²_batch − σ²_running| / σ²_running after step "
        f"{SETTLE_STEPS}: " + ", ".join(f"{run['batch']['fluctuation']:.3f}" for run in runs),
        value=fluctuation,
    )
    evidence.claim(
        "batchnorm-train-eval-mismatch",
        holds=min(bn_changed) >= 0.01 and max(ln_changed) == 0.0,
        measured="target predictions that differ between training and evaluation mode: BatchNorm "
        + ", ".join(f"{c:.1%}" for c in bn_changed) + "; LayerNorm " + ", ".join(f"{c:.1%}" for c in ln_changed)
        + "; held-out loss eval − train, BatchNorm: "
        + ", ".join(f"{run['batch']['losses']['eval'] - run['batch']['losses']['train']:+.3f}" for run in runs),
        value=min(bn_changed),
    )
    evidence.claim(
        "batchnorm-still-learns",
        holds=all(run["batch"]["losses"]["eval"] < 0.5 * baseline for run in runs),
        measured=f"held-out eval-mode loss, BatchNorm vs LayerNorm, against the baseline {baseline:.3f}: "
        + "; ".join(f"{run['batch']['losses']['eval']:.3f} vs {run['layer']['losses']['eval']:.3f}" for run in runs),
        value=max(run["batch"]["losses"]["eval"] for run in runs) / baseline,
    )
    evidence.claim(
        "running-stats-are-training-set-stats",
        holds=running_vs_exact <= SAME_WITHIN,
        measured="mean relative difference between the running variance and the variance over every training batch "
        "(final weights): " + ", ".join(f"{run['batch']['running_vs_exact']:.3f}" for run in runs),
        value=running_vs_exact,
    )
    evidence.set_summary(
        zh=f"BatchNorm 的批方差平均偏离滑动平均 {fluctuation:.1%}；训练/推理模式下至少 {min(bn_changed):.1%} 的预测不同，"
        f"但它仍能学会任务（推理模式损失 {runs[0]['batch']['losses']['eval']:.3f}，LayerNorm {runs[0]['layer']['losses']['eval']:.3f}，基线 {baseline:.2f}）。",
        en=f"BatchNorm's batch variance deviates from its running average by {fluctuation:.1%} on average; at least "
        f"{min(bn_changed):.1%} of its predictions change between training and evaluation mode; yet it learns the task "
        f"(eval-mode loss {runs[0]['batch']['losses']['eval']:.3f}, LayerNorm {runs[0]['layer']['losses']['eval']:.3f}, "
        f"baseline {baseline:.2f}).",
    )


def _batch_norms(model):
    import torch

    return [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm1d)]


def _freeze_running_statistics(model) -> None:
    for module in _batch_norms(model):
        module.momentum = 0.0


class _StatisticsWatcher:
    """Records the first BatchNorm layer's batch variance (over B and T, padding included) and its running variance."""

    def __init__(self, model) -> None:
        self.module = _batch_norms(model)[0]
        self.batch_variances: list = []
        self.running_variances: list = []
        self.handle = self.module.register_forward_pre_hook(self._before)

    def _before(self, module, inputs) -> None:
        if not module.training:
            return
        x = inputs[0].detach()  # (B, C, T)
        self.batch_variances.append(x.transpose(0, 1).reshape(x.size(1), -1).var(dim=1, unbiased=False).cpu())
        self.running_variances.append(module.running_var.detach().clone().cpu())

    def close(self) -> None:
        self.handle.remove()

    def fluctuation(self, settle: int) -> float:
        deviations = [
            float(((batch - running).abs() / running).mean())
            for batch, running in zip(self.batch_variances[settle:], self.running_variances[settle:])
        ]
        return sum(deviations) / len(deviations)

    def series(self) -> tuple[list[int], list[float], list[float]]:
        steps = list(range(1, len(self.batch_variances) + 1))
        return steps, [float(v.mean()) for v in self.batch_variances], [float(v.mean()) for v in self.running_variances]


def _running_vs_exact(torch, model, batches, device) -> float:
    """Mean relative difference between the first BatchNorm's running variance and its exact variance over all training batches."""
    from transformer_core import batch_loss

    module = _batch_norms(model)[0]
    running = module.running_var.detach().clone()
    inputs = []
    handle = module.register_forward_pre_hook(lambda m, args: inputs.append(args[0].detach().transpose(0, 1).reshape(args[0].size(1), -1)))
    model.eval()  # statistics of the final weights; the hook sees the input either way
    with torch.no_grad():
        for batch in batches:
            batch_loss(model, batch.to(device))
    handle.remove()
    everything = torch.cat(inputs, dim=1)
    exact = everything.var(dim=1, unbiased=False)
    return float(((running - exact).abs() / exact).mean())
