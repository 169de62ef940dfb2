"""Mock interview: a question, then the interviewer's follow-ups (追问), timed and self-checked.

Each answer counts as a review (mode ``mock``) rated by ``grading.rating_for_coverage``:
a weak answer (under half the key points, or skipped) is Again, so a learnt
card lapses and is relearnt, and the question is weak until answered right.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable

from fsrs import Rating

from questions.model import Bank, Question, Text
from questions.study.clock import require_utc, utc_now
from questions.study.errors import UndoError
from questions.study.grading import rating_for_coverage
from questions.study.review_record import ReviewMode, ReviewOutcome
from questions.study.scheduler import StudyScheduler
from questions.study.store import ProgressStore

DEFAULT_MAX_QUESTIONS = 8
DEFAULT_TIME_LIMIT = timedelta(minutes=3)  # a typical spoken answer; longer is flagged, not cut off


def follow_up_chain(bank: Bank, start_id: str, max_questions: int = DEFAULT_MAX_QUESTIONS) -> tuple[str, ...]:
    """The order in which a mock interview asks questions, starting at ``start_id``.

    Depth first, in ``follow_ups`` order: an interviewer drills into the answer
    just given (the first follow-up, then its first follow-up, ...) before
    coming back to the next branch. Each question is asked once (cycles in the
    follow-up graph are cut), ids not in the bank are skipped, and the walk
    stops after ``max_questions``.
    """
    if max_questions < 1:
        raise ValueError(f"max_questions must be at least 1, got {max_questions}")
    bank.get(start_id)  # KeyError naming the id if unknown
    order: list[str] = []
    seen: set[str] = set()
    stack = [start_id]
    while stack and len(order) < max_questions:
        question_id = stack.pop()
        if question_id in seen or question_id not in bank:
            continue
        seen.add(question_id)
        order.append(question_id)
        stack.extend(reversed(bank.get(question_id).follow_ups))  # first follow-up on top
    return tuple(order)


@dataclass(frozen=True)
class WeakPoint:
    """A key point the candidate did not cover."""

    question_id: str
    index: int  # position in the question's key points
    text: Text


@dataclass(frozen=True)
class MockStep:
    """One answered question of the interview."""

    question: Question
    covered: frozenset[int]  # key point indices the candidate ticked as covered
    elapsed: timedelta
    over_time: bool
    skipped: bool

    @property
    def coverage(self) -> float:
        total = len(self.question.key_points)
        return len(self.covered) / total if total else 0.0

    @property
    def suggested_rating(self) -> Rating:
        """See ``grading.rating_for_coverage``; running over the time limit costs a grade."""
        return rating_for_coverage(self.coverage, over_time=self.over_time, skipped=self.skipped)

    @property
    def weak_points(self) -> tuple[WeakPoint, ...]:
        return tuple(
            WeakPoint(self.question.id, index, text)
            for index, text in enumerate(self.question.key_points.pairs())
            if index not in self.covered
        )


@dataclass(frozen=True)
class MockResult:
    steps: tuple[MockStep, ...]

    @property
    def score(self) -> float:
        """Percentage of all asked key points covered (0-100), each key point weighing the same."""
        total = sum(len(step.question.key_points) for step in self.steps)
        covered = sum(len(step.covered) for step in self.steps)
        return 100.0 * covered / total if total else 0.0

    @property
    def weak_points(self) -> tuple[WeakPoint, ...]:
        return tuple(point for step in self.steps for point in step.weak_points)

    @property
    def total_time(self) -> timedelta:
        return sum((step.elapsed for step in self.steps), timedelta(0))

    @property
    def over_time(self) -> tuple[str, ...]:
        return tuple(step.question.id for step in self.steps if step.over_time)


class MockInterview:
    """Walks ``follow_up_chain`` one question at a time.

    The timer of a question starts when it becomes current (at construction
    and after each ``answer``/``skip``); ``elapsed`` reads it for the display.
    ``clock`` is a monotonic seconds counter, injectable for tests.

    Given a ``store`` and ``scheduler``, every ``answer``/``skip`` is committed
    at once (so quitting mid-interview loses nothing; ``outcomes`` keeps the
    log rows) and ``undo`` reverts the latest one. Without a store, call
    ``record`` at the end.
    """

    def __init__(
        self,
        bank: Bank,
        start_id: str,
        *,
        max_questions: int = DEFAULT_MAX_QUESTIONS,
        time_limit: timedelta = DEFAULT_TIME_LIMIT,
        clock: Callable[[], float] = time.monotonic,
        store: ProgressStore | None = None,
        scheduler: StudyScheduler | None = None,
        wall_clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if (store is None) != (scheduler is None):
            raise ValueError("give both store and scheduler to record answers as they are given, or neither")
        self.bank = bank
        self.plan: tuple[str, ...] = follow_up_chain(bank, start_id, max_questions)
        self.time_limit = time_limit
        self._clock = clock
        self._store = store
        self._scheduler = scheduler
        self._wall_clock = wall_clock  # when each committed answer is logged (UTC)
        self._steps: list[MockStep] = []
        self._outcomes: list[ReviewOutcome] = []
        self._started = clock()

    @property
    def current(self) -> Question | None:
        position = len(self._steps)
        return self.bank.get(self.plan[position]) if position < len(self.plan) else None

    @property
    def position(self) -> int:
        """1-based number of the current question (len(plan) + 1 when finished)."""
        return len(self._steps) + 1

    @property
    def finished(self) -> bool:
        return self.current is None

    @property
    def elapsed(self) -> timedelta:
        return timedelta(seconds=self._clock() - self._started)

    def answer(self, covered: Iterable[int]) -> MockStep:
        """Close the current question with the key points the candidate says they covered."""
        return self._close(frozenset(covered), skipped=False)

    def skip(self) -> MockStep:
        return self._close(frozenset(), skipped=True)

    def _close(self, covered: frozenset[int], *, skipped: bool) -> MockStep:
        question = self.current
        if question is None:
            raise ValueError("the mock interview is over; there is no question to answer")
        out_of_range = sorted(i for i in covered if not 0 <= i < len(question.key_points))
        if out_of_range:
            raise ValueError(
                f"key point indices {out_of_range} do not exist for {question.id!r} "
                f"(it has {len(question.key_points)}, numbered from 0)"
            )
        elapsed = self.elapsed
        step = MockStep(question, covered, elapsed, over_time=elapsed > self.time_limit, skipped=skipped)
        if self._store is not None and self._scheduler is not None:
            # committed before the step counts: a refused write (StoreError) leaves the question current
            at = require_utc(self._wall_clock(), "wall_clock()")
            self._outcomes.append(self._commit(self._store, self._scheduler, step, at, reschedule=True))
        self._steps.append(step)
        self._started = self._clock()
        return step

    @property
    def outcomes(self) -> tuple[ReviewOutcome, ...]:
        """What was committed for each answered step (only with a store)."""
        return tuple(self._outcomes)

    @property
    def can_undo(self) -> bool:
        return bool(self._outcomes)

    def undo(self) -> Question:
        """Revert the latest answer: log row removed, card restored, its question current again (timer restarted)."""
        if self._store is None or not self._outcomes:
            raise UndoError("nothing to undo in this mock interview")
        self._store.undo_review(self._outcomes[-1].record.id)  # raises UndoError, leaving the interview as it was
        self._outcomes.pop()
        step = self._steps.pop()
        self._started = self._clock()
        return step.question

    @staticmethod
    def _commit(
        store: ProgressStore, scheduler: StudyScheduler, step: MockStep, at: datetime, reschedule: bool
    ) -> ReviewOutcome:
        return store.record_review(
            step.question.id,
            step.suggested_rating,
            scheduler=scheduler,
            reviewed_at=at,
            duration=step.elapsed,
            mode=ReviewMode.MOCK,
            reschedule=reschedule,
        )

    def result(self) -> MockResult:
        """The score so far (the whole interview once ``finished``)."""
        return MockResult(tuple(self._steps))

    def record(
        self,
        store: ProgressStore,
        scheduler: StudyScheduler,
        *,
        reviewed_at: datetime | None = None,
        reschedule: bool = True,
    ) -> list[ReviewOutcome]:
        """Log each answered question with its suggested rating (mode ``mock``), one commit each.

        For an interview built without a store; one built with a store has committed every answer already.
        """
        if self._store is not None:
            raise ValueError("this interview records each answer as it is given; there is nothing left to record")
        at = reviewed_at or utc_now()
        return [self._commit(store, scheduler, step, at, reschedule) for step in self._steps]
