"""DPO: the loss is ln 2 at initialisation, and the KL-regularised optimum is π_ref·exp(r/β)/Z."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

RESPONSES = 6  # an enumerable "vocabulary" of whole responses to one prompt
BETAS = (0.05, 0.1, 0.5, 1.0, 5.0)
BETA = 0.1  # the DPO paper's usual value
ITERATIONS = 80  # mirror-ascent steps: the error halves at each


@verifier(
    id="dpo-loss-and-optimum",
    kind="symbolic",
    title=Bilingual(
        zh="DPO：初始化时损失为 ln 2、梯度权重为 1/2；带 KL 约束的最优策略是 π_ref·exp(r/β)/Z",
        en="DPO: the loss is ln 2 and each pair's gradient weight 1/2 at initialisation; the KL-regularised optimum is π_ref·exp(r/β)/Z",
    ),
    explanation=Bilingual(
        zh="DPO 的每对损失是 −log σ(β[log π_θ(y_w)/π_ref(y_w) − log π_θ(y_l)/π_ref(y_l)])。训练开始时 π_θ = π_ref，两个对数比都为 0，"
        "损失是 −log σ(0) = ln 2，与 β 和数据无关；对数比的梯度权重是 σ(隐式奖励排错的程度)，初始为 σ(0) = 1/2。"
        "DPO 的推导依赖这样一个事实：max E_π[r] − β·KL(π‖π_ref) 的解是 π* = π_ref·exp(r/β)/Z，因为目标等于 −β·KL(π‖π*) + β log Z。"
        "反过来 β log(π*/π_ref) = r − β log Z：隐式奖励只差一个与回答无关的常数，在 Bradley–Terry 的差中抵消。"
        "这里用 sympy 推导，在 6 个候选回答上数值最大化目标并与闭式比较，并展示 β 越小策略离参考模型越远。",
        en="DPO's per-pair loss is −log σ(β[log π_θ(y_w)/π_ref(y_w) − log π_θ(y_l)/π_ref(y_l)]). At the start π_θ = π_ref, both "
        "log-ratios are 0 and the loss is −log σ(0) = ln 2, whatever β and the data; the gradient weights each pair by σ(how wrongly "
        "the implicit reward orders it), σ(0) = 1/2 at first. The derivation rests on the solution of max E_π[r] − β·KL(π‖π_ref) "
        "being π* = π_ref·exp(r/β)/Z, because the objective equals −β·KL(π‖π*) + β log Z. Inverted, β log(π*/π_ref) = r − β log Z: "
        "the implicit reward differs from r only by a constant that does not depend on the response, which cancels in the "
        "Bradley–Terry difference. This derives it with sympy, maximises the objective numerically over 6 candidate responses "
        "and compares with the closed form, and shows that a smaller β moves the policy further from the reference.",
    ),
    cost=Cost(quick_s=0.2),
    claims=(
        Claim(
            "loss-at-init-is-ln2",
            Bilingual(
                zh="π_θ = π_ref 时每一对的 DPO 损失都是 ln 2 ≈ 0.693，对任何 β 和任何偏好对都成立",
                en="With π_θ = π_ref every pair's DPO loss is ln 2 ≈ 0.693, for any β and any preference pair",
            ),
        ),
        Claim(
            "gradient-weight-half-at-init",
            Bilingual(
                zh="梯度为 −β·σ(r̂_l − r̂_w)·(∇log π(y_w) − ∇log π(y_l))，初始化时权重 σ(0) = 1/2；排错的对权重接近 1，分开的对接近 0",
                en="The gradient is −β·σ(r̂_l − r̂_w)·(∇log π(y_w) − ∇log π(y_l)), with weight σ(0) = 1/2 at initialisation, near 1 "
                "for mis-ordered pairs and near 0 for separated ones",
            ),
        ),
        Claim(
            "kl-optimum-is-tilted-reference",
            Bilingual(
                zh="E_π[r] − β·KL(π‖π_ref) 的最大值点是 π_ref·exp(r/β)/Z（数值最大化与闭式相差 < 1e-9，随机策略都不更优）",
                en="E_π[r] − β·KL(π‖π_ref) is maximised by π_ref·exp(r/β)/Z (numerical maximisation within 1e-9 of the closed form; "
                "no random policy does better)",
            ),
        ),
        Claim(
            "implicit-reward-recovers-r",
            Bilingual(
                zh="隐式奖励 β·log(π*/π_ref) 等于 r 减去只依赖 prompt 的常数 β log Z，所以 Bradley–Terry 偏好概率与用 r 算的完全相同",
                en="The implicit reward β·log(π*/π_ref) equals r minus a prompt-only constant β log Z, so the Bradley–Terry preference "
                "probabilities are exactly those computed from r",
            ),
        ),
        Claim(
            "smaller-beta-moves-further",
            Bilingual(
                zh="β 越小，最优策略与参考模型的 KL 越大、期望奖励越高（β → ∞ 时 π* → π_ref）",
                en="The smaller β, the larger the optimum's KL from the reference and its expected reward (π* → π_ref as β → ∞)",
            ),
        ),
        Claim(
            "loss-at-init-is-zero",
            Bilingual(
                zh="初始化时策略与参考模型完全一致，所以 DPO 损失为 0",
                en="At initialisation the policy equals the reference, so the DPO loss is 0",
            ),
            expected=False,
        ),
        Claim(
            "loss-at-init-scales-with-beta",
            Bilingual(
                zh="初始化时的 DPO 损失是 β·ln 2（β = 0.1 时约 0.069）",
                en="The DPO loss at initialisation is β·ln 2 (about 0.069 for β = 0.1)",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy"),
)
def dpo_loss_and_optimum(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    beta = sp.symbols("beta", positive=True)
    z = sp.symbols("z", real=True)  # the margin a_w − a_l of the log-ratios a = log π_θ(y)/π_ref(y)
    loss = sp.log(1 + sp.exp(-beta * z))  # = −log σ(βz)
    loss_at_init = loss.subs(z, 0)
    d_loss = sp.diff(loss, z)  # ∂L/∂a_w = −∂L/∂a_l
    weight = -d_loss / beta
    weight_matches = sp.cancel(sp.together(weight - 1 / (1 + sp.exp(beta * z)))) == 0  # σ(−βz) = σ(r̂_l − r̂_w)
    weight_at_init = weight.subs(z, 0)
    evidence.step(
        r"\mathcal{L} = -\log\sigma\big(\beta(a_w - a_l)\big),\quad a = \log\frac{\pi_\theta(y)}{\pi_{ref}(y)};\qquad "
        r"\pi_\theta = \pi_{ref} \Rightarrow a_w = a_l = 0,\ \mathcal{L} = " + sp.latex(loss_at_init),
        "初始化时两个对数比都为 0，损失是 −log σ(0) = ln 2，β 不出现。",
        "At initialisation both log-ratios are 0 and the loss is −log σ(0) = ln 2; β does not appear.",
    )
    evidence.step(
        r"\frac{\partial\mathcal{L}}{\partial a_w} = -\frac{\partial\mathcal{L}}{\partial a_l} = -\beta\,\sigma\big(\beta(a_l - a_w)\big)"
        r" = -\beta\,\sigma(\hat r_l - \hat r_w),\qquad \sigma(0) = " + sp.latex(weight_at_init),
        "链式法则给出 ∇L = −β·σ(r̂_l − r̂_w)(∇log π(y_w) − ∇log π(y_l))：提高 chosen、降低 rejected，权重初始为 1/2。",
        "The chain rule gives ∇L = −β·σ(r̂_l − r̂_w)(∇log π(y_w) − ∇log π(y_l)): raise the chosen, lower the rejected, with "
        "weight 1/2 at first.",
    )

    # The KL-regularised objective and its optimum, proved for three responses with symbolic values.
    p = sp.symbols("p1:4", positive=True)  # the policy
    ref = sp.symbols("pi1:4", positive=True)  # the reference
    r = sp.symbols("r1:4", real=True)
    partition = sum(ref[i] * sp.exp(r[i] / beta) for i in range(3))
    optimum = [ref[i] * sp.exp(r[i] / beta) / partition for i in range(3)]
    objective = sum(p[i] * r[i] for i in range(3)) - beta * sum(p[i] * sp.log(p[i] / ref[i]) for i in range(3))
    kl_to_optimum = sum(p[i] * sp.log(p[i] / optimum[i]) for i in range(3))
    rewritten = -beta * kl_to_optimum + beta * sp.log(partition)
    # The identity needs Σ p = 1: substitute p3 = 1 − p1 − p2 and expand the logarithms.
    on_simplex = {p[2]: 1 - p[0] - p[1]}
    identity_gap = sp.expand(sp.expand_log((objective - rewritten).subs(on_simplex), force=True))
    evidence.step(
        r"\mathbb{E}_\pi[r] - \beta\,\mathrm{KL}(\pi\|\pi_{ref}) = -\beta\,\mathrm{KL}(\pi\|\pi^*) + \beta\log Z,\quad "
        r"\pi^*(y) = \frac{\pi_{ref}(y)\,e^{r(y)/\beta}}{Z},\ Z = \sum_y \pi_{ref}(y)\,e^{r(y)/\beta}",
        f"sympy（3 个回答、符号化的 π、π_ref、r，Σπ = 1）：两边之差化简为 {identity_gap}。KL ≥ 0，等号仅在 π = π*，所以 π* 是唯一最优解。",
        f"sympy (3 responses, symbolic π, π_ref, r, Σπ = 1): the two sides differ by {identity_gap}. KL ≥ 0 with equality only at "
        "π = π*, so π* is the unique optimum.",
    )
    implicit = [sp.expand(sp.expand_log(beta * sp.log(optimum[i] / ref[i]), force=True)) for i in range(3)]
    offsets = [sp.expand(r[i] - implicit[i]) for i in range(3)]
    constant_offset = all(o == offsets[0] for o in offsets) and not offsets[0].free_symbols & set(p)
    evidence.step(
        r"\beta\log\frac{\pi^*(y)}{\pi_{ref}(y)} = r(y) - \beta\log Z,\qquad "
        r"\sigma\big(\hat r(y_w) - \hat r(y_l)\big) = \sigma\big(r(y_w) - r(y_l)\big)",
        "隐式奖励与 r 只差 β log Z，它只依赖 prompt；偏好概率只看差值，常数抵消。",
        "The implicit reward differs from r by β log Z, which depends on the prompt only; preference probabilities see only "
        "differences, so the constant cancels.",
    )

    # Numeric: maximise the objective over 6 responses by gradient ascent on logits, for several β.
    rng = ctx.numpy_rng()
    rewards = rng.normal(0.0, 1.0, RESPONSES)
    reference = rng.dirichlet(np.ones(RESPONSES))

    def objective_value(policy, b):
        return float(policy @ rewards - b * (policy * np.log(policy / reference)).sum())

    rows, worst_gap, random_better = [], 0.0, 0
    kls, expected_rewards = [], []
    samples = rng.dirichlet(np.ones(RESPONSES), size=2000 if ctx.quick else 20000)
    for b in BETAS:
        closed = reference * np.exp(rewards / b)
        closed /= closed.sum()
        # Mirror ascent (exponentiated gradient) from the reference: log π += η·∂J/∂π, renormalised. It uses only the
        # gradient; with ηβ < 1 it contracts towards the stationary point at the rate 1 − ηβ.
        log_policy = np.log(reference)
        step = 0.5 / b
        for _ in range(ITERATIONS):
            policy = np.exp(log_policy - log_policy.max())
            policy /= policy.sum()
            gradient = rewards - b * (np.log(policy / reference) + 1)  # ∂J/∂π
            log_policy = log_policy + step * gradient
        policy = np.exp(log_policy - log_policy.max())
        policy /= policy.sum()
        worst_gap = max(worst_gap, float(np.abs(policy - closed).max()))
        best = objective_value(closed, b)
        sample_values = samples @ rewards - b * (samples * np.log(samples / reference)).sum(axis=1)
        random_better += int((sample_values > best + 1e-12).sum())
        kl = float((closed * np.log(closed / reference)).sum())
        kls.append(kl)
        expected_rewards.append(float(closed @ rewards))
        rows.append((b, round(best, 6), round(objective_value(policy, b), 6), float(f"{np.abs(policy - closed).max():.2g}"), round(kl, 4), round(float(closed @ rewards), 4)))
    evidence.table(
        "kl-regularised-optimum",
        Bilingual(zh=f"{RESPONSES} 个回答：闭式最优解与数值最大化", en=f"{RESPONSES} responses: the closed-form optimum against numerical maximisation"),
        ("beta", "J(π*) closed form", "J(π) mirror ascent", "max |π − π*|", "KL(π*‖π_ref)", "E_π*[r]"),
        rows,
    )
    evidence.plot(
        "beta-tradeoff",
        Bilingual(zh="β 的作用：奖励与偏离参考模型的权衡", en="What β does: reward against drift from the reference"),
        Bilingual(zh="β", en="β"),
        Bilingual(zh="KL(π*‖π_ref)（nats）", en="KL(π*‖π_ref) (nats)"),
        {"KL": (BETAS, kls)},
        x_log=True,
    )

    # Implicit rewards for several prompts: offsets constant per prompt, different between prompts; BT probabilities equal.
    prompt_offsets, bt_gap = [], 0.0
    for _ in range(3):
        prompt_rewards = rng.normal(0.0, 2.0, RESPONSES)
        prompt_reference = rng.dirichlet(np.ones(RESPONSES))
        tilted = prompt_reference * np.exp(prompt_rewards / BETA)
        tilted /= tilted.sum()
        implicit_reward = BETA * np.log(tilted / prompt_reference)
        offset = prompt_rewards - implicit_reward
        prompt_offsets.append((float(offset.mean()), float(np.ptp(offset))))
        margins_r = prompt_rewards[:, None] - prompt_rewards[None, :]
        margins_implicit = implicit_reward[:, None] - implicit_reward[None, :]
        bt_gap = max(bt_gap, float(np.abs(1 / (1 + np.exp(-margins_r)) - 1 / (1 + np.exp(-margins_implicit))).max()))

    # The loss and gradient weight at initialisation, on random pairs (the policy is the reference: log-ratios 0).
    pairs = 1000
    log_ratio_w = np.zeros(pairs)
    log_ratio_l = np.zeros(pairs)
    init_losses = {b: float(np.mean(np.logaddexp(0.0, -b * (log_ratio_w - log_ratio_l)))) for b in BETAS}
    margins = np.array([-6.0, -2.0, 0.0, 2.0, 6.0])  # β(a_w − a_l)
    weights = 1 / (1 + np.exp(margins))
    evidence.table(
        "gradient-weight",
        Bilingual(zh="每对的梯度权重 σ(r̂_l − r̂_w) 随隐式奖励的 margin", en="Each pair's gradient weight σ(r̂_l − r̂_w) against the implicit-reward margin"),
        ("margin r̂_w − r̂_l", "weight"),
        [(float(m), round(float(w), 4)) for m, w in zip(margins, weights)],
    )
    evidence.metric("loss_at_init", init_losses[BETA], "nats", en=f"DPO loss at initialisation (β = {BETA})", zh=f"初始化时的 DPO 损失（β = {BETA}）")
    evidence.metric("ln2", float(np.log(2)), "nats", en="ln 2", zh="ln 2")

    ln2 = float(np.log(2))
    evidence.claim(
        "loss-at-init-is-ln2",
        holds=loss_at_init == sp.log(2) and all(abs(v - ln2) < 1e-15 for v in init_losses.values()),
        measured=f"sympy: −log σ(0) = {loss_at_init}; numerically {init_losses[BETA]:.6f} over {pairs} pairs for every β in {BETAS}",
        value=init_losses[BETA],
    )
    evidence.claim(
        "gradient-weight-half-at-init",
        holds=weight_matches and weight_at_init == sp.Rational(1, 2) and weights[0] > 0.99 and weights[-1] < 0.01,
        measured=f"∂L/∂a_w = {d_loss} with z = a_w − a_l; weight at initialisation {weight_at_init}; at margins −6 / 0 / +6: "
        f"{weights[0]:.4f} / {weights[2]:.2f} / {weights[-1]:.4f}",
        value=float(weight_at_init),
    )
    evidence.claim(
        "kl-optimum-is-tilted-reference",
        holds=identity_gap == 0 and worst_gap < 1e-9 and random_better == 0,
        measured=f"sympy identity gap {identity_gap}; mirror ascent within {worst_gap:.1e} of π_ref·e^(r/β)/Z for β in {BETAS}; "
        f"random policies better than π*: {random_better} of {len(samples) * len(BETAS)}",
        value=worst_gap,
    )
    evidence.claim(
        "implicit-reward-recovers-r",
        holds=constant_offset and all(spread < 1e-9 for _, spread in prompt_offsets) and bt_gap < 1e-12
        and np.ptp([mean for mean, _ in prompt_offsets]) > 1e-3,
        measured=f"sympy: r − β log(π*/π_ref) = {offsets[0]} for every response; three prompts: offsets "
        + ", ".join(f"{mean:.3f} (spread {spread:.0e})" for mean, spread in prompt_offsets)
        + f"; largest Bradley–Terry difference {bt_gap:.0e}",
        value=bt_gap,
    )
    evidence.claim(
        "smaller-beta-moves-further",
        holds=all(a > b for a, b in zip(kls, kls[1:])) and all(a > b for a, b in zip(expected_rewards, expected_rewards[1:])),
        measured=f"KL(π*‖π_ref) for β = {BETAS}: " + ", ".join(f"{k:.3f}" for k in kls)
        + "; E[r]: " + ", ".join(f"{e:.3f}" for e in expected_rewards),
    )
    evidence.claim(
        "loss-at-init-is-zero",
        holds=abs(init_losses[BETA]) < 1e-9,
        measured=f"the loss at initialisation is {init_losses[BETA]:.4f}, not 0: the loss is a log-likelihood of the preference, "
        "and a margin of 0 says 50/50",
        value=init_losses[BETA],
    )
    evidence.claim(
        "loss-at-init-scales-with-beta",
        holds=all(abs(v - b * ln2) < 1e-9 for b, v in init_losses.items()),
        measured=", ".join(f"β = {b}: {v:.4f}" for b, v in init_losses.items()) + " — the same ln 2 for every β",
    )
    evidence.set_summary(
        zh=f"初始化时 DPO 损失恒为 ln 2 = {ln2:.4f}（与 β 无关），梯度权重 1/2；E[r] − β·KL 的最优解是 π_ref·e^(r/β)/Z"
        f"（数值最大化差 {worst_gap:.0e}），隐式奖励与 r 只差 prompt 常数；β 越小偏离参考模型越远。",
        en=f"At initialisation the DPO loss is ln 2 = {ln2:.4f} for every β and each pair's gradient weight is 1/2; E[r] − β·KL is "
        f"maximised by π_ref·e^(r/β)/Z (numerical maximisation within {worst_gap:.0e}); the implicit reward is r up to a prompt "
        "constant; a smaller β moves further from the reference.",
    )
