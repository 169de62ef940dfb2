"""What the candidate's progress looked like at one moment: card states and latest answers.

Weak cards, mastery and readiness are all judged from a ``ProgressSnapshot``:
the cards' FSRS states *and* each question's latest answer in any mode, so a
failed answer counts even where it did not move the schedule (cram).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from fsrs import Rating

from questions.study.card import CardState
from questions.study.clock import require_utc
from questions.study.store import ProgressStore


@dataclass(frozen=True)
class ProgressSnapshot:
    """Cards and latest ratings by question id, as of ``as_of`` (None: as stored now)."""

    cards: Mapping[str, CardState]
    last_ratings: Mapping[str, Rating]
    as_of: datetime | None = None

    @classmethod
    def read(cls, store: ProgressStore, as_of: datetime | None = None) -> "ProgressSnapshot":
        """The store now, or rebuilt from the review log as it stood at ``as_of``."""
        if as_of is None:
            return cls(cards=store.cards(), last_ratings=store.latest_ratings())
        as_of = require_utc(as_of, "as_of")
        return cls(cards=store.cards_as_of(as_of), last_ratings=store.latest_ratings(before=as_of), as_of=as_of)

    @classmethod
    def empty(cls) -> "ProgressSnapshot":
        """A candidate who has not studied yet (no store file)."""
        return cls(cards={}, last_ratings={})

    def card(self, question_id: str) -> CardState | None:
        return self.cards.get(question_id)

    def last_rating(self, question_id: str) -> Rating | None:
        return self.last_ratings.get(question_id)

    def last_answer_wrong(self, question_id: str) -> bool:
        return self.last_ratings.get(question_id) == Rating.Again
