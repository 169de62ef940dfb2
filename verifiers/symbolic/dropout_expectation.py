"""Inverted and classic dropout have the same expectation; PyTorch implements inverted dropout."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

DROP_PROBABILITY = 0.1


@verifier(
    id="dropout-expectation",
    kind="symbolic",
    title=Bilingual(
        zh="Dropout：反向（inverted）与经典两种做法期望相同；PyTorch 用的是反向 dropout",
        en="Dropout: inverted and classic dropout have the same expectation; PyTorch implements inverted dropout",
    ),
    explanation=Bilingual(
        zh="经典 dropout 训练时输出 m·x（m ~ Bernoulli(1−p)），测试时乘以 (1−p)；反向 dropout 训练时输出 m·x/(1−p)，测试时原样输出。"
        "两者训练时的期望都等于测试时的输出，所以是等价的两种约定。现代框架（PyTorch 的 nn.Dropout）用反向 dropout："
        "在训练时放大保留的神经元，推理时什么都不做。因此“测试时要把输出乘以 1−p”只适用于经典做法，用在 PyTorch 上反而会把输出缩小。",
        en="Classic dropout outputs m·x at training time (m ~ Bernoulli(1−p)) and scales by (1−p) at test time; inverted "
        "dropout outputs m·x/(1−p) at training time and leaves test time alone. In both, the training-time expectation "
        "equals the test-time output, so they are two equivalent conventions. Modern frameworks (PyTorch's nn.Dropout) "
        "use inverted dropout: kept units are scaled up during training and inference does nothing. So 'multiply the "
        "outputs by 1−p at test time' only applies to the classic form; done in PyTorch it shrinks the outputs.",
    ),
    cost=Cost(quick_s=2.0),  # mostly importing torch, to ask it what it does
    claims=(
        Claim(
            "same-expectation",
            Bilingual(
                zh="两种做法训练时的期望都等于各自测试时的输出（符号推导 + 穷举 + 蒙特卡洛）",
                en="In both forms the training-time expectation equals that form's test-time output (symbolic, enumeration, Monte Carlo)",
            ),
        ),
        Claim(
            "inverted-variance",
            Bilingual(zh="反向 dropout 训练时的方差为 x²·p/(1−p)", en="Inverted dropout's training-time variance is x²·p/(1−p)"),
        ),
        Claim(
            "pytorch-is-inverted",
            Bilingual(
                zh="PyTorch：训练模式下保留的值被乘以 1/(1−p)，eval 模式下输出等于输入",
                en="PyTorch: in training mode kept values are multiplied by 1/(1−p); in eval mode the output equals the input",
            ),
        ),
        Claim(
            "pytorch-needs-test-time-scaling",
            Bilingual(
                zh="用 PyTorch 时，测试阶段需要把神经元输出乘以 1−p（《Transformer 的问题》的说法）",
                en="With PyTorch, outputs must be multiplied by 1−p at test time (as “Transformer 的问题” says)",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy", "torch"),
)
def dropout_expectation(ctx: Context, evidence: Evidence) -> None:
    import itertools
    from fractions import Fraction

    import sympy as sp
    from sympy.stats import Bernoulli, E, variance

    p, x = sp.symbols("p x", positive=True)
    keep = Bernoulli("m", 1 - p)
    inverted_mean = sp.simplify(E(keep * x / (1 - p)))
    classic_mean = sp.simplify(E(keep * x))
    classic_test = (1 - p) * x
    inverted_variance = sp.simplify(variance(keep * x / (1 - p)))
    evidence.step(
        r"\text{inverted: } \mathbb{E}\Big[\frac{m x}{1-p}\Big] = " + sp.latex(inverted_mean) + r" = y_{\text{test}}",
        "m ~ Bernoulli(1−p)，E[m] = 1−p；测试时原样输出 x。",
        "m ~ Bernoulli(1−p), E[m] = 1−p; at test time the output is x itself.",
    )
    evidence.step(
        r"\text{classic: } \mathbb{E}[m x] = " + sp.latex(classic_mean) + r" = y_{\text{test}} = (1-p)x",
        "经典做法训练时不放大，所以测试时要乘以 1−p 才能对齐期望。",
        "The classic form does not scale during training, so test time multiplies by 1−p to match the expectation.",
    )
    evidence.step(
        r"\operatorname{Var}\Big[\frac{m x}{1-p}\Big] = " + sp.latex(sp.factor(inverted_variance)),
        "期望相同，但训练时带噪声：p 越大方差越大。",
        "The expectation matches, but training is noisy: the variance grows with p.",
    )

    # Exact: all keep/drop patterns of three units with p = 1/4.
    drop = Fraction(1, 4)
    values = (Fraction(3), Fraction(-2), Fraction(5, 2))
    inverted_expectation = [Fraction(0)] * 3
    classic_expectation = [Fraction(0)] * 3
    for pattern in itertools.product((0, 1), repeat=3):
        probability = Fraction(1)
        for kept in pattern:
            probability *= (1 - drop) if kept else drop
        for i, (kept, value) in enumerate(zip(pattern, values)):
            inverted_expectation[i] += probability * kept * value / (1 - drop)
            classic_expectation[i] += probability * kept * value
    exact_ok = inverted_expectation == list(values) and classic_expectation == [(1 - drop) * v for v in values]
    evidence.step(
        r"p = \frac14,\ x = (3, -2, \frac52):\ \mathbb{E}_{\text{inverted}} = x,\ \mathbb{E}_{\text{classic}} = \frac34 x",
        "穷举 2³ 种保留/丢弃组合，用分数精确计算。",
        "Enumerating all 2³ keep/drop patterns with exact fractions.",
    )

    rng = ctx.numpy_rng()
    samples = 200_000 if ctx.quick else 2_000_000
    masks = rng.random(samples) >= DROP_PROBABILITY
    monte_carlo_inverted = float((masks / (1 - DROP_PROBABILITY)).mean())
    monte_carlo_variance = float((masks / (1 - DROP_PROBABILITY)).var())
    expected_variance = DROP_PROBABILITY / (1 - DROP_PROBABILITY)

    import torch

    generator = ctx.seed_torch()
    layer = torch.nn.Dropout(p=DROP_PROBABILITY)
    inputs = torch.rand(100_000, generator=generator, dtype=torch.float64) + 0.5  # no zeros: a zero output means dropped
    layer.train()
    trained = layer(inputs)
    kept = trained != 0
    kept_scale = (trained[kept] / inputs[kept]).unique()
    kept_fraction = float(kept.double().mean())
    layer.eval()
    evaluated = layer(inputs)
    eval_identity = bool(torch.equal(evaluated, inputs))
    scales_by_inverse_keep = bool(torch.allclose(kept_scale, torch.tensor([1 / (1 - DROP_PROBABILITY)], dtype=torch.float64)))
    evidence.table(
        "pytorch",
        Bilingual(zh=f"torch.nn.Dropout(p={DROP_PROBABILITY}) 的实测行为", en=f"What torch.nn.Dropout(p={DROP_PROBABILITY}) does"),
        ("mode", "kept fraction", "scale of kept values", "mean output / mean input"),
        [
            ("train", round(kept_fraction, 4), round(float(kept_scale.max()), 6), round(float(trained.mean() / inputs.mean()), 4)),
            ("eval", 1.0, 1.0, round(float(evaluated.mean() / inputs.mean()), 4)),
        ],
    )
    evidence.metric("torch_kept_scale", float(kept_scale.max()), en="factor applied to kept values in training", zh="训练时保留值的放大倍数")

    evidence.claim(
        "same-expectation",
        holds=inverted_mean == x and sp.simplify(classic_mean - classic_test) == 0 and exact_ok and abs(monte_carlo_inverted - 1) < 0.005,
        measured=f"E_inverted = {inverted_mean}, E_classic = {classic_mean}; exact enumeration agrees: {exact_ok}; "
        f"Monte Carlo mean of m/(1−p) at p={DROP_PROBABILITY}: {monte_carlo_inverted:.4f}",
        value=monte_carlo_inverted,
    )
    evidence.claim(
        "inverted-variance",
        holds=sp.simplify(inverted_variance - x**2 * p / (1 - p)) == 0 and abs(monte_carlo_variance / expected_variance - 1) < 0.03,
        measured=f"Var = {sp.factor(inverted_variance)}; Monte Carlo {monte_carlo_variance:.4f} vs {expected_variance:.4f} at x=1, p={DROP_PROBABILITY}",
        value=monte_carlo_variance,
    )
    evidence.claim(
        "pytorch-is-inverted",
        holds=scales_by_inverse_keep and eval_identity and abs(kept_fraction - (1 - DROP_PROBABILITY)) < 0.01,
        measured=f"train: {kept_fraction:.3f} kept, each ×{float(kept_scale.max()):.6f} (1/(1−p) = {1 / (1 - DROP_PROBABILITY):.6f}); "
        f"eval output == input: {eval_identity}",
        value=float(kept_scale.max()),
    )
    evidence.claim(
        "pytorch-needs-test-time-scaling",
        holds=not eval_identity and not scales_by_inverse_keep,
        measured=f"PyTorch already scales by 1/(1−p) in training and its eval output equals the input; multiplying by "
        f"{1 - DROP_PROBABILITY} again would shrink test outputs to {1 - DROP_PROBABILITY:.0%} of their trained expectation",
    )
    evidence.set_summary(
        zh="反向与经典 dropout 训练期望都等于测试输出；PyTorch 用反向 dropout（训练时 ×1/(1−p)，eval 原样输出），测试时不应再乘 1−p。",
        en="Inverted and classic dropout both match the test output in expectation; PyTorch uses inverted dropout (×1/(1−p) in "
        "training, identity in eval), so nothing must be multiplied by 1−p at test time.",
    )
