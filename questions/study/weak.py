"""The one definition of a weak card, judged from performance.

Cram's "weak only", ``tprep export --weak``, the stats screen and the home
screen all call ``is_weak`` (through ``weak_question_ids``), so they always
agree. A question is weak when any of these holds:

1. its latest answer, in any mode (review, typed, multiple choice, mock
   interview, cram), was wrong: rated Again;
2. it lapsed and has not been relearnt yet (FSRS ``Relearning`` state), or it
   has lapsed ``WEAK_LAPSES`` times or more (a leech: forgotten again and again);
3. its predicted recall now is below ``settings.weak_retrievability``.

Rule 1 alone makes the weak list non-empty right after any failure. A
question never answered is new, not weak.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fsrs import Rating, State

from questions.model import Bank
from questions.study.card import CardState
from questions.study.clock import require_utc, utc_now
from questions.study.scheduler import StudyScheduler
from questions.study.settings import StudySettings
from questions.study.snapshot import ProgressSnapshot
from questions.study.store import ProgressStore

WEAK_LAPSES = 2  # forgotten this often after being learnt: weak however fresh the last review


def is_weak(card: CardState | None, last_rating: Rating | None, scheduler: StudyScheduler, now: datetime) -> bool:
    """Whether a question is weak (see the module docstring); ``card`` None means never scheduled."""
    if last_rating == Rating.Again:
        return True
    if card is None or card.is_new:
        return False
    return (
        card.state == State.Relearning
        or card.lapses >= WEAK_LAPSES
        or scheduler.retrievability(card, now) < scheduler.settings.weak_retrievability
    )


def weak_ids(snapshot: ProgressSnapshot, bank: Bank, scheduler: StudyScheduler, now: datetime) -> tuple[str, ...]:
    """Ids of the bank's weak questions in ``snapshot``, in bank order."""
    now = require_utc(now, "now")
    return tuple(
        question.id
        for question in bank
        if is_weak(snapshot.card(question.id), snapshot.last_rating(question.id), scheduler, now)
    )


def weak_question_ids(
    store: ProgressStore | Path, bank: Bank, now: datetime | None = None, settings: StudySettings | None = None
) -> tuple[str, ...]:
    """Ids of the bank's weak questions now, in bank order.

    Given a path, the store is opened read-and-closed; a store that does not
    exist yet means nothing is weak (and is not created).
    """
    if not isinstance(store, ProgressStore):
        if not Path(store).expanduser().exists():
            return ()
        with ProgressStore.open(store) as opened:
            return weak_question_ids(opened, bank, now, settings)
    return weak_ids(ProgressSnapshot.read(store), bank, StudyScheduler(settings or StudySettings()), now or utc_now())
