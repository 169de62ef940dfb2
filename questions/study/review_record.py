"""One row of the review log, and what recording a review returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Mapping

from fsrs import Rating

from questions.study.card import CardState
from questions.study.clock import from_db, require_utc, to_db


class ReviewMode(str, Enum):
    """How the user was asked: kept in the log so stats can tell the modes apart."""

    REVIEW = "review"  # spaced-repetition review (flip card, self-rate)
    CRAM = "cram"  # filtered practice outside the schedule
    CHOICE = "choice"  # multiple choice
    MOCK = "mock"  # mock interview
    TYPED = "typed"  # typed answer checked against the key points
    DRILL = "drill"  # a coding drill checked by tprep (card ids "drill:<drill id>", see drill_schedule)


@dataclass(frozen=True)
class ReviewRecord:
    """A rating as logged. ``card_before`` is what undo restores (None: the card was new)."""

    id: int
    question_id: str
    rating: Rating
    reviewed_at: datetime
    duration: timedelta | None
    mode: ReviewMode
    scheduled: bool  # False: practice that left the schedule alone (cram without rescheduling)
    card_before: CardState | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "reviewed_at", require_utc(self.reviewed_at, "reviewed_at"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question_id": self.question_id,
            "rating": int(self.rating),
            "reviewed_at": to_db(self.reviewed_at),
            "duration_ms": None if self.duration is None else round(self.duration / timedelta(milliseconds=1)),
            "mode": self.mode.value,
            "scheduled": self.scheduled,
            "card_before": None if self.card_before is None else self.card_before.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ReviewRecord":
        duration_ms = data.get("duration_ms")
        card_before = data.get("card_before")
        return cls(
            id=int(data.get("id") or 0),
            question_id=str(data["question_id"]),
            rating=Rating(int(data["rating"])),
            reviewed_at=from_db(data["reviewed_at"]),
            duration=None if duration_ms is None else timedelta(milliseconds=int(duration_ms)),
            mode=ReviewMode(data.get("mode") or ReviewMode.REVIEW.value),
            scheduled=bool(data.get("scheduled", True)),
            card_before=None if card_before is None else CardState.from_dict(card_before),
        )


@dataclass(frozen=True)
class ReviewOutcome:
    """What ``ProgressStore.record_review`` committed: the log row and the card's new state."""

    record: ReviewRecord
    card: CardState  # after the review (unchanged when the review was not scheduled)
