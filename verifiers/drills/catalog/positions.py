"""Drills: sinusoidal positional encoding and rotary embeddings (RoPE)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verifiers.drills.catalog._common import TOLERANCE_EN, TOLERANCE_ZH, text
from verifiers.drills.spec import Drill, check
from verifiers.drills.tolerances import Tolerance

if TYPE_CHECKING:
    from verifiers.drills.context import DrillContext

_LOOSE = Tolerance(rtol=1e-5, atol=1e-4)  # a sum of 32 float32 squares

# -- sinusoidal ------------------------------------------------------------------------------------

PE_SIZES = ((1, 2), (4, 8), (10, 6), (50, 16))


def _pe_mistakes(length: int, d_model: int) -> list:
    import math

    import torch

    position = torch.arange(length, dtype=torch.float64)[:, None]
    i = torch.arange(0, d_model, 2, dtype=torch.float64)

    def interleave(angles: Any) -> Any:
        table = torch.zeros(length, d_model, dtype=torch.float64)
        table[:, 0::2], table[:, 1::2] = torch.sin(angles), torch.cos(angles)
        return table.float()

    correct = position * torch.exp(i * (-math.log(10000.0) / d_model))
    return [
        (
            text("sin 和 cos 应交错放在偶数、奇数维上，而不是前一半 sin、后一半 cos。", "Interleave: sin on the even dims and cos on the odd ones, not sin in the first half and cos in the second."),
            torch.cat([torch.sin(correct), torch.cos(correct)], dim=-1).float(),
        ),
        (
            text("指数是 2i/d_model（i 是维度对的序号），不是 i/d_model。", "The exponent is 2i/d_model with i the pair index, not i/d_model."),
            interleave(position * torch.exp((i / 2) * (-math.log(10000.0) / d_model))),
        ),
        (
            text("应是 pos / 10000^(2i/d)（频率随 i 递减），不是 pos * 10000^(2i/d)。", "It is pos / 10000^(2i/d) (frequency falling with i), not pos * 10000^(2i/d)."),
            interleave(position * torch.exp(i * (math.log(10000.0) / d_model))),
        ),
        (
            text("sin 和 cos 放反了：偶数维是 sin，奇数维是 cos。", "sin and cos are swapped: sin on even dims, cos on odd ones."),
            _swapped(correct, length, d_model),
        ),
    ]


def _swapped(angles: Any, length: int, d_model: int) -> Any:
    import torch

    table = torch.zeros(length, d_model, dtype=torch.float64)
    table[:, 0::2], table[:, 1::2] = torch.cos(angles), torch.sin(angles)
    return table.float()


@check(
    "matches-vaswani",
    en=f"For (length, d_model) in {PE_SIZES}, equals transformer_core's sinusoidal table: a float32 (length, d_model) "
    f"tensor, sin on even dims and cos on odd dims, base 10000, within float32's rtol 1e-4, atol 1e-5.",
    zh=f"对 (length, d_model) ∈ {PE_SIZES}，与 transformer_core 的正弦位置表一致：float32 的 (length, d_model) 张量，偶数维 sin、奇数维 cos，底数 10000，误差在 float32 的 rtol 1e-4、atol 1e-5 内。",
    hint_en="angles = pos[:, None] / 10000 ** (arange(0, d, 2) / d); fill table[:, 0::2] with sin(angles) and table[:, 1::2] with cos(angles).",
    hint_zh="angles = pos[:, None] / 10000 ** (arange(0, d, 2) / d)；table[:, 0::2] 填 sin(angles)，table[:, 1::2] 填 cos(angles)。",
)
def _pe_matches(pe: Any, ctx: "DrillContext") -> None:
    from transformer_core.embeddings import sinusoidal_table

    for length, d_model in PE_SIZES:
        ctx.close(
            ctx.call(pe, length, d_model),
            sinusoidal_table(length, d_model),
            inputs={"length": length, "d_model": d_model},
            mistakes=lambda: _pe_mistakes(length, d_model),
        )


@check(
    "properties",
    en="Position 0 encodes as (0, 1, 0, 1, ...); every position has squared norm d_model / 2; the first pair "
    "completes a cycle every 2π positions and the last pair barely moves over 64 positions.",
    zh="位置 0 的编码是 (0, 1, 0, 1, ...)；每个位置的平方范数都是 d_model / 2；第一对维度每 2π 个位置转一圈，最后一对在 64 个位置内几乎不动。",
    hint_en="Each (sin, cos) pair lies on the unit circle; frequencies run from 1 (first pair) down to about 1/10000 (last pair).",
    hint_zh="每一对 (sin, cos) 都在单位圆上；频率从 1（第一对）降到约 1/10000（最后一对）。",
)
def _pe_properties(pe: Any, ctx: "DrillContext") -> None:
    import torch

    length, d_model = 64, 32
    table = ctx.call(pe, length, d_model)
    from transformer_core.embeddings import sinusoidal_table

    expected = sinusoidal_table(length, d_model)
    ctx.tensor(table, expected, inputs={"length": length, "d_model": d_model})
    first = torch.tensor([0.0, 1.0] * (d_model // 2))
    ctx.close(table[0], first, inputs={"length": length, "d_model": d_model}, what=text("位置 0 的编码", "the encoding of position 0"))
    norms = table.double().pow(2).sum(-1)
    ctx.close(norms, torch.full((length,), d_model / 2, dtype=torch.float64), inputs={"length": length, "d_model": d_model}, what=text("每个位置的平方范数", "each position's squared norm"), tolerance=_LOOSE)
    ctx.close(table[:, -2:], expected[:, -2:], inputs={"length": length, "d_model": d_model}, what=text("最后一对维度（最低频率）", "the last pair of dims (the lowest frequency)"))


SINUSOIDAL_POSITIONAL_ENCODING = Drill(
    id="sinusoidal-positional-encoding",
    entry="sinusoidal_positional_encoding",
    reference="sinusoidal_positional_encoding.py",
    title=text("正弦位置编码", "Sinusoidal positional encoding"),
    task=text(
        "实现 sinusoidal_positional_encoding(length, d_model)，返回 float32 的 (length, d_model) 表："
        "PE[pos, 2i] = sin(pos / 10000^(2i/d_model))，PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model))，即 Vaswani 等人的写法，sin 在偶数维、cos 在奇数维交错放置。d_model 为偶数。",
        "Write sinusoidal_positional_encoding(length, d_model) returning a float32 (length, d_model) table: "
        "PE[pos, 2i] = sin(pos / 10000^(2i/d_model)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model)), as in Vaswani et "
        "al.: sine on the even dims and cosine on the odd dims, interleaved. d_model is even.",
    ),
    hints=(
        text("先算角度矩阵 (length, d_model/2)：位置列向量乘频率行向量。", "First build the (length, d_model/2) angle matrix: a column of positions times a row of frequencies."),
        text("频率 1/10000^(2i/d) 可以写成 exp(-2i·ln(10000)/d)。", "The frequency 1/10000^(2i/d) is exp(-2i·ln(10000)/d)."),
        text("用切片 [:, 0::2] 和 [:, 1::2] 交错填入 sin 和 cos。", "Fill sin and cos interleaved with the slices [:, 0::2] and [:, 1::2]."),
    ),
    questions=("pe-sinusoidal-formula", "pe-why-sin-cos", "pe-norm-and-distance"),
    checks=(_pe_matches, _pe_properties),
)

# -- RoPE ----------------------------------------------------------------------------------------------


def rope_reference(x: Any, positions: Any, base: float = 10000.0, *, layout: str = "half", sign: int = 1, pair_exponent: int = 2) -> Any:
    """RoPE computed in float64 (``layout="half"``: rotate-half; ``"interleaved"``: pairs (2i, 2i+1))."""
    import torch

    d = x.size(-1)
    half = d // 2
    theta = base ** (-torch.arange(half, dtype=torch.float64) * pair_exponent / d)
    angles = positions.to(torch.float64)[:, None] * theta[None, :]
    cos, sin = angles.cos(), sign * angles.sin()
    x64 = x.to(torch.float64)
    if layout == "half":
        x1, x2 = x64[..., :half], x64[..., half:]
        out = torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)
    else:
        x1, x2 = x64[..., 0::2], x64[..., 1::2]
        out = torch.stack([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1).flatten(-2)
    return out.to(x.dtype)


def _rope_mistakes(x: Any, positions: Any) -> list:
    return [
        (
            text(
                "这是交错约定（维度对 (2i, 2i+1)，RoFormer/GPT-J 的写法）；本练习用 rotate-half：维度 i 与 i + d/2 配对。",
                "That is the interleaved convention (pairs (2i, 2i+1), RoFormer/GPT-J); this drill uses rotate-half: dim i pairs with dim i + d/2.",
            ),
            rope_reference(x, positions, layout="interleaved"),
        ),
        (
            text("旋转方向反了：rotate_half(x) = cat(-x2, x1)，前一半取负。", "The rotation goes the wrong way: rotate_half(x) = cat(-x2, x1), negating the second half moved first."),
            rope_reference(x, positions, sign=-1),
        ),
        (
            text("θ_i = base^(-2i/d)，指数里是 2i，不是 i。", "theta_i = base^(-2i/d): the exponent has 2i, not i."),
            rope_reference(x, positions, pair_exponent=1),
        ),
    ]


ROPE_SHAPES = (((), 1, 2), ((), 5, 8), ((2, 3), 4, 16))  # (leading, T, d)


@check(
    "matches-rotate-half",
    en=f"For x of shapes (leading, T, d) in {ROPE_SHAPES} at positions 0..T-1 and at offset positions (7, 8, ...), "
    f"equals RoPE in the rotate-half convention (Hugging Face Llama), base 10000 and 500, {TOLERANCE_EN}.",
    zh=f"对形状 (前导维, T, d) ∈ {ROPE_SHAPES} 的 x，在位置 0..T-1 和偏移位置 (7, 8, ...) 上，与 rotate-half 约定（Hugging Face Llama）的 RoPE 一致，底数为 10000 和 500，{TOLERANCE_ZH}。",
    hint_en="cos and sin of angle = position * base^(-2i/d) for i < d/2, each repeated twice along the last dim; "
    "out = x * cos + cat(-x[..., d/2:], x[..., :d/2]) * sin.",
    hint_zh="对 i < d/2 计算 angle = position * base^(-2i/d) 的 cos 和 sin，沿最后一维各重复两遍；out = x * cos + cat(-x[..., d/2:], x[..., :d/2]) * sin。",
)
def _rope_matches(rope: Any, ctx: "DrillContext") -> None:
    import torch

    for dtype in ctx.dtypes:
        for lead, T, d in ROPE_SHAPES:
            for start in (0, 7):
                for base in (10000.0, 500.0):
                    x = ctx.randn(*lead, T, d, dtype=dtype)
                    positions = torch.arange(start, start + T)
                    ctx.close(
                        ctx.call(rope, x, positions, base=base),
                        rope_reference(x, positions, base),
                        inputs={"x": x, "positions": positions, "base": base},
                        mistakes=lambda: _rope_mistakes(x, positions) if base == 10000.0 else [],
                    )


@check(
    "relative-position",
    en="Scores of rotated queries and keys depend only on the offset: rope(q, m) · rope(k, n) = rope(q, m + s) · rope(k, n + s), "
    "and rotating never changes a vector's norm (float64, within 1e-9).",
    zh="旋转后的查询与键的点积只依赖相对位移：rope(q, m) · rope(k, n) = rope(q, m + s) · rope(k, n + s)，并且旋转不改变向量的范数（float64，误差 1e-9 内）。",
    hint_en="Each pair (x_i, x_(i+d/2)) must be rotated by the same angle in both q and k: use the same theta_i for a pair's two dims.",
    hint_zh="每一对 (x_i, x_(i+d/2)) 在 q 和 k 中都要按同一角度旋转：一对中的两个维度使用同一个 theta_i。",
)
def _rope_relative(rope: Any, ctx: "DrillContext") -> None:
    import torch

    tight = Tolerance(rtol=1e-9, atol=1e-9)
    q, k = ctx.randn(1, 8), ctx.randn(1, 8)
    for m, n, shift in ((0, 3, 5), (4, 1, 11)):
        def score(a: int, b: int) -> Any:
            return (ctx.call(rope, q, torch.tensor([a])) * ctx.call(rope, k, torch.tensor([b]))).sum()

        inputs = {"q": q, "k": k, "m": m, "n": n, "shift": shift}
        ctx.close(score(m + shift, n + shift).reshape(1), score(m, n).reshape(1), inputs=inputs, what=text("平移后的分数", "the shifted score"), tolerance=tight)
    x = ctx.randn(6, 8)
    rotated = ctx.call(rope, x, torch.arange(6) * 3)
    ctx.close(rotated.norm(dim=-1), x.norm(dim=-1), inputs={"x": x, "positions": torch.arange(6) * 3}, what=text("每行的范数", "each row's norm"), tolerance=tight)


@check(
    "gradients",
    en="Gradients flow to x and equal the reference's (float64).",
    zh="梯度能回传到 x，并与参考一致（float64）。",
    hint_en="Build the output from x with tensor operations (slicing and cat are differentiable).",
    hint_zh="用张量运算由 x 构造输出（切片和 cat 都是可微的）。",
)
def _rope_gradients(rope: Any, ctx: "DrillContext") -> None:
    import torch

    x = ctx.randn(2, 5, 8)
    ctx.gradients(rope, rope_reference, {"x": x, "positions": torch.arange(2, 7)}, wrt=("x",))


ROTARY_EMBEDDING = Drill(
    id="rotary-embedding",
    entry="apply_rotary_embedding",
    reference="rotary_embedding.py",
    title=text("旋转位置编码 RoPE（rotate-half 约定）", "Rotary position embedding (RoPE, rotate-half)"),
    task=text(
        "实现 apply_rotary_embedding(x, positions, base=10000.0)：x 为 (..., T, d)（d 为偶数），positions 为 (T,) 的整数位置。"
        "约定为 rotate-half（GPT-NeoX、Hugging Face Llama）：维度 i 与 i + d/2 配对，θ_i = base^(-2i/d)，角度 = position·θ_i，"
        "out = x·cos + rotate_half(x)·sin，其中 rotate_half(x) = cat(-x2, x1)。返回与 x 相同的形状和 dtype。",
        "Write apply_rotary_embedding(x, positions, base=10000.0): x is (..., T, d) with d even, positions a (T,) integer "
        "tensor. Convention: rotate-half (GPT-NeoX, Hugging Face Llama): dim i pairs with dim i + d/2, theta_i = "
        "base^(-2i/d), angle = position * theta_i, out = x * cos + rotate_half(x) * sin with rotate_half(x) = cat(-x2, x1). "
        "Return the shape and dtype of x.",
    ),
    hints=(
        text("每一对维度做一次二维旋转：(a, b) → (a cos − b sin, b cos + a sin)。", "Each pair of dims is a 2-D rotation: (a, b) → (a cos − b sin, b cos + a sin)."),
        text("rotate-half 中，第 i 对是 (x[..., i], x[..., i + d/2])。", "In rotate-half, pair i is (x[..., i], x[..., i + d/2])."),
        text("cos、sin 的形状 (T, d/2) 沿最后一维复制成 (T, d)，与 x 广播。", "Repeat the (T, d/2) cos and sin along the last dim to (T, d) so they broadcast with x."),
    ),
    questions=("pe-rope", "pe-other-techniques"),
    checks=(_rope_matches, _rope_relative, _rope_gradients),
)
