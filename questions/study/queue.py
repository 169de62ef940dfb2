"""Today's review queue: what is due, and which new questions to introduce."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fsrs import State

from questions.model import Bank
from questions.topics import in_curriculum_order
from questions.study.card import CardState
from questions.study.clock import day_start, next_day_start, require_utc
from questions.study.readiness import pacing
from questions.study.settings import StudySettings
from questions.study.store import ProgressStore


@dataclass(frozen=True)
class ReviewQueue:
    """Question ids in the order a review session shows them (learning, due, then new)."""

    learning: tuple[CardState, ...]  # (re)learning cards due now or within the learn-ahead window
    due: tuple[CardState, ...]  # Review-state cards due by the end of today, most overdue first
    new: tuple[str, ...]  # never-reviewed questions within today's allowance: the plan's scope first, then curriculum order
    new_allowance: int  # how many new cards today's limit (or the interview plan) still allowed
    plan_new_today: int | None = None  # new scope questions the interview plan still asks for today; None: no plan

    def __len__(self) -> int:
        return len(self.learning) + len(self.due) + len(self.new)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(card.question_id for card in (*self.learning, *self.due)) + self.new


def build_review_queue(store: ProgressStore, bank: Bank, settings: StudySettings, now: datetime) -> ReviewQueue:
    """Today's queue. Cards of questions no longer in the bank stay in the store but are not shown.

    Review cards count as due for the whole local day (``settings.day_timezone``)
    on which they fall due, as in Anki; (re)learning cards, whose steps are
    minutes long, only when due within ``settings.learn_ahead``.

    New cards: up to ``settings.daily_new_limit`` a day; with an interview plan,
    at least the plan's pace for the day (``questions.study.plan``), the scope's
    questions first.
    """
    now = require_utc(now, "now")
    end_of_day = next_day_start(now, settings.day_timezone)
    learn_until = now + settings.learn_ahead
    learning: list[CardState] = []
    due: list[CardState] = []
    for card in store.cards_due(max(end_of_day, learn_until)):
        if card.question_id not in bank:
            continue
        if card.state == State.Review:
            if card.due < end_of_day:  # type: ignore[operator]
                due.append(card)
        elif card.due <= learn_until:  # type: ignore[operator]
            learning.append(card)
    allowance = max(0, settings.daily_new_limit - store.new_cards_introduced(day_start(now, settings.day_timezone)))
    known = store.question_ids()
    unseen = [question.id for question in in_curriculum_order(bank) if question.id not in known]
    plan_today = pacing(store, bank, settings, now)
    if plan_today is not None:
        allowance = max(allowance, plan_today.left_today)
        scope = set(plan_today.unseen)
        unseen = [*plan_today.unseen, *(question_id for question_id in unseen if question_id not in scope)]
    return ReviewQueue(
        learning=tuple(learning),
        due=tuple(due),
        new=tuple(unseen[:allowance]),
        new_allowance=allowance,
        plan_new_today=None if plan_today is None else plan_today.left_today,
    )
