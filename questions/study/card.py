"""The scheduling state of one question, keyed by its stable id."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping

from fsrs import Card, State

from questions.study.clock import from_db, require_utc, to_db


@dataclass(frozen=True)
class CardState:
    """FSRS memory state of a question plus counters for stats.

    A question that was never reviewed has no row in the store; ``CardState.new``
    stands in for it, so new questions in the bank are new cards automatically.
    """

    question_id: str
    state: State = State.Learning
    step: int | None = 0  # position in the (re)learning steps; None in the Review state
    stability: float | None = None  # days until retrievability falls to 90%
    difficulty: float | None = None  # 1 (easy) .. 10 (hard)
    due: datetime | None = None  # None only for a new card: due whenever it is introduced
    last_review: datetime | None = None
    reps: int = 0  # scheduled reviews so far
    lapses: int = 0  # times a Review-state card was forgotten (rated Again)

    def __post_init__(self) -> None:
        if self.due is not None:
            object.__setattr__(self, "due", require_utc(self.due, "due"))
        if self.last_review is not None:
            object.__setattr__(self, "last_review", require_utc(self.last_review, "last_review"))

    @classmethod
    def new(cls, question_id: str) -> "CardState":
        return cls(question_id=question_id)

    @property
    def is_new(self) -> bool:
        return self.last_review is None

    def to_fsrs(self, now: datetime) -> Card:
        # fsrs wants an int card id; the question id stays the key on our side.
        return Card(
            card_id=0,
            state=self.state,
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due or now,
            last_review=self.last_review,
        )

    def after_fsrs(self, card: Card, *, lapsed: bool) -> "CardState":
        """This card's next state from fsrs' reviewed ``card``; a new object, ``self`` is unchanged."""
        return replace(
            self,
            state=card.state,
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
            reps=self.reps + 1,
            lapses=self.lapses + (1 if lapsed else 0),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "state": int(self.state),
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": to_db(self.due) if self.due else None,
            "last_review": to_db(self.last_review) if self.last_review else None,
            "reps": self.reps,
            "lapses": self.lapses,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CardState":
        return cls(
            question_id=str(data["question_id"]),
            state=State(int(data["state"])),
            step=None if data.get("step") is None else int(data["step"]),
            stability=None if data.get("stability") is None else float(data["stability"]),
            difficulty=None if data.get("difficulty") is None else float(data["difficulty"]),
            due=from_db(data["due"]) if data.get("due") else None,
            last_review=from_db(data["last_review"]) if data.get("last_review") else None,
            reps=int(data.get("reps") or 0),
            lapses=int(data.get("lapses") or 0),
        )
