"""Training compute C ≈ 6ND, and Chinchilla's compute-optimal split of a budget between parameters and tokens."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

BUDGET = 1e24  # FLOPs
TOKENS_PER_PARAMETER = 20
# Hoffmann et al. (2022), approach 3: L(N, D) = E + A/N^α + B/D^β.
FIT = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


@verifier(
    id="chinchilla-compute-optimal",
    kind="symbolic",
    title=Bilingual(
        zh="训练算力 C ≈ 6ND（前向 2、反向 4），以及 Chinchilla 在 C = 6ND 下对参数与数据的最优分配",
        en="Training compute C ≈ 6ND (2 forward, 4 backward) and Chinchilla's compute-optimal split under C = 6ND",
    ),
    explanation=Bilingual(
        zh="稠密 Transformer 中几乎所有 FLOPs 来自矩阵乘法，每个权重对每个 token 做一次乘加：前向约 2N；反向要算对输入的梯度（继续反传）和对权重的梯度，"
        "各约 2N，共 4N；合计 6N 每 token，D 个 token 为 6ND。这里用 torch 的 FLOP 计数器在一个线性层上数出前向与反向的 FLOPs。"
        "Chinchilla 的经验法则 D ≈ 20N 给出 C = 120N²：10²⁴ FLOPs 对应约 9.13×10¹⁰ 参数、1.83×10¹² token。"
        "用拟合 L = E + A/N^α + B/D^β 在 C = 6ND 下求最优，得到 N_opt = G·(C/6)^(β/(α+β))、D_opt = G⁻¹·(C/6)^(α/(α+β))，"
        "G = (αA/(βB))^(1/(α+β))。这里用 sympy 推导，并在多个预算上数值最小化核对指数。",
        en="Almost all of a dense Transformer's FLOPs are matrix multiplications in which every weight does one multiply-add per "
        "token: about 2N forward; the backward computes the gradient with respect to the input (to keep backpropagating) and with "
        "respect to the weight, about 2N each, 4N together; 6N per token in all, 6ND for D tokens. torch's FLOP counter counts the "
        "forward and backward FLOPs of a linear layer here. Chinchilla's rule of thumb D ≈ 20N gives C = 120N²: 10²⁴ FLOPs means "
        "about 9.13×10¹⁰ parameters and 1.83×10¹² tokens. Minimising the fit L = E + A/N^α + B/D^β subject to C = 6ND gives "
        "N_opt = G·(C/6)^(β/(α+β)) and D_opt = G⁻¹·(C/6)^(α/(α+β)) with G = (αA/(βB))^(1/(α+β)); derived with sympy and checked by "
        "numerical minimisation at several budgets.",
    ),
    cost=Cost(quick_s=0.3),
    claims=(
        Claim(
            "six-flops-per-parameter-per-token",
            Bilingual(
                zh="torch 的 FLOP 计数器：线性层前向 2·T·d_in·d_out、反向 4·T·d_in·d_out（对输入与对权重的梯度各一半），即每参数每 token 6 FLOPs",
                en="torch's FLOP counter: a linear layer costs 2·T·d_in·d_out forward and 4·T·d_in·d_out backward (half for the input "
                "gradient, half for the weight gradient): 6 FLOPs per parameter per token",
            ),
        ),
        Claim(
            "budget-1e24-split",
            Bilingual(
                zh="C = 10²⁴、D = 20N：N = √(C/120) ≈ 9.13×10¹⁰，D ≈ 1.83×10¹²",
                en="C = 10²⁴ with D = 20N: N = √(C/120) ≈ 9.13×10¹⁰ and D ≈ 1.83×10¹²",
            ),
        ),
        Claim(
            "parametric-optimum",
            Bilingual(
                zh="在 C = 6ND 下最小化 E + A/N^α + B/D^β 得 N_opt = G·(C/6)^(β/(α+β))（符号推导；论文拟合下指数 0.452，数值最小化一致）",
                en="Minimising E + A/N^α + B/D^β under C = 6ND gives N_opt = G·(C/6)^(β/(α+β)) (derived symbolically; exponent 0.452 "
                "for the paper's fit, matched by numerical minimisation)",
            ),
        ),
        Claim(
            "optimiser-is-a-third",
            Bilingual(
                zh="6ND 中有 2N 来自优化器对每个参数的更新（前向 2N、反向 2N、优化器 2N）",
                en="2N of the 6N come from the optimiser updating every parameter (2N forward, 2N backward, 2N optimiser)",
            ),
            expected=False,
        ),
        Claim(
            "exponent-is-alpha-share",
            Bilingual(
                zh="N_opt ∝ C^(α/(α+β))：容量指数 α 越大，模型规模增长得越快",
                en="N_opt ∝ C^(α/(α+β)): the larger the capacity exponent α, the faster model size grows",
            ),
            expected=False,
        ),
        Claim(
            "optimum-equalises-terms",
            Bilingual(
                zh="最优点使两项相等：A/N^α = B/D^β",
                en="The optimum makes the two terms equal: A/N^α = B/D^β",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy", "torch"),
)
def chinchilla_compute_optimal(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    # 1. Count the FLOPs of one linear layer, forward and backward, as a layer inside a network (input needs a gradient).
    tokens, d_in, d_out = 32, 64, 48
    generator = ctx.seed_torch()
    layer = torch.nn.Linear(d_in, d_out, bias=False)
    x = torch.randn(tokens, d_in, generator=generator, requires_grad=True)
    with FlopCounterMode(display=False) as forward_counter:
        y = layer(x)
    with FlopCounterMode(display=False) as backward_counter:
        y.sum().backward()
    first_layer_x = torch.randn(tokens, d_in, generator=generator)  # the first layer's input needs no gradient
    with FlopCounterMode(display=False) as first_counter:
        layer(first_layer_x).sum().backward()
    forward_flops = forward_counter.get_total_flops()
    backward_flops = backward_counter.get_total_flops()
    first_layer_backward = first_counter.get_total_flops() - forward_flops
    per_parameter_token = (forward_flops + backward_flops) / (d_in * d_out * tokens)
    evidence.step(
        r"Y = XW:\ 2\,T d_{in} d_{out};\quad \frac{\partial L}{\partial X} = \frac{\partial L}{\partial Y}W^\top,\ "
        r"\frac{\partial L}{\partial W} = X^\top\frac{\partial L}{\partial Y}:\ 2\cdot 2\,T d_{in} d_{out}",
        f"每个权重每 token 前向一次乘加（2 FLOPs），反向两次同样大小的矩阵乘法。计数器：前向 {forward_flops:,}、反向 {backward_flops:,} FLOPs"
        f"（T = {tokens}、{d_in}×{d_out}），即 {per_parameter_token:g} FLOPs/参数/token。",
        f"One multiply-add per weight per token forward (2 FLOPs), two products of the same size backward. The counter: "
        f"{forward_flops:,} forward and {backward_flops:,} backward FLOPs (T = {tokens}, {d_in}×{d_out}), i.e. "
        f"{per_parameter_token:g} FLOPs per parameter per token.",
    )

    # 2. The rule of thumb D = 20N.
    N, D, C = sp.symbols("N D C", positive=True)
    n_rule = sp.sqrt(C / (6 * TOKENS_PER_PARAMETER))
    rule_solves = sp.expand(6 * n_rule * TOKENS_PER_PARAMETER * n_rule - C) == 0
    n_value = float(n_rule.subs(C, BUDGET))
    d_value = TOKENS_PER_PARAMETER * n_value
    evidence.step(
        rf"C = 6ND,\ D = 20N \Rightarrow C = 120N^2,\quad N = \sqrt{{C/120}} = {n_value:.3e},\ D = {d_value:.3e}",
        "代入 C = 10²⁴ FLOPs。",
        "With C = 10²⁴ FLOPs.",
    )

    # 3. The parametric fit: substitute D = C/(6N), set dL/dN = 0.
    E, A, B, alpha, beta = sp.symbols("E A B alpha beta", positive=True)
    loss_on_budget = E + A / N**alpha + B * (6 * N / C) ** beta
    # N·∂L/∂N = βB(6N/C)^β − αA·N^(−α): zero where the two (positive) terms are equal, i.e. where their logs are.
    scaled_derivative = sp.expand(sp.diff(loss_on_budget, N) * N)
    data_term, capacity_term = beta * B * (6 * N / C) ** beta, alpha * A * N ** (-alpha)
    derivative_form = sp.expand(scaled_derivative - (data_term - capacity_term)) == 0
    G = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    n_opt = G * (C / 6) ** (beta / (alpha + beta))
    log_gap = sp.expand_log(sp.log(data_term.subs(N, n_opt)) - sp.log(capacity_term.subs(N, n_opt)), force=True)
    stationary_symbolic = sp.expand(sp.fraction(sp.together(log_gap))[0])
    fit = {A: sp.Rational(4064, 10), B: sp.Rational(4107, 10), alpha: sp.Rational(34, 100), beta: sp.Rational(28, 100), C: sp.Integer(10) ** 24}
    n_concrete = n_opt.subs(fit)
    stationary_residual = float(((data_term - capacity_term) / capacity_term).subs(fit).subs(N, n_concrete).evalf(40))
    evidence.step(
        r"L(N) = E + \frac{A}{N^\alpha} + B\Big(\frac{6N}{C}\Big)^{\beta},\quad N\frac{\partial L}{\partial N} = "
        r"\beta B\Big(\frac{6N}{C}\Big)^{\beta} - \alpha A N^{-\alpha} = 0",
        "把 D = C/(6N) 代入，对 N 求导；两项都为正，取对数后驻点条件对 log N 是线性的。",
        "Substitute D = C/(6N) and differentiate with respect to N; both terms are positive, so in logarithms the stationarity "
        "condition is linear in log N.",
    )
    evidence.step(
        r"N_{opt} = G\Big(\frac{C}{6}\Big)^{\frac{\beta}{\alpha+\beta}},\ D_{opt} = G^{-1}\Big(\frac{C}{6}\Big)^{\frac{\alpha}{\alpha+\beta}},\ "
        r"G = \Big(\frac{\alpha A}{\beta B}\Big)^{\frac{1}{\alpha+\beta}},\quad \frac{A/N^\alpha}{B/D^\beta}\Big|_{opt} = \frac{\beta}{\alpha}",
        f"代回驻点条件的对数形式，sympy 展开为 {stationary_symbolic}（论文拟合下相对残差 {stationary_residual:.0e}）。最优点两项之比是 β/α，不是 1："
        "下降得慢的一项（指数小）分到更多预算。",
        f"Substituted into the log form of the stationarity condition, sympy expands it to {stationary_symbolic} (relative residual {stationary_residual:.0e} for the "
        "paper's fit). At the optimum the two terms stand in the ratio β/α, not 1: the term that falls more slowly (smaller "
        "exponent) gets more of the budget.",
    )

    exponent = FIT["beta"] / (FIT["alpha"] + FIT["beta"])
    g_value = (FIT["alpha"] * FIT["A"] / (FIT["beta"] * FIT["B"])) ** (1 / (FIT["alpha"] + FIT["beta"]))
    budgets = np.logspace(20, 26, 7)
    numeric_n, rows = [], []
    grid = np.logspace(6, 14, 8001)
    for budget in budgets:
        losses = FIT["A"] / grid ** FIT["alpha"] + FIT["B"] / (budget / (6 * grid)) ** FIT["beta"]
        best = int(losses.argmin())
        # refine on a finer grid around the coarse minimum
        fine = np.logspace(np.log10(grid[max(best - 1, 0)]), np.log10(grid[min(best + 1, len(grid) - 1)]), 2001)
        fine_losses = FIT["A"] / fine ** FIT["alpha"] + FIT["B"] / (budget / (6 * fine)) ** FIT["beta"]
        n_best = float(fine[fine_losses.argmin()])
        numeric_n.append(n_best)
        closed_n = g_value * (budget / 6) ** exponent
        d_best = budget / (6 * n_best)
        term_ratio = (FIT["A"] / n_best ** FIT["alpha"]) / (FIT["B"] / d_best ** FIT["beta"])
        rows.append((f"{budget:.0e}", f"{closed_n:.3e}", f"{n_best:.3e}", f"{d_best:.3e}", round(d_best / n_best, 1), round(term_ratio, 3)))
    slope = float(np.polyfit(np.log(budgets), np.log(numeric_n), 1)[0])
    worst_relative = max(abs(n - g_value * (b / 6) ** exponent) / n for n, b in zip(numeric_n, budgets))
    term_ratios = [row[-1] for row in rows]
    evidence.table(
        "parametric-optimum",
        Bilingual(zh="论文拟合（E=1.69, A=406.4, B=410.7, α=0.34, β=0.28）下的最优分配", en="The optimum under the paper's fit (E=1.69, A=406.4, B=410.7, α=0.34, β=0.28)"),
        ("C (FLOPs)", "N_opt closed form", "N_opt numeric", "D_opt numeric", "tokens per parameter", "(A/N^α)/(B/D^β)"),
        rows,
    )
    evidence.plot(
        "allocation",
        Bilingual(zh="最优模型规模随算力（对数坐标）", en="Optimal model size against compute (log-log)"),
        Bilingual(zh="C（FLOPs）", en="C (FLOPs)"),
        Bilingual(zh="N_opt（参数）", en="N_opt (parameters)"),
        {"fit (approach 3)": (budgets, numeric_n), "D = 20N": (budgets, [float(np.sqrt(b / 120)) for b in budgets])},
        x_log=True,
        y_log=True,
    )
    evidence.metric("n_for_1e24", n_value, "parameters", en="N for C = 1e24 with D = 20N", zh="C = 1e24、D = 20N 时的 N")
    evidence.metric("d_for_1e24", d_value, "tokens", en="D for C = 1e24 with D = 20N", zh="C = 1e24、D = 20N 时的 D")
    evidence.metric("size_exponent", slope, en="fitted exponent of N_opt in C", zh="N_opt 对 C 的指数（数值）")

    evidence.claim(
        "six-flops-per-parameter-per-token",
        holds=forward_flops == 2 * tokens * d_in * d_out and backward_flops == 4 * tokens * d_in * d_out,
        measured=f"forward {forward_flops:,} = 2·{tokens}·{d_in}·{d_out}; backward {backward_flops:,} = 4·{tokens}·{d_in}·{d_out}; "
        f"{per_parameter_token:g} per parameter per token (the first layer, whose input needs no gradient, needs only {first_layer_backward:,} backward)",
        value=per_parameter_token,
    )
    evidence.claim(
        "budget-1e24-split",
        holds=rule_solves and f"{n_value:.3g}" == "9.13e+10" and f"{d_value:.3g}" == "1.83e+12",
        measured=f"N = {n_value:.4e}, D = {d_value:.4e}; check 6ND = {6 * n_value * d_value:.3e}",
        value=n_value,
    )
    evidence.claim(
        "parametric-optimum",
        holds=derivative_form and stationary_symbolic == 0 and abs(stationary_residual) < 1e-30 and abs(slope - exponent) < 2e-3 and worst_relative < 1e-3,
        measured=f"N·dL/dN = βB(6N/C)^β − αA·N^(−α): {derivative_form}; log(βB(6N/C)^β) − log(αA·N^(−α)) at N_opt: {stationary_symbolic}; β/(α+β) = {exponent:.4f}; numerical slope {slope:.4f}; closed form within "
        f"{worst_relative:.0e} of the numerical optimum at C = 1e20…1e26",
        value=slope,
    )
    evidence.claim(
        "optimiser-is-a-third",
        holds=backward_flops == 2 * tokens * d_in * d_out,
        measured=f"the backward alone is {backward_flops / (tokens * d_in * d_out):g}N per token; the optimiser runs once per step, not per token",
    )
    evidence.claim(
        "exponent-is-alpha-share",
        holds=abs(slope - FIT["alpha"] / (FIT["alpha"] + FIT["beta"])) < 2e-3,
        measured=f"numerical exponent {slope:.4f} = β/(α+β) = {exponent:.4f}, not α/(α+β) = {FIT['alpha'] / (FIT['alpha'] + FIT['beta']):.4f}",
        value=slope,
    )
    evidence.claim(
        "optimum-equalises-terms",
        holds=all(abs(r - 1) < 1e-3 for r in term_ratios),
        measured=f"(A/N^α)/(B/D^β) at the optimum: {term_ratios[0]:.3f} at every budget = β/α = {FIT['beta'] / FIT['alpha']:.3f}",
        value=term_ratios[0],
    )
    evidence.set_summary(
        zh=f"线性层：前向 2、反向 4 FLOPs/参数/token，合计 6ND。C = 10²⁴、D = 20N 时 N ≈ {n_value:.3g}、D ≈ {d_value:.3g}。"
        f"拟合 L = E + A/N^α + B/D^β 的最优 N ∝ C^(β/(α+β)) = C^{exponent:.3f}（数值 {slope:.3f}），最优点两项之比为 β/α。",
        en=f"A linear layer costs 2 FLOPs per parameter per token forward and 4 backward: 6ND in all. C = 10²⁴ with D = 20N gives "
        f"N ≈ {n_value:.3g} and D ≈ {d_value:.3g}. Under L = E + A/N^α + B/D^β the optimal N ∝ C^(β/(α+β)) = C^{exponent:.3f} "
        f"(numerically {slope:.3f}), and the two terms stand in the ratio β/α at the optimum.",
    )
