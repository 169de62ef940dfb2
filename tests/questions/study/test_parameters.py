"""Personal FSRS parameters: what the optimizer can learn from, scoring, rescheduling (no fit here: see
tests/tui/test_optimize_cli.py for the fit itself)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest
from fsrs import Card, ReviewLog, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from questions.study import NotEnoughReviewsError, ProgressStore, Rating, StoreError, fit_parameters
from questions.study.parameters import (
    MAX_REVIEWS_PER_QUESTION,
    MIN_ELIGIBLE_REVIEWS,
    apply_parameters,
    count_eligible,
    evaluate,
    scheduled_histories,
)
from questions.study.review_record import ReviewMode, ReviewRecord

from .factory import T0, simulated_progress


def history(question_id: str, gaps: list[timedelta], rating: Rating = Rating.Good) -> list[ReviewRecord]:
    at, records = T0, []
    for index, gap in enumerate([timedelta(0), *gaps]):
        at += gap
        records.append(ReviewRecord(index, question_id, rating, at, None, ReviewMode.REVIEW, True, None))
    return records


def test_a_review_counts_from_a_full_day_after_the_previous_one():
    day, just_under = timedelta(days=1), timedelta(days=1) - timedelta(seconds=1)
    assert count_eligible({"q": history("q", [day, just_under, timedelta(minutes=10), day * 30])}) == 2
    assert count_eligible({"q": history("q", [day] * 100)}) == MAX_REVIEWS_PER_QUESTION - 1, "the first 64 reviews only"


def test_the_count_agrees_with_the_optimizer_at_its_threshold():
    """511 eligible reviews (some under a day apart, some past the 64th): fsrs returns its defaults unfitted."""
    from fsrs import Optimizer  # the 'optimizer' extra is part of 'dev'

    histories = {f"q{i}": history(f"q{i}", [timedelta(days=1, hours=1)] * 70) for i in range(8)}  # 8 x 63 = 504
    histories["short"] = history("short", [timedelta(days=2)] * 7 + [timedelta(hours=3)] * 5)  # + 7
    assert count_eligible(histories) == MIN_ELIGIBLE_REVIEWS - 1
    logs = [
        ReviewLog(card_id=card_id, rating=r.rating, review_datetime=r.reviewed_at, review_duration=None)
        for card_id, records in enumerate(histories.values())
        for r in records
    ]
    assert tuple(Optimizer(logs).compute_optimal_parameters()) == DEFAULT_PARAMETERS


def test_too_few_reviews_is_a_clear_error_that_changes_nothing(store, scheduler):
    store.import_progress(simulated_progress(questions=5))
    before = store.export_progress(T0)
    with pytest.raises(NotEnoughReviewsError) as raised:
        fit_parameters(store, scheduler.settings)
    error = raised.value
    assert error.exit_code == 2 and error.needed == MIN_ELIGIBLE_REVIEWS and 0 < error.eligible < MIN_ELIGIBLE_REVIEWS
    assert f"{error.eligible} reviews the FSRS optimizer can learn from, and it needs 512" in str(error)
    assert store.export_progress(T0) == before


def test_evaluate_scores_each_eligible_review():
    records = history("q", [timedelta(days=3), timedelta(minutes=5), timedelta(days=7)])
    records[3] = replace(records[3], rating=Rating.Again)
    scheduler = Scheduler(enable_fuzzing=False)
    card = Card(card_id=0, due=T0)
    predictions = []
    for index, record in enumerate(records):
        if index in (1, 3):  # the 5-minute review is not scored
            predictions.append(scheduler.get_card_retrievability(card, record.reviewed_at))
        card, _ = scheduler.review_card(card, record.rating, record.reviewed_at)
    metrics = evaluate(DEFAULT_PARAMETERS, {"q": records})
    assert metrics.reviews == 2
    assert metrics.log_loss == pytest.approx(-(math.log(predictions[0]) + math.log(1 - predictions[1])) / 2)
    # two predictions in different bins: each bin's error is its own prediction's distance from 1 or 0
    assert int(predictions[0] * 20) != int(predictions[1] * 20)
    assert metrics.rmse_bins == pytest.approx(math.sqrt(((1 - predictions[0]) ** 2 + predictions[1] ** 2) / 2))


def test_histories_leave_out_practice_and_partial_histories(store, scheduler):
    store.record_review("whole", Rating.Good, scheduler=scheduler, reviewed_at=T0)
    store.record_review("whole", Rating.Again, scheduler=scheduler, reviewed_at=T0 + timedelta(days=1), mode=ReviewMode.CRAM, reschedule=False)
    store.record_review("whole", Rating.Good, scheduler=scheduler, reviewed_at=T0 + timedelta(days=2))
    partial = simulated_progress(questions=1)
    partial["review_log"] = partial["review_log"][2:]  # its first reviews are not in this log
    store.import_progress(partial)
    assert list(scheduled_histories(store, complete_only=True)) == ["whole"]
    assert [r.rating for r in scheduled_histories(store, complete_only=True)["whole"]] == [Rating.Good, Rating.Good]
    assert set(scheduled_histories(store, complete_only=False)) == {"whole", "sim-000"}


def test_rescheduling_with_the_same_parameters_reproduces_every_card(store, scheduler):
    store.import_progress(simulated_progress(questions=12))  # simulated with fuzzing off, as these settings
    before = store.cards()
    assert apply_parameters(store, scheduler.settings, None) == 0
    assert store.cards() == before


def test_rescheduling_with_new_parameters_rewrites_cards_not_the_log(store, scheduler):
    store.import_progress(simulated_progress(questions=12))
    before, log = store.cards(), store.reviews()
    slower_forgetting = list(DEFAULT_PARAMETERS)
    slower_forgetting[20] = 0.1  # decay
    changed = apply_parameters(store, scheduler.settings, slower_forgetting, expect_last_review_id=store.last_review_id())
    after = store.cards()
    assert changed == len(after) == 12
    assert all(after[q].stability != before[q].stability or after[q].due != before[q].due for q in after)
    assert all(after[q].last_review == before[q].last_review and after[q].reps == before[q].reps for q in after)
    assert store.reviews() == log


def test_rescheduling_refuses_when_reviews_were_logged_meanwhile(store, scheduler):
    store.import_progress(simulated_progress(questions=3))
    read_at = store.last_review_id()
    store.record_review("sim-000", Rating.Good, scheduler=scheduler, reviewed_at=T0 + timedelta(days=1))
    before = store.cards()
    changed = list(DEFAULT_PARAMETERS)
    changed[0] = 0.5
    with pytest.raises(StoreError, match="nothing was changed"):
        apply_parameters(store, scheduler.settings, changed, expect_last_review_id=read_at)
    assert store.cards() == before


def test_a_card_newer_than_its_log_keeps_its_state(store, scheduler, store_path):
    store.import_progress(simulated_progress(questions=2))
    newer = replace(store.card("sim-000"), last_review=T0 + timedelta(days=3), stability=99.0)
    store.import_progress({"format": "transformer-prep-progress", "version": 1, "cards": [newer.to_dict()], "review_log": []})
    changed = list(DEFAULT_PARAMETERS)
    changed[20] = 0.3
    apply_parameters(store, scheduler.settings, changed)
    assert store.card("sim-000") == newer
    with ProgressStore.open(store_path) as other:
        assert other.card("sim-001") == store.card("sim-001")
