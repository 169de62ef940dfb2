"""The Switch Transformer load-balancing loss α·N·Σ f_i P_i: α at uniform routing, ≥ α when f = P, and only a proxy."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

EXPERTS = 8
TOKENS = 1024  # small enough that OpenBLAS multiplies on one thread (its threads crawl on a busy machine)
FEATURES = 8
COEFFICIENT = 0.01  # Switch Transformer's α


@verifier(
    id="moe-load-balancing-loss",
    kind="symbolic",
    title=Bilingual(
        zh="MoE 负载均衡损失 α·N·Σf_i·P_i：均匀路由时等于 α，f = P 时 ≥ α 且仅在均匀处取等；它只是代理，并能把塌缩的路由拉回均衡",
        en="The MoE load-balancing loss α·N·Σf_i·P_i: α at uniform routing, ≥ α when f = P with equality only at uniform; "
        "a proxy, which still pulls collapsed routing back to balance",
    ),
    explanation=Bilingual(
        zh="Switch Transformer 的辅助损失 L = α·N·Σ_i f_i·P_i：f_i 是 argmax 分到专家 i 的 token 比例（不可导），P_i 是路由器给 i 的平均概率（可导），"
        "∂L/∂P_i = αN·f_i，所以梯度压低正在接收很多 token 的专家的概率。均匀路由时 f_i = P_i = 1/N，L = α；f = P 时 "
        "N·ΣP_i² − 1 = N·Σ(P_i − 1/N)² ≥ 0（柯西–施瓦茨），只在均匀处取等。但 f 是硬 argmax 的比例，所以它只是代理："
        "N = 2 时 75% 的 token 以 (0.5+ε, 0.5−ε) 选专家 1、25% 以约 (0, 1) 选专家 2，损失约 0.875α，低于均匀路由，而负载是 3:1。"
        "这里用 sympy 推导，数值检查这些情形，并从塌缩的路由器出发只用这个损失训练，看负载回到均衡。",
        en="Switch Transformer's auxiliary loss is L = α·N·Σ_i f_i·P_i: f_i is the fraction of tokens the argmax sends to expert i "
        "(not differentiable) and P_i the router's mean probability for i (differentiable), so ∂L/∂P_i = αN·f_i and the gradient "
        "lowers the probability of experts that already receive many tokens. Under uniform routing f_i = P_i = 1/N and L = α; with "
        "f = P, N·ΣP_i² − 1 = N·Σ(P_i − 1/N)² ≥ 0 (Cauchy–Schwarz), with equality only at uniform. But f is a hard argmax fraction, "
        "so it is a proxy: with N = 2, 75% of tokens routed at (0.5+ε, 0.5−ε) to expert 1 and 25% at about (0, 1) to expert 2 "
        "give about 0.875α, below uniform routing, with a 3:1 load. This derives it with sympy, checks these cases numerically, "
        "and trains a collapsed router with this loss alone to watch the load return to balance.",
    ),
    cost=Cost(quick_s=0.3, full_s=1.0),
    claims=(
        Claim(
            "uniform-routing-gives-alpha",
            Bilingual(zh="均匀路由（f_i = P_i = 1/N）时损失恰为 α，与专家数 N 无关", en="Under uniform routing (f_i = P_i = 1/N) the loss is exactly α, whatever the number of experts N"),
        ),
        Claim(
            "equal-fractions-minimised-at-uniform",
            Bilingual(
                zh="f = P 时 L/α = N·ΣP_i² = 1 + N·Σ(P_i − 1/N)² ≥ 1，只在均匀路由时取等（符号恒等式，数值上 10⁴ 个随机 P 都 ≥ 1）",
                en="With f = P, L/α = N·ΣP_i² = 1 + N·Σ(P_i − 1/N)² ≥ 1, with equality only at uniform routing (a symbolic identity; "
                "numerically ≥ 1 for 10⁴ random P)",
            ),
        ),
        Claim(
            "gradient-lowers-busy-experts",
            Bilingual(
                zh="只用这个损失训练一个初始塌缩的路由器（一个专家拿到大部分 token），最忙专家的 token 比例降到接近 1/N",
                en="Training an initially collapsed router (one expert gets most tokens) with this loss alone brings the busiest "
                "expert's share of tokens down to near 1/N",
            ),
        ),
        Claim(
            "minimised-only-by-uniform-routing",
            Bilingual(
                zh="用硬 argmax 计算 f 时，只有均匀路由才能达到最小值 α，任何不均衡的分配损失都 ≥ α",
                en="With f computed from the hard argmax, only uniform routing reaches the minimum α; every unbalanced dispatch scores ≥ α",
            ),
            expected=False,
        ),
        Claim(
            "collapse-minimises-loss",
            Bilingual(
                zh="所有 token 都路由到同一个专家时损失最小，路由因此更确定、训练更稳定",
                en="The loss is smallest when all tokens go to one expert, which makes routing deterministic and training stable",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy"),
)
def moe_load_balancing_loss(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    from verifiers.symbolic._numeric import softmax

    n = 4
    probabilities = sp.symbols(f"P1:{n + 1}", real=True)
    on_simplex = {probabilities[-1]: 1 - sum(probabilities[:-1])}
    loss_over_alpha = n * sum(P**2 for P in probabilities)  # f = P
    deviation_form = 1 + n * sum((P - sp.Rational(1, n)) ** 2 for P in probabilities)
    identity = sp.expand((loss_over_alpha - deviation_form).subs(on_simplex)) == 0
    N = sp.symbols("N", positive=True, integer=True)
    uniform_value = sp.simplify(N * N * (1 / N) * (1 / N))
    evidence.step(
        r"\mathcal{L}_{aux} = \alpha N\sum_{i=1}^N f_i P_i,\quad f_i = \frac{1}{T}\sum_x \mathbb{1}[\arg\max p(x) = i],\quad "
        r"P_i = \frac{1}{T}\sum_x p_i(x),\quad \frac{\partial\mathcal{L}_{aux}}{\partial P_i} = \alpha N f_i",
        "f 来自 argmax，没有梯度；梯度只经过 P，并按 f_i 加权：越忙的专家概率被压得越多。",
        "f comes from an argmax and has no gradient; the gradient flows through P only, weighted by f_i: the busier the expert, "
        "the harder its probability is pushed down.",
    )
    evidence.step(
        r"f_i = P_i = \frac{1}{N}:\quad \frac{\mathcal{L}_{aux}}{\alpha} = N\cdot N\cdot\frac{1}{N}\cdot\frac{1}{N} = " + sp.latex(uniform_value),
        "均匀路由时损失等于 α，乘以 N 正是为了让这个值不随专家数变化。",
        "Uniform routing gives exactly α; the factor N is there so that this value does not change with the number of experts.",
    )
    evidence.step(
        r"f = P:\quad N\sum_i P_i^2 = 1 + N\sum_i\Big(P_i - \frac{1}{N}\Big)^2 \geq 1",
        f"在 ΣP_i = 1 上展开（N = {n}，sympy）：恒等式成立 = {identity}。等号只在每个 P_i = 1/N 时成立。",
        f"Expanded on ΣP_i = 1 (N = {n}, sympy): the identity holds = {identity}. Equality needs every P_i = 1/N.",
    )

    rng = ctx.numpy_rng()
    random_p = rng.dirichlet(np.ones(EXPERTS) * 0.5, size=10_000)
    equal_values = EXPERTS * (random_p**2).sum(axis=1)

    # The counterexample: N = 2, 75% of tokens at (0.5 + ε, 0.5 − ε), 25% at (δ, 1 − δ).
    rows = []
    for epsilon, delta in ((0.05, 0.05), (0.01, 0.01), (1e-4, 1e-4)):
        router = np.array([[0.5 + epsilon, 0.5 - epsilon]] * 3 + [[delta, 1 - delta]])
        fractions = np.bincount(router.argmax(axis=1), minlength=2) / len(router)
        mean_p = router.mean(axis=0)
        rows.append((epsilon, delta, f"{fractions[0]:.2f} / {fractions[1]:.2f}", round(float(2 * fractions @ mean_p), 5)))
    proxy_value = rows[-1][3]
    collapsed_router = np.tile([1.0 - 1e-3 * (EXPERTS - 1)] + [1e-3] * (EXPERTS - 1), (4, 1))
    collapsed_fractions = np.bincount(collapsed_router.argmax(axis=1), minlength=EXPERTS) / 4
    collapsed_value = float(EXPERTS * collapsed_fractions @ collapsed_router.mean(axis=0))
    rows.append(("all to expert 1", f"N = {EXPERTS}", "1 / 0 …", round(collapsed_value, 4)))
    evidence.table(
        "proxy",
        Bilingual(zh="硬 argmax 下的损失 L/α（均匀路由 = 1）", en="The loss L/α with hard argmax fractions (uniform routing = 1)"),
        ("epsilon", "delta", "dispatch f", "L / alpha"),
        rows,
    )

    # Training a collapsed router with the auxiliary loss alone (gradient through P only, as autograd would do).
    steps = 300 if ctx.quick else 1500
    features = rng.standard_normal((TOKENS, FEATURES))
    weights = rng.standard_normal((FEATURES, EXPERTS)) * 0.3
    bias = np.zeros(EXPERTS)
    bias[0] = 4.0  # expert 0 wins almost every token at the start
    learning_rate = 50.0
    busiest, losses = [], []
    for _ in range(steps):
        logits = features @ weights + bias
        p = softmax(logits)
        fractions = np.bincount(p.argmax(axis=1), minlength=EXPERTS) / TOKENS
        losses.append(float(EXPERTS * fractions @ p.mean(axis=0)))
        busiest.append(float(fractions.max()))
        # ∂(N Σ f_i P_i)/∂logits_x = (N/T)·J_softmax(x)ᵀ f = (N/T)·p_x ⊙ (f − p_x·f)
        grad_logits = (EXPERTS / TOKENS) * p * (fractions[None, :] - (p @ fractions)[:, None])
        weights -= learning_rate * features.T @ grad_logits
        bias -= learning_rate * grad_logits.sum(axis=0)
    evidence.plot(
        "balancing",
        Bilingual(zh="只用负载均衡损失训练塌缩的路由器", en="A collapsed router trained with the balancing loss alone"),
        Bilingual(zh="步数", en="step"),
        Bilingual(zh="最忙专家的 token 比例 / L/α", en="busiest expert's share / L/α"),
        {"busiest share": (range(steps), busiest), "L / alpha": (range(steps), losses)},
    )
    evidence.metric("counterexample_loss_over_alpha", proxy_value, en="L/α of the N = 2 counterexample (ε = 1e-4)", zh="N = 2 反例的 L/α")
    evidence.metric("final_busiest_share", busiest[-1], en=f"busiest expert's share after {steps} steps (1/N = {1 / EXPERTS:.3f})", zh="训练后最忙专家的比例")

    evidence.claim(
        "uniform-routing-gives-alpha",
        holds=uniform_value == 1,
        measured=f"L/α at f = P = 1/N: {uniform_value} for every N",
        value=float(uniform_value),
    )
    evidence.claim(
        "equal-fractions-minimised-at-uniform",
        holds=identity and bool(equal_values.min() >= 1 - 1e-12),
        measured=f"identity N·ΣP² = 1 + N·Σ(P − 1/N)²: {identity}; smallest N·ΣP² over {len(random_p):,} random P (N = {EXPERTS}): "
        f"{equal_values.min():.4f}",
        value=float(equal_values.min()),
    )
    evidence.claim(
        "gradient-lowers-busy-experts",
        holds=busiest[0] > 0.8 and busiest[-1] < 2.0 / EXPERTS,
        measured=f"busiest expert's share {busiest[0]:.3f} at the start → {busiest[-1]:.3f} after {steps} steps (1/N = {1 / EXPERTS:.3f}); "
        f"L/α {losses[0]:.2f} → {losses[-1]:.3f}",
        value=busiest[-1],
    )
    evidence.claim(
        "minimised-only-by-uniform-routing",
        holds=proxy_value >= 1.0,
        measured=f"N = 2, 3:1 dispatch with near-tied probabilities: L/α = {proxy_value:.4f} < 1 (→ 0.875 as ε, δ → 0)",
        value=proxy_value,
    )
    evidence.claim(
        "collapse-minimises-loss",
        holds=collapsed_value <= 1.0,
        measured=f"all tokens to one expert: L/α = {collapsed_value:.3f} (about N = {EXPERTS}), the largest value, against 1 for uniform routing",
        value=collapsed_value,
    )
    evidence.set_summary(
        zh=f"均匀路由时 L = α；f = P 时 L/α = 1 + N·Σ(P − 1/N)² ≥ 1；塌缩路由 L/α ≈ N（这里 {collapsed_value:.2f}）。硬 argmax 使它只是代理："
        f"N = 2 的 3:1 分配能得到 {proxy_value:.3f}α。只用它训练，塌缩的路由器最忙专家比例从 {busiest[0]:.2f} 降到 {busiest[-1]:.3f}。",
        en=f"Uniform routing gives L = α; with f = P, L/α = 1 + N·Σ(P − 1/N)² ≥ 1; collapsed routing gives L/α ≈ N (here {collapsed_value:.2f}). "
        f"The hard argmax makes it a proxy: a 3:1 dispatch with N = 2 scores {proxy_value:.3f}α. Trained with it alone, a collapsed "
        f"router's busiest expert goes from {busiest[0]:.2f} of the tokens to {busiest[-1]:.3f}.",
    )
