"""GRPO: group-normalised advantages (mean 0, std 1, zero when all rewards tie) and the k3 KL estimator (≥ 0, unbiased)."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

GROUP = 64  # DeepSeekMath's group size
VOCABULARY = 8


@verifier(
    id="grpo-advantage-and-kl",
    kind="symbolic",
    title=Bilingual(
        zh="GRPO：组内标准化的优势（均值 0、标准差 1，奖励全相同时为 0）与 k3 KL 估计量（非负、无偏）",
        en="GRPO: group-normalised advantages (mean 0, std 1, zero when all rewards tie) and the k3 KL estimator (non-negative, unbiased)",
    ),
    explanation=Bilingual(
        zh="GRPO 对每个问题采样 G 个回答，优势 Â_i = (r_i − mean(r))/std(r)：组均值充当基线，替代 PPO 的价值模型。按构造每组优势均值为 0、"
        "标准差为 1；若一组奖励全相同，优势全为 0，这个问题不贡献梯度。二元奖励下组准确率为 p 时，Σ|Â| 与不除以标准差（Dr. GRPO）之比为 "
        "1/√(p(1−p))：除以标准差会放大很容易和很难的问题。KL 项用 k3 = π_ref/π − log(π_ref/π) − 1 估计：u − log u − 1 ≥ 0，"
        "且 E_π[π_ref/π] = Σπ_ref = 1，所以 E[k3] = E[log(π/π_ref)] = KL(π‖π_ref)，无偏；而单样本的 log(π/π_ref)（k1）虽然也无偏，"
        "却可以为负。这里用 sympy 推导，在 8 个 token 的词表上精确枚举期望，并用蒙特卡洛比较两种估计量。",
        en="GRPO samples G outputs per question and uses Â_i = (r_i − mean(r))/std(r): the group mean is the baseline that replaces "
        "PPO's value model. By construction each group's advantages have mean 0 and standard deviation 1; if every reward in a "
        "group ties, every advantage is 0 and the question gives no gradient. With binary rewards and group accuracy p, Σ|Â| "
        "divided by its value without the std (Dr. GRPO) is 1/√(p(1−p)): dividing by the std up-weights very easy and very hard "
        "questions. The KL term uses k3 = π_ref/π − log(π_ref/π) − 1: u − log u − 1 ≥ 0, and E_π[π_ref/π] = Σπ_ref = 1, so "
        "E[k3] = E[log(π/π_ref)] = KL(π‖π_ref), unbiased; the single-sample log(π/π_ref) (k1) is unbiased too but can be negative. "
        "Derived with sympy, with the expectations enumerated exactly over an 8-token vocabulary and the two estimators compared "
        "by Monte Carlo.",
    ),
    cost=Cost(quick_s=0.2),
    claims=(
        Claim(
            "advantages-mean-zero-std-one",
            Bilingual(
                zh=f"每组（G = {GROUP}）标准化后的优势均值为 0、标准差为 1（符号推导与 1000 组随机奖励）",
                en=f"Each group's (G = {GROUP}) normalised advantages have mean 0 and standard deviation 1 (derived, and on 1000 random groups)",
            ),
        ),
        Claim(
            "tied-group-gives-no-gradient",
            Bilingual(
                zh="一组奖励全相同（全对或全错）时，所有优势为 0，这个问题没有梯度",
                en="When every reward in a group ties (all right or all wrong), every advantage is 0 and the question gives no gradient",
            ),
        ),
        Claim(
            "std-upweights-easy-and-hard",
            Bilingual(
                zh="二元奖励、组准确率 p：除以标准差使 Σ|Â| 放大 1/√(p(1−p)) 倍，p = 0.95 时是 p = 0.5 时的 2.3 倍",
                en="Binary rewards with group accuracy p: dividing by the std scales Σ|Â| by 1/√(p(1−p)), 2.3 times more at p = 0.95 than at p = 0.5",
            ),
        ),
        Claim(
            "k3-nonnegative-and-unbiased",
            Bilingual(
                zh="k3 = π_ref/π − log(π_ref/π) − 1 对每个样本 ≥ 0，且在 π 下的期望精确等于 KL(π‖π_ref)（有理化枚举与蒙特卡洛）",
                en="k3 = π_ref/π − log(π_ref/π) − 1 is ≥ 0 for every sample and its expectation under π equals KL(π‖π_ref) exactly "
                "(enumeration and Monte Carlo)",
            ),
        ),
        Claim(
            "log-ratio-sample-nonnegative",
            Bilingual(
                zh="单样本的 log(π/π_ref) 是非负的 KL 估计",
                en="The single-sample log(π/π_ref) is a non-negative estimate of the KL",
            ),
            expected=False,
        ),
        Claim(
            "std-downweights-extremes",
            Bilingual(
                zh="除以组内标准差会降低很容易和很难的问题的权重",
                en="Dividing by the group's standard deviation down-weights very easy and very hard questions",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy"),
)
def grpo_advantage_and_kl(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    # Advantages: mean 0 and variance 1 for a symbolic group of 4 (population std, as a normaliser).
    r = sp.symbols("r1:5", real=True)
    mean = sum(r) / 4
    variance = sum((x - mean) ** 2 for x in r) / 4
    # Σ(r_i − r̄) = 0, so the advantages average 0; their mean square is Σ(r_i − r̄)²/(4σ²) = σ²/σ² = 1.
    advantage_mean = sp.expand(sum(x - mean for x in r)) / (4 * sp.sqrt(variance))
    advantage_variance = sp.expand(sum((x - mean) ** 2 for x in r) / 4) / sp.expand(variance)
    evidence.step(
        r"\hat A_i = \frac{r_i - \bar r}{\sigma_r}:\quad \frac{1}{G}\sum_i \hat A_i = " + sp.latex(advantage_mean)
        + r",\quad \frac{1}{G}\sum_i \hat A_i^2 = " + sp.latex(advantage_variance),
        "组均值是基线，除以组标准差使优势无量纲；每个 token 得到所在回答的优势。",
        "The group mean is the baseline and the group std makes advantages scale-free; every token gets its output's advantage.",
    )
    p = sp.symbols("p", positive=True)
    sigma = sp.sqrt(p * (1 - p))
    total_dr = p * (1 - p) + (1 - p) * p  # Σ|r − r̄|/G: a share p of correct outputs at 1 − p, a share 1 − p of wrong ones at p
    total_grpo = total_dr / sigma
    ratio = sp.cancel(total_grpo / total_dr)
    evidence.step(
        r"r_i \in \{0, 1\},\ \bar r = p:\quad \frac{1}{G}\sum_i |\hat A_i| = \frac{2p(1-p)}{\sqrt{p(1-p)}},\qquad \frac{\text{GRPO}}{\text{Dr. GRPO}} = " + sp.latex(ratio),
        "不除以标准差（Dr. GRPO）时组的总权重是 2p(1−p)；除以之后多乘 1/√(p(1−p))，在 p 接近 0 或 1 时变大。",
        "Without the std (Dr. GRPO) a group's total weight is 2p(1−p); dividing by it multiplies by 1/√(p(1−p)), which grows as p "
        "nears 0 or 1.",
    )
    u = sp.symbols("u", positive=True)
    k3 = u - sp.log(u) - 1
    k3_derivative, k3_curvature = sp.diff(k3, u), sp.diff(k3, u, 2)
    minimum_at = [sp.Integer(1)] if k3_derivative.subs(u, 1) == 0 else []
    evidence.step(
        r"k_3(u) = u - \log u - 1,\ u = \frac{\pi_{ref}}{\pi}:\quad k_3'(u) = " + sp.latex(k3_derivative) + r",\ k_3''(u) = "
        + sp.latex(k3_curvature) + r" > 0,\ k_3(1) = 0",
        f"唯一驻点 u = {minimum_at[0]} 是最小值 0，所以 k3 ≥ 0。",
        f"The only stationary point, u = {minimum_at[0]}, is the minimum 0, so k3 ≥ 0.",
    )
    evidence.step(
        r"\mathbb{E}_{y\sim\pi}\Big[\frac{\pi_{ref}}{\pi}\Big] = \sum_y \pi_{ref}(y) = 1 \Rightarrow \mathbb{E}[k_3] = \mathbb{E}_\pi\Big[\log\frac{\pi}{\pi_{ref}}\Big] = \mathrm{KL}(\pi\|\pi_{ref})",
        "u − 1 的期望为 0，只剩 −log u 的期望，正是 KL。",
        "u − 1 has expectation 0, leaving the expectation of −log u, which is the KL.",
    )

    rng = ctx.numpy_rng()
    groups = rng.normal(rng.normal(0, 1, (1000, 1)), rng.uniform(0.1, 3, (1000, 1)), (1000, GROUP))
    normalised = (groups - groups.mean(axis=1, keepdims=True)) / groups.std(axis=1, keepdims=True)
    worst_mean = float(np.abs(normalised.mean(axis=1)).max())
    worst_std = float(np.abs(normalised.std(axis=1) - 1).max())
    tied = np.ones(GROUP)
    tied_std = tied.std()
    tied_advantages = (tied - tied.mean()) / (tied_std + 1e-4)  # implementations add a small epsilon to the std
    accuracy_rows = []
    for accuracy in (0.05, 0.25, 0.5, 0.75, 0.95):
        correct = int(round(accuracy * GROUP))
        rewards = np.array([1.0] * correct + [0.0] * (GROUP - correct))
        grpo = np.abs((rewards - rewards.mean()) / rewards.std()).sum()
        dr = np.abs(rewards - rewards.mean()).sum()
        accuracy_rows.append((accuracy, round(float(dr), 3), round(float(grpo), 3), round(float(grpo / dr), 3), round(float(ratio.subs(p, rewards.mean())), 3)))
    evidence.table(
        "difficulty-weighting",
        Bilingual(zh=f"二元奖励、G = {GROUP}：每组优势的总权重 Σ|Â|", en=f"Binary rewards, G = {GROUP}: each group's total advantage weight Σ|Â|"),
        ("accuracy p", "Dr. GRPO Σ|r − mean|", "GRPO Σ|Â|", "ratio", "1/√(p(1−p))"),
        accuracy_rows,
    )

    # k3 vs k1 (log π/π_ref) over an 8-token vocabulary: exact expectations and Monte Carlo.
    policy = rng.dirichlet(np.ones(VOCABULARY))
    reference = rng.dirichlet(np.ones(VOCABULARY))
    kl = float((policy * np.log(policy / reference)).sum())
    ratio_u = reference / policy
    k3_values = ratio_u - np.log(ratio_u) - 1
    k1_values = np.log(policy / reference)
    exact_k3 = float((policy * k3_values).sum())
    samples = 20_000 if ctx.quick else 200_000
    drawn = rng.choice(VOCABULARY, size=samples, p=policy)
    mc_k3, mc_k1 = k3_values[drawn], k1_values[drawn]
    # Exact check in rationals: E[u − 1] = Σ π_ref − Σ π = 0 for a rational pair of distributions.
    from fractions import Fraction

    rational_policy = [Fraction(int(round(x * 10**6)), 1) for x in policy]
    rational_reference = [Fraction(int(round(x * 10**6)), 1) for x in reference]
    rational_policy = [x / sum(rational_policy) for x in rational_policy]
    rational_reference = [x / sum(rational_reference) for x in rational_reference]
    expected_u_minus_one = sum(pi * (ref / pi - 1) for pi, ref in zip(rational_policy, rational_reference))
    evidence.table(
        "kl-estimators",
        Bilingual(zh=f"{VOCABULARY} 个 token：KL 估计量（蒙特卡洛 {samples:,} 个样本）", en=f"{VOCABULARY} tokens: KL estimators (Monte Carlo, {samples:,} samples)"),
        ("estimator", "exact expectation", "Monte Carlo mean", "sample std", "smallest sample", "share of negative samples"),
        [
            ("k1 = log(π/π_ref)", round(float((policy * k1_values).sum()), 5), round(float(mc_k1.mean()), 5), round(float(mc_k1.std()), 4), round(float(mc_k1.min()), 4), round(float((mc_k1 < 0).mean()), 4)),
            ("k3 = u − log u − 1", round(exact_k3, 5), round(float(mc_k3.mean()), 5), round(float(mc_k3.std()), 4), round(float(mc_k3.min()), 4), round(float((mc_k3 < 0).mean()), 4)),
        ],
    )
    evidence.metric("kl_exact", kl, "nats", en="KL(π‖π_ref) of the example", zh="示例的 KL(π‖π_ref)")

    evidence.claim(
        "advantages-mean-zero-std-one",
        holds=advantage_mean == 0 and advantage_variance == 1 and worst_mean < 1e-12 and worst_std < 1e-12,
        measured=f"symbolic mean {advantage_mean}, variance {advantage_variance}; over 1000 groups of {GROUP}: |mean| ≤ {worst_mean:.0e}, |std − 1| ≤ {worst_std:.0e}",
    )
    evidence.claim(
        "tied-group-gives-no-gradient",
        holds=tied_std == 0 and bool((tied_advantages == 0).all()),
        measured=f"std of {GROUP} equal rewards = {tied_std}; advantages (with ε = 1e-4 in the denominator) all {float(np.abs(tied_advantages).max())}",
    )
    easy_vs_even = float(ratio.subs(p, 0.95) / ratio.subs(p, 0.5))
    evidence.claim(
        "std-upweights-easy-and-hard",
        holds=ratio == 1 / sigma and abs(easy_vs_even - 2.294) < 0.01 and all(abs(row[3] - row[4]) < 1e-3 for row in accuracy_rows),
        measured=f"GRPO / Dr. GRPO = {ratio}; at p = 0.95 it is {easy_vs_even:.2f}× its value at p = 0.5; the table's ratios equal 1/√(p(1−p))",
        value=easy_vs_even,
    )
    evidence.claim(
        "k3-nonnegative-and-unbiased",
        holds=bool((k3_values >= 0).all()) and abs(exact_k3 - kl) < 1e-12 and expected_u_minus_one == 0
        and abs(float(mc_k3.mean()) - kl) < 5 * float(mc_k3.std()) / np.sqrt(samples),
        measured=f"smallest k3 over the vocabulary {float(k3_values.min()):.4f}; E[k3] = {exact_k3:.6f} = KL {kl:.6f}; E[u − 1] in rationals = "
        f"{expected_u_minus_one}; Monte Carlo mean {float(mc_k3.mean()):.5f}",
        value=exact_k3,
    )
    evidence.claim(
        "log-ratio-sample-nonnegative",
        holds=bool((mc_k1 >= 0).all()),
        measured=f"{float((mc_k1 < 0).mean()):.1%} of k1 samples are negative (smallest {float(mc_k1.min()):.3f}), though their mean is the KL {kl:.4f}",
        value=float(mc_k1.min()),
    )
    evidence.claim(
        "std-downweights-extremes",
        holds=easy_vs_even < 1,
        measured=f"relative to Dr. GRPO, a p = 0.95 group gets {easy_vs_even:.2f}× the weight of a p = 0.5 group: extremes are up-weighted",
        value=easy_vs_even,
    )
    evidence.set_summary(
        zh=f"组内标准化的优势均值 0、标准差 1，奖励全同时全为 0；除以标准差使容易/困难的问题权重放大 1/√(p(1−p))（p = 0.95 时 {easy_vs_even:.1f} 倍）。"
        f"k3 对每个样本非负且期望精确等于 KL（{kl:.4f}），而 k1 有 {float((mc_k1 < 0).mean()):.0%} 的样本为负。",
        en=f"Group-normalised advantages have mean 0 and std 1, and are all 0 when rewards tie; dividing by the std up-weights easy and "
        f"hard questions by 1/√(p(1−p)) ({easy_vs_even:.1f}× at p = 0.95). k3 is non-negative per sample with expectation exactly the KL "
        f"({kl:.4f}), while {float((mc_k1 < 0).mean()):.0%} of k1 samples are negative.",
    )
