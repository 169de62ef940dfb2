"""Measure typed-answer checking against hand-labelled answers to real bank questions.

Every answer in ``typed_answers.yaml`` lists the key points a fair grader would
credit. Each (answer, key point) pair is one decision: the matcher covering a
labelled point is a true positive, covering an unlabelled one a false positive.
Precision and recall are reported per answer kind and language, plus how often
the suggested rating equals the rating the labels imply.

    python -m tests.questions.study.answer_eval          # the table
    python -m tests.questions.study.answer_eval --misses # and every wrong decision
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from questions import load_bank
from questions.model import Question
from questions.study import AnswerCheck, check_typed_answer
from questions.study.grading import rating_for_coverage

FIXTURE = Path(__file__).with_name("typed_answers.yaml")


@dataclass(frozen=True)
class LabelledAnswer:
    question: Question
    kind: str  # good / partial / wrong / offtopic / stuffed
    split: str  # tuned (the matcher was improved against these) / holdout (written afterwards)
    lang: str  # zh / en / mixed
    text: str
    covers: frozenset[int]

    @property
    def label(self) -> str:
        return f"{self.question.id} [{self.kind}/{self.lang}]"


@lru_cache(maxsize=1)
def labelled_answers() -> tuple[LabelledAnswer, ...]:
    by_id = {question.id: question for question in load_bank().questions}
    out = []
    for entry in yaml.safe_load(FIXTURE.read_text(encoding="utf-8")):
        question = by_id[entry["question"]]
        point_count = len(question.key_points.en)
        for answer in entry["answers"]:
            covers = frozenset(answer["covers"])
            if not covers <= set(range(point_count)):
                raise ValueError(f"{FIXTURE.name}: {question.id} has {point_count} key points, labels say {sorted(covers)}")
            split = entry.get("split", "tuned")
            out.append(LabelledAnswer(question, answer["kind"], split, answer["lang"], answer["text"], covers))
    return tuple(out)


@dataclass
class Tally:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    answers: int = 0
    rating_agrees: int = 0

    def add(self, answer: LabelledAnswer, check: AnswerCheck) -> None:
        covered = {point.index for point in check.covered}
        self.true_pos += len(covered & answer.covers)
        self.false_pos += len(covered - answer.covers)
        self.false_neg += len(answer.covers - covered)
        self.answers += 1
        expected = rating_for_coverage(len(answer.covers) / len(check.points))
        self.rating_agrees += check.suggested_rating == expected

    @property
    def precision(self) -> float | None:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else None

    @property
    def recall(self) -> float | None:
        labelled = self.true_pos + self.false_neg
        return self.true_pos / labelled if labelled else None


def evaluate() -> dict[str, Tally]:
    """Tallies keyed "all", "split:<split>", "kind:<kind>" and "lang:<lang>"."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for answer in labelled_answers():
        check = check_typed_answer(answer.question, answer.text)
        for key in ("all", f"split:{answer.split}", f"kind:{answer.kind}", f"lang:{answer.lang}"):
            tallies[key].add(answer, check)
    return dict(tallies)


def misses() -> list[str]:
    """One line per wrong decision: which answer, which point, missed or falsely credited."""
    lines = []
    for answer in labelled_answers():
        check = check_typed_answer(answer.question, answer.text)
        for point in check.points:
            if point.covered != (point.index in answer.covers):
                verdict = "FALSE +" if point.covered else "MISSED "
                lines.append(
                    f"{verdict} {answer.label} #{point.index} score={point.score:.2f} ({point.lang}) "
                    f"matched={list(point.matched_terms)} missing={list(point.missing_terms)}"
                )
    return lines


def check_times_ms() -> tuple[float, float]:
    """Median and worst time of one check over the whole fixture, after a warm-up pass."""
    answers = labelled_answers()
    for answer in answers:
        check_typed_answer(answer.question, answer.text)
    times = []
    for answer in answers:
        start = time.perf_counter()
        check_typed_answer(answer.question, answer.text)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def table(tallies: dict[str, Tally]) -> str:
    def pct(value: float | None) -> str:
        return "   -" if value is None else f"{value:4.0%}"

    order = ["all", *(sorted(key for key in tallies if key.startswith(prefix)) for prefix in ("split:", "kind:", "lang:"))]
    order = [order[0], *(key for group in order[1:] for key in group)]
    rows = [f"{'slice':<15} {'answers':>7} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>5} {'recall':>6} {'rating ok':>9}"]
    for key in order:
        tally = tallies[key]
        rows.append(
            f"{key:<15} {tally.answers:>7} {tally.true_pos:>4} {tally.false_pos:>4} {tally.false_neg:>4} "
            f"{pct(tally.precision):>5} {pct(tally.recall):>6} {tally.rating_agrees:>4}/{tally.answers:<4}"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="also list every wrong per-point decision")
    args = parser.parse_args()
    print(table(evaluate()))
    median, worst = check_times_ms()
    print(f"\none check: median {median:.2f} ms, worst {worst:.2f} ms (warm)")
    if args.misses:
        print("\n" + "\n".join(misses()))


if __name__ == "__main__":
    main()
