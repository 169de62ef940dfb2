"""Spaced-repetition review: learning cards when due, then due cards, then new ones."""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from fsrs import State

from questions.model import Bank
from questions.study.clock import next_day_start, utc_now
from questions.study.queue import ReviewQueue, build_review_queue
from questions.study.review_record import ReviewMode, ReviewOutcome
from questions.study.scheduler import StudyScheduler
from questions.study.session import Clock, StudySession
from questions.study.settings import StudySettings
from questions.study.store import ProgressStore


@dataclass(frozen=True)
class QueueCounts:
    """Cards left in a review session, as the app shows them (new / learning / due)."""

    new: int
    learning: int
    due: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.due


class ReviewSession(StudySession):
    """Today's review. Order, as in Anki: (re)learning cards that are due, due review
    cards (most overdue first), new cards up to the daily limit, and finally
    learning cards due within the learn-ahead window rather than ending early.

    A card rated into a (re)learning step comes back in this session when that
    step is due (minutes later). Ratings move the schedule (``reschedule=True``).
    """

    mode = ReviewMode.REVIEW

    def __init__(
        self,
        store: ProgressStore,
        bank: Bank,
        settings: StudySettings | None = None,
        *,
        scheduler: StudyScheduler | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(store, bank, settings, scheduler=scheduler, reschedule=True, clock=clock)
        self.queue: ReviewQueue = build_review_queue(store, bank, self.settings, self.now())
        self._learning: list[tuple[datetime, str]] = [(card.due, card.question_id) for card in self.queue.learning]  # type: ignore[misc]
        heapq.heapify(self._learning)
        self._due: deque[str] = deque(card.question_id for card in self.queue.due)
        self._new: deque[str] = deque(self.queue.new)
        self._source: dict[str, str] = {}  # question id -> "learning" | "due" | "new", for undo/put-back
        self._end_of_day = next_day_start(self.now(), self.settings.day_timezone)

    @property
    def counts(self) -> QueueCounts:
        current = {"new": 0, "learning": 0, "due": 0}
        if self._current is not None:
            current[self._source.get(self._current, "due")] += 1
        return QueueCounts(
            new=len(self._new) + current["new"],
            learning=len(self._learning) + current["learning"],
            due=len(self._due) + current["due"],
        )

    @property
    def next_learning_due(self) -> datetime | None:
        """When the next waiting learning card comes due (for "come back at 21:40")."""
        return self._learning[0][0] if self._learning else None

    def _pick(self, now: datetime) -> str | None:
        if self._learning and self._learning[0][0] <= now:
            return self._take_learning()
        if self._due:
            return self._take(self._due.popleft(), "due")
        if self._new:
            return self._take(self._new.popleft(), "new")
        if self._learning and self._learning[0][0] <= now + self.settings.learn_ahead:
            return self._take_learning()
        return None

    def _take_learning(self) -> str:
        _due, question_id = heapq.heappop(self._learning)
        return self._take(question_id, "learning")

    def _take(self, question_id: str, source: str) -> str:
        self._source[question_id] = source
        return question_id

    def _after_rating(self, outcome: ReviewOutcome, now: datetime) -> None:
        card = outcome.card
        if card.state in (State.Learning, State.Relearning) and card.due is not None and card.due < self._end_of_day:
            heapq.heappush(self._learning, (card.due, card.question_id))

    def _forget(self, outcome: ReviewOutcome) -> None:
        self._learning = [entry for entry in self._learning if entry[1] != outcome.record.question_id]
        heapq.heapify(self._learning)

    def _put_back(self, question_id: str) -> None:
        source = self._source.get(question_id, "due")
        if source == "new":
            self._new.appendleft(question_id)
        elif source == "due":
            self._due.appendleft(question_id)
        else:
            heapq.heappush(self._learning, (self.card(question_id).due or self.now(), question_id))
