"""The original paper's learning-rate schedule: linear warm-up, then inverse square root."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

D_MODEL = 512
WARMUP = 4000


@verifier(
    id="warmup-schedule",
    kind="symbolic",
    title=Bilingual(
        zh="预热 + 平方根倒数衰减的学习率调度：峰值位置、峰值大小与连续性",
        en="The warm-up / inverse-square-root learning-rate schedule: where it peaks, its peak value, continuity",
    ),
    explanation=Bilingual(
        zh="原论文的调度为 lr(s) = d_model^(−1/2)·min(s^(−1/2), s·w^(−3/2))。两支在 s = w 相交：此前线性增长（预热），此后按 s^(−1/2) 衰减。"
        "峰值恰在预热结束的第 w 步，值为 (d_model·w)^(−1/2)，d_model = 512、w = 4000 时约 7.0e−4；到 4w 步降为峰值的一半。"
        "调度在峰值处连续但不可导（左导数为正、右导数为负）。这里用 sympy 求交点、导数与极限，并在整数步上数值检查。",
        en="The paper's schedule is lr(s) = d_model^(−1/2)·min(s^(−1/2), s·w^(−3/2)). The two branches meet at s = w: before it the "
        "rate grows linearly (warm-up), after it decays as s^(−1/2). The peak is exactly at step w, with value (d_model·w)^(−1/2), "
        "about 7.0e−4 for d_model = 512 and w = 4000, halving by step 4w. The schedule is continuous at the peak but not "
        "differentiable there (positive left derivative, negative right derivative). sympy finds the crossing, derivatives "
        "and limits; integer steps are checked numerically.",
    ),
    cost=Cost(quick_s=0.5),  # plus torch's import when transformer_core is first loaded
    claims=(
        Claim("peak-at-warmup-step", Bilingual(zh="学习率在第 w 步达到最大（此前单调增，此后单调减）", en="The rate peaks at step w (increasing before, decreasing after)")),
        Claim(
            "peak-value",
            Bilingual(zh="峰值为 (d_model·w)^(−1/2)；d_model=512、w=4000 时约 6.99e−4", en="The peak value is (d_model·w)^(−1/2): about 6.99e−4 for d_model=512, w=4000"),
        ),
        Claim("continuous-at-peak", Bilingual(zh="两支在 s = w 处取值相同：调度连续", en="Both branches agree at s = w: the schedule is continuous")),
        Claim("halves-by-four-warmups", Bilingual(zh="第 4w 步时学习率降为峰值的一半", en="At step 4w the rate is half the peak")),
        Claim(
            "transformer-core-schedule-matches",
            Bilingual(
                zh="transformer_core.training.inverse_sqrt_warmup 在每个整数步上都等于该闭式",
                en="transformer_core.training.inverse_sqrt_warmup equals this closed form at every integer step",
            ),
        ),
        Claim(
            "differentiable-at-peak",
            Bilingual(zh="调度在峰值处可导（平滑过渡）", en="The schedule is differentiable at the peak (a smooth turn)"),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy", "torch"),
)
def warmup_schedule(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    s, w, d = sp.symbols("s w d", positive=True)
    warm = d ** sp.Rational(-1, 2) * s * w ** sp.Rational(-3, 2)
    decay = d ** sp.Rational(-1, 2) * s ** sp.Rational(-1, 2)
    crossing = sp.solve(sp.Eq(warm, decay), s)
    evidence.step(
        r"\mathrm{lr}(s) = d^{-1/2}\min\big(s^{-1/2},\ s\,w^{-3/2}\big),\qquad s\,w^{-3/2} = s^{-1/2} \Leftrightarrow s = " + sp.latex(crossing[0]),
        "两支相交的唯一正根是 s = w：之前 min 取线性支，之后取衰减支。",
        "The branches cross at the single positive root s = w: the min takes the linear branch before, the decay after.",
    )
    peak = sp.simplify(warm.subs(s, w))
    left_value, right_value = sp.simplify(warm.subs(s, w)), sp.simplify(decay.subs(s, w))
    left_slope = sp.simplify(sp.diff(warm, s).subs(s, w))
    right_slope = sp.simplify(sp.diff(decay, s).subs(s, w))
    evidence.step(
        r"\mathrm{lr}(w) = " + sp.latex(peak) + r",\quad \mathrm{lr}'(w^-) = " + sp.latex(left_slope) + r",\quad \mathrm{lr}'(w^+) = " + sp.latex(right_slope),
        "左右取值相同（连续），左导数为正、右导数为负：峰值处有一个尖角。",
        "Left and right values agree (continuous); the left slope is positive and the right one negative: a kink at the peak.",
    )
    halving = sp.simplify(decay.subs(s, 4 * w) / peak)
    evidence.step(
        r"\frac{\mathrm{lr}(4w)}{\mathrm{lr}(w)} = " + sp.latex(halving),
        "衰减支与 s^(−1/2) 成正比，步数乘 4 则学习率减半。",
        "The decay branch is proportional to s^(−1/2): four times the steps, half the rate.",
    )
    concrete = {d: D_MODEL, w: WARMUP}
    peak_value = float(peak.subs(concrete))

    steps = np.arange(1, 10 * WARMUP + 1, dtype=np.float64)
    rates = D_MODEL**-0.5 * np.minimum(steps**-0.5, steps * WARMUP**-1.5)
    best_step = int(steps[np.argmax(rates)])
    increasing_before = bool((np.diff(rates[:WARMUP]) > 0).all())
    decreasing_after = bool((np.diff(rates[WARMUP - 1 :]) < 0).all())
    sampled = np.unique(np.geomspace(1, len(steps), 120).astype(int)) - 1
    evidence.plot(
        "schedule",
        Bilingual(zh=f"学习率调度（d_model={D_MODEL}, w={WARMUP}）", en=f"Learning-rate schedule (d_model={D_MODEL}, w={WARMUP})"),
        Bilingual(zh="训练步数", en="training step"),
        Bilingual(zh="学习率", en="learning rate"),
        {"lr(s)": (steps[sampled], rates[sampled])},
    )
    evidence.metric("peak_step", best_step, "step", en="step with the largest rate", zh="学习率最大的步数")
    evidence.metric("peak_value", peak_value, en="peak learning rate", zh="峰值学习率")

    evidence.claim(
        "peak-at-warmup-step",
        holds=crossing == [w] and sp.simplify(left_slope) > 0 and sp.simplify(right_slope) < 0 and best_step == WARMUP
        and increasing_before and decreasing_after,
        measured=f"crossing at s = {crossing[0]}; numerically the largest rate is at step {best_step} of {len(steps)} "
        f"(increasing before: {increasing_before}, decreasing after: {decreasing_after})",
        value=best_step,
    )
    evidence.claim(
        "peak-value",
        holds=sp.simplify(peak - (d * w) ** sp.Rational(-1, 2)) == 0 and abs(float(rates.max()) - peak_value) < 1e-15,
        measured=f"lr(w) = {peak} = {peak_value:.6e} at d_model={D_MODEL}, w={WARMUP}; numeric max {float(rates.max()):.6e}",
        value=peak_value,
    )
    evidence.claim(
        "continuous-at-peak",
        holds=sp.simplify(left_value - right_value) == 0,
        measured=f"left branch at w: {left_value}; right branch at w: {right_value}",
    )
    evidence.claim(
        "halves-by-four-warmups",
        holds=halving == sp.Rational(1, 2) and abs(rates[4 * WARMUP - 1] / rates.max() - 0.5) < 1e-12,
        measured=f"lr(4w)/lr(w) = {halving}; numerically {rates[4 * WARMUP - 1] / rates.max():.6f}",
        value=float(halving),
    )
    from transformer_core.training import inverse_sqrt_warmup

    ours = np.array([inverse_sqrt_warmup(int(step), d_model=D_MODEL, warmup_steps=WARMUP) for step in steps])
    core_error = float(np.abs(ours - rates).max() / rates.max())
    evidence.claim(
        "transformer-core-schedule-matches",
        holds=core_error < 1e-12,
        measured=f"max relative difference over steps 1…{len(steps)}: {core_error:.1e}",
        value=core_error,
    )
    evidence.claim(
        "differentiable-at-peak",
        holds=sp.simplify(left_slope - right_slope) == 0,
        measured=f"left slope {left_slope} vs right slope {right_slope} (= −½ × left)",
    )
    evidence.set_summary(
        zh=f"学习率在第 w 步达到峰值 (d_model·w)^(−1/2)（{peak_value:.2e}），之前线性增长、之后按 s^(−1/2) 衰减；调度连续，但在峰值处有尖角。",
        en=f"The rate peaks at step w with value (d_model·w)^(−1/2) ({peak_value:.2e}), growing linearly before and decaying as "
        "s^(−1/2) after; the schedule is continuous, with a kink at the peak.",
    )
