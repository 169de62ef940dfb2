"""Drills: LayerNorm, RMSNorm, BatchNorm (training and evaluation)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verifiers.drills.catalog._common import TOLERANCE_EN, TOLERANCE_ZH, text
from verifiers.drills.spec import Drill, check

if TYPE_CHECKING:
    from verifiers.drills.context import DrillContext

NORM_SHAPES = ((1, 4), (3, 5), (2, 3, 8))

# -- LayerNorm ---------------------------------------------------------------------------------


def _torch_layer_norm(x: Any, weight: Any, bias: Any, eps: float = 1e-5) -> Any:
    import torch.nn.functional as F

    return F.layer_norm(x, (x.size(-1),), weight, bias, eps)


def _layer_norm_mistakes(x: Any, weight: Any, bias: Any, eps: float) -> list:
    import torch

    mean = x.mean(-1, keepdim=True)
    return [
        (
            text("用了无偏方差（除以 d-1）：LayerNorm 用总体方差，var(unbiased=False) 或 ((x-mean)**2).mean()。", "You used the unbiased variance (divide by d - 1); LayerNorm uses the biased one: var(unbiased=False) or ((x - mean)**2).mean()."),
            (x - mean) / torch.sqrt(x.var(-1, keepdim=True, unbiased=True) + eps) * weight + bias,
        ),
        (
            text("eps 应加在根号里面：sqrt(var + eps)，不是 std + eps。", "eps goes inside the square root: sqrt(var + eps), not std + eps."),
            (x - mean) / (x.var(-1, keepdim=True, unbiased=False).sqrt() + eps) * weight + bias,
        ),
        (
            text("LayerNorm 在最后一维（每个位置的特征）上归一化，不是在 batch 维上。", "LayerNorm normalises over the last dim (each position's features), not over the batch."),
            (x - x.mean(0, keepdim=True)) / torch.sqrt(x.var(0, keepdim=True, unbiased=False) + eps) * weight + bias,
        ),
    ]


@check(
    "matches-torch",
    en=f"Equals F.layer_norm(x, (d,), weight, bias, eps) for x of shapes {NORM_SHAPES} with random weight and bias, {TOLERANCE_EN}.",
    zh=f"对形状为 {NORM_SHAPES} 的 x 和随机的 weight、bias，与 F.layer_norm(x, (d,), weight, bias, eps) 一致，{TOLERANCE_ZH}。",
    hint_en="Mean and biased variance over the last dim (keepdim=True), (x - mean) / sqrt(var + eps), then * weight + bias.",
    hint_zh="沿最后一维求均值和有偏方差（keepdim=True），(x - mean) / sqrt(var + eps)，再 * weight + bias。",
)
def _layer_norm_matches(layer_norm: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for shape in NORM_SHAPES:
            x = ctx.randn(*shape, dtype=dtype, scale=2.0) + 0.5
            weight, bias = ctx.randn(shape[-1], dtype=dtype) + 1.0, ctx.randn(shape[-1], dtype=dtype)
            ctx.close(
                ctx.call(layer_norm, x, weight, bias),
                _torch_layer_norm(x, weight, bias),
                inputs={"x": x, "weight": weight, "bias": bias},
                mistakes=lambda: _layer_norm_mistakes(x, weight, bias, 1e-5),
            )


@check(
    "eps",
    en=f"Uses eps as torch does, inside the square root: rows that are constant or nearly so, with eps = 1e-5 and "
    f"eps = 0.1, still equal F.layer_norm (no division by zero), {TOLERANCE_EN}.",
    zh=f"与 torch 一样把 eps 放在根号内：常数行或近乎常数的行，在 eps = 1e-5 和 eps = 0.1 时仍与 F.layer_norm 一致（不会除以零），{TOLERANCE_ZH}。",
    hint_en="A constant row has variance 0: without eps you divide by zero; with eps outside the root the result differs.",
    hint_zh="常数行的方差为 0：没有 eps 会除以零；eps 放在根号外结果就不一样。",
)
def _layer_norm_eps(layer_norm: Any, ctx: "DrillContext") -> None:
    import torch

    for dtype in ctx.dtypes:
        x = torch.stack([torch.full((6,), 3.0, dtype=dtype), 1.0 + 1e-3 * ctx.randn(6, dtype=dtype), ctx.randn(6, dtype=dtype)])
        weight, bias = ctx.randn(6, dtype=dtype) + 1.0, ctx.randn(6, dtype=dtype)
        for eps in (1e-5, 0.1):
            ctx.close(
                ctx.call(layer_norm, x, weight, bias, eps=eps),
                _torch_layer_norm(x, weight, bias, eps),
                inputs={"x": x, "weight": weight, "bias": bias, "eps": eps},
                mistakes=lambda: _layer_norm_mistakes(x, weight, bias, eps),
            )


@check(
    "gradients",
    en="Gradients flow to x, weight and bias and equal F.layer_norm's (float64).",
    zh="梯度能回传到 x、weight 和 bias，并与 F.layer_norm 的一致（float64）。",
    hint_en="Compute the mean and variance from x itself with tensor operations (no .detach(), no .item()).",
    hint_zh="用张量运算从 x 本身计算均值和方差（不要 .detach()，不要 .item()）。",
)
def _layer_norm_gradients(layer_norm: Any, ctx: "DrillContext") -> None:
    x = ctx.randn(2, 3, 5)
    weight, bias = ctx.randn(5) + 1.0, ctx.randn(5)
    ctx.gradients(layer_norm, _torch_layer_norm, {"x": x, "weight": weight, "bias": bias}, wrt=("x", "weight", "bias"))


LAYER_NORM = Drill(
    id="layer-norm",
    entry="layer_norm",
    reference="layer_norm.py",
    title=text("层归一化 LayerNorm", "LayerNorm"),
    task=text(
        "实现 layer_norm(x, weight, bias, eps=1e-5)：在最后一维上做层归一化，与 torch.nn.functional.layer_norm(x, (d,), weight, bias, eps) 相同。"
        "x 为 (..., d)，weight 和 bias 为 (d,)。不要调用 F.layer_norm 或 nn.LayerNorm。",
        "Write layer_norm(x, weight, bias, eps=1e-5): layer normalisation over the last dimension, the same as "
        "torch.nn.functional.layer_norm(x, (d,), weight, bias, eps). x is (..., d), weight and bias (d,). Do not call "
        "F.layer_norm or nn.LayerNorm.",
    ),
    hints=(
        text("每个位置用自己 d 个特征的均值和方差。", "Each position uses the mean and variance of its own d features."),
        text("方差是有偏的（除以 d），eps 加在根号里面。", "The variance is the biased one (divide by d); eps goes inside the square root."),
    ),
    questions=("layers-layernorm-role", "layers-layernorm-vs-batchnorm", "layers-pre-vs-post-ln"),
    checks=(_layer_norm_matches, _layer_norm_eps, _layer_norm_gradients),
    forbidden=("torch.nn.functional.layer_norm", "torch.layer_norm", "torch.native_layer_norm"),
)

# -- RMSNorm -------------------------------------------------------------------------------------


def _rms_reference(x: Any, weight: Any, eps: float = 1e-6) -> Any:
    """Llama's RMSNorm (``transformer_core.normalization.RMSNorm`` computes the same)."""
    import torch

    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def _rms_mistakes(x: Any, weight: Any, eps: float) -> list:
    import torch

    centred = x - x.mean(-1, keepdim=True)
    return [
        (
            text("RMSNorm 不减均值（那是 LayerNorm）：只除以均方根。", "RMSNorm does not subtract the mean (that is LayerNorm): it only divides by the root mean square."),
            centred * torch.rsqrt(centred.pow(2).mean(-1, keepdim=True) + eps) * weight,
        ),
        (
            text("应是 sqrt(mean(x²) + eps)，eps 在根号里面。", "It is sqrt(mean(x^2) + eps): eps inside the square root."),
            x / (x.pow(2).mean(-1, keepdim=True).sqrt() + eps) * weight,
        ),
        (
            text("用均值（mean）而不是求和：mean(x²)，不是 sum(x²)。", "Use the mean of x^2 over the last dim, not the sum."),
            x * torch.rsqrt(x.pow(2).sum(-1, keepdim=True) + eps) * weight,
        ),
    ]


@check(
    "matches-llama",
    en=f"Equals Llama's RMSNorm, x * rsqrt(mean(x^2, -1) + eps) * weight, for x of shapes {NORM_SHAPES}, {TOLERANCE_EN}.",
    zh=f"对形状为 {NORM_SHAPES} 的 x，与 Llama 的 RMSNorm，即 x * rsqrt(mean(x^2, -1) + eps) * weight 一致，{TOLERANCE_ZH}。",
    hint_en="Mean of the squares over the last dim (keepdim=True), add eps, reciprocal square root, times x and weight; no mean subtraction, no bias.",
    hint_zh="沿最后一维求平方的均值（keepdim=True），加 eps，取平方根的倒数，乘 x 和 weight；不减均值，没有偏置。",
)
def _rms_matches(rms_norm: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for shape in NORM_SHAPES:
            x = ctx.randn(*shape, dtype=dtype, scale=2.0) + 0.7
            weight = ctx.randn(shape[-1], dtype=dtype) + 1.0
            ctx.close(ctx.call(rms_norm, x, weight), _rms_reference(x, weight), inputs={"x": x, "weight": weight}, mistakes=lambda: _rms_mistakes(x, weight, 1e-6))


@check(
    "eps",
    en=f"With an all-zero row the output is 0, not NaN; with tiny inputs (1e-3) eps = 1e-6 and eps = 1e-2 act inside the "
    f"square root as Llama's does, {TOLERANCE_EN}.",
    zh=f"全零行的输出是 0 而不是 NaN；输入很小（1e-3）时，eps = 1e-6 和 eps = 1e-2 都像 Llama 那样在根号内起作用，{TOLERANCE_ZH}。",
    hint_en="Without eps a zero row divides 0 by 0; eps belongs inside the root, where it matters for small inputs.",
    hint_zh="没有 eps 时全零行会 0 除以 0；eps 要放在根号内，这对小输入有影响。",
)
def _rms_eps(rms_norm: Any, ctx: "DrillContext") -> None:
    import torch

    for dtype in ctx.dtypes:
        x = torch.stack([torch.zeros(5, dtype=dtype), 1e-3 * ctx.randn(5, dtype=dtype), ctx.randn(5, dtype=dtype)])
        weight = ctx.randn(5, dtype=dtype) + 1.0
        for eps in (1e-6, 1e-2):
            ctx.close(
                ctx.call(rms_norm, x, weight, eps=eps),
                _rms_reference(x, weight, eps),
                inputs={"x": x, "weight": weight, "eps": eps},
                mistakes=lambda: _rms_mistakes(x, weight, eps),
            )


@check(
    "gradients",
    en="Gradients flow to x and weight and equal the reference's (float64).",
    zh="梯度能回传到 x 和 weight，并与参考一致（float64）。",
    hint_en="Use differentiable tensor operations on x and weight only.",
    hint_zh="只对 x 和 weight 使用可微的张量运算。",
)
def _rms_gradients(rms_norm: Any, ctx: "DrillContext") -> None:
    x, weight = ctx.randn(2, 3, 6), ctx.randn(6) + 1.0
    ctx.gradients(rms_norm, _rms_reference, {"x": x, "weight": weight}, wrt=("x", "weight"))


RMS_NORM = Drill(
    id="rms-norm",
    entry="rms_norm",
    reference="rms_norm.py",
    title=text("均方根归一化 RMSNorm（Llama）", "RMSNorm (Llama)"),
    task=text(
        "实现 rms_norm(x, weight, eps=1e-6)：在最后一维上做 RMSNorm，与 Llama 的 RMSNorm 相同：x / sqrt(mean(x²) + eps) * weight。"
        "x 为 (..., d)，weight 为 (d,)。不减均值、没有偏置。不要调用 F.rms_norm。",
        "Write rms_norm(x, weight, eps=1e-6): RMSNorm over the last dimension as in Llama: x / sqrt(mean(x^2) + eps) * "
        "weight. x is (..., d), weight (d,). No mean subtraction, no bias. Do not call F.rms_norm.",
    ),
    hints=(
        text("与 LayerNorm 相比：去掉减均值和偏置，用均方根代替标准差。", "Compared with LayerNorm: drop the mean subtraction and the bias; use the root mean square instead of the standard deviation."),
        text("torch.rsqrt 计算 1/sqrt。", "torch.rsqrt computes 1/sqrt."),
    ),
    questions=("layers-layernorm-role", "foundations-how-to-optimise"),
    checks=(_rms_matches, _rms_eps, _rms_gradients),
    forbidden=("torch.nn.functional.rms_norm", "torch.rms_norm"),
)

# -- BatchNorm -----------------------------------------------------------------------------------


def _batch_inputs(ctx: "DrillContext", shape: tuple, dtype: Any) -> tuple:
    C = shape[1]
    x = ctx.randn(*shape, dtype=dtype, scale=1.5) + 0.3
    weight, bias = ctx.randn(C, dtype=dtype) + 1.0, ctx.randn(C, dtype=dtype)
    running_mean, running_var = ctx.randn(C, dtype=dtype) * 0.5, ctx.rand(C, dtype=dtype) + 0.5
    return x, weight, bias, running_mean, running_var


def _torch_batch_norm(x: Any, weight: Any, bias: Any, running_mean: Any, running_var: Any, training: bool, momentum: float = 0.1, eps: float = 1e-5) -> Any:
    import torch.nn.functional as F

    return F.batch_norm(x, running_mean, running_var, weight, bias, training=training, momentum=momentum, eps=eps)


BATCH_SHAPES = ((4, 3), (2, 3, 5))


@check(
    "training-output",
    en=f"In training mode, equals F.batch_norm(training=True) for x of shapes {BATCH_SHAPES} (channels on dim 1, "
    f"statistics over N and L), {TOLERANCE_EN}.",
    zh=f"训练模式下，对形状为 {BATCH_SHAPES} 的 x（通道在第 1 维，统计量跨 N 和 L）与 F.batch_norm(training=True) 一致，{TOLERANCE_ZH}。",
    hint_en="Per channel: mean and biased variance over every dim except 1, (x - mean) / sqrt(var + eps), then weight and bias, each viewed as (1, C) or (1, C, 1).",
    hint_zh="逐通道：在除第 1 维以外的所有维上求均值和有偏方差，(x - mean) / sqrt(var + eps)，再乘 weight 加 bias，它们都 view 成 (1, C) 或 (1, C, 1)。",
)
def _batch_training(batch_norm: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for shape in BATCH_SHAPES:
            x, weight, bias, running_mean, running_var = _batch_inputs(ctx, shape, dtype)
            mine_mean, mine_var = running_mean.clone(), running_var.clone()
            got = ctx.call(batch_norm, x, weight, bias, mine_mean, mine_var, True, mutable=(mine_mean, mine_var))
            expected = _torch_batch_norm(x, weight, bias, running_mean.clone(), running_var.clone(), True)
            ctx.close(got, expected, inputs={"x": x, "weight": weight, "bias": bias, "training": True})


@check(
    "running-statistics",
    en=f"In training mode, updates running_mean and running_var in place exactly as F.batch_norm does: "
    f"(1 - momentum) * running + momentum * batch statistic, the unbiased batch variance for running_var; momentum 0.1 and 0.5, {TOLERANCE_EN}.",
    zh=f"训练模式下，与 F.batch_norm 完全一样原地更新 running_mean 和 running_var：(1 - momentum) * running + momentum * 批统计量，"
    f"running_var 用无偏的批方差；momentum 为 0.1 和 0.5，{TOLERANCE_ZH}。",
    hint_en="PyTorch's momentum weighs the new batch: running = (1 - m) * running + m * batch. The running variance "
    "uses the unbiased estimate (n / (n - 1) times the biased one); update the given tensors in place (mul_, add_, copy_).",
    hint_zh="PyTorch 的 momentum 是新批次的权重：running = (1 - m) * running + m * batch。滑动方差用无偏估计（有偏方差乘 n / (n - 1)）；"
    "原地更新传入的张量（mul_、add_、copy_）。",
)
def _batch_running(batch_norm: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for shape in BATCH_SHAPES:
            for momentum in (0.1, 0.5):
                x, weight, bias, running_mean, running_var = _batch_inputs(ctx, shape, dtype)
                mine_mean, mine_var = running_mean.clone(), running_var.clone()
                ctx.call(batch_norm, x, weight, bias, mine_mean, mine_var, True, momentum=momentum, mutable=(mine_mean, mine_var))
                torch_mean, torch_var = running_mean.clone(), running_var.clone()
                _torch_batch_norm(x, weight, bias, torch_mean, torch_var, True, momentum)
                inputs = {"x": x, "running_mean (before)": running_mean, "running_var (before)": running_var, "momentum": momentum}
                ctx.close(mine_mean, torch_mean, inputs=inputs, what=text("更新后的 running_mean", "running_mean after the call"))
                ctx.close(mine_var, torch_var, inputs=inputs, what=text("更新后的 running_var", "running_var after the call"))


@check(
    "evaluation",
    en=f"In evaluation mode, normalises with running_mean and running_var (not the batch's), leaves them unchanged, "
    f"and equals F.batch_norm(training=False), {TOLERANCE_EN}.",
    zh=f"评估模式下，用 running_mean 和 running_var（而不是当前批次的统计量）归一化，不修改它们，结果与 F.batch_norm(training=False) 一致，{TOLERANCE_ZH}。",
    hint_en="At test time the batch may be a single example: use the running statistics and do not update them.",
    hint_zh="测试时批次可能只有一个样本：使用滑动统计量，并且不要更新它们。",
)
def _batch_eval(batch_norm: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for shape in ((1, 3), *BATCH_SHAPES):
            x, weight, bias, running_mean, running_var = _batch_inputs(ctx, shape, dtype)
            ctx.close(
                ctx.call(batch_norm, x, weight, bias, running_mean, running_var, False),
                _torch_batch_norm(x, weight, bias, running_mean.clone(), running_var.clone(), False),
                inputs={"x": x, "running_mean": running_mean, "running_var": running_var, "training": False},
            )


@check(
    "gradients",
    en="In training mode, gradients flow to x, weight and bias (through the batch statistics too) and equal F.batch_norm's (float64).",
    zh="训练模式下，梯度能回传到 x、weight 和 bias（也经过批统计量），并与 F.batch_norm 的一致（float64）。",
    hint_en="The batch mean and variance depend on x: compute them with differentiable operations; only the running-statistics update is outside autograd.",
    hint_zh="批均值和方差依赖于 x：用可微运算计算；只有滑动统计量的更新在 autograd 之外。",
)
def _batch_gradients(batch_norm: Any, ctx: "DrillContext") -> None:
    x, weight, bias, running_mean, running_var = _batch_inputs(ctx, (4, 3, 2), ctx.dtypes[1])
    mine = (running_mean.clone(), running_var.clone())

    def candidate(x: Any, weight: Any, bias: Any) -> Any:
        return ctx.call(batch_norm, x, weight, bias, mine[0], mine[1], True, mutable=mine)

    def reference(x: Any, weight: Any, bias: Any) -> Any:
        return _torch_batch_norm(x, weight, bias, running_mean.clone(), running_var.clone(), True)

    ctx.gradients(candidate, reference, {"x": x, "weight": weight, "bias": bias}, wrt=("x", "weight", "bias"))


BATCH_NORM = Drill(
    id="batch-norm",
    entry="batch_norm",
    reference="batch_norm.py",
    title=text("BatchNorm 前向（训练与评估）", "BatchNorm forward, training and evaluation"),
    task=text(
        "实现 batch_norm(x, weight, bias, running_mean, running_var, training, momentum=0.1, eps=1e-5)，与 F.batch_norm 相同。"
        "x 为 (N, C) 或 (N, C, L)，通道在第 1 维。训练时用批统计量（有偏方差）归一化，并原地更新滑动统计量："
        "running = (1 - momentum) * running + momentum * batch，running_var 用无偏方差。评估时用滑动统计量且不更新。不要调用 F.batch_norm。",
        "Write batch_norm(x, weight, bias, running_mean, running_var, training, momentum=0.1, eps=1e-5), the same as "
        "F.batch_norm. x is (N, C) or (N, C, L), channels on dim 1. In training, normalise with the batch statistics "
        "(biased variance) and update the running statistics in place: running = (1 - momentum) * running + momentum * "
        "batch, with the unbiased variance for running_var. In evaluation, use the running statistics and leave them "
        "unchanged. Do not call F.batch_norm.",
    ),
    hints=(
        text("统计量按通道计算：对除第 1 维外的所有维求均值。", "Statistics are per channel: reduce over every dim except dim 1."),
        text("归一化用有偏方差，滑动方差用无偏方差（乘 n/(n-1)）。", "Normalise with the biased variance; the running variance takes the unbiased one (times n/(n-1))."),
        text("PyTorch 的 momentum 是新值的权重，与 Keras 的约定相反。", "PyTorch's momentum weighs the new value, the opposite of Keras' convention."),
    ),
    questions=("layers-layernorm-vs-batchnorm", "layers-batchnorm-pros-cons", "layers-cnn-bn-vs-transformer-ln"),
    checks=(_batch_training, _batch_running, _batch_eval, _batch_gradients),
    forbidden=("torch.nn.functional.batch_norm", "torch.batch_norm", "torch.native_batch_norm"),
)
