"""Drills: the position-wise FFN, SwiGLU, a LoRA linear layer, inverted dropout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verifiers.drills.catalog._common import TOLERANCE_EN, TOLERANCE_ZH, text
from verifiers.drills.spec import Drill, check

if TYPE_CHECKING:
    from verifiers.drills.context import DrillContext

FFN_SHAPES = ((1, 4, 8), (5, 6, 16), (2, 3, 8, 32))  # x's shape (..., d_model) then d_ff


def _ffn_inputs(ctx: "DrillContext", shape: tuple, dtype: Any) -> tuple:
    *x_shape, d_ff = shape
    d_model = x_shape[-1]
    x = ctx.randn(*x_shape, dtype=dtype)
    w1, b1 = ctx.randn(d_ff, d_model, dtype=dtype, scale=d_model**-0.5), ctx.randn(d_ff, dtype=dtype, scale=0.5)
    w2, b2 = ctx.randn(d_model, d_ff, dtype=dtype, scale=d_ff**-0.5), ctx.randn(d_model, dtype=dtype, scale=0.5)
    return x, w1, b1, w2, b2


def _torch_ffn(x: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> Any:
    import torch.nn.functional as F

    return F.linear(F.relu(F.linear(x, w1, b1)), w2, b2)


def _ffn_mistakes(x: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> list:
    import torch.nn.functional as F

    return [
        (text("两层之间缺少 ReLU：没有非线性，两层就等于一层线性变换。", "The ReLU between the layers is missing: without it two layers collapse into one linear map."), F.linear(F.linear(x, w1, b1), w2, b2)),
        (text("ReLU 只用在两层之间，输出层后面不加。", "The ReLU goes between the layers only, not after the output layer."), F.relu(_torch_ffn(x, w1, b1, w2, b2))),
        (text("原论文的 FFN 用 ReLU，不是 GELU。", "The original FFN uses ReLU, not GELU."), F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)),
        (text("偏置不能漏：x @ w.T + b。", "Do not drop the biases: x @ w.T + b."), F.linear(F.relu(F.linear(x, w1)), w2)),
    ]


@check(
    "matches-torch",
    en=f"Equals F.linear(F.relu(F.linear(x, w1, b1)), w2, b2) for x of shapes (..., d_model) and d_ff in "
    f"{FFN_SHAPES} (the last number is d_ff), {TOLERANCE_EN}.",
    zh=f"对形状 (..., d_model) 的 x 与 d_ff ∈ {FFN_SHAPES}（最后一个数是 d_ff），与 F.linear(F.relu(F.linear(x, w1, b1)), w2, b2) 一致，{TOLERANCE_ZH}。",
    hint_en="Two nn.Linear-style layers, x @ w.T + b, with a ReLU between them; the same weights act on every position.",
    hint_zh="两个 nn.Linear 式的层 x @ w.T + b，中间夹 ReLU；每个位置使用同一组权重。",
)
def _ffn_matches(ffn: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for shape in FFN_SHAPES:
            args = _ffn_inputs(ctx, shape, dtype)
            ctx.close(ctx.call(ffn, *args), _torch_ffn(*args), inputs=dict(zip(("x", "w1", "b1", "w2", "b2"), args)), mistakes=lambda: _ffn_mistakes(*args))


@check(
    "position-wise",
    en="Each position's output depends on that position only: changing one position of x leaves the others' outputs unchanged.",
    zh="每个位置的输出只依赖该位置：修改 x 的某个位置，其他位置的输出不变。",
    hint_en="Do not mix positions (no sums or softmax over the sequence axis): the FFN acts on the last dim only.",
    hint_zh="不要混合不同位置（不要沿序列维求和或 softmax）：FFN 只作用在最后一维。",
)
def _ffn_position_wise(ffn: Any, ctx: "DrillContext") -> None:
    import torch

    x, w1, b1, w2, b2 = _ffn_inputs(ctx, (2, 5, 8, 16), torch.float64)
    before = ctx.call(ffn, x, w1, b1, w2, b2)
    changed = x.clone()
    changed[:, 2] = ctx.randn(2, 8)
    after = ctx.call(ffn, changed, w1, b1, w2, b2)
    keep = [0, 1, 3, 4]
    ctx.close(after[:, keep], before[:, keep], inputs={"x": x, "changed position": 2}, what=text("其他位置的输出", "the other positions' outputs"))


@check(
    "gradients",
    en="Gradients flow to x, both weights and both biases and equal torch's (float64).",
    zh="梯度能回传到 x、两个权重和两个偏置，并与 torch 的一致（float64）。",
    hint_en="Use the given tensors directly; copying them into a new nn.Linear cuts them off from autograd.",
    hint_zh="直接使用给定的张量；复制进新的 nn.Linear 会切断它们与 autograd 的联系。",
)
def _ffn_gradients(ffn: Any, ctx: "DrillContext") -> None:
    import torch

    names = ("x", "w1", "b1", "w2", "b2")
    args = dict(zip(names, _ffn_inputs(ctx, (3, 4, 8), torch.float64)))
    ctx.gradients(ffn, _torch_ffn, args, wrt=names)


FEED_FORWARD = Drill(
    id="feed-forward",
    entry="feed_forward",
    reference="feed_forward.py",
    title=text("逐位置前馈网络（FFN）", "Position-wise feed-forward network"),
    task=text(
        "实现 feed_forward(x, w1, b1, w2, b2) = max(0, x W1ᵀ + b1) W2ᵀ + b2。x 为 (..., d_model)；w1 (d_ff, d_model)、b1 (d_ff,)、"
        "w2 (d_model, d_ff)、b2 (d_model,)，即 nn.Linear 的布局。两层之间用 ReLU，同一组参数作用于每个位置。",
        "Write feed_forward(x, w1, b1, w2, b2) = max(0, x W1^T + b1) W2^T + b2. x is (..., d_model); w1 (d_ff, d_model), "
        "b1 (d_ff,), w2 (d_model, d_ff), b2 (d_model,): nn.Linear's layout. ReLU between the layers; the same "
        "parameters act on every position.",
    ),
    hints=(
        text("先扩展到 d_ff（通常 4·d_model），ReLU，再投影回 d_model。", "Expand to d_ff (usually 4·d_model), ReLU, project back to d_model."),
        text("矩阵乘法作用在最后一维，前面的维度（batch、序列）自动保留。", "The matmuls act on the last dim; the leading (batch, sequence) dims come along for free."),
    ),
    questions=("layers-ffn-formula", "layers-ffn-overview", "layers-ffn-expand", "layers-ffn-activation"),
    checks=(_ffn_matches, _ffn_position_wise, _ffn_gradients),
)

# -- SwiGLU -----------------------------------------------------------------------------------------


def _swiglu_reference(x: Any, w_gate: Any, w_up: Any, w_down: Any) -> Any:
    import torch.nn.functional as F

    return F.linear(F.silu(F.linear(x, w_gate)) * F.linear(x, w_up), w_down)


def _swiglu_mistakes(x: Any, w_gate: Any, w_up: Any, w_down: Any) -> list:
    import torch
    import torch.nn.functional as F

    gate, up = F.linear(x, w_gate), F.linear(x, w_up)
    return [
        (text("SiLU 要作用在 gate 分支上，up 分支保持线性。", "SiLU goes on the gate branch; the up branch stays linear."), F.linear(gate * F.silu(up), w_down)),
        (text("SiLU(z) = z·sigmoid(z)，不是 sigmoid(z)（那是 GLU）。", "SiLU(z) = z * sigmoid(z), not sigmoid(z) (that is GLU)."), F.linear(torch.sigmoid(gate) * up, w_down)),
        (text("门控的意义在于两个分支逐元素相乘；缺了 up 分支。", "Gating multiplies two branches element-wise; the up branch is missing."), F.linear(F.silu(gate), w_down)),
        (text("Llama 的 SwiGLU 用 SiLU（Swish），不是 GELU（那是 GeGLU）。", "Llama's SwiGLU uses SiLU (Swish), not GELU (that is GeGLU)."), F.linear(F.gelu(gate) * up, w_down)),
    ]


def _swiglu_inputs(ctx: "DrillContext", x_shape: tuple, d_ff: int, dtype: Any) -> tuple:
    d_model = x_shape[-1]
    return (
        ctx.randn(*x_shape, dtype=dtype),
        ctx.randn(d_ff, d_model, dtype=dtype, scale=d_model**-0.5),
        ctx.randn(d_ff, d_model, dtype=dtype, scale=d_model**-0.5),
        ctx.randn(d_model, d_ff, dtype=dtype, scale=d_ff**-0.5),
    )


@check(
    "matches-llama",
    en=f"Equals Llama's MLP, down(silu(gate(x)) * up(x)), for x of shapes (4, 8), (2, 3, 16) with d_ff 12 and 40, {TOLERANCE_EN}.",
    zh=f"对形状为 (4, 8)、(2, 3, 16) 的 x，d_ff 为 12 和 40，与 Llama 的 MLP，即 down(silu(gate(x)) * up(x)) 一致，{TOLERANCE_ZH}。",
    hint_en="gate = x @ w_gate.T, up = x @ w_up.T, hidden = gate * sigmoid(gate) * up, output = hidden @ w_down.T.",
    hint_zh="gate = x @ w_gate.T，up = x @ w_up.T，hidden = gate * sigmoid(gate) * up，输出 = hidden @ w_down.T。",
)
def _swiglu_matches(swiglu: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for x_shape, d_ff in (((4, 8), 12), ((2, 3, 16), 40)):
            args = _swiglu_inputs(ctx, x_shape, d_ff, dtype)
            ctx.close(
                ctx.call(swiglu, *args),
                _swiglu_reference(*args),
                inputs=dict(zip(("x", "w_gate", "w_up", "w_down"), args)),
                mistakes=lambda: _swiglu_mistakes(*args),
            )


@check(
    "gradients",
    en="Gradients flow to x and all three weights and equal the reference's (float64).",
    zh="梯度能回传到 x 和三个权重，并与参考一致（float64）。",
    hint_en="Use differentiable tensor operations on the given tensors only.",
    hint_zh="只对给定的张量使用可微的张量运算。",
)
def _swiglu_gradients(swiglu: Any, ctx: "DrillContext") -> None:
    import torch

    names = ("x", "w_gate", "w_up", "w_down")
    ctx.gradients(swiglu, _swiglu_reference, dict(zip(names, _swiglu_inputs(ctx, (3, 8), 12, torch.float64))), wrt=names)


SWIGLU = Drill(
    id="swiglu",
    entry="swiglu",
    reference="swiglu.py",
    title=text("SwiGLU 前馈层（Llama）", "SwiGLU feed-forward (Llama)"),
    task=text(
        "实现 swiglu(x, w_gate, w_up, w_down) = (silu(x W_gateᵀ) ⊙ (x W_upᵀ)) W_downᵀ，即 Llama 的 MLP。x 为 (..., d_model)；"
        "w_gate、w_up 为 (d_ff, d_model)，w_down 为 (d_model, d_ff)；没有偏置。silu(z) = z·sigmoid(z)。",
        "Write swiglu(x, w_gate, w_up, w_down) = (silu(x W_gate^T) * (x W_up^T)) W_down^T, Llama's MLP. x is "
        "(..., d_model); w_gate and w_up are (d_ff, d_model), w_down (d_model, d_ff); no biases. silu(z) = z * sigmoid(z).",
    ),
    hints=(
        text("两个并行的投影：一个过 SiLU 作门，一个保持线性，逐元素相乘。", "Two parallel projections: one through SiLU as the gate, one linear, multiplied element-wise."),
        text("为了参数量与普通 FFN 相当，Llama 取 d_ff ≈ 8/3·d_model。", "To match a plain FFN's parameter count, Llama takes d_ff ≈ 8/3·d_model."),
    ),
    questions=("layers-ffn-activation", "layers-ffn-overview", "foundations-how-to-optimise"),
    checks=(_swiglu_matches, _swiglu_gradients),
)

# -- LoRA ---------------------------------------------------------------------------------------------

LORA_SIZES = ((6, 4, 2, 4.0), (10, 7, 3, 1.0))  # (in_features, out_features, r, alpha)


def _new_layer(ctx: "DrillContext", LoRALinear: Any, sizes: tuple) -> Any:
    import torch

    in_features, out_features, r, alpha = sizes
    layer = ctx.call(LoRALinear, in_features, out_features, r, alpha)
    inputs = {"in_features": in_features, "out_features": out_features, "r": r, "alpha": alpha}
    ctx.require(isinstance(layer, torch.nn.Module), text("LoRALinear 应是 nn.Module 的子类", "LoRALinear should subclass nn.Module"), inputs=inputs, got=layer)
    for name, shape in (("weight", (out_features, in_features)), ("bias", (out_features,)), ("lora_a", (r, in_features)), ("lora_b", (out_features, r))):
        value = getattr(layer, name, None)
        ctx.require(
            isinstance(value, torch.Tensor) and tuple(value.shape) == shape,
            text(f"属性 {name} 应是形状 {shape} 的张量", f"the attribute {name} should be a tensor of shape {shape}"),
            inputs=inputs,
            got=value,
        )
    return layer


def _lora_reference(layer: Any, x: Any, alpha: float, r: int) -> Any:
    return x @ layer.weight.T + layer.bias + (alpha / r) * (x @ layer.lora_a.T) @ layer.lora_b.T


@check(
    "parameters",
    en="weight (out, in) and bias (out,) are frozen (requires_grad False); lora_a (r, in) and lora_b (out, r) are "
    "trainable nn.Parameters; the trainable count is r * (in + out); lora_b starts at zero and lora_a does not.",
    zh="weight (out, in) 和 bias (out,) 被冻结（requires_grad 为 False）；lora_a (r, in) 和 lora_b (out, r) 是可训练的 nn.Parameter；"
    "可训练参数个数为 r * (in + out)；lora_b 初始为零，lora_a 不为零。",
    hint_en="Register all four as nn.Parameter; freeze the base with requires_grad=False; initialise B to zeros and A randomly "
    "(if both were zero, no gradient could ever reach them).",
    hint_zh="四个都注册为 nn.Parameter；用 requires_grad=False 冻结基础层；B 初始化为零、A 随机初始化（两者都为零时梯度永远到不了它们）。",
)
def _lora_parameters(LoRALinear: Any, ctx: "DrillContext") -> None:
    for sizes in LORA_SIZES:
        in_features, out_features, r, alpha = sizes
        layer = _new_layer(ctx, LoRALinear, sizes)
        inputs = {"in_features": in_features, "out_features": out_features, "r": r, "alpha": alpha}
        trainable = {name for name, p in layer.named_parameters() if p.requires_grad}
        ctx.require(
            trainable == {"lora_a", "lora_b"},
            text(f"可训练的参数应只有 lora_a 和 lora_b，实际是 {sorted(trainable)}", f"only lora_a and lora_b should be trainable; found {sorted(trainable)}"),
            inputs=inputs,
        )
        count = sum(p.numel() for p in layer.parameters() if p.requires_grad)
        ctx.require(count == r * (in_features + out_features), text("可训练参数个数不对", "wrong number of trainable parameters"), inputs=inputs, expected=r * (in_features + out_features), got=count)
        ctx.require(bool((layer.lora_b == 0).all()), text("lora_b 应初始化为零", "lora_b should start at zero"), inputs=inputs, got=layer.lora_b)
        ctx.require(bool((layer.lora_a != 0).any()), text("lora_a 应随机初始化（不能全为零）", "lora_a should start random (not all zero)"), inputs=inputs, got=layer.lora_a)


@check(
    "starts-as-base",
    en=f"A fresh layer computes exactly x @ weight.T + bias on inputs of shapes (5, in) and (2, 3, in), {TOLERANCE_EN}.",
    zh=f"新建的层对形状为 (5, in) 和 (2, 3, in) 的输入，结果恰好是 x @ weight.T + bias，{TOLERANCE_ZH}。",
    hint_en="With lora_b = 0 the update is zero, so fine-tuning starts from the pretrained model exactly.",
    hint_zh="lora_b = 0 时更新量为零，所以微调恰好从预训练模型出发。",
)
def _lora_starts_as_base(LoRALinear: Any, ctx: "DrillContext") -> None:
    for sizes in LORA_SIZES:
        layer = _new_layer(ctx, LoRALinear, sizes)
        for shape in ((5, sizes[0]), (2, 3, sizes[0])):
            x = ctx.randn(*shape, dtype=layer.weight.dtype)
            ctx.close(ctx.call(layer, x), x @ layer.weight.T + layer.bias, inputs={"x": x, "r": sizes[2], "alpha": sizes[3]})


@check(
    "forward",
    en=f"With random lora_a and lora_b, forward(x) = x @ weight.T + bias + (alpha / r) * x @ lora_a.T @ lora_b.T, {TOLERANCE_EN}.",
    zh=f"lora_a 和 lora_b 取随机值时，forward(x) = x @ weight.T + bias + (alpha / r) * x @ lora_a.T @ lora_b.T，{TOLERANCE_ZH}。",
    hint_en="The scale is alpha / r (so changing r does not change the update's size); the update goes through A first, then B.",
    hint_zh="缩放系数是 alpha / r（这样改变 r 不改变更新量的大小）；更新先经过 A，再经过 B。",
)
def _lora_forward(LoRALinear: Any, ctx: "DrillContext") -> None:
    import torch

    for sizes in LORA_SIZES:
        in_features, out_features, r, alpha = sizes
        layer = _new_layer(ctx, LoRALinear, sizes)
        with torch.no_grad():
            layer.lora_a.copy_(ctx.randn(r, in_features, dtype=layer.lora_a.dtype))
            layer.lora_b.copy_(ctx.randn(out_features, r, dtype=layer.lora_b.dtype))
        x = ctx.randn(4, in_features, dtype=layer.weight.dtype)
        expected = _lora_reference(layer, x, alpha, r).detach()

        def mistakes() -> list:
            update = (x @ layer.lora_a.T) @ layer.lora_b.T
            base = x @ layer.weight.T + layer.bias
            return [
                (text("缩放应为 alpha / r，不是 alpha。", "The scale is alpha / r, not alpha."), (base + alpha * update).detach()),
                (text("缩放应为 alpha / r，不是 r / alpha。", "The scale is alpha / r, not r / alpha."), (base + (r / alpha) * update).detach()),
                (text("漏了 alpha / r 缩放。", "The alpha / r scale is missing."), (base + update).detach()),
            ]

        ctx.close(ctx.call(layer, x), expected, inputs={"x": x, "lora_a": layer.lora_a.detach(), "lora_b": layer.lora_b.detach(), "r": r, "alpha": alpha}, mistakes=mistakes)


@check(
    "gradients",
    en="Backpropagating through forward gives gradients to lora_a and lora_b only, equal to the reference's; weight and bias get none.",
    zh="对 forward 反向传播时，只有 lora_a 和 lora_b 得到梯度，且与参考一致；weight 和 bias 没有梯度。",
    hint_en="Frozen parameters must not collect gradients; the low-rank factors must be used through autograd (no .data, no detach).",
    hint_zh="冻结的参数不能累积梯度；低秩因子必须通过 autograd 使用（不要 .data，不要 detach）。",
)
def _lora_gradients(LoRALinear: Any, ctx: "DrillContext") -> None:
    import torch

    in_features, out_features, r, alpha = LORA_SIZES[0]
    layer = _new_layer(ctx, LoRALinear, LORA_SIZES[0])
    with torch.no_grad():
        layer.lora_b.copy_(ctx.randn(out_features, r, dtype=layer.lora_b.dtype))
    x = ctx.randn(3, in_features, dtype=layer.weight.dtype)
    weight = ctx.randn(3, out_features, dtype=layer.weight.dtype)
    out = ctx.call(layer, x)
    ctx.tensor(out, x @ layer.weight.T, inputs={"x": x})
    ctx.require(
        out.requires_grad,
        text("输出与 lora_a、lora_b 之间没有 autograd 连接，训练时它们学不到任何东西", "the output is not connected to lora_a and lora_b by autograd: training could not move them"),
        inputs={"x": x, "r": r, "alpha": alpha},
    )
    (out * weight).sum().backward()
    a, b = layer.lora_a.detach().clone().requires_grad_(True), layer.lora_b.detach().clone().requires_grad_(True)
    expected = x @ layer.weight.detach().T + layer.bias.detach() + (alpha / r) * (x @ a.T) @ b.T
    (expected * weight).sum().backward()
    inputs = {"x": x, "r": r, "alpha": alpha}
    for name, mine, theirs in (("lora_a", layer.lora_a, a), ("lora_b", layer.lora_b, b)):
        ctx.require(mine.grad is not None, text(f"没有梯度到达 {name}", f"no gradient reaches {name}"), inputs=inputs)
        ctx.close(mine.grad, theirs.grad, inputs=inputs, what=text(f"{name} 的梯度", f"the gradient of {name}"))
    for name in ("weight", "bias"):
        grad = getattr(layer, name).grad
        ctx.require(grad is None or bool((grad == 0).all()), text(f"冻结的 {name} 得到了梯度", f"the frozen {name} received a gradient"), inputs=inputs, got=grad)


@check(
    "merged-weight",
    en=f"merged_weight() returns weight + (alpha / r) * lora_b @ lora_a, and x @ merged.T + bias equals forward(x), {TOLERANCE_EN}.",
    zh=f"merged_weight() 返回 weight + (alpha / r) * lora_b @ lora_a，并且 x @ merged.T + bias 等于 forward(x)，{TOLERANCE_ZH}。",
    hint_en="B @ A has shape (out, in), the weight's shape: merging makes inference cost the same as the base layer.",
    hint_zh="B @ A 的形状是 (out, in)，与 weight 相同：合并后推理开销与基础层一样。",
)
def _lora_merged(LoRALinear: Any, ctx: "DrillContext") -> None:
    import torch

    for sizes in LORA_SIZES:
        in_features, out_features, r, alpha = sizes
        layer = _new_layer(ctx, LoRALinear, sizes)
        with torch.no_grad():
            layer.lora_b.copy_(ctx.randn(out_features, r, dtype=layer.lora_b.dtype))
        inputs = {"r": r, "alpha": alpha, "lora_a": layer.lora_a.detach(), "lora_b": layer.lora_b.detach()}
        merged = ctx.call(layer.merged_weight)
        expected = (layer.weight + (alpha / r) * layer.lora_b @ layer.lora_a).detach()
        ctx.close(merged.detach() if isinstance(merged, torch.Tensor) else merged, expected, inputs=inputs, what=text("合并后的权重", "the merged weight"))
        x = ctx.randn(4, in_features, dtype=layer.weight.dtype)
        ctx.close((x @ merged.T + layer.bias).detach(), ctx.call(layer, x).detach(), inputs={"x": x, **inputs}, what=text("用合并权重算出的输出", "the output through the merged weight"))


LORA_LINEAR = Drill(
    id="lora-linear",
    entry="LoRALinear",
    reference="lora_linear.py",
    title=text("LoRA 线性层", "LoRA linear layer"),
    task=text(
        "实现 nn.Module 子类 LoRALinear(in_features, out_features, r, alpha)：冻结的 weight (out, in) 与 bias (out,)，可训练的 lora_a (r, in)（随机初始化）"
        "和 lora_b (out, r)（初始化为零）。forward(x) = x Wᵀ + b + (alpha/r)·x Aᵀ Bᵀ；merged_weight() 返回 W + (alpha/r)·B A。",
        "Write LoRALinear(in_features, out_features, r, alpha), an nn.Module: frozen weight (out, in) and bias (out,), "
        "trainable lora_a (r, in) (random init) and lora_b (out, r) (zero init). forward(x) = x W^T + b + (alpha / r) "
        "x A^T B^T; merged_weight() returns W + (alpha / r) B A.",
    ),
    hints=(
        text("冻结：nn.Parameter(..., requires_grad=False)。", "Freeze with nn.Parameter(..., requires_grad=False)."),
        text("B 为零、A 随机：初始更新为零，但 B 立刻能收到梯度。", "B zero, A random: the initial update is zero, yet B receives a gradient at once."),
        text("缩放 alpha / r 让不同秩下的学习率可以保持不变。", "The alpha / r scale lets the learning rate stay put when r changes."),
    ),
    questions=("training-memory-relief", "training-overfitting", "training-large-models"),
    checks=(_lora_parameters, _lora_starts_as_base, _lora_forward, _lora_gradients, _lora_merged),
)

# -- inverted dropout ------------------------------------------------------------------------------------


@check(
    "identity-when-off",
    en="With training=False, or p = 0, returns x unchanged (values, shape and dtype).",
    zh="training=False 或 p = 0 时原样返回 x（数值、形状和 dtype 都不变）。",
    hint_en="Inverted dropout does all its scaling during training, so evaluation is the identity: no scaling by (1 - p) at test time.",
    hint_zh="反向（inverted）dropout 在训练时就完成了缩放，所以评估时是恒等映射：测试时不要乘 (1 - p)。",
)
def _dropout_identity(dropout: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        x = ctx.randn(3, 4, dtype=dtype)
        ctx.equal(ctx.call(dropout, x, 0.3, training=False, generator=ctx.new_generator()), x, inputs={"x": x, "p": 0.3, "training": False})
        ctx.equal(ctx.call(dropout, x, 0.0, training=True, generator=ctx.new_generator()), x, inputs={"x": x, "p": 0.0, "training": True})


@check(
    "scaling",
    en="In training, every output element is either 0 or x / (1 - p) (p = 0.2, 0.5, 0.8), float32 and float64.",
    zh="训练时，每个输出元素要么是 0，要么是 x / (1 - p)（p = 0.2、0.5、0.8），float32 和 float64 都是。",
    hint_en="Scale the kept elements by 1 / (1 - p) during training, so their expectation equals x.",
    hint_zh="训练时把保留的元素乘以 1 / (1 - p)，使期望等于 x。",
)
def _dropout_scaling(dropout: Any, ctx: "DrillContext") -> None:
    import torch

    for dtype in ctx.dtypes:
        for p in (0.2, 0.5, 0.8):
            x = ctx.randn(4, 6, dtype=dtype) + 2.0
            out = ctx.call(dropout, x, p, training=True, generator=ctx.new_generator())
            inputs = {"x": x, "p": p, "training": True}
            ctx.tensor(out, x, inputs=inputs)
            kept = out != 0
            expected = torch.where(kept, x / (1 - p), torch.zeros_like(x))

            def mistakes() -> list:
                return [
                    (text("训练时没有放大保留的元素（那是经典 dropout，测试时还得缩放）。", "The kept elements are not scaled up in training (that is classic dropout, which rescales at test time)."), torch.where(kept, x, torch.zeros_like(x))),
                    (text("应除以 (1 - p)，不是乘以 (1 - p)。", "Divide by (1 - p), do not multiply by it."), torch.where(kept, x * (1 - p), torch.zeros_like(x))),
                    (text("应除以保留概率 (1 - p)，不是丢弃概率 p。", "Divide by the keep probability (1 - p), not by p."), torch.where(kept, x / p, torch.zeros_like(x))),
                ]

            ctx.close(out, expected, inputs=inputs, mistakes=mistakes)


@check(
    "drop-rate",
    en="Over 50,000 elements, the fraction set to zero is p (0.1, 0.5, 0.9) within 5 standard deviations, and the mean is preserved.",
    zh="在 50,000 个元素上，被置零的比例等于 p（0.1、0.5、0.9），误差在 5 个标准差内，均值保持不变。",
    hint_en="p is the probability of dropping an element: keep it when a uniform draw is >= p (or use bernoulli(1 - p)).",
    hint_zh="p 是丢弃概率：当均匀随机数 >= p 时保留（或用 bernoulli(1 - p)）。",
)
def _dropout_rate(dropout: Any, ctx: "DrillContext") -> None:
    import math

    import torch

    n = 50_000
    x = torch.ones(n, dtype=torch.float64)
    for p in (0.1, 0.5, 0.9):
        out = ctx.call(dropout, x, p, training=True, generator=ctx.new_generator())
        ctx.tensor(out, x, inputs={"x": "50,000 ones", "p": p})
        dropped = float((out == 0).double().mean())
        sigma = math.sqrt(p * (1 - p) / n)
        ctx.require(
            abs(dropped - p) <= 5 * sigma,
            text(f"被置零的比例是 {dropped:.4f}，应约为 p = {p}", f"the fraction zeroed is {dropped:.4f}; it should be about p = {p}"),
            inputs={"x": "50,000 ones", "p": p},
            expected=p,
            got=dropped,
            hint=text("p 是丢弃概率，不是保留概率。", "p is the probability of dropping, not of keeping.") if abs(dropped - (1 - p)) <= 5 * sigma else None,
        )
        mean = float(out.mean())
        ctx.require(abs(mean - 1.0) <= 5 * math.sqrt(p / (1 - p) / n), text(f"输出均值是 {mean:.4f}，应约为 1", f"the output's mean is {mean:.4f}; it should be about 1"), inputs={"x": "50,000 ones", "p": p}, expected=1.0, got=mean)


@check(
    "edge-cases",
    en="p = 1 gives all zeros without NaN; a seeded generator gives the same output twice, and differently seeded generators give different masks.",
    zh="p = 1 时输出全零且没有 NaN；同一种子的生成器两次得到相同输出，不同种子得到不同的 mask。",
    hint_en="Draw every random number from the generator argument (torch.rand(..., generator=generator)); handle p = 1 before dividing by 1 - p.",
    hint_zh="所有随机数都从 generator 参数抽取（torch.rand(..., generator=generator)）；在除以 1 - p 之前先处理 p = 1。",
)
def _dropout_edges(dropout: Any, ctx: "DrillContext") -> None:
    import torch

    x = ctx.randn(5, 7)
    ctx.equal(ctx.call(dropout, x, 1.0, training=True, generator=ctx.new_generator()), torch.zeros_like(x), inputs={"x": x, "p": 1.0})
    first = ctx.call(dropout, x, 0.5, training=True, generator=torch.Generator().manual_seed(1234))
    second = ctx.call(dropout, x, 0.5, training=True, generator=torch.Generator().manual_seed(1234))
    ctx.equal(second, first, inputs={"x": x, "p": 0.5, "generator": "seeded with 1234, twice"}, what=text("第二次的输出", "the second output"))
    other = ctx.call(dropout, x, 0.5, training=True, generator=torch.Generator().manual_seed(4321))
    ctx.require(
        not torch.equal((other == 0), (first == 0)),
        text("不同种子的生成器给出了相同的 mask：generator 参数没有被使用", "differently seeded generators gave the same mask: the generator argument is not used"),
        inputs={"x": x, "p": 0.5},
    )


@check(
    "gradients",
    en="The gradient with respect to x is the same mask scaled by 1 / (1 - p): zero where dropped (float64).",
    zh="对 x 的梯度是同一个 mask 乘以 1 / (1 - p)：被丢弃处为零（float64）。",
    hint_en="Multiply x by a mask tensor (not in place on x) so autograd sees the operation.",
    hint_zh="用 x 乘以 mask 张量（不要在 x 上原地修改），autograd 才能记录这个运算。",
)
def _dropout_gradients(dropout: Any, ctx: "DrillContext") -> None:
    p = 0.4
    x = (ctx.randn(4, 5) + 3.0).requires_grad_(True)
    weight = ctx.randn(4, 5)
    out = ctx.call(dropout, x, p, training=True, generator=ctx.new_generator())
    ctx.tensor(out, x.detach(), inputs={"x": x.detach(), "p": p})
    ctx.require(out.requires_grad, text("输出与 x 之间没有 autograd 连接", "the output is not connected to x by autograd"), inputs={"x": x.detach(), "p": p})
    (out * weight).sum().backward()
    scale = (out.detach() / x.detach()).round(decimals=9)
    ctx.close(x.grad, weight * scale, inputs={"x": x.detach(), "p": p}, what=text("对 x 的梯度", "the gradient with respect to x"))


INVERTED_DROPOUT = Drill(
    id="inverted-dropout",
    entry="dropout",
    reference="inverted_dropout.py",
    title=text("反向（inverted）dropout", "Inverted dropout"),
    task=text(
        "实现 dropout(x, p, training=True, generator=None)，与 F.dropout 相同：训练时每个元素以概率 p 独立置零，保留的元素乘以 1/(1-p)；"
        "随机数从 generator 抽取；training=False 或 p = 0 时原样返回 x；p = 1 时全零。不要调用 F.dropout 或 nn.Dropout。",
        "Write dropout(x, p, training=True, generator=None), the same as F.dropout: in training, zero each element "
        "independently with probability p and scale the kept ones by 1/(1-p); draw random numbers from generator; "
        "return x unchanged when training=False or p = 0; all zeros when p = 1. Do not call F.dropout or nn.Dropout.",
    ),
    hints=(
        text("保留的位置：mask = torch.rand(x.shape, generator=generator) >= p。", "The kept positions: mask = torch.rand(x.shape, generator=generator) >= p."),
        text("训练时除以 (1-p)，于是 E[输出] = x，测试时什么都不用做。", "Dividing by (1-p) in training makes E[output] = x, so nothing is done at test time."),
    ),
    questions=("training-dropout-test-time", "training-dropout-placement"),
    checks=(_dropout_identity, _dropout_scaling, _dropout_rate, _dropout_edges, _dropout_gradients),
    forbidden=(
        "torch.nn.functional.dropout",
        "torch.dropout",
        "torch.nn.functional.alpha_dropout",
        "torch.nn.functional.feature_alpha_dropout",
        "torch.nn.functional.dropout1d",
        "torch.nn.functional.dropout2d",
    ),
)
