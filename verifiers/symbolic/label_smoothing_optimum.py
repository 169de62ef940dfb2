"""Label smoothing: the loss is minimised by the smoothed target itself, so the logit gap stays bounded."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

CLASSES = 10
SMOOTHING = 0.1


@verifier(
    id="label-smoothing-optimum",
    kind="symbolic",
    title=Bilingual(
        zh="标签平滑：平滑损失的最优解就是平滑后的目标分布，logit 差距因此有界",
        en="Label smoothing: the smoothed loss is minimised by the smoothed target, so the logit gap stays bounded",
    ),
    explanation=Bilingual(
        zh="平滑目标 q = (1−ε)·onehot(y) + ε/K（PyTorch 的约定，ε 分给全部 K 类，包括正确类）。交叉熵 −Σ qᵢ log pᵢ = H(q) + KL(q‖p)，"
        "所以最优的 p 就是 q：正确类概率 1 − ε + ε/K，而不是 1。对应的最优 logit 差为 log(1 + K(1−ε)/ε)，是有限值"
        "（K=10、ε=0.1 时为 log 91 ≈ 4.51）；不平滑时（ε → 0）差距趋于无穷，模型会不断把 logit 推大、越来越过分自信。"
        "最小损失是 H(q) > 0，平滑损失不可能降到 0。",
        en="The smoothed target is q = (1−ε)·onehot(y) + ε/K (PyTorch's convention: ε spread over all K classes, the correct "
        "one included). Cross-entropy −Σ qᵢ log pᵢ = H(q) + KL(q‖p), so the best p is q itself: the correct class gets "
        "1 − ε + ε/K, not 1. The optimal logit gap is log(1 + K(1−ε)/ε), a finite number (log 91 ≈ 4.51 for K=10, ε=0.1); "
        "without smoothing (ε → 0) it tends to infinity and training keeps pushing logits apart, ever more over-confident. "
        "The minimum loss is H(q) > 0: the smoothed loss can never reach 0.",
    ),
    cost=Cost(quick_s=0.6),
    claims=(
        Claim(
            "minimiser-is-smoothed-target",
            Bilingual(
                zh="平滑交叉熵的唯一最小点是 p = q：正确类概率 1 − ε + ε/K",
                en="The smoothed cross-entropy has its unique minimum at p = q: the correct class gets 1 − ε + ε/K",
            ),
        ),
        Claim(
            "bounded-logit-gap",
            Bilingual(
                zh="最优 logit 差为 log(1 + K(1−ε)/ε)，有限；ε → 0 时趋于 ∞",
                en="The optimal logit gap is log(1 + K(1−ε)/ε), finite; it tends to ∞ as ε → 0",
            ),
        ),
        Claim(
            "pytorch-optimum-matches",
            Bilingual(
                zh="在这些 logit 处，PyTorch（及 transformer_core）的 label_smoothing 交叉熵梯度为 0",
                en="At those logits the gradient of PyTorch's (and transformer_core's) label-smoothed cross-entropy is 0",
            ),
        ),
        Claim(
            "smoothed-loss-can-reach-zero",
            Bilingual(zh="只要模型足够自信，平滑后的损失也能降到 0", en="A confident enough model drives the smoothed loss to 0"),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy", "torch"),
)
def label_smoothing_optimum(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    from verifiers.symbolic._numeric import softmax

    eps, K, t = sp.symbols("epsilon K t", positive=True)
    q_correct = 1 - eps + eps / K
    q_other = eps / K
    # By symmetry the wrong classes share 1 − t equally; minimise over the correct class's probability t.
    loss = -q_correct * sp.log(t) - (K - 1) * q_other * sp.log((1 - t) / (K - 1))
    stationary = sp.solve(sp.diff(loss, t), t)
    curvature = sp.simplify(sp.diff(loss, t, 2))
    evidence.step(
        r"L(t) = -\Big(1-\varepsilon+\frac{\varepsilon}{K}\Big)\log t - (K-1)\,\frac{\varepsilon}{K}\,\log\Big(\frac{1-t}{K-1}\Big)",
        "q = (1−ε)·onehot + ε/K；由对称性，错误类平分 1 − t，只需对正确类概率 t 求最小。",
        "q = (1−ε)·onehot + ε/K; by symmetry the wrong classes share 1 − t equally, so minimise over the correct class's t.",
    )
    evidence.step(
        r"L'(t) = 0 \Leftrightarrow t^* = " + sp.latex(sp.simplify(stationary[0])) + r",\qquad L''(t) = " + sp.latex(curvature) + r" > 0",
        "唯一驻点即 q 的正确类概率，二阶导为正，是最小值；一般地 L(p) = H(q) + KL(q‖p) ≥ H(q)。",
        "The single stationary point is q's correct-class probability and the curvature is positive: a minimum. In general "
        "L(p) = H(q) + KL(q‖p) ≥ H(q).",
    )
    gap = sp.simplify(sp.log(q_correct / q_other))
    gap_limit = sp.limit(gap, eps, 0, "+")
    concrete = {K: CLASSES, eps: sp.Rational(1, 10)}
    gap_value = float(gap.subs(concrete))
    evidence.step(
        r"z_y - z_j = \log(q_y / q_j) = " + sp.latex(gap) + rf",\qquad \lim_{{\varepsilon\to0^+}} = {sp.latex(gap_limit)}",
        f"K = {CLASSES}、ε = {SMOOTHING} 时差距为 log 91 ≈ {gap_value:.4f}。",
        f"For K = {CLASSES}, ε = {SMOOTHING} the gap is log 91 ≈ {gap_value:.4f}.",
    )
    minimum_loss = -(q_correct * sp.log(q_correct) + (K - 1) * q_other * sp.log(q_other))
    minimum_value = float(minimum_loss.subs(concrete))

    # Numeric: gradient descent on free logits finds the same gap.
    target = np.full(CLASSES, SMOOTHING / CLASSES)
    target[0] += 1 - SMOOTHING
    logits = ctx.numpy_rng().standard_normal(CLASSES)
    for _ in range(3000):
        logits -= 1.0 * (softmax(logits) - target)  # ∂L/∂z = p − q
    descended_gap = float(logits[0] - np.delete(logits, 0).mean())
    descended_loss = float(-(target * np.log(softmax(logits))).sum())

    import torch

    from transformer_core.training import label_smoothed_cross_entropy

    optimum = torch.zeros(1, CLASSES, dtype=torch.float64)
    optimum[0, 0] = gap_value
    gradients = {}
    for name, function in (
        ("torch", lambda z: torch.nn.functional.cross_entropy(z, torch.tensor([0]), label_smoothing=SMOOTHING)),
        ("transformer_core", lambda z: label_smoothed_cross_entropy(z, torch.tensor([0]), smoothing=SMOOTHING, ignore_index=None)),
    ):
        z = optimum.clone().requires_grad_(True)
        function(z).backward()
        gradients[name] = float(z.grad.abs().max())
    # For contrast: without smoothing the loss keeps falling as the gap grows.
    gaps = [0.0, 1.0, 2.0, 3.0, 4.0, gap_value, 6.0, 8.0, 10.0, 15.0]
    smoothed_curve, plain_curve = [], []
    for g in gaps:
        probabilities = softmax(np.r_[g, np.zeros(CLASSES - 1)])
        smoothed_curve.append(float(-(target * np.log(probabilities)).sum()))
        plain_curve.append(float(-np.log(probabilities[0])))
    evidence.plot(
        "loss-vs-gap",
        Bilingual(zh=f"损失随 logit 差的变化（K={CLASSES}）", en=f"Loss against the logit gap (K={CLASSES})"),
        Bilingual(zh="正确类 logit 差", en="logit gap of the correct class"),
        Bilingual(zh="交叉熵", en="cross-entropy"),
        {f"smoothed ε={SMOOTHING}": (gaps, smoothed_curve), "no smoothing": (gaps, plain_curve)},
    )
    evidence.metric("optimal_logit_gap", gap_value, en="optimal logit gap", zh="最优 logit 差")
    evidence.metric("minimum_loss", minimum_value, "nats", en="smallest achievable smoothed loss H(q)", zh="平滑损失的最小值 H(q)")

    evidence.claim(
        "minimiser-is-smoothed-target",
        holds=len(stationary) == 1 and sp.simplify(stationary[0] - q_correct) == 0 and bool(curvature.subs(t, q_correct).subs(concrete) > 0),
        measured=f"t* = {sp.simplify(stationary[0])} = {float(q_correct.subs(concrete)):.2f} at K={CLASSES}, ε={SMOOTHING}",
        value=float(q_correct.subs(concrete)),
    )
    evidence.claim(
        "bounded-logit-gap",
        holds=gap_limit == sp.oo and abs(gap_value - float(np.log(91))) < 1e-12 and abs(descended_gap - gap_value) < 1e-6,
        measured=f"gap = {gap} = {gap_value:.6f}; gradient descent reaches {descended_gap:.6f}; ε → 0: {gap_limit}",
        value=gap_value,
    )
    evidence.claim(
        "pytorch-optimum-matches",
        holds=max(gradients.values()) < 1e-5,  # transformer_core computes in float32: ~1e-7 per unit of rounding
        measured=", ".join(f"{name}: max |∂L/∂z| = {value:.1e}" for name, value in gradients.items())
        + f" (vs {float(np.abs(softmax(np.zeros(CLASSES)) - target).max()):.2f} at equal logits)",
        value=max(gradients.values()),
    )
    evidence.claim(
        "smoothed-loss-can-reach-zero",
        holds=minimum_value < 1e-9,
        measured=f"minimum H(q) = {minimum_value:.4f} nats (descent reached {descended_loss:.4f}); at gap 15 the smoothed loss is "
        f"{smoothed_curve[-1]:.2f} vs {plain_curve[-1]:.1e} without smoothing",
        value=minimum_value,
    )
    evidence.set_summary(
        zh=f"平滑损失在 p = q 处最小（正确类 {float(q_correct.subs(concrete)):.2f}），最优 logit 差 log(1+K(1−ε)/ε) = {gap_value:.2f} 有限；"
        f"最小损失 H(q) = {minimum_value:.3f} > 0。PyTorch 与 transformer_core 的实现在该点梯度为 0。",
        en=f"The smoothed loss is minimal at p = q (correct class {float(q_correct.subs(concrete)):.2f}); the optimal logit gap "
        f"log(1+K(1−ε)/ε) = {gap_value:.2f} is finite and the minimum loss H(q) = {minimum_value:.3f} > 0. PyTorch's and "
        "transformer_core's losses have zero gradient there.",
    )
