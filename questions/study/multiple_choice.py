"""Multiple choice: options shuffled per session seed, single- and multi-answer grading.

How an answer counts (``ChoiceResult.recognition_rating``), decided here once:
picking an option is *recognition*, which is easier than recalling the answer,
so a right answer must not lengthen an interval as much as a recalled one.

* Right (every correct option and nothing else): FSRS **Hard**, the smallest
  success. A learnt card's interval grows less than after Good; a new card
  stays in its learning steps and comes back within minutes to be recalled.
* Anything else (a wrong pick, a correct option missed, nothing picked):
  FSRS **Again**. A learnt card lapses and is relearnt; the card is weak.

``MultipleChoiceSession.answer`` grades and commits by this rule and moves
the schedule in both cases; ``undo`` reverts it like any rating.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Iterable

from fsrs import Rating

from questions.model import Question, Text
from questions.study.cram import FilteredSession
from questions.study.review_record import ReviewMode, ReviewOutcome


@dataclass(frozen=True)
class ChoiceOption:
    """One option as shown: ``number`` is what the user types (1-based, in shown order)."""

    number: int
    text: Text
    correct: bool
    original_index: int  # position in the bank's ``choices`` list


@dataclass(frozen=True)
class ChoiceResult:
    """A graded answer; ``recognition_rating`` is what it counts as (see the module docstring)."""

    selected: frozenset[int]
    correct_numbers: frozenset[int]
    duration: timedelta | None

    @property
    def wrong(self) -> frozenset[int]:
        """Picked but not correct."""
        return self.selected - self.correct_numbers

    @property
    def missed(self) -> frozenset[int]:
        """Correct but not picked."""
        return self.correct_numbers - self.selected

    @property
    def is_correct(self) -> bool:
        return self.selected == self.correct_numbers

    @property
    def recognition_rating(self) -> Rating:
        """Hard when right, Again otherwise: the rating ``MultipleChoiceSession.answer`` commits."""
        return Rating.Hard if self.is_correct else Rating.Again

    @property
    def suggested_rating(self) -> Rating:
        """A self-rating for a caller that lets the user choose one (``MultipleChoiceSession.rate``):
        right -> Good; only correct picks but some missed -> Hard; else Again. The app's choice
        screen does not: it commits ``recognition_rating`` through ``MultipleChoiceSession.answer``."""
        if self.is_correct:
            return Rating.Good
        if self.selected and not self.wrong:
            return Rating.Hard
        return Rating.Again


@dataclass(frozen=True)
class ChoiceItem:
    """A question with its options in this session's order."""

    question: Question
    options: tuple[ChoiceOption, ...]

    @property
    def correct_numbers(self) -> frozenset[int]:
        return frozenset(option.number for option in self.options if option.correct)

    @property
    def multi_answer(self) -> bool:
        """More than one option is correct: the app should say "select all that apply"."""
        return len(self.correct_numbers) > 1

    def grade(self, selected: Iterable[int], duration: timedelta | None = None) -> ChoiceResult:
        picked = frozenset(int(n) for n in selected)
        valid = {option.number for option in self.options}
        unknown = sorted(picked - valid)
        if unknown:
            raise ValueError(f"options {unknown} do not exist; choose from 1 to {len(self.options)}")
        if not self.multi_answer and len(picked) > 1:
            raise ValueError("this question has one correct option; pick exactly one")
        return ChoiceResult(selected=picked, correct_numbers=self.correct_numbers, duration=duration)


def shuffle_choices(question: Question, seed: int) -> ChoiceItem:
    """``question``'s options in an order fixed by ``seed`` and the question id.

    Seeding per question (not one stream for the session) keeps each
    question's order stable when the session order changes, e.g. after undo.
    """
    if not question.choices:
        raise ValueError(f"question {question.id!r} has no choices; it cannot be asked as multiple choice")
    order = list(range(len(question.choices)))
    random.Random(f"{seed}:{question.id}").shuffle(order)
    return ChoiceItem(
        question=question,
        options=tuple(
            ChoiceOption(number=position + 1, text=question.choices[index].text, correct=question.choices[index].correct, original_index=index)
            for position, index in enumerate(order)
        ),
    )


@dataclass(frozen=True)
class ChoiceAnswer:
    """An answer graded and committed by ``MultipleChoiceSession.answer``."""

    item: ChoiceItem
    result: ChoiceResult
    outcome: ReviewOutcome  # the log row (rating = result.recognition_rating) and the card's new state


class MultipleChoiceSession(FilteredSession):
    """Multiple-choice questions matching a filter, in a seeded order.

    ``item`` is the current question with shuffled options; ``grade`` checks an
    answer without writing anything; ``answer`` grades it and commits it by the
    recognition rule (logged as ``choice``), moving the schedule; ``undo``
    reverts the latest answer. With ``reschedule=False`` right answers leave
    the schedule alone, but wrong ones still move it: failures always count.

    ``rate(rating)`` commits a rating chosen by the caller instead (the app's
    choice screen does not use it); it moves the schedule too unless ``reschedule=False``.
    """

    mode = ReviewMode.CHOICE

    def __init__(self, *args: Any, reschedule: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, reschedule=reschedule, **kwargs)

    def accepts(self, question: Question) -> bool:
        return bool(question.choices)

    def answer(self, selected: Iterable[int], duration: timedelta | None = None) -> ChoiceAnswer:
        """Grade ``selected`` (option numbers) for the current question and commit it (durably), then advance."""
        item = self.item
        if item is None:
            raise ValueError("the session is finished: there is no question to answer")
        result = item.grade(selected, duration)
        outcome = self.rate(result.recognition_rating, duration)  # a wrong answer is an Again: a lapse
        return ChoiceAnswer(item=item, result=result, outcome=outcome)

    @property
    def item(self) -> ChoiceItem | None:
        question = self.current
        return None if question is None else shuffle_choices(question, self.seed)

    def grade(self, selected: Iterable[int], duration: timedelta | None = None) -> ChoiceResult:
        item = self.item
        if item is None:
            raise ValueError("the session is finished: there is no question to answer")
        return item.grade(selected, duration)
