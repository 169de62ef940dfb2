"""Pipeline parallelism: the bubble is (p−1)/(m+p−1) of the time for GPipe and 1F1B alike; 1F1B bounds activations by p."""

from __future__ import annotations

from fractions import Fraction

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

STAGES = (2, 4, 8)
MICRO_BATCHES = (1, 2, 4, 8, 16, 32)
FORWARD_TIME, BACKWARD_TIME = 1, 2  # a backward pass costs about twice a forward pass


@verifier(
    id="pipeline-bubble",
    kind="symbolic",
    title=Bilingual(
        zh="流水线并行的气泡：GPipe 与 1F1B 都是 (p−1)/(m+p−1)，1F1B 把同时存活的激活限制在 p 个微批次以内",
        en="The pipeline bubble: (p−1)/(m+p−1) of the time for GPipe and 1F1B alike; 1F1B keeps at most p micro-batches of activations alive",
    ),
    explanation=Bilingual(
        zh="p 个阶段、m 个微批次。GPipe 先做完所有前向再做所有反向：最后一个阶段要等第一个微批次走完前面 p − 1 个阶段，"
        "反向结束时前面的阶段又要等，空闲时间占总时间的 (p − 1)/(m + p − 1)（p = m = 8 时 47%，m = 32 时 18%），所以需要 m ≫ p。"
        "1F1B 在至多 p 个前向的预热之后每个阶段交替一个前向一个反向：气泡与 GPipe 相同，但同时保存激活的微批次数从 m 降到至多 p。"
        "这里把两种调度当作带依赖的离散事件逐个模拟（前向 1 个时间单位、反向 2 个），用有理数精确算出空闲比例和每个阶段的激活峰值。",
        en="p stages, m micro-batches. GPipe runs every forward, then every backward: the last stage waits for the first "
        "micro-batch to cross p − 1 stages, and at the end of the backward the early stages wait, so idle time is (p − 1)/(m + p − 1) "
        "of the total (47% for p = m = 8, 18% for m = 32), hence m ≫ p. 1F1B, after a warm-up of at most p forwards, alternates "
        "one forward and one backward on each stage: the same bubble as GPipe, but the micro-batches whose activations are kept "
        "at once drop from m to at most p. Both schedules are simulated here as discrete events with their dependencies "
        "(forward 1 time unit, backward 2), giving the idle fraction exactly as a rational and each stage's activation peak.",
    ),
    cost=Cost(quick_s=0.1),
    claims=(
        Claim(
            "gpipe-bubble-formula",
            Bilingual(
                zh="模拟的 GPipe 空闲比例对 p ∈ {2, 4, 8}、m ∈ {1, …, 32} 都恰好是 (p − 1)/(m + p − 1)；p = m = 8 时 7/15 ≈ 47%，m = 32 时 7/39 ≈ 18%",
                en="The simulated GPipe idle fraction is exactly (p − 1)/(m + p − 1) for p ∈ {2, 4, 8}, m ∈ {1, …, 32}: 7/15 ≈ 47% for "
                "p = m = 8 and 7/39 ≈ 18% for m = 32",
            ),
        ),
        Claim(
            "one-f-one-b-same-bubble-less-memory",
            Bilingual(
                zh="1F1B 的总时间与空闲比例与 GPipe 相同，但第 s 个阶段同时保存激活的微批次至多 min(p − s, m) 个，而 GPipe 是 m 个",
                en="1F1B has GPipe's total time and idle fraction, but stage s keeps at most min(p − s, m) micro-batches of activations "
                "at once, against m for GPipe",
            ),
        ),
        Claim(
            "one-f-one-b-removes-bubble",
            Bilingual(zh="1F1B 通过重叠同一微批次的前向与反向完全消除了气泡", en="1F1B removes the bubble entirely by overlapping forward and backward passes"),
            expected=False,
        ),
        Claim(
            "more-stages-shrink-bubble",
            Bilingual(zh="微批次数固定时，增加阶段数会缩小气泡", en="At a fixed number of micro-batches, adding stages shrinks the bubble"),
            expected=False,
        ),
    ),
    libraries=("sympy",),
)
def pipeline_bubble(ctx: Context, evidence: Evidence) -> None:
    import sympy as sp

    p, m, t_f, t_b = sp.symbols("p m t_f t_b", positive=True)
    total = (m + p - 1) * (t_f + t_b)
    bubble = sp.factor(sp.cancel(1 - m * (t_f + t_b) / total))
    bubble_is_formula = sp.cancel(bubble - (p - 1) / (m + p - 1)) == 0
    evidence.step(
        r"T_{GPipe} = (m + p - 1)\,t_f + (m + p - 1)\,t_b,\qquad "
        r"\text{bubble} = 1 - \frac{m(t_f + t_b)}{T} = " + sp.latex(bubble),
        "前向阶段与反向阶段各持续 m + p − 1 个单位：最后一个微批次还要再走 p − 1 个阶段；每个阶段真正工作 m(t_f + t_b)。",
        "The forward phase and the backward phase each last m + p − 1 units: the last micro-batch still has p − 1 stages to "
        "cross; each stage works m(t_f + t_b).",
    )
    evidence.step(
        r"\text{1F1B, stage } s: \ \min(p - s - 1, m)\ \text{warm-up forwards, then } (F, B) \text{ pairs};\quad "
        r"\text{live activations} \le \min(p - s, m)",
        "每个阶段在开始反向之前最多积压 p − s 个前向，之后每做一个前向就释放一个微批次。",
        "Each stage builds up at most p − s forwards before its first backward, after which every forward is matched by a "
        "backward that frees one micro-batch.",
    )

    rows, gpipe_exact, one_f_one_b_ok = [], True, True
    series = {}
    for stages in STAGES:
        fractions = []
        for micro in MICRO_BATCHES:
            gpipe_time, gpipe_live = _simulate(stages, micro, _gpipe_order)
            ofob_time, ofob_live = _simulate(stages, micro, _one_f_one_b_order)
            work = micro * (FORWARD_TIME + BACKWARD_TIME)
            gpipe_bubble = 1 - Fraction(work, gpipe_time)
            ofob_bubble = 1 - Fraction(work, ofob_time)
            expected = Fraction(stages - 1, micro + stages - 1)
            gpipe_exact &= gpipe_bubble == expected
            one_f_one_b_ok &= ofob_time == gpipe_time and all(live == min(stages - s, micro) for s, live in enumerate(ofob_live)) and all(live == micro for live in gpipe_live)
            fractions.append(float(gpipe_bubble))
            rows.append((stages, micro, str(gpipe_bubble), round(float(gpipe_bubble), 3), str(ofob_bubble), max(gpipe_live), max(ofob_live)))
        series[f"p = {stages}"] = (MICRO_BATCHES, fractions)
    evidence.table(
        "schedules",
        Bilingual(zh="模拟的空闲比例与激活峰值（前向 1、反向 2 个时间单位）", en="Simulated idle fraction and activation peak (forward 1, backward 2 time units)"),
        ("p", "m", "GPipe bubble", "≈", "1F1B bubble", "GPipe peak live micro-batches", "1F1B peak live micro-batches"),
        rows,
    )
    evidence.plot(
        "bubble",
        Bilingual(zh="气泡比例随微批次数", en="Bubble fraction against the number of micro-batches"),
        Bilingual(zh="m（微批次数）", en="m (micro-batches)"),
        Bilingual(zh="空闲比例", en="idle fraction"),
        series,
        x_log=True,
    )
    example_8, example_32 = Fraction(7, 15), Fraction(7, 39)
    by_key = {(row[0], row[1]): row for row in rows}
    evidence.metric("bubble_p8_m8", float(example_8), en="bubble, p = 8, m = 8", zh="p = 8、m = 8 的气泡")
    evidence.metric("bubble_p8_m32", float(example_32), en="bubble, p = 8, m = 32", zh="p = 8、m = 32 的气泡")

    evidence.claim(
        "gpipe-bubble-formula",
        holds=bubble_is_formula and gpipe_exact and by_key[(8, 8)][2] == str(example_8) and by_key[(8, 32)][2] == str(example_32),
        measured=f"{len(rows)} (p, m) pairs all equal (p − 1)/(m + p − 1); p = 8: m = 8 → {by_key[(8, 8)][2]} ({float(example_8):.0%}), "
        f"m = 32 → {by_key[(8, 32)][2]} ({float(example_32):.0%})",
        value=float(example_8),
    )
    evidence.claim(
        "one-f-one-b-same-bubble-less-memory",
        holds=one_f_one_b_ok,
        measured=f"same total time in all {len(rows)} cases; p = 8, m = 32: peak live micro-batches {by_key[(8, 32)][6]} (1F1B) vs "
        f"{by_key[(8, 32)][5]} (GPipe)",
    )
    evidence.claim(
        "one-f-one-b-removes-bubble",
        holds=all(row[4] == "0" for row in rows),
        measured=f"1F1B's idle fraction at p = 8, m = 8 is {by_key[(8, 8)][4]}, the same as GPipe's",
    )
    evidence.claim(
        "more-stages-shrink-bubble",
        holds=by_key[(8, 8)][3] < by_key[(2, 8)][3],
        measured=f"m = 8: bubble {by_key[(2, 8)][3]} at p = 2, {by_key[(4, 8)][3]} at p = 4, {by_key[(8, 8)][3]} at p = 8 — it grows with p",
    )
    evidence.set_summary(
        zh=f"模拟的 GPipe 与 1F1B 空闲比例都恰好是 (p − 1)/(m + p − 1)（p = 8：m = 8 时 {float(example_8):.0%}，m = 32 时 {float(example_32):.0%}）；"
        "1F1B 同时存活的激活至多 p 个微批次，GPipe 是 m 个；阶段越多气泡越大。",
        en=f"Simulated GPipe and 1F1B both idle exactly (p − 1)/(m + p − 1) of the time (p = 8: {float(example_8):.0%} at m = 8, "
        f"{float(example_32):.0%} at m = 32); 1F1B keeps at most p micro-batches of activations alive, GPipe m; more stages mean a larger bubble.",
    )


def _gpipe_order(stages: int, micro: int, stage: int) -> list[tuple[str, int]]:
    return [("F", i) for i in range(micro)] + [("B", i) for i in range(micro)]


def _one_f_one_b_order(stages: int, micro: int, stage: int) -> list[tuple[str, int]]:
    warm_up = min(stages - stage - 1, micro)
    order = [("F", i) for i in range(warm_up)]
    next_forward, next_backward = warm_up, 0
    while next_backward < micro:
        if next_forward < micro:
            order.append(("F", next_forward))
            next_forward += 1
        order.append(("B", next_backward))
        next_backward += 1
    return order


def _simulate(stages: int, micro: int, schedule) -> tuple[int, list[int]]:
    """Run each stage's operations in schedule order, each as soon as its stage is free and its input is ready.

    F(s, i) needs F(s − 1, i); B(s, i) needs B(s + 1, i) (the last stage: its own F). Returns the makespan and each
    stage's peak number of micro-batches whose activations are alive (forward done, backward not yet).
    """
    orders = [schedule(stages, micro, s) for s in range(stages)]
    finished: dict[tuple[str, int, int], int] = {}
    position = [0] * stages
    free_at = [0] * stages
    live, peak = [0] * stages, [0] * stages
    progress = True
    while progress:
        progress = False
        for s in range(stages):
            while position[s] < len(orders[s]):
                kind, i = orders[s][position[s]]
                dependency = ("F", s - 1, i) if kind == "F" and s > 0 else ("B", s + 1, i) if kind == "B" and s < stages - 1 else ("F", s, i) if kind == "B" else None
                if dependency is not None and dependency not in finished:
                    break
                start = max(free_at[s], finished[dependency] if dependency else 0)
                free_at[s] = start + (FORWARD_TIME if kind == "F" else BACKWARD_TIME)
                finished[(kind, s, i)] = free_at[s]
                live[s] += 1 if kind == "F" else -1
                peak[s] = max(peak[s], live[s])
                position[s] += 1
                progress = True
    if any(position[s] < len(orders[s]) for s in range(stages)):
        raise RuntimeError("the schedule deadlocked")
    return max(free_at), peak
