"""Why attention divides by √d_k: Var(q·k) = d_k for unit-variance components."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

MONTE_CARLO_DIMS = (4, 16, 64, 256)


@verifier(
    id="sqrt-dk-variance",
    kind="symbolic",
    title=Bilingual(
        zh="为什么除以 √d_k：点积 q·k 的方差等于 d_k",
        en="Why divide by √d_k: the dot product q·k has variance d_k",
    ),
    explanation=Bilingual(
        zh="若 q、k 的各分量独立、均值 0、方差 1，则 q·k 是 d_k 个独立乘积之和：均值 0，方差 d_k。"
        "维度越大，注意力分数的尺度越大，softmax 越容易饱和；除以 √d_k 后方差恢复为 1，与维度无关。"
        "这里只用前两阶矩对一个分量做与分布无关的符号推导（并用 sympy.stats 对正态分量复核），按线性性推广到符号 d_k，"
        "再对 d_k = 4 的 ±1 分量穷举精确验证，最后用蒙特卡洛数值交叉检验。",
        en="If the components of q and k are independent with mean 0 and variance 1, q·k is a sum of d_k "
        "independent products: mean 0, variance d_k. The larger the dimension, the larger the scores and the "
        "sooner softmax saturates; dividing by √d_k brings the variance back to 1 whatever the dimension. "
        "This derives one coordinate symbolically from the first two moments alone (and with sympy.stats for normal "
        "components), lifts it by "
        "linearity to a symbolic d_k, checks d_k = 4 exactly by enumerating ±1 components, and cross-checks "
        "by Monte Carlo.",
    ),
    cost=Cost(quick_s=1.0, full_s=8.0),
    claims=(
        Claim(
            "mean-zero",
            Bilingual(zh="E[q·k] = 0，对任意 d_k 成立", en="E[q·k] = 0 for every d_k"),
        ),
        Claim(
            "variance-equals-dk",
            Bilingual(
                zh="Var(q·k) = d_k（与分量的具体分布无关，只要独立、均值 0、方差 1）",
                en="Var(q·k) = d_k (whatever the distribution, as long as components are independent, mean 0, variance 1)",
            ),
        ),
        Claim(
            "scaled-variance-one",
            Bilingual(zh="Var(q·k/√d_k) = 1，与 d_k 无关", en="Var(q·k/√d_k) = 1, independent of d_k"),
        ),
        Claim(
            "dividing-by-dk-also-keeps-variance-one",
            Bilingual(
                zh="改为除以 d_k 也能让方差保持为 1",
                en="Dividing by d_k instead would also keep the variance at 1",
            ),
            expected=False,
        ),
        Claim(
            "monte-carlo-agrees",
            Bilingual(
                zh="蒙特卡洛：d_k ∈ {4,16,64,256} 时样本方差与 d_k 相差不到 5%，缩放后与 1 相差不到 5%",
                en="Monte Carlo: for d_k ∈ {4,16,64,256} the sample variance is within 5% of d_k, and within 5% of 1 after scaling",
            ),
        ),
    ),
    libraries=("sympy", "numpy"),
)
def sqrt_dk_variance(ctx: Context, evidence: Evidence) -> None:
    import itertools
    from fractions import Fraction

    import numpy as np
    import sympy as sp
    from sympy.stats import E, Normal, variance

    # One coordinate, distribution-free: only the first two moments of independent q_i, k_i enter.
    mean_q, mean_k, var_q, var_k = sp.symbols("mu_q mu_k sigma_q^2 sigma_k^2", real=True)
    product_mean = mean_q * mean_k  # E[q k] = E[q] E[k] by independence
    product_second_moment = (var_q + mean_q**2) * (var_k + mean_k**2)  # E[q² k²] = E[q²] E[k²]
    product_variance = sp.expand(product_second_moment - product_mean**2)
    unit = {mean_q: 0, mean_k: 0, var_q: 1, var_k: 1}
    per_coordinate = {"any distribution": (product_mean.subs(unit), product_variance.subs(unit))}
    # ...and the same through sympy.stats for a concrete distribution.
    q, k = Normal("q", 0, 1), Normal("k", 0, 1)
    per_coordinate["normal"] = (sp.simplify(E(q * k)), sp.simplify(variance(q * k)))
    evidence.step(
        r"\mathbb{E}[q_i k_i] = \mathbb{E}[q_i]\,\mathbb{E}[k_i] = \mu_q\mu_k = 0",
        "独立性使乘积的期望等于期望的乘积，均值为 0。",
        "Independence makes the expectation of the product the product of expectations, which is 0.",
    )
    evidence.step(
        r"\operatorname{Var}(q_i k_i) = \mathbb{E}[q_i^2]\,\mathbb{E}[k_i^2] - \mathbb{E}[q_i k_i]^2 = "
        + sp.latex(product_variance)
        + r" = "
        + sp.latex(per_coordinate["any distribution"][1])
        + r"\quad (\mu = 0,\ \sigma^2 = 1)",
        f"只用到前两阶矩，与具体分布无关；sympy.stats 对标准正态分量也给出 E={per_coordinate['normal'][0]}、Var={per_coordinate['normal'][1]}。",
        f"Only the first two moments enter, whatever the distribution; sympy.stats for standard normal components agrees: "
        f"E={per_coordinate['normal'][0]}, Var={per_coordinate['normal'][1]}.",
    )

    d_k = sp.Symbol("d_k", positive=True, integer=True)
    mean_dot = d_k * per_coordinate["normal"][0]
    var_dot = d_k * per_coordinate["normal"][1]  # independent terms: variances add
    var_scaled = sp.simplify(var_dot / sp.sqrt(d_k) ** 2)
    var_over_dk = sp.simplify(var_dot / d_k**2)
    evidence.step(
        r"\operatorname{Var}(q\cdot k) = \sum_{i=1}^{d_k} \operatorname{Var}(q_i k_i) = " + sp.latex(var_dot),
        "各项两两独立（协方差为 0），方差相加。",
        "The terms are pairwise independent (zero covariance), so their variances add.",
    )
    evidence.step(
        r"\operatorname{Var}\!\left(\frac{q\cdot k}{\sqrt{d_k}}\right) = \frac{d_k}{d_k} = "
        + sp.latex(var_scaled)
        + r",\qquad \operatorname{Var}\!\left(\frac{q\cdot k}{d_k}\right) = "
        + sp.latex(var_over_dk),
        "常数 c 缩放使方差乘以 c²：除以 √d_k 得 1；除以 d_k 得 1/d_k，维度越大分数越被压扁、softmax 趋于均匀。",
        "Scaling by c multiplies the variance by c²: dividing by √d_k gives 1; dividing by d_k gives 1/d_k, "
        "which flattens the scores (and the softmax toward uniform) as the dimension grows.",
    )

    # Exact check at d_k = 4 with ±1 components (mean 0, variance 1): all 2^8 outcomes.
    exact_dim = 4
    outcomes = [sum(a * b for a, b in zip(signs[:exact_dim], signs[exact_dim:])) for signs in itertools.product((-1, 1), repeat=2 * exact_dim)]
    probability = Fraction(1, len(outcomes))
    exact_mean = sum(Fraction(v) for v in outcomes) * probability
    exact_var = sum(Fraction(v) ** 2 for v in outcomes) * probability - exact_mean**2
    evidence.step(
        r"d_k = 4,\ q_i, k_i \in \{\pm 1\}:\quad \mathbb{E}[q\cdot k] = "
        + str(exact_mean)
        + r",\ \operatorname{Var}(q\cdot k) = "
        + str(exact_var),
        f"穷举全部 {len(outcomes)} 种等概率取值，用分数精确计算。",
        f"Enumerating all {len(outcomes)} equally likely outcomes, with exact fractions.",
    )

    rng = ctx.numpy_rng()
    samples = 20_000 if ctx.quick else 200_000
    unscaled, scaled = [], []
    for dim in MONTE_CARLO_DIMS:
        q = rng.standard_normal((samples, dim))
        k = rng.standard_normal((samples, dim))
        dots = np.einsum("nd,nd->n", q, k)
        unscaled.append(float(dots.var()))
        scaled.append(float((dots / np.sqrt(dim)).var()))
    relative_errors = [abs(v / d - 1) for v, d in zip(unscaled, MONTE_CARLO_DIMS)] + [abs(v - 1) for v in scaled]
    evidence.table(
        "monte-carlo",
        Bilingual(zh=f"蒙特卡洛（每个 d_k {samples} 个样本）", en=f"Monte Carlo ({samples} samples per d_k)"),
        ("d_k", "Var(q·k)", "Var(q·k/√d_k)"),
        [(d, round(u, 3), round(s, 4)) for d, u, s in zip(MONTE_CARLO_DIMS, unscaled, scaled)],
    )
    evidence.plot(
        "variance-vs-dk",
        Bilingual(zh="点积方差随 d_k 的变化", en="Dot-product variance against d_k"),
        Bilingual(zh="d_k", en="d_k"),
        Bilingual(zh="方差", en="variance"),
        {
            "Var(q·k)": (MONTE_CARLO_DIMS, unscaled),
            "Var(q·k/√d_k)": (MONTE_CARLO_DIMS, scaled),
            "d_k (theory)": (MONTE_CARLO_DIMS, MONTE_CARLO_DIMS),
        },
        x_log=True,
        y_log=True,
    )
    evidence.metric("max_relative_error", max(relative_errors), en="largest Monte Carlo relative error", zh="蒙特卡洛最大相对误差")

    both_means_zero = all(m == 0 for m, _ in per_coordinate.values())
    evidence.claim(
        "mean-zero",
        holds=both_means_zero and mean_dot == 0 and exact_mean == 0,
        measured=f"symbolic E[q·k] = {mean_dot}; exact at d_k=4: {exact_mean}",
        value=float(exact_mean),
    )
    evidence.claim(
        "variance-equals-dk",
        holds=all(v == 1 for _, v in per_coordinate.values()) and sp.simplify(var_dot - d_k) == 0 and exact_var == exact_dim,
        measured=f"symbolic Var(q·k) = {var_dot} (any distribution with mean 0, variance 1); exact at d_k=4: {exact_var}",
        value=float(exact_var),
    )
    evidence.claim(
        "scaled-variance-one",
        holds=var_scaled == 1,
        measured=f"Var(q·k/√d_k) = {var_scaled}",
        value=float(var_scaled),
    )
    evidence.claim(
        "dividing-by-dk-also-keeps-variance-one",
        holds=sp.simplify(var_over_dk - 1) == 0,
        measured=f"Var(q·k/d_k) = {var_over_dk}, e.g. {float(var_over_dk.subs(d_k, 64)):.4f} at d_k=64",
    )
    evidence.claim(
        "monte-carlo-agrees",
        holds=max(relative_errors) < 0.05,
        measured="sample Var(q·k): "
        + ", ".join(f"{v:.2f} (d_k={d})" for v, d in zip(unscaled, MONTE_CARLO_DIMS))
        + f"; scaled: {min(scaled):.3f}–{max(scaled):.3f}",
        value=max(relative_errors),
    )
    evidence.set_summary(
        zh=f"Var(q·k) = d_k（符号推导、d_k=4 精确穷举、蒙特卡洛均一致）；除以 √d_k 后方差为 1，除以 d_k 则为 1/d_k。",
        en="Var(q·k) = d_k (symbolic derivation, exact enumeration at d_k=4 and Monte Carlo agree); "
        "dividing by √d_k gives variance 1, dividing by d_k gives 1/d_k.",
    )
