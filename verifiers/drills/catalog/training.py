"""Drills: label-smoothed cross-entropy and the warm-up / inverse-square-root schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verifiers.drills.catalog._common import TOLERANCE_EN, TOLERANCE_ZH, text
from verifiers.drills.spec import Drill, check

if TYPE_CHECKING:
    from verifiers.drills.context import DrillContext

# -- label-smoothed cross-entropy --------------------------------------------------------------------


def _torch_loss(logits: Any, target: Any, epsilon: float, ignore_index: int = -100) -> Any:
    import torch.nn.functional as F

    return F.cross_entropy(logits, target, label_smoothing=epsilon, ignore_index=ignore_index)


def _loss_mistakes(logits: Any, target: Any, epsilon: float, ignore_index: int) -> list:
    import torch

    V = logits.size(-1)
    log_probs = torch.log_softmax(logits, -1)
    keep = target != ignore_index
    safe = torch.where(keep, target, torch.zeros_like(target))
    nll = -log_probs.gather(-1, safe[:, None]).squeeze(-1)
    smooth = -log_probs.mean(-1)
    per = (1 - epsilon) * nll + epsilon * smooth
    others = (-log_probs.sum(-1) - nll) / (V - 1)
    return [
        (
            text("平均时分母只数未被忽略的位置，不是全部 N 个。", "Average over the positions that are not ignored, not over all N."),
            (per * keep).sum() / target.numel(),
        ),
        (
            text("被忽略的位置不应贡献平滑项：整个损失都要被屏蔽。", "Ignored positions must not contribute the smoothing term either: mask the whole loss."),
            ((1 - epsilon) * nll * keep + epsilon * smooth).sum() / keep.sum(),
        ),
        (
            text(
                "PyTorch 把 ε 均分到全部 V 个类（含正确类）：q = (1-ε)·one_hot + ε/V；不是把 ε 分给其余 V-1 个类。",
                "PyTorch spreads epsilon over all V classes, the true one included: q = (1 - eps) one_hot + eps / V, not eps / (V - 1) over the others.",
            ),
            (((1 - epsilon) * nll + epsilon * others) * keep).sum() / keep.sum(),
        ),
    ]


def _loss_case(ctx: "DrillContext", N: int, V: int, dtype: Any, ignore_index: int, ignored: int) -> tuple:
    logits = ctx.randn(N, V, dtype=dtype, scale=2.0)
    target = ctx.randint(0, V, N)
    if ignore_index >= 0:
        target = target.masked_fill(target == ignore_index, (ignore_index + 1) % V)  # only the chosen positions are ignored
    target[:ignored] = ignore_index
    return logits, target


@check(
    "matches-torch",
    en=f"Equals F.cross_entropy(logits, target, label_smoothing=epsilon) for N = 1, 4, 7, V = 2, 5, 11 and "
    f"epsilon = 0, 0.1, 0.3, {TOLERANCE_EN}.",
    zh=f"对 N = 1、4、7，V = 2、5、11 以及 epsilon = 0、0.1、0.3，与 F.cross_entropy(logits, target, label_smoothing=epsilon) 一致，{TOLERANCE_ZH}。",
    hint_en="loss = (1 - eps) * (-log p[target]) + eps * mean over classes of (-log p), averaged over positions; log p = log_softmax(logits).",
    hint_zh="loss = (1 - eps) * (-log p[target]) + eps * 对所有类取平均的 (-log p)，再对位置取平均；log p = log_softmax(logits)。",
)
def _loss_matches(loss: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for N, V in ((1, 2), (4, 5), (7, 11)):
            for epsilon in (0.0, 0.1, 0.3):
                logits, target = _loss_case(ctx, N, V, dtype, -100, 0)
                ctx.close(
                    ctx.call(loss, logits, target, epsilon),
                    _torch_loss(logits, target, epsilon),
                    inputs={"logits": logits, "target": target, "epsilon": epsilon},
                    mistakes=lambda: _loss_mistakes(logits, target, epsilon, -100),
                )


@check(
    "ignore-index",
    en=f"With some targets equal to ignore_index (-100 and a custom 0), ignored positions contribute nothing and are "
    f"not counted in the mean, as in F.cross_entropy, {TOLERANCE_EN}.",
    zh=f"当部分目标等于 ignore_index（-100 以及自定义的 0）时，被忽略的位置没有任何贡献，也不计入平均，与 F.cross_entropy 一致，{TOLERANCE_ZH}。",
    hint_en="Build keep = target != ignore_index; mask the per-position loss with it and divide by keep.sum(); gather with a safe index where the target is ignored.",
    hint_zh="构造 keep = target != ignore_index；用它屏蔽逐位置损失并除以 keep.sum()；在被忽略的位置用一个安全的下标做 gather。",
)
def _loss_ignore(loss: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for ignore_index, epsilon in ((-100, 0.1), (0, 0.2)):
            logits, target = _loss_case(ctx, 6, 5, dtype, ignore_index, 2)
            ctx.close(
                ctx.call(loss, logits, target, epsilon, ignore_index=ignore_index),
                _torch_loss(logits, target, epsilon, ignore_index),
                inputs={"logits": logits, "target": target, "epsilon": epsilon, "ignore_index": ignore_index},
                mistakes=lambda: _loss_mistakes(logits, target, epsilon, ignore_index),
            )


@check(
    "large-logits",
    en=f"Stays finite and correct for logits of ±1e4, {TOLERANCE_EN}.",
    zh=f"logits 为 ±1e4 时仍然有限且正确，{TOLERANCE_ZH}。",
    hint_en="log(softmax(x)) underflows to log(0) = -inf for large logits; use log_softmax (x - logsumexp(x)).",
    hint_zh="logits 很大时 log(softmax(x)) 会下溢成 log(0) = -inf；请用 log_softmax（x - logsumexp(x)）。",
)
def _loss_large(loss: Any, ctx: "DrillContext") -> None:
    import torch

    for dtype in ctx.dtypes:
        logits = torch.tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 3.0], [2.0, -1.0, 0.5]], dtype=dtype)
        target = torch.tensor([0, 2, 1])
        ctx.close(ctx.call(loss, logits, target, 0.1), _torch_loss(logits, target, 0.1), inputs={"logits": logits, "target": target, "epsilon": 0.1})


@check(
    "gradients",
    en="Gradients flow to the logits and equal F.cross_entropy's (float64, with ignored positions).",
    zh="梯度能回传到 logits，并与 F.cross_entropy 的一致（float64，含被忽略的位置）。",
    hint_en="Compute the loss from the logits with differentiable operations; do not convert to Python numbers.",
    hint_zh="用可微运算从 logits 计算损失；不要转成 Python 数。",
)
def _loss_gradients(loss: Any, ctx: "DrillContext") -> None:
    logits, target = _loss_case(ctx, 5, 4, ctx.dtypes[1], -100, 1)
    ctx.gradients(loss, _torch_loss, {"logits": logits, "target": target, "epsilon": 0.1}, wrt=("logits",))


LABEL_SMOOTHED_CROSS_ENTROPY = Drill(
    id="label-smoothed-cross-entropy",
    entry="label_smoothed_cross_entropy",
    reference="label_smoothed_cross_entropy.py",
    title=text("带标签平滑和 ignore_index 的交叉熵", "Label-smoothed cross-entropy with ignore_index"),
    task=text(
        "实现 label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=-100)：logits (N, V)，target (N,)。平滑后的目标分布为 (1-ε)·one_hot + ε/V，"
        "对未被忽略的位置求平均，等于 F.cross_entropy(..., label_smoothing=epsilon, ignore_index=...)。不要调用 F.cross_entropy 或 F.nll_loss。",
        "Write label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=-100): logits (N, V), target (N,). The "
        "smoothed target distribution is (1 - eps) one_hot + eps / V; average over the positions not ignored. It must "
        "equal F.cross_entropy(..., label_smoothing=epsilon, ignore_index=...). Do not call F.cross_entropy or F.nll_loss.",
    ),
    hints=(
        text("交叉熵 = -Σ q_c log p_c；把 q 拆成 one-hot 部分和均匀部分分别计算。", "Cross-entropy = -sum q_c log p_c; split q into the one-hot part and the uniform part."),
        text("均匀部分就是 -log p 在类别维上的平均。", "The uniform part is the mean of -log p over the classes."),
        text("被忽略的目标不能直接拿去 gather（-100 越界）：先替换成 0，再用 mask 去掉。", "An ignored target cannot be gathered (-100 is out of range): replace it by 0, then mask it out."),
    ),
    questions=("training-label-smoothing", "training-label-smoothing-effects", "training-loss-function"),
    checks=(_loss_matches, _loss_ignore, _loss_large, _loss_gradients),
    forbidden=(
        "torch.nn.functional.cross_entropy",
        "torch.nn.functional.nll_loss",
        "torch.nn.functional.kl_div",
        "torch.nn.functional.binary_cross_entropy",
    ),
)

# -- Noam schedule --------------------------------------------------------------------------------------------

NOAM_CASES = ((512, 4000), (64, 10), (1, 1))


def _noam_reference(step: int, d_model: int, warmup: int) -> float:
    from transformer_core.training import inverse_sqrt_warmup

    return inverse_sqrt_warmup(step, d_model=d_model, warmup_steps=warmup)


@check(
    "matches-formula",
    en=f"Equals transformer_core's inverse_sqrt_warmup, d_model^-0.5 * min(step^-0.5, step * warmup^-1.5), at steps 1, 2, "
    f"warmup - 1, warmup, warmup + 1 and 10 * warmup for (d_model, warmup) in {NOAM_CASES} (relative error 1e-9).",
    zh=f"对 (d_model, warmup) ∈ {NOAM_CASES}，在第 1、2、warmup - 1、warmup、warmup + 1 和 10 * warmup 步，与 transformer_core 的 inverse_sqrt_warmup，"
    f"即 d_model^-0.5 * min(step^-0.5, step * warmup^-1.5) 一致（相对误差 1e-9）。",
    hint_en="Two pieces under a min: step * warmup**-1.5 (the linear warm-up) and step**-0.5 (the decay), times d_model**-0.5.",
    hint_zh="min 里有两段：step * warmup**-1.5（线性预热）和 step**-0.5（衰减），再乘 d_model**-0.5。",
)
def _noam_matches(noam_lr: Any, ctx: "DrillContext") -> None:
    for d_model, warmup in NOAM_CASES:
        for step in sorted({1, 2, max(1, warmup - 1), warmup, warmup + 1, 10 * warmup}):
            inputs = {"step": step, "d_model": d_model, "warmup": warmup}
            ctx.number(ctx.call(noam_lr, step, d_model, warmup), _noam_reference(step, d_model, warmup), inputs=inputs)


@check(
    "peak-at-warmup",
    en="Over steps 1 to 3 * warmup (warmup = 50, d_model = 256) the rate rises strictly until step = warmup, where it "
    "peaks at (d_model * warmup)^-0.5, and falls strictly after.",
    zh="在第 1 到 3 * warmup 步（warmup = 50，d_model = 256）中，学习率在 step = warmup 之前严格上升，在该步达到峰值 (d_model * warmup)^-0.5，之后严格下降。",
    hint_en="The warm-up piece must grow linearly with step and meet the decay piece exactly at step = warmup.",
    hint_zh="预热段必须随 step 线性增长，并恰好在 step = warmup 处与衰减段相接。",
)
def _noam_peak(noam_lr: Any, ctx: "DrillContext") -> None:
    d_model, warmup = 256, 50
    rates = [ctx.call(noam_lr, step, d_model, warmup) for step in range(1, 3 * warmup + 1)]
    inputs = {"steps": "1 .. 150", "d_model": d_model, "warmup": warmup}
    try:
        values = [float(rate) for rate in rates]
    except (TypeError, ValueError):
        ctx.fail(text("应返回数值", "it should return numbers"), inputs=inputs, got=rates[:3])
    peak = max(range(len(values)), key=values.__getitem__) + 1
    ctx.require(peak == warmup, text(f"峰值出现在第 {peak} 步，应在第 warmup = {warmup} 步", f"the peak is at step {peak}; it should be at step warmup = {warmup}"), inputs=inputs, expected=warmup, got=peak)
    ctx.number(values[warmup - 1], (d_model * warmup) ** -0.5, inputs=inputs, what=text("峰值", "the peak value"))
    rising = all(a < b for a, b in zip(values[: warmup - 1], values[1:warmup]))
    falling = all(a > b for a, b in zip(values[warmup - 1 :], values[warmup:]))
    ctx.require(rising and falling, text("学习率应先严格上升、后严格下降", "the rate should rise strictly, then fall strictly"), inputs=inputs)


NOAM_SCHEDULE = Drill(
    id="noam-schedule",
    entry="noam_lr",
    reference="noam_schedule.py",
    title=text("预热 + 平方根倒数衰减的学习率（Noam）", "Warm-up / inverse-square-root schedule (Noam)"),
    task=text(
        "实现 noam_lr(step, d_model, warmup) = d_model^-0.5 · min(step^-0.5, step · warmup^-1.5)，step ≥ 1，返回 float。",
        "Write noam_lr(step, d_model, warmup) = d_model^-0.5 * min(step^-0.5, step * warmup^-1.5) for step >= 1, returning a float.",
    ),
    hints=(
        text("前 warmup 步线性增长，之后按 1/√step 衰减。", "Linear growth for warmup steps, then decay as 1/sqrt(step)."),
        text("两段在 step = warmup 相交：warmup^-0.5 = warmup · warmup^-1.5。", "The pieces meet at step = warmup: warmup^-0.5 = warmup * warmup^-1.5."),
    ),
    questions=("training-learning-rate-schedule", "training-why-warmup"),
    checks=(_noam_matches, _noam_peak),
)
