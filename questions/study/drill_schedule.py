"""Drills scheduled like cards: a passed drill comes back days later, a failed one soon.

A drill's scheduling state lives in the progress store like a question's,
under the card id ``drill:<drill id>`` (``drill_card_id``), and each check the
candidate runs is one review-log row with ``ReviewMode.DRILL``: a pass is
rated Good, a failure Again. Nothing here knows what a drill is (the
``verifiers.drills`` package does); it is handed drill ids as plain strings,
as the bank names verifier ids.

Scheduling differs from questions in one place: a drill has a single
learning step of 10 minutes (``drill_settings``). A failed drill is due again
10 minutes later -- within the learn-ahead window, so at once, to be fixed --
and a pass graduates it straight to days-long FSRS intervals (2 days after a
first clean pass, then 11, 46, ...), instead of the 1- and 10-minute steps
of a flash card. Rewriting a drill that is not yet due and passing again is
practice: it is logged but leaves the schedule alone, as cramming does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Iterable

from fsrs import Rating, State

from questions.study.card import CardState
from questions.study.clock import next_day_start, require_utc, utc_now
from questions.study.review_record import ReviewMode, ReviewOutcome
from questions.study.scheduler import StudyScheduler
from questions.study.settings import StudySettings
from questions.study.store import ProgressStore

DRILL_PREFIX = "drill:"
DRILL_STEP = timedelta(minutes=10)


def drill_card_id(drill_id: str) -> str:
    """The progress-store key of a drill: ``drill:<id>``, never a bank question id (those have no colon)."""
    return DRILL_PREFIX + drill_id


def drill_settings(settings: StudySettings) -> StudySettings:
    """The study settings with one 10-minute (re)learning step, the way drills are scheduled."""
    return replace(settings, learning_steps=(DRILL_STEP,), relearning_steps=(DRILL_STEP,))


@dataclass(frozen=True)
class DrillStatus:
    """Where one drill stands: what ``tprep drill list`` and the Drills screen show."""

    drill_id: str
    state: str  # "new" (never checked), "due" (check it now), "passed" (passed; comes back on ``due``)
    due: datetime | None  # when it is next due; None for a new drill
    last_checked: datetime | None
    last_passed: bool | None  # the outcome of the last recorded check; None if never checked
    checks: int  # recorded checks
    passes: int

    def to_dict(self) -> dict:
        return {
            "drill_id": self.drill_id,
            "state": self.state,
            "due": None if self.due is None else self.due.isoformat(timespec="seconds"),
            "last_checked": None if self.last_checked is None else self.last_checked.isoformat(timespec="seconds"),
            "last_passed": self.last_passed,
            "checks": self.checks,
            "passes": self.passes,
        }


def is_due(card: CardState, now: datetime, settings: StudySettings) -> bool:
    """Due by the review queue's rule: a Review card for its whole local day, a (re)learning
    card once within the learn-ahead window."""
    if card.is_new or card.due is None:
        return True
    if card.state == State.Review:
        return card.due < next_day_start(now, settings.day_timezone)
    return card.due <= now + settings.learn_ahead


def drill_status(store: ProgressStore, drill_id: str, now: datetime, settings: StudySettings) -> DrillStatus:
    now = require_utc(now, "now")
    card_id = drill_card_id(drill_id)
    card = store.card(card_id)
    log = store.reviews(question_id=card_id)
    last = log[-1] if log else None
    passes = sum(1 for record in log if record.rating != Rating.Again)
    if card is None:
        state = "new"
    elif is_due(card, now, settings):
        state = "due"
    else:
        state = "passed"
    return DrillStatus(
        drill_id=drill_id,
        state=state,
        due=None if card is None else card.due,
        last_checked=None if last is None else last.reviewed_at,
        last_passed=None if last is None else last.rating != Rating.Again,
        checks=len(log),
        passes=passes,
    )


def drill_statuses(store: ProgressStore, drill_ids: Iterable[str], now: datetime, settings: StudySettings) -> dict[str, DrillStatus]:
    return {drill_id: drill_status(store, drill_id, now, settings) for drill_id in drill_ids}


def record_drill_check(
    store: ProgressStore,
    drill_id: str,
    passed: bool,
    *,
    settings: StudySettings,
    now: datetime | None = None,
    duration: timedelta | None = None,
) -> ReviewOutcome:
    """Log one check of a drill (committed before returning) and move its schedule.

    A pass is rated Good and a failure Again. A pass of a drill that is in
    review and not yet due is logged as practice and leaves the schedule alone
    (a failure always counts: it shows the drill was forgotten).
    """
    now = require_utc(now or utc_now(), "now")
    card_id = drill_card_id(drill_id)
    card = store.card(card_id)
    reschedule = not passed or card is None or card.state != State.Review or is_due(card, now, settings)
    return store.record_review(
        card_id,
        Rating.Good if passed else Rating.Again,
        scheduler=StudyScheduler(drill_settings(settings)),
        reviewed_at=now,
        duration=duration,
        mode=ReviewMode.DRILL,
        reschedule=reschedule,
    )
