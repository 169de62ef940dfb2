"""Planning to an interview date: the cap on intervals and the pace of new questions.

The rules, decided here once:

* **The final days.** The ``final_days`` local days before the interview are
  for reviewing only. Every question of the scope should have been seen
  before they start (the *deadline*), and every card comes due in them.
* **The cap.** A review made before the final days whose next due date would
  land on the interview day or later is brought forward into the final days.
  Each question gets a fixed day there (from a hash of its id), so the
  capped cards spread over the final days instead of piling up on the last
  one. A review made in the final days is left alone: the card is fresh.
* **The pace.** New questions of the scope are introduced at
  ``ceil(unseen / study days left before the deadline)`` a day, counted at the
  start of each day, so the rate stays fixed through the day. The user's
  daily new-card limit still applies when it is higher (the scope comes
  first, then the rest of the bank). A plan whose deadline has passed
  introduces all the scope's unseen questions at once.
* **Behind.** The pace the candidate actually kept (new scope questions per
  day over the last week, or since their first review if that is sooner)
  projected to the deadline; any question still unseen then means the plan
  is behind.

Everything here is pure (no store access); ``questions.study.readiness``
puts it together with the progress store for ``tprep plan`` and the screens.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING

from questions.study.clock import require_utc
from questions.topics import in_curriculum_order

if TYPE_CHECKING:
    from questions.model import Bank, Question

DEFAULT_FINAL_DAYS = 3
FINAL_DAYS_RANGE = (1, 30)
PACE_WINDOW_DAYS = 7  # how far back the candidate's actual pace of new questions is measured


def local_day_start(day: date, tz: tzinfo) -> datetime:
    """The UTC instant at which local calendar ``day`` begins in ``tz``."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(timezone.utc)


@dataclass(frozen=True)
class InterviewPlan:
    """An interview on ``date`` (a local calendar day), studied for with ``topics`` (empty: all)."""

    date: date
    topics: frozenset[str] = field(default_factory=frozenset)
    final_days: int = DEFAULT_FINAL_DAYS

    def __post_init__(self) -> None:
        if isinstance(self.date, datetime) or not isinstance(self.date, date):
            raise TypeError(f"InterviewPlan.date must be a calendar date, got {self.date!r}")
        if isinstance(self.topics, str):
            raise TypeError(f"InterviewPlan.topics must be a collection of topics, not the string {self.topics!r}")
        object.__setattr__(self, "topics", frozenset(self.topics))
        low, high = FINAL_DAYS_RANGE
        if isinstance(self.final_days, bool) or not isinstance(self.final_days, int) or not low <= self.final_days <= high:
            raise ValueError(f"InterviewPlan.final_days must be a whole number from {low} to {high}, got {self.final_days!r}")

    # -- calendar --------------------------------------------------------------------------

    @property
    def deadline(self) -> date:
        """The first of the final days: every question of the scope should be seen before it."""
        return self.date - timedelta(days=self.final_days)

    def interview_start(self, tz: tzinfo) -> datetime:
        """When the interview day begins: the instant readiness is forecast for."""
        return local_day_start(self.date, tz)

    def final_days_start(self, tz: tzinfo) -> datetime:
        return local_day_start(self.deadline, tz)

    def is_active(self, now: datetime, tz: tzinfo) -> bool:
        """Whether the interview is still ahead (the plan shapes the schedule until its day begins)."""
        return require_utc(now, "now") < self.interview_start(tz)

    def study_days_left(self, today: date) -> int:
        """Days from ``today`` (included) to the deadline (excluded) for introducing new questions; 0 once there."""
        return max(0, (self.deadline - today).days)

    # -- scope -----------------------------------------------------------------------------

    def in_scope(self, question: "Question") -> bool:
        return not self.topics or question.topic in self.topics

    def scope(self, bank: "Bank") -> tuple["Question", ...]:
        """The questions to have seen before the deadline, in curriculum order."""
        return tuple(question for question in in_curriculum_order(bank) if self.in_scope(question))

    def unknown_topics(self, bank: "Bank") -> frozenset[str]:
        """Scope topics the bank does not have (e.g. after a custom bank was removed)."""
        return self.topics - set(bank.topics())

    # -- the rules -------------------------------------------------------------------------

    def cap_due(self, question_id: str, due: datetime, reviewed_at: datetime, tz: tzinfo) -> datetime:
        """``due``, or a day in the final days if a review before them would otherwise come due too late."""
        final_start = self.final_days_start(tz)
        if require_utc(reviewed_at, "reviewed_at") >= final_start or require_utc(due, "due") < self.interview_start(tz):
            return due
        # zlib.crc32, unlike hash(), is the same in every process: a card keeps its day.
        offset = zlib.crc32(question_id.encode("utf-8")) % self.final_days
        return local_day_start(self.deadline + timedelta(days=offset), tz)

    def new_per_day(self, unseen_at_day_start: int, today: date) -> int:
        """New scope questions to introduce on ``today`` to see them all before the deadline."""
        if unseen_at_day_start <= 0:
            return 0
        days = self.study_days_left(today)
        return unseen_at_day_start if days == 0 else math.ceil(unseen_at_day_start / days)

