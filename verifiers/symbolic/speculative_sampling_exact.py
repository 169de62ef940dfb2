"""Speculative sampling emits exactly the target model's distribution; its speed-up is (1 − α^(γ+1))/(1 − α) tokens a pass."""

from __future__ import annotations

from fractions import Fraction

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

VOCABULARY = 5
GAMMA = 4
ALPHA = 0.8
DRAFT_COST = 0.05  # c: one draft pass as a fraction of one target pass


@verifier(
    id="speculative-sampling-exact",
    kind="symbolic",
    title=Bilingual(
        zh="投机采样的输出分布与目标模型完全相同；每次目标前向平均产出 (1 − α^(γ+1))/(1 − α) 个 token",
        en="Speculative sampling's output follows the target model's distribution exactly; each target pass yields "
        "(1 − α^(γ+1))/(1 − α) tokens on average",
    ),
    explanation=Bilingual(
        zh="草稿模型按 q 采样 x，以 min(1, p(x)/q(x)) 接受；拒绝时从残差 max(0, p − q)/Σmax(0, p − q) 重采样。"
        "接受 x 的概率是 min(p, q)，拒绝的总概率 1 − β 恰好等于残差的质量 Σmax(0, p − q)，所以输出概率为 min(p, q) + max(0, p − q) = p，"
        "对任何 q 都成立；接受率 β = Σmin(p, q) = 1 − TV(p, q)。若拒绝后直接从 p 重采样，结果是 min(p, q) + (1 − β)p ≠ p。"
        "这里用有理数在 5 个 token 的词表上精确枚举（包括 γ = 2 的多 token、上下文相关的情形），再用蒙特卡洛模拟整个算法；"
        "并推导每轮期望产出 Σ_(k≤γ) α^k = (1 − α^(γ+1))/(1 − α)（α = 0.8、γ = 4 时约 3.36，而不是 γα = 3.2）。",
        en="The draft samples x from q and keeps it with probability min(1, p(x)/q(x)); on rejection it resamples from the residual "
        "max(0, p − q)/Σmax(0, p − q). Accepting x has probability min(p, q), and the total rejection probability 1 − β equals the "
        "residual's mass Σmax(0, p − q), so the output has probability min(p, q) + max(0, p − q) = p, for any q; the acceptance rate "
        "is β = Σmin(p, q) = 1 − TV(p, q). Resampling from p itself after a rejection gives min(p, q) + (1 − β)p ≠ p. This enumerates "
        "the procedure exactly with rationals on a 5-token vocabulary (including the multi-token, context-dependent case with "
        "γ = 2), simulates the whole algorithm by Monte Carlo, and derives the expected yield per round "
        "Σ_(k≤γ) α^k = (1 − α^(γ+1))/(1 − α) (about 3.36 for α = 0.8, γ = 4, not γα = 3.2).",
    ),
    cost=Cost(quick_s=0.3, full_s=2.0),
    claims=(
        Claim(
            "output-distribution-is-target",
            Bilingual(
                zh="一个位置上：min(p, q) + (1 − β)·残差 = p，用有理数精确成立，对任意草稿 q（包括与 p 相差很远的 q）",
                en="At one position min(p, q) + (1 − β)·residual = p, exactly in rationals, for any draft q (including one far from p)",
            ),
        ),
        Claim(
            "multi-token-sequences-exact",
            Bilingual(
                zh="γ = 2、上下文相关的 p(·|前缀) 与 q(·|前缀)：精确枚举整个算法，前 3 个输出 token 的联合分布等于目标模型的联合分布",
                en="With γ = 2 and context-dependent p(·|prefix), q(·|prefix), exact enumeration of the whole algorithm gives the "
                "target's joint distribution over the first 3 output tokens",
            ),
        ),
        Claim(
            "acceptance-rate-is-one-minus-tv",
            Bilingual(
                zh="草稿 token 被接受的概率是 Σmin(p, q) = 1 − TV(p, q)（精确计算，并与模拟的接受频率一致）",
                en="A draft token is accepted with probability Σmin(p, q) = 1 − TV(p, q) (exactly, and matching the simulated acceptance frequency)",
            ),
        ),
        Claim(
            "expected-tokens-per-pass",
            Bilingual(
                zh="独立接受率 α、每轮 γ 个草稿：每次目标前向期望产出 (1 − α^(γ+1))/(1 − α) 个 token，α = 0.8、γ = 4 时约 3.36",
                en="With independent acceptance rate α and γ drafts a round, each target pass yields (1 − α^(γ+1))/(1 − α) tokens "
                "on average: about 3.36 for α = 0.8, γ = 4",
            ),
        ),
        Claim(
            "resample-from-target-is-exact",
            Bilingual(
                zh="拒绝后直接从目标分布 p 重采样，输出分布同样是 p",
                en="Resampling from the target distribution p itself after a rejection also gives output distribution p",
            ),
            expected=False,
        ),
        Claim(
            "expected-tokens-gamma-alpha",
            Bilingual(
                zh="每轮期望产出 γ·α 个 token（α = 0.8、γ = 4 时 3.2）",
                en="Each round yields γ·α tokens on average (3.2 for α = 0.8, γ = 4)",
            ),
            expected=False,
        ),
        Claim(
            "acceptance-is-sum-of-products",
            Bilingual(
                zh="接受概率是 Σ p(x)q(x)，即两个模型恰好选中同一个 token 的概率",
                en="The acceptance probability is Σ p(x)q(x), the chance that both models pick the same token",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy"),
)
def speculative_sampling_exact(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    # Symbolic: min(p, q) + max(0, p − q) = p in both cases, and the rejection mass equals the residual's mass.
    p, q = sp.symbols("p q", nonnegative=True)
    case_p_above = (sp.Min(p, q) + sp.Max(0, p - q) - p).subs(q, p - sp.Symbol("delta", positive=True))
    case_p_below = (sp.Min(p, q) + sp.Max(0, p - q) - p).subs(p, q - sp.Symbol("delta", positive=True))
    cases_vanish = sp.simplify(case_p_above) == 0 and sp.simplify(case_p_below) == 0
    evidence.step(
        r"P(x\ \text{drafted and kept}) = q(x)\min\Big(1, \frac{p(x)}{q(x)}\Big) = \min\big(p(x), q(x)\big)",
        "草稿以 q 采样，再以 min(1, p/q) 接受。",
        "The draft samples from q and keeps x with probability min(1, p/q).",
    )
    evidence.step(
        r"1 - \beta = \sum_x \big(q - \min(p, q)\big) = \sum_x \max(0, q - p) = \sum_x \max(0, p - q)",
        "p 与 q 的和都是 1，所以 q 超出 p 的质量等于 p 超出 q 的质量：拒绝的概率恰好是残差的质量。",
        "Both p and q sum to 1, so the mass by which q exceeds p equals the mass by which p exceeds q: the rejection "
        "probability is exactly the residual's mass.",
    )
    evidence.step(
        r"P(\text{out} = x) = \min(p, q) + (1-\beta)\,\frac{\max(0, p - q)}{1-\beta} = \min(p, q) + \max(0, p - q) = p(x)",
        f"分 p ≥ q 与 p < q 两种情形，sympy 验证 min(p, q) + max(0, p − q) − p = 0：{cases_vanish}。",
        f"In both cases, p ≥ q and p < q, sympy checks min(p, q) + max(0, p − q) − p = 0: {cases_vanish}.",
    )

    rng = ctx.numpy_rng()
    rows, exact_all, wrong_gaps, tv_values, overlap_products = [], True, [], [], []
    drafts = {
        "close draft": 0.2,
        "poor draft": 3.0,
        "disjoint-ish draft": 12.0,
    }
    target_logits = rng.normal(0.0, 1.0, VOCABULARY)
    target = _rational_distribution(np.exp(target_logits))
    for name, spread in drafts.items():
        draft = _rational_distribution(np.exp(target_logits + rng.normal(0.0, spread, VOCABULARY)))
        output, accepted = _one_position(target, draft, resample_from_target=False)
        wrong, _ = _one_position(target, draft, resample_from_target=True)
        tv = sum(abs(a - b) for a, b in zip(target, draft)) / 2
        exact_all &= output == target and accepted == 1 - tv
        wrong_gaps.append(max(abs(a - b) for a, b in zip(wrong, target)))
        tv_values.append(tv)
        overlap_products.append((accepted, sum(a * b for a, b in zip(target, draft))))
        rows.append((name, round(float(tv), 4), round(float(accepted), 4), "exact" if output == target else "NO", round(float(wrong_gaps[-1]), 4)))
    evidence.table(
        "one-position",
        Bilingual(zh=f"一个位置，{VOCABULARY} 个 token，有理数精确计算", en=f"One position, {VOCABULARY} tokens, exact rational arithmetic"),
        ("draft", "TV(p, q)", "acceptance β", "output = p", "max |out − p| if resampling from p"),
        rows,
    )

    # Several positions: context-dependent models, γ = 2, the whole algorithm enumerated exactly.
    def model(seed_offset: int):
        table = {}

        def distribution(prefix: tuple[int, ...]) -> list[Fraction]:
            if prefix not in table:
                local = np.random.default_rng([ctx.seed, seed_offset, len(prefix), *prefix])
                table[prefix] = _rational_distribution(np.exp(local.normal(0.0, 1.5, 3)))
            return table[prefix]

        return distribution

    target_model, draft_model = model(1), model(2)
    produced = _enumerate_speculative(target_model, draft_model, gamma=2, length=3)
    reference = {}
    for a in range(3):
        for b in range(3):
            for c in range(3):
                reference[(a, b, c)] = target_model(())[a] * target_model((a,))[b] * target_model((a, b))[c]
    multi_exact = produced == reference
    wrong_multi = _enumerate_speculative(target_model, draft_model, gamma=2, length=3, resample_from_target=True)
    multi_wrong_gap = max(abs(wrong_multi.get(k, 0) - v) for k, v in reference.items())

    # Monte Carlo of the real algorithm (floats), one position, poor draft: empirical distribution and acceptance.
    samples = 100_000 if ctx.quick else 1_000_000
    p_float = np.array([float(x) for x in target])
    q_float = np.array([float(x) for x in _rational_distribution(np.exp(target_logits + rng.normal(0.0, 3.0, VOCABULARY)))])
    drafted = rng.choice(VOCABULARY, size=samples, p=q_float)
    keep = rng.random(samples) < np.minimum(1.0, p_float[drafted] / q_float[drafted])
    residual = np.maximum(0.0, p_float - q_float)
    residual /= residual.sum()
    resampled = rng.choice(VOCABULARY, size=samples, p=residual)
    emitted = np.where(keep, drafted, resampled)
    frequencies = np.bincount(emitted, minlength=VOCABULARY) / samples
    mc_error = float(np.abs(frequencies - p_float).max())
    mc_bound = 5 * float(np.sqrt(p_float.max() / samples))  # five standard errors
    acceptance_expected = float(np.minimum(p_float, q_float).sum())
    acceptance_measured = float(keep.mean())

    # Expected tokens per target pass: Σ_{k=0}^{γ} α^k.
    alpha, gamma = sp.symbols("alpha gamma", positive=True)
    closed = (1 - alpha ** (gamma + 1)) / (1 - alpha)
    # Telescoping: (1 − α)·Σ_(k≤γ) α^k = 1 − α^(γ+1), checked as a polynomial identity for γ = 1 … 12.
    closed_matches = all(
        sp.expand((1 - alpha) * sum(alpha**k for k in range(g + 1)) - (1 - alpha ** (g + 1))) == 0 for g in range(1, 13)
    )
    exact_value = closed.subs({alpha: sp.Rational(4, 5), gamma: GAMMA})
    value = float(exact_value)
    evidence.step(
        r"\mathbb{E}[\text{tokens per pass}] = \sum_{k=0}^{\gamma} P(\text{first } k \text{ drafts kept}) = \sum_{k=0}^{\gamma}\alpha^k = \frac{1-\alpha^{\gamma+1}}{1-\alpha}",
        f"接受的草稿之后总还有一个 token（拒绝后的重采样或全部接受后的额外 token）。α = 0.8、γ = {GAMMA}：{exact_value} ≈ {value:.4f}。",
        f"Every round adds one token after the accepted drafts (the resample after a rejection, or the bonus token after full "
        f"acceptance). For α = 0.8, γ = {GAMMA}: {exact_value} ≈ {value:.4f}.",
    )
    rounds = 50_000 if ctx.quick else 500_000
    kept = rng.random((rounds, GAMMA)) < ALPHA
    accepted_run = np.where(kept.all(axis=1), GAMMA, kept.argmin(axis=1))  # drafts kept before the first rejection
    simulated_yield = float((accepted_run + 1).mean())
    yield_bound = 5 * float((accepted_run + 1).std()) / np.sqrt(rounds)  # five standard errors

    speed_rows, series = [], {}
    for a in (0.6, 0.8, 0.9):
        tokens = [(1 - a ** (g + 1)) / (1 - a) for g in range(1, 11)]
        series[f"α = {a}"] = (list(range(1, 11)), tokens)
        for g in (2, 4, 8):
            tokens_g = (1 - a ** (g + 1)) / (1 - a)
            speed_rows.append((a, g, round(tokens_g, 3), round(g * a, 2), round(tokens_g / (g * DRAFT_COST + 1), 2)))
    evidence.table(
        "speed-up",
        Bilingual(zh=f"每轮期望产出与墙钟加速（草稿/目标耗时比 c = {DRAFT_COST}）", en=f"Expected yield per round and wall-clock speed-up (draft/target time ratio c = {DRAFT_COST})"),
        ("alpha", "gamma", "tokens per pass", "gamma·alpha (wrong)", "speed-up"),
        speed_rows,
    )
    evidence.plot(
        "tokens-per-pass",
        Bilingual(zh="每次目标前向的期望产出随 γ", en="Expected tokens per target pass against γ"),
        Bilingual(zh="γ（每轮草稿数）", en="γ (drafts per round)"),
        Bilingual(zh="token / 次目标前向", en="tokens per target pass"),
        series,
    )
    evidence.metric("tokens_per_pass", value, en=f"expected tokens per target pass, α = {ALPHA}, γ = {GAMMA}", zh="每次目标前向的期望 token 数")
    evidence.metric("monte_carlo_max_error", mc_error, en=f"max |empirical − p| over {samples:,} samples", zh="蒙特卡洛最大偏差")

    evidence.claim(
        "output-distribution-is-target",
        holds=cases_vanish and exact_all and mc_error < mc_bound,
        measured=f"exact for drafts with TV(p, q) = {', '.join(f'{float(t):.3f}' for t in tv_values)}; Monte Carlo ({samples:,} runs, "
        f"poor draft): max |freq − p| = {mc_error:.4f} < 5 s.e. = {mc_bound:.4f}",
        value=mc_error,
    )
    evidence.claim(
        "multi-token-sequences-exact",
        holds=multi_exact,
        measured=f"all 27 three-token sequences have exactly the target's probability (rationals); resampling from p instead "
        f"misses by up to {float(multi_wrong_gap):.4f}",
    )
    evidence.claim(
        "acceptance-rate-is-one-minus-tv",
        holds=exact_all and abs(acceptance_measured - acceptance_expected) < 5 * np.sqrt(0.25 / samples),
        measured=f"β = 1 − TV exactly for the three drafts; simulated acceptance {acceptance_measured:.4f} vs Σmin(p, q) = {acceptance_expected:.4f}",
        value=acceptance_measured,
    )
    evidence.claim(
        "expected-tokens-per-pass",
        holds=closed_matches and abs(value - 3.3616) < 1e-12 and abs(simulated_yield - value) < yield_bound,
        measured=f"(1 − α)Σα^k = 1 − α^(γ+1) for γ = 1…12: {closed_matches}; α = 0.8, γ = 4: {value:.4f}; simulated over {rounds:,} rounds: "
        f"{simulated_yield:.4f} (± {yield_bound:.4f})",
        value=value,
    )
    evidence.claim(
        "resample-from-target-is-exact",
        holds=max(wrong_gaps) == 0 and multi_wrong_gap == 0,
        measured=f"min(p, q) + (1 − β)p misses p by up to {float(max(wrong_gaps)):.4f} at one position "
        f"(poor draft) and {float(multi_wrong_gap):.4f} on three-token sequences",
        value=float(max(wrong_gaps)),
    )
    evidence.claim(
        "expected-tokens-gamma-alpha",
        holds=abs(value - GAMMA * ALPHA) < 1e-9,
        measured=f"γα = {GAMMA * ALPHA:.1f}, but the yield is {value:.4f} exactly ({simulated_yield:.3f} simulated): each round also "
        "emits the resampled or bonus token",
        value=value,
    )
    evidence.claim(
        "acceptance-is-sum-of-products",
        holds=all(abs(float(a - b)) < 1e-12 for a, b in overlap_products),
        measured="; ".join(f"Σmin(p, q) = {float(a):.4f} vs Σpq = {float(b):.4f}" for a, b in overlap_products),
    )
    evidence.set_summary(
        zh=f"投机采样的输出精确等于目标分布（有理数枚举，单位置与 γ = 2 的三 token 序列；模拟偏差 {mc_error:.4f}），接受率 1 − TV(p, q)；"
        f"拒绝后从 p 重采样则有偏。α = 0.8、γ = 4 时每次目标前向平均产出 {value:.2f} 个 token，不是 γα = 3.2。",
        en=f"Speculative sampling's output is exactly the target distribution (rational enumeration, one position and three-token "
        f"sequences with γ = 2; simulated deviation {mc_error:.4f}); acceptance is 1 − TV(p, q); resampling from p after a rejection "
        f"is biased. For α = 0.8, γ = 4 each target pass yields {value:.2f} tokens on average, not γα = 3.2.",
    )


def _rational_distribution(weights) -> list[Fraction]:
    """Positive weights as exact fractions summing to 1 (rounded to 1e-6 first, so the arithmetic stays small)."""
    scaled = [max(1, round(float(w) / float(sum(weights)) * 1_000_000)) for w in weights]
    total = sum(scaled)
    return [Fraction(s, total) for s in scaled]


def _residual(target: list[Fraction], draft: list[Fraction]) -> list[Fraction]:
    excess = [max(Fraction(0), a - b) for a, b in zip(target, draft)]
    mass = sum(excess)
    return [e / mass for e in excess] if mass else list(target)


def _one_position(target, draft, *, resample_from_target: bool):
    """Exact output distribution and acceptance probability of one draft-then-verify step."""
    after_rejection = target if resample_from_target else _residual(target, draft)
    kept = [min(a, b) for a, b in zip(target, draft)]  # q(x)·min(1, p(x)/q(x))
    accepted = sum(kept)
    return [k + (1 - accepted) * r for k, r in zip(kept, after_rejection)], accepted


def _enumerate_speculative(target, draft, *, gamma: int, length: int, resample_from_target: bool = False) -> dict:
    """Exact distribution of the first ``length`` tokens produced by speculative sampling.

    ``target(prefix)`` and ``draft(prefix)`` return next-token distributions. Each round drafts ``gamma`` tokens from
    the draft model, verifies them left to right against the target and ends with either the resample after the
    first rejection or a bonus token from the target after all were kept.
    """
    outcome: dict[tuple[int, ...], Fraction] = {}

    def finish(prefix: tuple[int, ...], probability: Fraction) -> None:
        if len(prefix) >= length:
            key = prefix[:length]
            outcome[key] = outcome.get(key, Fraction(0)) + probability
        else:
            round_from(prefix, probability)

    def round_from(prefix: tuple[int, ...], probability: Fraction) -> None:
        def verify(current: tuple[int, ...], drafted: int, prob: Fraction) -> None:
            if drafted == gamma:  # every draft kept: one bonus token from the target
                for token, p_token in enumerate(target(current)):
                    finish(current + (token,), prob * p_token)
                return
            p_next, q_next = target(current), draft(current)
            after_rejection = p_next if resample_from_target else _residual(p_next, q_next)
            for token, q_token in enumerate(q_next):
                keep = min(Fraction(1), p_next[token] / q_next[token])
                if keep:
                    verify(current + (token,), drafted + 1, prob * q_token * keep)
                if keep != 1:
                    for replacement, r_token in enumerate(after_rejection):
                        if r_token:
                            finish(current + (replacement,), prob * q_token * (1 - keep) * r_token)

        verify(prefix, 0, probability)

    round_from((), Fraction(1))
    return outcome
