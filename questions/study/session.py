"""What every rated study session shares: the current card, committing a rating, undo.

Subclasses decide the order (``_pick``) and what happens to a card after it
is rated (``_after_rating``); ``undo`` puts the card back in front.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from fsrs import Rating

from questions.model import Bank, Question
from questions.study.card import CardState
from questions.study.clock import require_utc, utc_now
from questions.study.errors import StudyError, UndoError
from questions.study.review_record import ReviewMode, ReviewOutcome
from questions.study.scheduler import StudyScheduler
from questions.study.settings import StudySettings
from questions.study.store import ProgressStore

Clock = Callable[[], datetime]


class StudySession:
    """Base of ``ReviewSession``, ``CramSession`` and ``MultipleChoiceSession``.

    ``current`` is the question to show (None when the session is over);
    ``rate`` commits the rating to the store before returning, then moves on;
    ``undo`` reverts the latest rating of this session, in the store too.
    """

    mode: ReviewMode = ReviewMode.REVIEW

    def __init__(
        self,
        store: ProgressStore,
        bank: Bank,
        settings: StudySettings | None = None,
        *,
        scheduler: StudyScheduler | None = None,
        reschedule: bool = True,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.bank = bank
        self.settings = settings or (scheduler.settings if scheduler else StudySettings())
        self.scheduler = scheduler or StudyScheduler(self.settings)
        self.reschedule = reschedule
        self._clock = clock
        self._current: str | None = None
        self._history: list[ReviewOutcome] = []

    # -- what subclasses provide ---------------------------------------------------------

    def _pick(self, now: datetime) -> str | None:
        """Remove and return the next question id to show, or None when nothing is left."""
        raise NotImplementedError

    def _after_rating(self, outcome: ReviewOutcome, now: datetime) -> None:
        """Requeue the rated card if the session should show it again."""

    def _forget(self, outcome: ReviewOutcome) -> None:
        """Drop whatever ``_after_rating`` requeued for ``outcome`` (its rating is being undone)."""

    def _put_back(self, question_id: str) -> None:
        """Return an unrated current card to the front of the queue it came from."""

    # -- the session -----------------------------------------------------------------------

    def now(self) -> datetime:
        return require_utc(self._clock(), "clock()")

    @property
    def current(self) -> Question | None:
        """The question to show now; stays the same until it is rated."""
        if self._current is None:
            self._current = self._pick(self.now())
        return None if self._current is None else self.bank.get(self._current)

    @property
    def finished(self) -> bool:
        return self.current is None

    @property
    def reviewed(self) -> int:
        """Ratings committed in this session (undone ones not counted)."""
        return len(self._history)

    @property
    def history(self) -> tuple[ReviewOutcome, ...]:
        return tuple(self._history)

    def card(self, question_id: str | None = None) -> CardState:
        """Stored state of ``question_id`` (default: the current question); a new card if never reviewed."""
        question_id = question_id or self._require_current().id
        return self.store.card_or_new(question_id)

    def preview(self) -> dict[Rating, timedelta]:
        """Interval until the current card is due again for each rating, for the rating buttons."""
        return self.scheduler.preview(self.card(), self.now())

    def rate(
        self,
        rating: Rating,
        duration: timedelta | None = None,
        *,
        mode: ReviewMode | None = None,
        reschedule: bool | None = None,
    ) -> ReviewOutcome:
        """Commit ``rating`` for the current question (durably), then advance.

        ``mode`` overrides how the review is logged, e.g. ``ReviewMode.TYPED`` when
        the answer was typed and checked in a review session (default: the session's);
        ``reschedule`` whether this rating moves the schedule (default: the session's). A
        failure (Again) always moves it, as a lapse: failures count in every mode.
        """
        question = self._require_current()
        now = self.now()
        outcome = self.store.record_review(
            question.id,
            Rating(rating),
            scheduler=self.scheduler,
            reviewed_at=now,
            duration=duration,
            mode=mode or self.mode,
            reschedule=Rating(rating) == Rating.Again or (self.reschedule if reschedule is None else reschedule),
        )
        self._history.append(outcome)
        self._current = None
        self._after_rating(outcome, now)
        return outcome

    @property
    def can_undo(self) -> bool:
        return bool(self._history)

    def undo(self) -> Question:
        """Revert the latest rating of this session: log row removed, card state restored, card shown again."""
        if not self._history:
            raise UndoError("nothing to undo in this session")
        outcome = self._history[-1]
        self.store.undo_review(outcome.record.id)  # raises UndoError, leaving the session as it was
        self._history.pop()
        self._forget(outcome)
        if self._current is not None:
            self._put_back(self._current)
        self._current = outcome.record.question_id
        return self.bank.get(self._current)

    def _require_current(self) -> Question:
        question = self.current
        if question is None:
            raise StudyError("the session is finished: there is no current question to rate")
        return question
