"""Multiple choice whose form does not give the answer away (#13 item 5).

A candidate who has learnt nothing should not beat chance by picking the
longest option or the one that sounds most careful. Over every single-answer
question of the shipped bank (exactly one correct option), per language:

* **longest share**: the share of questions whose correct option is strictly
  the longest, in characters (``len`` of the stripped text, LaTeX as written).
  Chance is 1/k for k options (20-25% here); the bound is 35%.
* **shortest share**: the same for strictly the shortest, with the same bound:
  an editor who only lengthens distractors would otherwise turn "pick the
  longest" into "pick the shortest".
* **hedge share**: the share of questions whose correct option carries strictly
  more hedge words than every wrong option (this includes "the correct option
  is the only one with a hedge word"). A hedge is a word from ``HEDGES`` below
  ("usually", "roughly", "in general", "通常", "一般", "可能", ...): the
  qualifiers a test-wise reader takes for the careful, hence true, option.
  The bound is 10%: with hedges spread fairly the correct option is the most
  hedged in about a fifth of the few questions whose options differ in
  hedging at all, which is well under a tenth of all questions. For
  comparison the report also counts the questions where a wrong option is
  the strictly most hedged one.

The failure message states every figure (and each topic's, so a failing file
is easy to find). To read the figures without a failure, run this file:
``python tests/questions/test_choice_fairness.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from questions.lint import lint_dirs
from questions.model import LANGS, Lang, Question

MAX_LONGEST_SHARE = 0.35
MAX_SHORTEST_SHARE = 0.35
MAX_HEDGED_SHARE = 0.10

# Whole words in English; in Chinese, substrings (no word boundaries), with
# 不可能 ("impossible") and 尽可能 ("as ... as possible") excluded: neither
# hedges. "about" and 约 count only before a number ("about $4nd^2$", "约 2/3"),
# where they hedge.
HEDGES: dict[Lang, re.Pattern[str]] = {
    "en": re.compile(
        r"\b(?:usually|typically|generally|in general|roughly|approximately|often|mostly|largely|mainly"
        r"|tends? to|may|might|in practice|commonly|sometimes|more or less|essentially|arguably"
        r"|about(?=\s*[$\d~]))\b",
        re.IGNORECASE,
    ),
    "zh": re.compile(
        r"通常|一般|(?<![不尽])可能|大致|大约|大概|大体|往往|基本上|大多|多半|常常|倾向于|实践中|有时"
        r"|约(?=\s*[$\d~])"
    ),
}


def hedge_count(text: str, lang: Lang) -> int:
    return len(HEDGES[lang].findall(text))


def single_answer_questions(questions: Iterable[Question]) -> list[Question]:
    return [q for q in questions if q.choices and sum(c.correct for c in q.choices) == 1]


def _lengths(question: Question, lang: Lang) -> tuple[int, list[int]]:
    """The correct option's length and the wrong options' lengths (single-answer questions)."""
    right = [len(c.text.get(lang).strip()) for c in question.choices if c.correct]
    wrong = [len(c.text.get(lang).strip()) for c in question.choices if not c.correct]
    return right[0], wrong


def correct_is_strictly_longest(question: Question, lang: Lang) -> bool:
    right, wrong = _lengths(question, lang)
    return right > max(wrong)


def correct_is_strictly_shortest(question: Question, lang: Lang) -> bool:
    right, wrong = _lengths(question, lang)
    return right < min(wrong)


def _hedges(question: Question, lang: Lang) -> tuple[int, list[int]]:
    right = [hedge_count(c.text.get(lang), lang) for c in question.choices if c.correct]
    wrong = [hedge_count(c.text.get(lang), lang) for c in question.choices if not c.correct]
    return right[0], wrong


def correct_is_strictly_most_hedged(question: Question, lang: Lang) -> bool:
    right, wrong = _hedges(question, lang)
    return right > max(wrong)


def a_wrong_option_is_strictly_most_hedged(question: Question, lang: Lang) -> bool:
    right, wrong = _hedges(question, lang)
    top = max(wrong)
    return top > right and wrong.count(top) == 1


@dataclass(frozen=True)
class Fairness:
    """The counts behind both shares for one language over some questions."""

    questions: int
    longest: int  # correct option strictly the longest
    shortest: int  # correct option strictly the shortest
    hedged: int  # correct option strictly the most hedged
    hedged_wrong: int  # some wrong option strictly the most hedged (for comparison)

    @property
    def longest_share(self) -> float:
        return self.longest / self.questions if self.questions else 0.0

    @property
    def shortest_share(self) -> float:
        return self.shortest / self.questions if self.questions else 0.0

    @property
    def hedged_share(self) -> float:
        return self.hedged / self.questions if self.questions else 0.0

    def describe(self) -> str:
        return (
            f"longest {self.longest}/{self.questions} = {self.longest_share:.0%}, "
            f"shortest {self.shortest}/{self.questions} = {self.shortest_share:.0%}, "
            f"most hedged {self.hedged}/{self.questions} = {self.hedged_share:.0%} "
            f"(a wrong option most hedged: {self.hedged_wrong})"
        )


def measure(questions: Iterable[Question], lang: Lang) -> Fairness:
    single = single_answer_questions(questions)
    return Fairness(
        questions=len(single),
        longest=sum(correct_is_strictly_longest(q, lang) for q in single),
        shortest=sum(correct_is_strictly_shortest(q, lang) for q in single),
        hedged=sum(correct_is_strictly_most_hedged(q, lang) for q in single),
        hedged_wrong=sum(a_wrong_option_is_strictly_most_hedged(q, lang) for q in single),
    )


def report(questions: list[Question]) -> str:
    """Every figure, the whole bank first, then one line per topic and language."""
    lines = [
        f"bounds: longest <= {MAX_LONGEST_SHARE:.0%}, shortest <= {MAX_SHORTEST_SHARE:.0%}, "
        f"most hedged <= {MAX_HEDGED_SHARE:.0%} "
        "(single-answer questions, per language)"
    ]
    lines += [f"whole bank {lang}: {measure(questions, lang).describe()}" for lang in LANGS]
    for topic in dict.fromkeys(q.topic for q in questions):
        in_topic = [q for q in questions if q.topic == topic]
        for lang in LANGS:
            figures = measure(in_topic, lang)
            if figures.questions:
                lines.append(f"  {topic:<22} {lang}: {figures.describe()}")
    return "\n".join(lines)


def shipped_questions() -> list[Question]:
    return list(lint_dirs().questions)


# --- the measure itself, on hand-made questions -------------------------------------------------


def _question(options: list[tuple[str, str, bool]]) -> Question:
    from questions.model import Choice, Text, TextList

    return Question(
        id="q",
        topic="t",
        difficulty=1,
        tags=("t",),
        question=Text(zh="问", en="Q"),
        answer=Text(zh="答", en="A"),
        key_points=TextList(zh=("一", "二", "三"), en=("one", "two", "three")),
        sources=(),
        choices=tuple(Choice(text=Text(zh=zh, en=en), correct=correct) for zh, en, correct in options),
    )


def test_a_tie_for_longest_shortest_or_most_hedged_is_not_counted():
    tie = _question([("甲乙", "ab", True), ("丙丁", "cd", False), ("戊", "e", False), ("己", "f", False)])
    assert not correct_is_strictly_longest(tie, "en") and not correct_is_strictly_longest(tie, "zh")
    short_tie = _question([("甲", "a", True), ("乙", "b", False), ("丙丙", "cc", False), ("丁丁", "dd", False)])
    assert not correct_is_strictly_shortest(short_tie, "en") and not correct_is_strictly_shortest(short_tie, "zh")
    hedged_tie = _question(
        [("通常是甲", "usually a", True), ("一般是乙", "typically b", False), ("丙", "c", False), ("丁", "d", False)],
    )
    assert not correct_is_strictly_most_hedged(hedged_tie, "en")
    assert not correct_is_strictly_most_hedged(hedged_tie, "zh")


def test_the_only_hedged_correct_option_counts_in_each_language_separately():
    question = _question(
        [("通常是甲", "a, always", True), ("乙", "b", False), ("不可能是丙", "c", False), ("丁", "d", False)]
    )
    assert correct_is_strictly_most_hedged(question, "zh")  # 通常; 不可能 is a denial, not a hedge
    assert not correct_is_strictly_most_hedged(question, "en")  # "always" is no hedge
    assert not a_wrong_option_is_strictly_most_hedged(question, "zh")
    wrong_hedged = _question([("甲", "a", True), ("通常乙", "b", False), ("丙", "c", False), ("丁", "d", False)])
    assert a_wrong_option_is_strictly_most_hedged(wrong_hedged, "zh")
    assert hedge_count("It may, in general, roughly double; mayhem is no hedge", "en") == 3


def test_multi_answer_questions_are_left_out():
    multi = _question(
        [("甲", "a long one", True), ("乙", "b long two", True), ("丙", "c", False), ("丁", "d", False)],
    )
    single = _question([("甲甲甲", "aaa", True), ("乙", "b", False), ("丙", "c", False), ("丁", "d", False)])
    figures = measure([multi, single], "en")
    counts = (figures.questions, figures.longest, figures.shortest, figures.hedged, figures.hedged_wrong)
    assert counts == (1, 1, 0, 0, 0)


# --- the shipped bank ---------------------------------------------------------------------------


def test_the_correct_option_is_not_given_away_by_length_or_hedging():
    questions = shipped_questions()
    figures = {lang: measure(questions, lang) for lang in LANGS}
    assert all(f.questions for f in figures.values()), "the shipped bank has no single-answer questions"
    too_long = [lang for lang, f in figures.items() if f.longest_share > MAX_LONGEST_SHARE]
    too_short = [lang for lang, f in figures.items() if f.shortest_share > MAX_SHORTEST_SHARE]
    too_hedged = [lang for lang, f in figures.items() if f.hedged_share > MAX_HEDGED_SHARE]
    assert not too_long and not too_short and not too_hedged, (
        "form gives the answer away "
        f"(longest: {too_long or 'fair'}; shortest: {too_short or 'fair'}; hedging: {too_hedged or 'fair'}):\n"
        + report(questions)
    )


if __name__ == "__main__":
    print(report(shipped_questions()))
