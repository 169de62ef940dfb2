"""Why wrong answers get credit: a census of the false credits the matcher proposes on the
development sets (a point ticked that the answer's label does not cover), each put down to one
mechanical cause, the counterpart of ``miss_census`` for precision.

For each false credit the point is judged again with one ingredient of the matcher taken away at a
time, in this order; the first whose removal leaves the point uncovered is its cause:

- the model answer's words: only the words the model answer lends the point (``_answer_vocabulary``)
  lift it to the covering score;
- terms gathered across sentences: no single sentence covers it, only a window of two or three;
- a look-alike or a partial Chinese match: only terms found fuzzily (a typo-distance English word,
  a share of a Chinese word's character pairs) cover it, not the terms stated exactly;
- the question's own words: counted at zero weight (instead of half), the rest does not cover it;
- formula symbols: the point's one-letter and formula terms carry it;
- every term stated with the point's polarity: none of the above; the answer says the point's
  words and says something else with them (a swapped role, a wrong value, an opposite the tables
  do not know, a denial the negation rules do not read).

The frozen held-out splits are refused before anything is read.

    python -m tests.questions.study.false_credit_census [--set fresh ...] [--list]
"""

from __future__ import annotations

import argparse
import collections
from contextlib import contextmanager

from questions.study import answer_check as checker
from questions.study.answer_text import analyse, has_cjk

from .answer_eval import FROZEN, SETS, labelled_answers
from .miss_census import print_detail

DEFAULT_SETS = ["tuned", "dev", "reworded", "own-words", "negated", "long", "heldout-1", "fresh"]
CAUSES = (
    "the model answer's words",
    "terms gathered across sentences",
    "a look-alike or a partial Chinese match",
    "the question's own words",
    "formula symbols",
    "every term stated with the point's polarity",
)


@contextmanager
def _exact_only():
    """Windows that find a term only where it is stated exactly (no fuzzy or character-pair match)."""
    original = checker._Window._similarity

    def exact(self, term):
        return 100.0 if self.states_exactly(term) else 0.0

    checker._Window._similarity = exact
    try:
        yield
    finally:
        checker._Window._similarity = original


def _covered(question, answer, index, *, vocabulary=True, single=False, echo=None, symbols=True) -> bool:
    sentences = analyse(answer)
    langs, echoed = checker.reading_of(question, answer)
    windows = checker.answer_windows(sentences)
    if single:
        windows = [window for window in windows if len(window.denials) >= 0 and window.text in {s.text for s in sentences}]
    saved_echo = checker.ECHO_WEIGHT
    if echo is not None:
        checker.ECHO_WEIGHT = echo
    try:
        for lang in langs:
            point = question.key_points.get(lang)[index]
            if not symbols:
                point = checker._FORMULA.sub(" ", point)
                point = " ".join(word for word in point.split() if len(word) > 1 or has_cjk(word))
            words = checker._answer_vocabulary(question, lang)[index] if vocabulary else ()
            for window in windows:
                if checker._judge(point, lang, window, echoed, checker.COVERED_SCORE, words).verdict is checker.Verdict.COVERED:
                    return True
        return False
    finally:
        checker.ECHO_WEIGHT = saved_echo


def cause_of(question, answer, index) -> str:
    if not _covered(question, answer, index, vocabulary=False):
        return CAUSES[0]
    if not _covered(question, answer, index, single=True):
        return CAUSES[1]
    with _exact_only():
        exact = _covered(question, answer, index)
    if not exact:
        return CAUSES[2]
    if not _covered(question, answer, index, echo=1e-6):
        return CAUSES[3]
    if not _covered(question, answer, index, symbols=False):
        return CAUSES[4]
    return CAUSES[5]


def census(names: list[str]):
    frozen = [name for name in names if name in FROZEN]
    if frozen:  # before any work: nothing of a frozen split is read
        raise ValueError(f"the {', '.join(frozen)} set is frozen: only its aggregate figures may be looked at")
    causes: collections.Counter = collections.Counter()
    by_kind: collections.Counter = collections.Counter()
    by_lang: collections.Counter = collections.Counter()
    detail: dict[str, list[str]] = collections.defaultdict(list)
    for name in names:
        for number, answer in enumerate(labelled_answers(name)):
            check = checker.check_typed_answer(answer.question, answer.text)
            for point in check.points:
                if not point.covered or point.index in answer.covers:
                    continue
                cause = cause_of(answer.question, answer.text, point.index)
                causes[cause] += 1
                by_kind[(cause, answer.kind)] += 1
                by_lang[(cause, answer.lang)] += 1
                detail[cause].append(
                    f"{name} #{number} {answer.question.id} [{answer.kind}/{answer.lang}] point {point.index} ({point.lang}) "
                    f"matched={list(point.matched_terms)}: {point.evidence!r}"
                )
    return causes, by_kind, by_lang, detail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=sorted(set(SETS) - FROZEN), help="development sets (default: all eight)")
    parser.add_argument("--list", action="store_true", help="also list each false credit under its cause")
    args = parser.parse_args()
    names = args.set or DEFAULT_SETS
    causes, by_kind, by_lang, detail = census(names)
    print(f"false credits ({', '.join(names)}): {sum(causes.values())}")
    for cause, count in causes.most_common():
        kinds = ", ".join(f"{kind} {n}" for (c, kind), n in sorted(by_kind.items()) if c == cause)
        langs = ", ".join(f"{lang} {n}" for (c, lang), n in sorted(by_lang.items()) if c == cause)
        print(f"{count:5d}  {cause}  [{kinds}; {langs}]")
    if args.list:
        print_detail(causes, detail)


if __name__ == "__main__":
    main()
