"""FSRS scheduling over ``CardState``: the one place that talks to the ``fsrs`` package."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from fsrs import Rating, Scheduler, State

from questions.study.card import CardState
from questions.study.clock import require_utc
from questions.study.settings import StudySettings


class StudyScheduler:
    """Wraps ``fsrs.Scheduler`` built from ``StudySettings``; pure, no I/O.

    With an interview date (``settings.interview``), a review's next due date
    is capped to land before the interview (``InterviewPlan.cap_due``).
    ``fsrs.Scheduler`` raises ``ValueError`` for parameters out of its bounds.
    """

    def __init__(self, settings: StudySettings | None = None) -> None:
        self.settings = settings or StudySettings()
        parameters = {} if self.settings.fsrs_parameters is None else {"parameters": self.settings.fsrs_parameters}
        self._fsrs = Scheduler(
            **parameters,
            desired_retention=self.settings.desired_retention,
            learning_steps=self.settings.learning_steps,
            relearning_steps=self.settings.relearning_steps,
            maximum_interval=self.settings.maximum_interval_days,
            enable_fuzzing=self.settings.enable_fuzzing,
        )

    def review(self, card: CardState, rating: Rating, reviewed_at: datetime) -> CardState:
        """The card's state after ``rating`` at ``reviewed_at``; ``card`` itself is unchanged."""
        reviewed_at = require_utc(reviewed_at, "reviewed_at")
        rating = Rating(rating)
        reviewed, _log = self._fsrs.review_card(card.to_fsrs(reviewed_at), rating, reviewed_at)
        lapsed = card.state == State.Review and rating == Rating.Again
        return self.capped(card.after_fsrs(reviewed, lapsed=lapsed))

    def capped(self, card: CardState) -> CardState:
        """``card`` with its due date brought before the interview when the plan says so (else ``card``)."""
        plan = self.settings.interview
        if plan is None or card.due is None or card.last_review is None:
            return card
        due = plan.cap_due(card.question_id, card.due, card.last_review, self.settings.day_timezone)
        return card if due == card.due else replace(card, due=due)

    @property
    def parameters(self) -> tuple[float, ...]:
        """The FSRS model weights in use (the defaults unless fitted ones were given)."""
        return tuple(self._fsrs.parameters)

    def retrievability(self, card: CardState, now: datetime) -> float:
        """Predicted probability of recall at ``now``; 0 for a card never reviewed."""
        if card.is_new:
            return 0.0
        return float(self._fsrs.get_card_retrievability(card.to_fsrs(now), require_utc(now, "now")))

    def preview(self, card: CardState, now: datetime) -> dict[Rating, timedelta]:
        """How long until the card is due again for each rating (the labels on the rating buttons).

        Computed without fuzzing so the labels are stable; the real review may
        land a day or two either side on long intervals when fuzzing is on.
        """
        now = require_utc(now, "now")
        fuzzing, self._fsrs.enable_fuzzing = self._fsrs.enable_fuzzing, False
        try:
            return {rating: self.review(card, rating, now).due - now for rating in Rating}  # type: ignore[operator]
        finally:
            self._fsrs.enable_fuzzing = fuzzing


def format_interval(interval: timedelta) -> str:
    """Short label for an interval: ``1m``, ``10m``, ``3h``, ``4d``, ``2.5mo``, ``1.2y``."""
    seconds = max(0.0, interval.total_seconds())
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
