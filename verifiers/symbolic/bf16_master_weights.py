"""BF16 has FP32's range but only 8 significant bits: small updates vanish, which is why FP32 master weights are kept."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

UPDATE = 1e-4  # one optimiser step's change to a weight of about 1
STEPS = 1000


@verifier(
    id="bf16-master-weights",
    kind="symbolic",
    title=Bilingual(
        zh="BF16 有 FP32 的范围但只有 8 位有效数字：小的更新被吞掉，所以要保留 FP32 主权重；FP16 的问题则是范围",
        en="BF16 has FP32's range but only 8 significant bits: small updates vanish, hence FP32 master weights; FP16's problem is range",
    ),
    explanation=Bilingual(
        zh="BF16 有 8 位指数、7 位尾数（加隐含位共 8 位有效数字），1.0 附近相邻两个数相差 2⁻⁷ ≈ 0.0078；小于半个间隔的更新"
        "（约 0.0039）被舍入掉。学习率 1e-4 的一步更新加到 1.0 上，结果仍是 1.0：训练正是成千上万个小步的累积。FP32 在 1.0 附近的间隔是 "
        "2⁻²³ ≈ 1.2e-7，能保留这些更新，所以优化器在 FP32 主权重上更新，再转成 BF16 做前向和反向。FP16 有 11 位有效数字，比 BF16 精细，"
        "但最大只到 65504，最小正规数 6.1e-5，小梯度会下溢，所以需要 loss scaling；BF16 的范围与 FP32 相同（约 3.4e38）。"
        "这里用 torch 的各种浮点类型直接计算这些数，并模拟 1000 步 1e-4 的更新：BF16 权重停在 1.0，FP32 主权重到达 1.1，"
        "随机舍入的 BF16 在期望上也到达 1.1。",
        en="BF16 has 8 exponent bits and 7 mantissa bits (8 significant bits with the implicit one), so neighbouring numbers near 1.0 "
        "are 2⁻⁷ ≈ 0.0078 apart and an update smaller than half that gap (about 0.0039) is rounded away. A learning-rate-sized step "
        "of 1e-4 added to 1.0 gives 1.0 again, yet training is the accumulation of thousands of such steps. FP32's gap near 1.0 is "
        "2⁻²³ ≈ 1.2e-7, which keeps them, so the optimiser updates FP32 master weights and casts a BF16 copy for the forward and "
        "backward passes. FP16 has 11 significant bits, finer than BF16, but tops out at 65504 with a smallest normal number of "
        "6.1e-5, so small gradients underflow and loss scaling is needed; BF16 has FP32's range (about 3.4e38). This computes the "
        "figures directly with torch's floating-point types and simulates 1000 updates of 1e-4: the BF16 weight stays at 1.0, the "
        "FP32 master weight reaches 1.1, and stochastically rounded BF16 reaches 1.1 in expectation.",
    ),
    cost=Cost(quick_s=0.1),
    claims=(
        Claim(
            "update-rounds-away-in-bf16",
            Bilingual(
                zh="bf16：1.0 + 1e-4 == 1.0（1.0 附近间隔 2⁻⁷）；fp32 中保留（间隔 2⁻²³）；1000 步 1e-4 的更新后 bf16 权重仍为 1.0，fp32 主权重为 1.1",
                en="In bf16 1.0 + 1e-4 == 1.0 (the gap near 1.0 is 2⁻⁷); fp32 keeps it (gap 2⁻²³); after 1000 updates of 1e-4 a bf16 "
                "weight is still 1.0 while an fp32 master weight is 1.1",
            ),
        ),
        Claim(
            "half-gap-threshold",
            Bilingual(
                zh="bf16 中加到 1.0 上的更新小于 2⁻⁸ ≈ 0.0039 时总被舍掉，略大时被舍入成 2⁻⁷ 的倍数（有偏）",
                en="In bf16, updates to 1.0 below 2⁻⁸ ≈ 0.0039 always vanish, and slightly larger ones are rounded to multiples of 2⁻⁷ (biased)",
            ),
        ),
        Claim(
            "stochastic-rounding-unbiased",
            Bilingual(
                zh="把每步更新随机舍入到 bf16（按距离概率取上或下），1000 步后权重的平均值约为 1.1：在期望上无偏",
                en="Rounding each step's result to bf16 stochastically (up or down with probability by distance) gives a mean weight "
                "of about 1.1 after 1000 steps: unbiased in expectation",
            ),
        ),
        Claim(
            "fp16-range-bf16-precision",
            Bilingual(
                zh="fp16 最大 65504（再乘 2 溢出为 inf），1e-8 下溢为 0；bf16 最大约 3.39e38，1e-8 可表示；fp16 有 11 位有效数字，bf16 只有 8 位",
                en="fp16 tops out at 65504 (twice that overflows to inf) and 1e-8 underflows to 0; bf16 reaches about 3.39e38 and "
                "represents 1e-8; fp16 has 11 significant bits, bf16 only 8",
            ),
        ),
        Claim(
            "bf16-needs-loss-scaling",
            Bilingual(
                zh="BF16 训练和 FP16 一样需要 loss scaling，因为没有 FP32 主权重时梯度会溢出",
                en="BF16 training needs loss scaling just like FP16, because without FP32 master weights the gradients overflow",
            ),
            expected=False,
        ),
        Claim(
            "bf16-as-precise-as-fp32",
            Bilingual(
                zh="BF16 的范围与 FP32 相同，所以累加小的权重更新与 FP32 一样准确",
                en="BF16 has FP32's range, so it accumulates small weight updates as accurately as FP32",
            ),
            expected=False,
        ),
    ),
    libraries=("torch",),
)
def bf16_master_weights(ctx: Context, evidence: Evidence) -> None:
    import torch

    types = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
    info = {name: torch.finfo(dtype) for name, dtype in types.items()}
    significant_bits = {name: int(round(-torch.log2(torch.tensor(info[name].eps, dtype=torch.float64)).item())) + 1 for name in types}
    one_plus = {name: torch.tensor(1.0, dtype=dtype) + torch.tensor(UPDATE, dtype=dtype) for name, dtype in types.items()}
    keeps_update = {name: bool(one_plus[name] != 1.0) for name in types}
    evidence.step(
        r"\text{gap at } 1.0 = 2^{-(p-1)}:\quad \text{bf16 } 2^{-7} \approx 7.8\times10^{-3},\ \text{fp16 } 2^{-10} \approx 9.8\times10^{-4},\ "
        r"\text{fp32 } 2^{-23} \approx 1.2\times10^{-7}",
        "p 是有效位数（尾数位加隐含的 1）：bf16 8 位，fp16 11 位，fp32 24 位。",
        "p is the number of significant bits (mantissa bits plus the implicit 1): 8 for bf16, 11 for fp16, 24 for fp32.",
    )
    evidence.step(
        r"|\Delta| < \frac{1}{2}\cdot 2^{-7} = 2^{-8} \Rightarrow \mathrm{round}_{bf16}(1 + \Delta) = 1",
        "舍入到最近的可表示数：小于半个间隔的更新消失（swamping）。",
        "Round to nearest representable: an update under half the gap disappears (swamping).",
    )

    rows = []
    for name, dtype in types.items():
        tiny = torch.tensor(1e-8, dtype=dtype)
        overflow = torch.tensor(65504.0, dtype=dtype) * 2
        rows.append((name, significant_bits[name], f"{info[name].eps:.3g}", f"{info[name].max:.4g}", f"{info[name].tiny:.3g}", keeps_update[name], float(tiny) != 0.0, bool(torch.isinf(overflow))))
    evidence.table(
        "formats",
        Bilingual(zh="三种浮点格式（torch.finfo 与直接运算）", en="Three floating-point formats (torch.finfo and direct arithmetic)"),
        ("format", "significant bits", "gap at 1.0", "largest", "smallest normal", "1 + 1e-4 ≠ 1", "1e-8 ≠ 0", "65504 × 2 = inf"),
        rows,
    )

    # 1000 updates of +1e-4: bf16 weight, fp32 master weight, bf16 with stochastic rounding (several seeds).
    bf16_weight = torch.tensor(1.0, dtype=torch.bfloat16)
    master = torch.tensor(1.0, dtype=torch.float32)
    generator = ctx.seed_torch()
    runs = 64 if ctx.quick else 512
    stochastic = torch.ones(runs, dtype=torch.bfloat16)
    trace_bf16, trace_fp32, trace_sr = [], [], []
    for step in range(1, STEPS + 1):
        bf16_weight = bf16_weight + torch.tensor(UPDATE, dtype=torch.bfloat16)
        master = master + UPDATE
        stochastic = _stochastic_round_to_bf16(stochastic.float() + UPDATE, generator)
        if step % 50 == 0:
            trace_bf16.append(float(bf16_weight))
            trace_fp32.append(float(master))
            trace_sr.append(float(stochastic.float().mean()))
    evidence.plot(
        "accumulated-updates",
        Bilingual(zh=f"{STEPS} 步 +{UPDATE:g} 的更新", en=f"{STEPS} updates of +{UPDATE:g}"),
        Bilingual(zh="步数", en="step"),
        Bilingual(zh="权重", en="weight"),
        {
            "bf16 weight": (range(50, STEPS + 1, 50), trace_bf16),
            "fp32 master weight": (range(50, STEPS + 1, 50), trace_fp32),
            f"bf16, stochastic rounding (mean of {runs})": (range(50, STEPS + 1, 50), trace_sr),
        },
    )
    thresholds = []
    for delta in (0.001, 0.0038, 0.0039, 0.004, 0.006, 0.01):
        result = float(torch.tensor(1.0, dtype=torch.bfloat16) + torch.tensor(delta, dtype=torch.bfloat16))
        thresholds.append((delta, result, round((result - 1.0) / 2**-7, 3)))
    evidence.table(
        "rounding",
        Bilingual(zh="bf16 中 1.0 + Δ 的结果", en="1.0 + Δ in bf16"),
        ("Δ", "1 + Δ in bf16", "(result − 1) / 2⁻⁷"),
        thresholds,
    )
    sr_mean = float(stochastic.float().mean())
    sr_error = float(stochastic.float().std() / runs**0.5)
    evidence.metric("bf16_after_updates", float(bf16_weight), en=f"bf16 weight after {STEPS} updates", zh="bf16 权重")
    evidence.metric("fp32_after_updates", float(master), en=f"fp32 master weight after {STEPS} updates", zh="fp32 主权重")
    evidence.metric("stochastic_rounding_mean", sr_mean, en="bf16 with stochastic rounding, mean", zh="随机舍入 bf16 的平均")

    fp16_overflows = bool(torch.isinf(torch.tensor(65504.0, dtype=torch.float16) * 2))
    fp16_underflows = float(torch.tensor(1e-8, dtype=torch.float16)) == 0.0
    bf16_keeps_tiny = float(torch.tensor(1e-8, dtype=torch.bfloat16)) != 0.0
    bf16_huge = not bool(torch.isinf(torch.tensor(1e38, dtype=torch.bfloat16) * 2))
    evidence.claim(
        "update-rounds-away-in-bf16",
        holds=not keeps_update["bf16"] and keeps_update["fp32"] and float(bf16_weight) == 1.0 and abs(float(master) - 1.1) < 1e-4
        and info["bf16"].eps == 2**-7 and info["fp32"].eps == 2**-23,
        measured=f"bf16: 1 + 1e-4 = {float(one_plus['bf16'])}; fp32: {float(one_plus['fp32']):.7f}; after {STEPS} steps bf16 "
        f"{float(bf16_weight)}, fp32 {float(master):.6f}",
        value=float(bf16_weight),
    )
    evidence.claim(
        "half-gap-threshold",
        holds=all(result == 1.0 for delta, result, _ in thresholds if delta < 2**-8) and all(float(steps).is_integer() for _, _, steps in thresholds),
        measured="; ".join(f"1 + {delta:g} → {result:g}" for delta, result, _ in thresholds) + f" (2⁻⁸ = {2**-8:.5f})",
    )
    evidence.claim(
        "stochastic-rounding-unbiased",
        holds=abs(sr_mean - 1.1) < max(5 * sr_error, 0.005),
        measured=f"mean over {runs} stochastically rounded bf16 weights after {STEPS} steps: {sr_mean:.4f} (± {sr_error:.4f}); round-to-nearest: {float(bf16_weight)}",
        value=sr_mean,
    )
    evidence.claim(
        "fp16-range-bf16-precision",
        holds=info["fp16"].max == 65504 and fp16_overflows and fp16_underflows and bf16_keeps_tiny and bf16_huge
        and significant_bits["fp16"] == 11 and significant_bits["bf16"] == 8,
        measured=f"fp16 max {info['fp16'].max:g}, 65504·2 → inf: {fp16_overflows}, 1e-8 → 0: {fp16_underflows}; bf16 max {info['bf16'].max:.3g}, "
        f"1e-8 kept: {bf16_keeps_tiny}; significant bits fp16 {significant_bits['fp16']}, bf16 {significant_bits['bf16']}",
    )
    evidence.claim(
        "bf16-needs-loss-scaling",
        holds=not bf16_keeps_tiny or info["bf16"].max < 1e10,
        measured=f"bf16 represents 1e-8 ({float(torch.tensor(1e-8, dtype=torch.bfloat16)):.3g}) and numbers up to {info['bf16'].max:.3g}: "
        "its range is FP32's, its weakness is precision",
    )
    evidence.claim(
        "bf16-as-precise-as-fp32",
        holds=abs(float(bf16_weight) - float(master)) < 1e-3,
        measured=f"after {STEPS} updates: bf16 {float(bf16_weight)}, fp32 {float(master):.4f}; the whole 0.1 of updates was lost in bf16",
    )
    evidence.set_summary(
        zh=f"bf16 在 1.0 附近的间隔是 2⁻⁷，1.0 + 1e-4 仍是 1.0；{STEPS} 步 1e-4 的更新后 bf16 权重为 {float(bf16_weight)}，fp32 主权重为 {float(master):.4f}，"
        f"随机舍入的 bf16 平均 {sr_mean:.3f}。fp16 精度更高（11 位）但最大只有 65504、1e-8 下溢：bf16 的问题是精度，fp16 的问题是范围。",
        en=f"bf16's gap near 1.0 is 2⁻⁷, so 1.0 + 1e-4 is 1.0; after {STEPS} updates of 1e-4 the bf16 weight is {float(bf16_weight)}, the fp32 "
        f"master weight {float(master):.4f}, and stochastically rounded bf16 averages {sr_mean:.3f}. fp16 is more precise (11 bits) but "
        "tops out at 65504 and underflows at 1e-8: bf16's problem is precision, fp16's is range.",
    )


def _stochastic_round_to_bf16(values, generator):
    """Round float32 ``values`` to bfloat16 up or down at random, with probability proportional to the distance.

    A bfloat16 is the top 16 bits of a float32: adding uniform noise to the 16 bits that are dropped and then
    truncating rounds up with probability (dropped bits) / 2^16.
    """
    import torch

    bits = values.contiguous().view(torch.int32)
    noise = torch.randint(0, 1 << 16, bits.shape, generator=generator, dtype=torch.int32)
    truncated = ((bits + noise) >> 16) << 16  # positive values: arithmetic shift clears the dropped bits
    return truncated.view(torch.float32).to(torch.bfloat16)
