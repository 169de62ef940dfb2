"""Multiple choice: options shuffled per session seed, single- and multi-answer grading."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Iterable

from fsrs import Rating

from questions.model import Question, Text
from questions.study.cram import FilteredSession
from questions.study.review_record import ReviewMode


@dataclass(frozen=True)
class ChoiceOption:
    """One option as shown: ``number`` is what the user types (1-based, in shown order)."""

    number: int
    text: Text
    correct: bool
    original_index: int  # position in the bank's ``choices`` list


@dataclass(frozen=True)
class ChoiceResult:
    """A graded answer. Rating rule: every correct option and nothing else -> Good;
    a multi-answer question with only correct picks but some missed -> Hard;
    any wrong pick, or nothing picked -> Again."""

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
    def suggested_rating(self) -> Rating:
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


class MultipleChoiceSession(FilteredSession):
    """Multiple-choice questions matching a filter, in a seeded order.

    ``item`` is the current question with shuffled options; ``grade`` checks an
    answer without writing anything; ``rate`` commits the rating the user
    accepts (usually ``result.suggested_rating``), logged as ``choice``. Pass
    ``reschedule=True`` to let the ratings move the schedule.
    """

    mode = ReviewMode.CHOICE

    def accepts(self, question: Question) -> bool:
        return bool(question.choices)

    @property
    def item(self) -> ChoiceItem | None:
        question = self.current
        return None if question is None else shuffle_choices(question, self.seed)

    def grade(self, selected: Iterable[int], duration: timedelta | None = None) -> ChoiceResult:
        item = self.item
        if item is None:
            raise ValueError("the session is finished: there is no question to answer")
        return item.grade(selected, duration)
