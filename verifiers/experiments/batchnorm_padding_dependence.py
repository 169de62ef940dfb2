"""BatchNorm makes a sentence's outputs depend on its batch companions and their padding; LayerNorm does not."""

from __future__ import annotations

from verifiers.experiments._common import Bound, at_least, at_most, fmt, max_abs_difference, pick, seeded_model, small_config, text, torch_session
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

SIZES = {
    "tiny": dict(length=6, companions=(1, 3), extra_padding=(0, 6), d_model=32, layers=1, trials=2),
    "quick": dict(length=8, companions=(1, 3, 7), extra_padding=(0, 4, 16), d_model=64, layers=2, trials=3),
    "full": dict(length=32, companions=(1, 7, 31), extra_padding=(0, 16, 64), d_model=256, layers=6, trials=8),
}
EQUAL_TOLERANCE = 1e-5  # relative: float32 round-off
CHANGED_AT_LEAST = 1e-2  # relative


BOUNDS = {  # what bench/seeds.py measures each claim's margin against (the recorded value is the one compared)
    "layernorm-batch-independent": at_most(EQUAL_TOLERANCE),
    "layernorm-uses-batch-statistics": Bound(low=EQUAL_TOLERANCE * (1 + 1e-12)),  # "> EQUAL_TOLERANCE"
    "batchnorm-train-mode-batch-dependent": at_least(CHANGED_AT_LEAST),
    "batchnorm-train-eval-differ": at_least(CHANGED_AT_LEAST),
    "batchnorm-eval-mode-batch-independent": at_most(EQUAL_TOLERANCE),
}

@verifier(
    id="batchnorm-padding-dependence",
    kind="experiment",
    title=text(
        zh="BatchNorm 让一句话的输出依赖同批次的其他句子与填充；LayerNorm 不会",
        en="BatchNorm makes a sentence's outputs depend on its batch companions and padding; LayerNorm does not",
    ),
    explanation=text(
        zh="把同一句话分别与不同的句子、不同数量的填充放在一个批次里送入编码器（带填充掩码）。LayerNorm 的统计量只在单个词的特征维上计算，"
        "所以这句话真实词的输出完全相同；BatchNorm（统计量跨批次和时间步、含填充位置）的输出随同伴和填充量而变，"
        "训练模式与推理模式（用滑动平均统计量）的输出也不同。推理模式下 BatchNorm 不再依赖批次，但换来了训练/推理不一致。"
        "文档说 LN “在一个 batch 内计算”是把 BN 的性质安在了 LN 身上。",
        en="The same sentence is batched with different companions and different amounts of padding and run through the "
        "encoder (with the padding mask). LayerNorm's statistics are computed over one token's features, so the "
        "sentence's real-token outputs are identical; BatchNorm's (over batch and time, padding included) change with "
        "the companions and the padding, and its training-mode and evaluation-mode (running statistics) outputs differ. "
        "In evaluation mode BatchNorm no longer depends on the batch, at the price of a train/inference mismatch. A "
        "document's 'LN is computed within a batch' gives LN a property of BN.",
    ),
    cost=Cost(quick_s=0.5, full_s=5.0),
    claims=(
        Claim(
            "layernorm-batch-independent",
            text(
                zh="LayerNorm 模型中，一句话真实词的输出与同批次的句子和填充量无关",
                en="With LayerNorm a sentence's real-token outputs do not depend on its batch companions or the padding",
            ),
        ),
        Claim(
            "layernorm-uses-batch-statistics",
            text(
                zh="LayerNorm 在一个 batch 内计算统计量（因此依赖批次）",
                en="LayerNorm computes its statistics within a batch (and so depends on the batch)",
            ),
            expected=False,
        ),
        Claim(
            "batchnorm-train-mode-batch-dependent",
            text(
                zh="BatchNorm（训练模式）中，同一句话的输出随同批次的句子与填充量改变",
                en="With BatchNorm (training mode) the same sentence's outputs change with its companions and the padding",
            ),
        ),
        Claim(
            "batchnorm-train-eval-differ",
            text(
                zh="BatchNorm 在训练模式与推理模式下对同一批次给出不同的输出",
                en="BatchNorm gives different outputs for the same batch in training and in evaluation mode",
            ),
        ),
        Claim(
            "batchnorm-eval-mode-batch-independent",
            text(
                zh="推理模式下（使用滑动平均统计量）BatchNorm 的输出不再依赖同批次的句子",
                en="In evaluation mode (running statistics) BatchNorm's outputs no longer depend on the batch companions",
            ),
        ),
    ),
    libraries=("torch",),
)
def batchnorm_padding_dependence(ctx: Context, evidence: Evidence) -> None:
    import torch

    from transformer_core import EncoderOnly

    size = pick(ctx, SIZES)
    length = size["length"]
    with torch_session(ctx) as device, torch.no_grad():
        generator = ctx.seed_torch(1)
        models = {}
        for norm in ("layer", "batch"):
            config = small_config(
                vocab_size=50, d_model=size["d_model"], d_ff=2 * size["d_model"], n_encoder_layers=size["layers"],
                norm_kind=norm, max_len=length + max(size["extra_padding"]) + length,
            )
            models[norm] = seeded_model(EncoderOnly, config, ctx.seed, device)
        # The training-mode forward passes below must not move BatchNorm's running statistics.
        bn_modules = [m for m in models["batch"].modules() if isinstance(m, torch.nn.BatchNorm1d)]
        for module in bn_modules:
            module.momentum = 0.0

        rows = []
        change = {("layer", "train"): 0.0, ("layer", "eval"): 0.0, ("batch", "eval"): 0.0}
        batch_train_smallest = float("inf")
        train_vs_eval_smallest = float("inf")
        for _ in range(size["trials"]):
            sentence = torch.randint(1, 50, (length,), generator=generator)
            batches = []
            for companions in size["companions"]:
                for extra in size["extra_padding"]:
                    batches.append((companions, extra, _batch(torch, sentence, companions, extra, generator)))
            outputs: dict[tuple[str, str], list] = {}
            for norm, model in models.items():
                for mode in ("train", "eval"):
                    model.train(mode == "train")
                    outputs[(norm, mode)] = [model.encode(ids.to(device))[0, :length] for _, _, ids in batches]
            for (norm, mode), outs in outputs.items():
                reference = outs[0]
                scale = float(reference.abs().max())
                for (companions, extra, _), out in zip(batches[1:], outs[1:]):
                    difference = max_abs_difference(out, reference) / scale
                    rows.append((norm, mode, companions, extra, difference))
                    if (norm, mode) == ("batch", "train"):
                        batch_train_smallest = min(batch_train_smallest, difference)
                    else:
                        change[(norm, mode)] = max(change[(norm, mode)], difference)
            for train_out, eval_out in zip(outputs[("batch", "train")], outputs[("batch", "eval")]):
                train_vs_eval_smallest = min(train_vs_eval_smallest, max_abs_difference(train_out, eval_out) / float(eval_out.abs().max()))
        for module in bn_modules:
            module.momentum = 0.1

    evidence.table(
        "companions",
        text(
            zh="同一句话换了同伴与填充后，真实词输出相对于第一个批次的最大相对差异",
            en="Largest relative change of the sentence's real-token outputs vs its first batch, after changing companions and padding",
        ),
        ("norm", "mode", "companions", "extra padding", "relative change"),
        rows,
    )
    series = {}
    for norm, mode in (("layer", "train"), ("batch", "train"), ("batch", "eval")):
        points = [(c, d) for n, m, c, extra, d in rows if (n, m) == (norm, mode) and extra == max(size["extra_padding"])]
        points.sort()
        series[f"{norm} norm, {mode}"] = ([c for c, _ in points], [max(d, 1e-9) for _, d in points])
    evidence.plot(
        "batch_dependence",
        text(zh="输出变化与同批次句子数（最大填充量）", en="Output change vs number of companions (most padding)"),
        text(zh="同批次的其他句子数", en="companion sentences"),
        text(zh="最大相对差异", en="largest relative change"),
        series,
        y_log=True,
    )
    layer_change = max(change[("layer", "train")], change[("layer", "eval")])
    evidence.metric("layernorm_max_change", layer_change, zh="LayerNorm 的最大相对变化", en="largest relative change, LayerNorm")
    evidence.metric("batchnorm_train_min_change", batch_train_smallest, zh="BatchNorm 训练模式的最小相对变化", en="smallest relative change, BatchNorm (train)")
    evidence.metric("batchnorm_train_eval_min_difference", train_vs_eval_smallest, zh="BatchNorm 训练/推理模式的最小差异", en="smallest train/eval difference, BatchNorm")
    evidence.step(
        r"\mathrm{LN}(x_{b,t}) = \frac{x_{b,t}-\mu_{b,t}}{\sigma_{b,t}},\ \mu_{b,t}=\tfrac1d\sum_c x_{b,t,c}"
        r"\qquad \mathrm{BN}(x_{b,t,c}) = \frac{x_{b,t,c}-\mu_c}{\sigma_c},\ \mu_c=\tfrac{1}{BT}\sum_{b,t} x_{b,t,c}",
        "LN 的均值方差只用这一个词的 d 个特征；BN 的均值方差对每个通道在整个批次和所有时间步（含填充）上求。",
        "LN's mean and variance use only this token's d features; BN's are taken per channel over the whole batch and "
        "every time step, padding included.",
    )
    evidence.claim(
        "layernorm-batch-independent",
        holds=layer_change <= EQUAL_TOLERANCE,
        measured=f"largest relative change {fmt(layer_change)} over {len(size['companions'])} companion counts × {len(size['extra_padding'])} padding amounts",
        value=layer_change,
    )
    evidence.claim(
        "layernorm-uses-batch-statistics",
        holds=layer_change > EQUAL_TOLERANCE,
        measured=f"changing the batch moved LayerNorm outputs by at most {fmt(layer_change)} (relative): its statistics are per token",
        value=layer_change,
    )
    evidence.claim(
        "batchnorm-train-mode-batch-dependent",
        holds=batch_train_smallest >= CHANGED_AT_LEAST,
        measured=f"smallest relative change {fmt(batch_train_smallest)} (≥ {CHANGED_AT_LEAST}) over every other batch",
        value=batch_train_smallest,
    )
    evidence.claim(
        "batchnorm-train-eval-differ",
        holds=train_vs_eval_smallest >= CHANGED_AT_LEAST,
        measured=f"smallest relative train/eval difference {fmt(train_vs_eval_smallest)}",
        value=train_vs_eval_smallest,
    )
    evidence.claim(
        "batchnorm-eval-mode-batch-independent",
        holds=change[("batch", "eval")] <= EQUAL_TOLERANCE,
        measured=f"largest relative change in evaluation mode {fmt(change[('batch', 'eval')])}",
        value=change[("batch", "eval")],
    )
    evidence.set_summary(
        zh=f"换同伴与填充后：LayerNorm 输出最多变化 {fmt(layer_change)}，BatchNorm（训练模式）至少变化 {fmt(batch_train_smallest)}；"
        f"BatchNorm 训练/推理模式至少相差 {fmt(train_vs_eval_smallest)}。",
        en=f"After changing companions and padding: LayerNorm outputs move by at most {fmt(layer_change)}, BatchNorm "
        f"(training mode) by at least {fmt(batch_train_smallest)}; BatchNorm's train and eval outputs differ by at least "
        f"{fmt(train_vs_eval_smallest)}.",
    )


def _batch(torch, sentence, companions: int, extra_padding: int, generator):
    """The sentence first, then ``companions`` random sentences of random lengths, all padded to a common width."""
    length = sentence.numel()
    width = length + extra_padding
    ids = torch.zeros(companions + 1, width, dtype=torch.long)
    ids[0, :length] = sentence
    for row in range(1, companions + 1):
        n = int(torch.randint(1, width + 1, (1,), generator=generator))
        ids[row, :n] = torch.randint(1, 50, (n,), generator=generator)
    return ids
