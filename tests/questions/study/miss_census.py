"""Why strong answers miss their points: a census of the labelled points the matcher misses on
strong answers of the development sets, each put down to one cause.

For each labelled point a strong answer states and the check misses, the window of one to three
sentences that scores it best is taken, and each of the point's terms missing there is given a
cause, in this order:

- formula written differently: the term is only in the point's $...$ formula;
- stated outside the window: the whole answer states it, not near the rest of the point;
- polarity/qualifier: the answer has the word, with the other polarity;
- acronym vs expansion: the term is an acronym as the point types it (TTFT, RMs, FFN);
- cross-language term: a Chinese term missing from a Chinese point judged on an English word, or
  the other way round;
- generic word of the point: the term is in 10% or more of the bank's questions (output, train,
  keep, use, et al.);
- paraphrase (content word): any other word of the point the answer says in other words.

The point's cause is the one whose missing terms weigh most; a point whose best window reaches the
covering score but is read as a contradiction is put down to that. The frozen held-out splits are
refused, as ``answer_eval --misses`` refuses them.

    python -m tests.questions.study.miss_census [--set own-words --set reworded ...] [--list]

It reads the matcher's own windows and scores (``answer_check``'s private helpers): a
development tool beside ``answer_eval``, kept in step with the matcher by its test.
"""

from __future__ import annotations

import argparse
import collections
import re

from questions import load_bank
from questions.study import answer_check as checker
from questions.study.answer_text import NEGATED, analyse, has_cjk, terms

from .answer_eval import FROZEN, SETS, STRONG_KINDS, labelled_answers

GENERIC_SHARE = 0.10  # a word in this share of the bank's questions or more is a generic word


def document_frequency() -> tuple[collections.Counter, int]:
    bank = load_bank().questions
    counts: collections.Counter = collections.Counter()
    for question in bank:
        words: set[str] = set()
        for lang in ("en", "zh"):
            text = " ".join([question.question.get(lang), question.answer.get(lang), *question.key_points.get(lang)])
            words |= {checker._bare(term) for term in terms(text)}
        counts.update(words)
    return counts, len(bank)


def cause_of_term(term: str, point: str, whole, point_lang: str, frequency, total: int) -> str:
    bare = checker._bare(term)
    if bare not in {checker._bare(word) for word in terms(checker._FORMULA.sub(" ", point))}:
        return "formula written differently"
    if whole.states(term):
        return "stated outside the window"
    if whole.states(NEGATED + bare) or whole.states(bare):
        return "polarity/qualifier"
    for token in re.findall(r"[A-Za-z][A-Za-z0-9\-]*", checker._FORMULA.sub(" ", point)):
        token_terms = terms(token)
        if sum(char.isupper() for char in token) >= 2 and token_terms and checker._bare(token_terms[0]) == bare:
            return "acronym vs expansion"
    if (point_lang == "zh") != has_cjk(bare):
        return "cross-language term"
    if frequency[bare] / total >= GENERIC_SHARE:
        return "generic word of the point"
    return "paraphrase (content word)"


def census(names: list[str]) -> tuple[collections.Counter, dict[str, list[str]]]:
    frozen = [name for name in names if name in FROZEN]
    if frozen:  # before any work: nothing of a frozen split is read
        raise ValueError(f"the {', '.join(frozen)} set is frozen: only its aggregate figures may be looked at")
    frequency, total = document_frequency()
    causes: collections.Counter = collections.Counter()
    detail: dict[str, list[str]] = collections.defaultdict(list)
    for name in names:
        for number, answer in enumerate(labelled_answers(name)):
            if answer.kind not in STRONG_KINDS:
                continue
            question = answer.question
            check = checker.check_typed_answer(question, answer.text)
            sentences = analyse(answer.text)
            langs, echoed = checker.reading_of(question, answer.text)
            windows = checker.answer_windows(sentences)
            whole = checker._Window(sentences)
            for point in check.points:
                if point.index not in answer.covers or point.covered:
                    continue
                best = max(
                    (
                        checker._judge(question.key_points.get(lang)[point.index], lang, window, echoed, checker.COVERED_SCORE, checker._answer_vocabulary(question, lang)[point.index])
                        for lang in langs
                        for window in windows
                    ),
                    key=lambda judged: judged.score,
                )
                text = question.key_points.get(best.lang)[point.index]
                if best.score >= checker.COVERED_SCORE:
                    cause = "contradiction read in a strong answer"
                else:
                    weights = {term: weight for term, weight, _lead in checker._weighted_terms(text)}
                    by_cause: collections.Counter = collections.Counter()
                    for term in best.missing:
                        by_cause[cause_of_term(term, text, whole, best.lang, frequency, total)] += weights.get(term, 0.0)
                    cause = by_cause.most_common(1)[0][0] if by_cause else "nothing missing"
                causes[cause] += 1
                detail[cause].append(f"{name} #{number} point {point.index} score={best.score:.2f} missing={list(best.missing)}")
    return causes, detail


def print_detail(causes: collections.Counter, detail: dict[str, list[str]]) -> None:
    """Each cause, most common first, with the cases put down to it (a census's ``--list``)."""
    for cause, _count in causes.most_common():
        print(f"\n## {cause}")
        print("\n".join(detail[cause]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=sorted(set(SETS) - FROZEN),
                        help="development sets (default: own-words, reworded, heldout-1, fresh)")
    parser.add_argument("--list", action="store_true", help="also list each missed point under its cause")
    args = parser.parse_args()
    names = args.set or ["own-words", "reworded", "heldout-1", "fresh"]
    causes, detail = census(names)
    print(f"missed labelled points on strong answers ({', '.join(names)}): {sum(causes.values())}")
    for cause, count in causes.most_common():
        print(f"{count:5d}  {cause}")
    if args.list:
        print_detail(causes, detail)


if __name__ == "__main__":
    main()
