"""Cram: practise any slice of the bank outside the schedule.

A crammed success leaves the schedule alone (unless ``reschedule=True``): the
card was not due, so a right answer now says little about the interval. A
crammed failure (Again) counts like any other: it moves the card's schedule
as a lapse (``CramSession.rate``), and it is logged, so the card is weak and
its mastery 0 (``questions.study.weak``, ``questions.study.forecast``).
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fsrs import Rating

from questions.model import Bank, Question
from questions.study.clock import require_utc, utc_now
from questions.study.review_record import ReviewMode, ReviewOutcome
from questions.study.scheduler import StudyScheduler
from questions.study.session import Clock, StudySession
from questions.study.settings import StudySettings
from questions.study.snapshot import ProgressSnapshot
from questions.study.store import ProgressStore
from questions.study.weak import weak_ids


@dataclass(frozen=True)
class CramFilter:
    """Which questions to cram. Empty sets mean "any"; all given conditions must hold."""

    topics: frozenset[str] = field(default_factory=frozenset)
    tags: frozenset[str] = field(default_factory=frozenset)  # any of these tags
    difficulties: frozenset[int] = field(default_factory=frozenset)
    docs: frozenset[str] = field(default_factory=frozenset)  # asked in any of these seed documents
    verifier_backed: bool | None = None  # True: only questions with verifiers; False: only without
    weak_only: bool = False  # only weak questions (questions.study.weak.is_weak)

    def __post_init__(self) -> None:
        for name in ("topics", "tags", "difficulties", "docs"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"CramFilter.{name} must be a collection of values, not the string {value!r}")
            object.__setattr__(self, name, frozenset(value))
        unknown = {d for d in self.difficulties if d not in (1, 2, 3)}
        if unknown:
            raise ValueError(f"CramFilter.difficulties: {sorted(unknown)} are not difficulties (use 1, 2 or 3)")

    def matches_question(self, question: Question) -> bool:
        """The conditions that depend on the bank only."""
        return (
            (not self.topics or question.topic in self.topics)
            and (not self.tags or not self.tags.isdisjoint(question.tags))
            and (not self.difficulties or question.difficulty in self.difficulties)
            and (not self.docs or not self.docs.isdisjoint(question.docs))
            and (self.verifier_backed is None or bool(question.verifiers) == self.verifier_backed)
        )


def select_questions(
    bank: Bank, store: ProgressStore, cram_filter: CramFilter, scheduler: StudyScheduler, now: datetime
) -> tuple[Question, ...]:
    """The questions ``cram_filter`` selects, in bank order."""
    now = require_utc(now, "now")
    chosen = [q for q in bank if cram_filter.matches_question(q)]
    if cram_filter.weak_only:
        weak = set(weak_ids(ProgressSnapshot.read(store), bank, scheduler, now))
        chosen = [q for q in chosen if q.id in weak]
    return tuple(chosen)


class FilteredSession(StudySession):
    """Questions chosen by a ``CramFilter`` (and ``accepts``), in an order shuffled by ``seed``.

    The seed is kept (``self.seed``) so a session can be replayed exactly.
    """

    def __init__(
        self,
        store: ProgressStore,
        bank: Bank,
        cram_filter: CramFilter = CramFilter(),
        settings: StudySettings | None = None,
        *,
        scheduler: StudyScheduler | None = None,
        seed: int | None = None,
        reschedule: bool = False,
        limit: int | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(store, bank, settings, scheduler=scheduler, reschedule=reschedule, clock=clock)
        self.filter = cram_filter
        self.seed = seed if seed is not None else random.randrange(2**32)
        ids = [q.id for q in select_questions(bank, store, cram_filter, self.scheduler, self.now()) if self.accepts(q)]
        random.Random(self.seed).shuffle(ids)
        self.question_ids: tuple[str, ...] = tuple(ids[:limit] if limit is not None else ids)
        self._queue: deque[str] = deque(self.question_ids)

    def accepts(self, question: Question) -> bool:
        """Whether this kind of session can ask ``question`` at all."""
        return True

    @property
    def remaining(self) -> int:
        return len(self._queue) + (1 if self._current is not None else 0)

    def _pick(self, now: datetime) -> str | None:
        return self._queue.popleft() if self._queue else None

    def _put_back(self, question_id: str) -> None:
        self._queue.appendleft(question_id)


class CramSession(FilteredSession):
    """Filtered practice in a shuffled (seeded) order; a card rated Again comes back once more
    at the end. Ratings are logged as ``cram``; a success leaves the schedule alone unless
    ``reschedule=True``; a failure (Again) moves it as a lapse (``StudySession.rate``)."""

    mode = ReviewMode.CRAM

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._repeated: set[str] = set()

    def _after_rating(self, outcome: ReviewOutcome, now: datetime) -> None:
        question_id = outcome.record.question_id
        if outcome.record.rating == Rating.Again and question_id not in self._repeated:
            self._repeated.add(question_id)
            self._queue.append(question_id)

    def _forget(self, outcome: ReviewOutcome) -> None:
        question_id = outcome.record.question_id
        if outcome.record.rating == Rating.Again and question_id in self._repeated and question_id in self._queue:
            # the requeued copy is the last occurrence
            index = len(self._queue) - 1 - list(reversed(self._queue)).index(question_id)
            del self._queue[index]
            self._repeated.discard(question_id)
