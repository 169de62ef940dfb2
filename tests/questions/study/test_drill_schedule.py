"""Drills scheduled like cards: a pass comes back days later, a failure soon; drills never
eat into the daily allowance of new questions and never appear in the review queue."""

from __future__ import annotations

from datetime import timedelta

from questions.study import ProgressStore, Rating, ReviewMode, build_review_queue
from questions.study.drill_schedule import drill_card_id, drill_status, drill_statuses, record_drill_check
from tests.questions.study.factory import T0, make_bank, make_question


def test_a_new_drill_is_new_and_a_pass_comes_back_days_later(store, settings):
    assert drill_status(store, "softmax", T0, settings).state == "new"
    outcome = record_drill_check(store, "softmax", True, settings=settings, now=T0)
    assert outcome.record.question_id == "drill:softmax" and outcome.record.mode is ReviewMode.DRILL
    assert outcome.record.rating == Rating.Good
    status = drill_status(store, "softmax", T0 + timedelta(hours=1), settings)
    assert status.state == "passed" and status.last_passed is True and status.checks == 1
    assert status.due - T0 >= timedelta(days=2)  # not the 1- and 10-minute steps of a flash card
    assert drill_status(store, "softmax", status.due, settings).state == "due"


def test_a_failed_drill_is_due_again_at_once_and_a_fix_graduates_it(store, settings):
    record_drill_check(store, "top-p-filter", False, settings=settings, now=T0)
    failed = drill_status(store, "top-p-filter", T0 + timedelta(minutes=1), settings)
    assert failed.state == "due" and failed.last_passed is False
    assert failed.due - T0 == timedelta(minutes=10)
    record_drill_check(store, "top-p-filter", True, settings=settings, now=T0 + timedelta(minutes=5))
    fixed = drill_status(store, "top-p-filter", T0 + timedelta(minutes=6), settings)
    assert fixed.state == "passed" and fixed.checks == 2 and fixed.passes == 1
    assert fixed.due - T0 >= timedelta(days=1)


def test_passing_again_before_it_is_due_is_practice_that_leaves_the_schedule(store, settings):
    first = record_drill_check(store, "softmax", True, settings=settings, now=T0)
    again = record_drill_check(store, "softmax", True, settings=settings, now=T0 + timedelta(hours=2))
    assert again.record.scheduled is False and again.card == first.card
    # A failure always counts, even before the drill is due: the drill was forgotten.
    lapse = record_drill_check(store, "softmax", False, settings=settings, now=T0 + timedelta(hours=3))
    assert lapse.record.scheduled is True and lapse.card.lapses == 1
    assert drill_status(store, "softmax", T0 + timedelta(hours=3, minutes=1), settings).state == "due"


def test_drills_neither_use_the_new_card_allowance_nor_enter_the_review_queue(store, settings):
    bank = make_bank(*(make_question(f"q-{i}") for i in range(8)))
    for drill_id in ("softmax", "causal-mask", "layer-norm"):
        record_drill_check(store, drill_id, True, settings=settings, now=T0)
    assert store.new_cards_introduced(T0 - timedelta(hours=1)) == 0
    queue = build_review_queue(store, bank, settings, T0 + timedelta(days=30))
    assert len(queue.new) == settings.daily_new_limit
    assert not any(card_id.startswith("drill:") for card_id in queue.question_ids)


def test_statuses_survive_a_progress_export_and_import(store, settings, tmp_path):
    record_drill_check(store, "beam-search", False, settings=settings, now=T0)
    record_drill_check(store, "beam-search", True, settings=settings, now=T0 + timedelta(minutes=3))
    exported = tmp_path / "progress.json"
    store.export_to(exported)
    with ProgressStore.open(tmp_path / "other.sqlite3") as other:
        other.import_from(exported)
        moved = drill_statuses(other, ["beam-search", "softmax"], T0 + timedelta(minutes=4), settings)
    assert moved["beam-search"].state == "passed" and moved["beam-search"].checks == 2
    assert moved["softmax"].state == "new"
    assert drill_card_id("beam-search") == "drill:beam-search"
