"""Personal FSRS parameters: fitted to the candidate's own review log with py-fsrs's ``Optimizer``.

What the optimizer learns from, checked against fsrs 6.3.2's
``fsrs/optimizer.py`` (``compute_optimal_parameters``):

* each card's reviews in time order, the first ``MAX_REVIEWS_PER_QUESTION``
  (its ``max_seq_len``) of them;
* a review is *eligible* (it contributes to the loss) when it comes at least
  a full day after the card's previous review (``(t - last_review).days > 0``);
* with fewer than ``MIN_ELIGIBLE_REVIEWS`` eligible reviews (its
  ``mini_batch_size``) it returns the default parameters without fitting.

We count eligible reviews by the same rule first, so "too few reviews" is a
clear message rather than defaults passed off as a fit. We give it the
*scheduled* reviews (those that moved a card: what the stored states were
computed from) of questions whose whole history is in the log, and score the
old and the new parameters the same way on that history: log loss and a
calibration RMSE over ``CALIBRATION_BINS`` bins of predicted recall.

Nothing here writes anything until ``apply_parameters``, which reschedules
every card in one store transaction.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Mapping, Sequence

from fsrs import Card, Rating, Scheduler

from questions.study.card import CardState
from questions.study.errors import NotEnoughReviewsError, OptimizerUnavailableError
from questions.study.review_record import ReviewRecord
from questions.study.scheduler import StudyScheduler
from questions.study.settings import StudySettings
from questions.study.store import ProgressStore

MIN_ELIGIBLE_REVIEWS = 512  # fsrs.optimizer: mini_batch_size; fewer and it returns the defaults
MAX_REVIEWS_PER_QUESTION = 64  # fsrs.optimizer: max_seq_len
CALIBRATION_BINS = 20

# What each FSRS-6 weight does, for the old-vs-new table.
PARAMETER_NAMES = (
    "initial stability, Again",
    "initial stability, Hard",
    "initial stability, Good",
    "initial stability, Easy",
    "initial difficulty",
    "initial difficulty, rating slope",
    "difficulty change per rating",
    "difficulty mean reversion",
    "recall stability: scale",
    "recall stability: stability decay",
    "recall stability: retrievability gain",
    "forget stability: scale",
    "forget stability: difficulty",
    "forget stability: stability",
    "forget stability: retrievability",
    "Hard penalty",
    "Easy bonus",
    "same-day stability: scale",
    "same-day stability: rating offset",
    "same-day stability: stability",
    "forgetting-curve decay",
)

History = Mapping[str, Sequence[ReviewRecord]]


def scheduled_histories(store: ProgressStore, *, complete_only: bool) -> dict[str, list[ReviewRecord]]:
    """Each question's scheduled reviews in time order.

    ``complete_only``: only questions whose first logged scheduled review found
    a new card (their whole history is in the log, e.g. not half of it imported).
    """
    by_question: dict[str, list[ReviewRecord]] = defaultdict(list)
    for record in store.reviews():
        if record.scheduled:
            by_question[record.question_id].append(record)
    histories = {}
    for question_id, records in by_question.items():
        records.sort(key=lambda record: (record.reviewed_at, record.id))
        if complete_only and records[0].card_before is not None:
            continue
        histories[question_id] = records
    return histories


def _eligible_steps(records: Sequence[ReviewRecord]) -> list[bool]:
    """For each of the first reviews the optimizer reads: whether it counts in its loss."""
    used = records[:MAX_REVIEWS_PER_QUESTION]
    return [index > 0 and used[index].reviewed_at - used[index - 1].reviewed_at >= timedelta(days=1) for index in range(len(used))]


def count_eligible(histories: History) -> int:
    """Reviews FSRS's optimizer learns from (see the module docstring)."""
    return sum(sum(_eligible_steps(records)) for records in histories.values())


@dataclass(frozen=True)
class FitMetrics:
    """How well a parameter set predicts the history: lower is better for both."""

    reviews: int  # eligible reviews scored
    log_loss: float  # mean binary cross-entropy of predicted recall vs recalled (not Again)
    rmse_bins: float  # calibration: RMSE between mean predicted and observed recall per bin, weighted by count


def evaluate(parameters: Sequence[float], histories: History) -> FitMetrics:
    """Replay every history with ``parameters`` and score the predicted recall at each eligible review."""
    scheduler = Scheduler(parameters=tuple(parameters), enable_fuzzing=False)
    predictions: list[tuple[float, int]] = []
    for records in histories.values():
        card = Card(card_id=0, due=records[0].reviewed_at)  # an id given: Card() sleeps 1 ms to make one up
        for record, eligible in zip(records, _eligible_steps(records)):
            if eligible:
                predicted = float(scheduler.get_card_retrievability(card, record.reviewed_at))
                predictions.append((predicted, int(record.rating != Rating.Again)))
            card, _log = scheduler.review_card(card, record.rating, record.reviewed_at)
    if not predictions:
        return FitMetrics(0, math.nan, math.nan)
    epsilon = 1e-9
    log_loss = -sum(
        recalled * math.log(max(p, epsilon)) + (1 - recalled) * math.log(max(1 - p, epsilon)) for p, recalled in predictions
    ) / len(predictions)
    bins: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for p, recalled in predictions:
        bins[min(CALIBRATION_BINS - 1, int(p * CALIBRATION_BINS))].append((p, recalled))
    squared = sum(
        len(members) * (sum(p for p, _ in members) / len(members) - sum(r for _, r in members) / len(members)) ** 2
        for members in bins.values()
    )
    return FitMetrics(len(predictions), log_loss, math.sqrt(squared / len(predictions)))


@dataclass(frozen=True)
class ParameterFit:
    """A fit and its comparison with the parameters in use; nothing has been saved yet."""

    old: tuple[float, ...]
    new: tuple[float, ...]
    questions: int
    reviews: int  # scheduled reviews given to the optimizer
    eligible: int
    before: FitMetrics  # old parameters on the history
    after: FitMetrics  # new parameters on the same history
    last_review_id: int  # the log as it was read; applying refuses if it has grown since

    @property
    def improved(self) -> bool:
        """Whether the new parameters predict the candidate's history better (lower log loss)."""
        return self.after.log_loss < self.before.log_loss

    def to_dict(self) -> dict[str, Any]:
        return {
            "questions": self.questions,
            "reviews": self.reviews,
            "eligible_reviews": self.eligible,
            "needed": MIN_ELIGIBLE_REVIEWS,
            "old": list(self.old),
            "new": list(self.new),
            "before": vars(self.before),
            "after": vars(self.after),
            "improved": self.improved,
        }


def fit_parameters(store: ProgressStore, settings: StudySettings) -> ParameterFit:
    """Fit FSRS parameters to the log in ``store``; writes nothing.

    Raises ``NotEnoughReviewsError`` below ``MIN_ELIGIBLE_REVIEWS`` eligible
    reviews and ``OptimizerUnavailableError`` without the optimizer's extra
    packages (both ``exit_code = 2``).
    """
    last_review_id = store.last_review_id()
    histories = scheduled_histories(store, complete_only=True)
    reviews = sum(len(records) for records in histories.values())
    eligible = count_eligible(histories)
    if eligible < MIN_ELIGIBLE_REVIEWS:
        raise NotEnoughReviewsError(eligible, MIN_ELIGIBLE_REVIEWS, reviews, len(histories))
    optimizer_class = _optimizer_class()
    from fsrs import ReviewLog

    logs = [
        ReviewLog(
            card_id=card_id,
            rating=record.rating,
            review_datetime=record.reviewed_at,
            review_duration=None if record.duration is None else round(record.duration / timedelta(milliseconds=1)),
        )
        for card_id, records in enumerate(histories.values(), start=1)
        for record in records
    ]
    new = tuple(float(w) for w in optimizer_class(logs).compute_optimal_parameters(verbose=False))
    old = StudyScheduler(settings).parameters
    return ParameterFit(
        old=old,
        new=new,
        questions=len(histories),
        reviews=reviews,
        eligible=eligible,
        before=evaluate(old, histories),
        after=evaluate(new, histories),
        last_review_id=last_review_id,
    )


def _optimizer_class() -> type:
    # fsrs.optimizer swaps in a stub that raises on use when its extras are missing; ask for them by name instead.
    for module in ("pandas", "tqdm", "torch"):
        try:
            __import__(module)
        except ImportError:
            raise OptimizerUnavailableError(module) from None
    from fsrs.optimizer import Optimizer

    return Optimizer


def apply_parameters(
    store: ProgressStore, settings: StudySettings, parameters: Sequence[float] | None, *, expect_last_review_id: int | None = None
) -> int:
    """Reschedule every card as if it had always been scheduled with ``parameters`` (None: the defaults).

    Each card's scheduled reviews are replayed from the state before its first
    logged one, with the interview cap and fuzzing of ``settings``. A card whose
    log does not end at its last review (imported without it) keeps its state.
    One transaction; refuses (``StoreError``) if reviews were logged after
    ``expect_last_review_id``. Returns how many cards changed. The caller saves
    ``parameters`` in the settings afterwards.
    """
    scheduler = StudyScheduler(replace(settings, fsrs_parameters=None if parameters is None else tuple(parameters)))
    histories = scheduled_histories(store, complete_only=False)

    def rescheduled(card: CardState) -> CardState | None:
        records = histories.get(card.question_id)
        if not records or records[-1].reviewed_at != card.last_review:
            return None
        state = records[0].card_before or CardState.new(card.question_id)
        for record in records:
            state = scheduler.review(state, record.rating, record.reviewed_at)
        return state

    return store.rewrite_cards(rescheduled, expect_last_review_id=expect_last_review_id)
