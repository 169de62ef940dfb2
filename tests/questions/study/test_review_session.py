from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone

import pytest

from questions.study import (
    CardState,
    Rating,
    ReviewMode,
    ReviewSession,
    State,
    StudySettings,
    UndoError,
    build_review_queue,
)

from .conftest import FakeClock
from .factory import T0, make_bank, make_question, numbered_bank


def _drain(session, rating=Rating.Good):
    seen = []
    while (question := session.current) is not None:
        seen.append(question.id)
        session.rate(rating)
    return seen


def test_new_cards_in_bank_order_up_to_the_daily_limit(store, settings):
    bank = numbered_bank(8)
    queue = build_review_queue(store, bank, settings, T0)
    assert queue.new == tuple(f"q-{i:03d}" for i in range(5))
    assert queue.learning == () and queue.due == () and queue.new_allowance == 5


def test_new_cards_follow_the_curriculum_not_the_file_names(store, settings):
    # Bank files load in name order: 'alignment' before 'attention' before 'foundations'.
    bank = make_bank(
        make_question("dpo", topic="alignment"),
        make_question("qkv", topic="attention"),
        make_question("why-transformer", topic="foundations"),
        make_question("mine", topic="my-own-topic"),
        make_question("rlhf", topic="alignment"),
    )
    queue = build_review_queue(store, bank, settings, T0)
    assert queue.new == ("why-transformer", "qkv", "dpo", "rlhf", "mine")


def test_the_daily_new_limit_spans_sessions_and_resets_the_next_day(store, settings):
    bank = numbered_bank(12)
    clock = FakeClock(T0)
    first = ReviewSession(store, bank, settings, clock=clock)
    for _ in range(3):
        first.rate(Rating.Easy)
    second = ReviewSession(store, bank, settings, clock=clock)
    assert second.queue.new == ("q-003", "q-004"), "three of today's five are used up"
    clock.advance(timedelta(days=1))
    tomorrow = ReviewSession(store, bank, settings, clock=clock)
    assert len(tomorrow.queue.new) == 5


def test_due_cards_come_before_new_ones_most_overdue_first(store, settings, scheduler):
    bank = numbered_bank(6)
    # q-004 was learnt earlier than q-002, so it is more overdue
    store.record_review("q-004", Rating.Easy, scheduler=scheduler, reviewed_at=T0 - timedelta(days=40))
    store.record_review("q-002", Rating.Easy, scheduler=scheduler, reviewed_at=T0 - timedelta(days=30))
    session = ReviewSession(store, bank, settings, clock=FakeClock(T0))
    assert [card.question_id for card in session.queue.due] == ["q-004", "q-002"]
    assert session.counts.due == 2 and session.counts.new == 4
    order = _drain(session, Rating.Easy)
    assert order[:2] == ["q-004", "q-002"]
    assert order[2:] == ["q-000", "q-001", "q-003", "q-005"]


def test_cards_due_later_today_count_as_due(store, scheduler):
    settings = StudySettings(enable_fuzzing=False, day_timezone=timezone(timedelta(hours=8)))
    bank = numbered_bank(1)
    outcome = store.record_review("q-000", Rating.Easy, scheduler=scheduler, reviewed_at=T0 - timedelta(days=8))
    due = outcome.card.due
    # at 00:30 local on the due day, a card due at 17:00 local that day is already in the queue
    morning = due.astimezone(settings.day_timezone).replace(hour=0, minute=30).astimezone(timezone.utc)
    assert [c.question_id for c in build_review_queue(store, bank, settings, morning).due] == ["q-000"]
    assert build_review_queue(store, bank, settings, morning - timedelta(hours=1)).due == ()


def test_learning_cards_come_back_when_their_step_is_due(store, settings):
    bank = numbered_bank(3)
    clock = FakeClock(T0)
    session = ReviewSession(store, bank, settings, clock=clock)
    assert session.current.id == "q-000"
    session.rate(Rating.Again)  # next step in 1 minute
    assert session.current.id == "q-001", "a new card is shown while q-000's step runs"
    clock.advance(timedelta(seconds=30))
    session.rate(Rating.Good)  # next step in 10 minutes
    assert session.counts.learning == 2
    clock.advance(timedelta(minutes=1))
    assert session.current.id == "q-000", "a due learning card jumps ahead of the new q-002"
    session.rate(Rating.Good)  # due T0 + 11.5 min
    assert session.current.id == "q-002"
    session.rate(Rating.Easy)
    # nothing else to do: learning cards within the learn-ahead window are shown early, earliest first
    assert session.current.id == "q-001"
    session.rate(Rating.Good)
    assert store.card("q-001").state == State.Review
    assert session.current.id == "q-000"
    session.rate(Rating.Good)
    assert session.current is None and session.finished
    assert session.reviewed == 6
    assert store.card("q-000").state == State.Review


def test_learning_cards_beyond_the_learn_ahead_window_wait(store):
    settings = StudySettings(enable_fuzzing=False, day_timezone=timezone.utc, learn_ahead=timedelta(0))
    session = ReviewSession(store, numbered_bank(1), settings, clock=FakeClock(T0))
    session.rate(Rating.Good)
    assert session.current is None
    assert session.next_learning_due == T0 + timedelta(minutes=10)
    assert session.counts.learning == 1


def test_undo_restores_state_log_and_position(store, settings):
    bank = numbered_bank(3)
    session = ReviewSession(store, bank, settings, clock=FakeClock(T0))
    session.rate(Rating.Good)
    assert session.current.id == "q-001"
    session.rate(Rating.Easy)
    assert store.card("q-001").state == State.Review
    undone = session.undo()
    assert undone.id == "q-001" and session.current.id == "q-001"
    assert store.card("q-001") is None, "q-001 is new again"
    assert [r.question_id for r in store.reviews()] == ["q-000"]
    assert session.counts.new == 2, "q-001 back, q-002 still waiting"
    session.undo()
    assert session.current.id == "q-000" and store.review_count() == 0
    assert session.counts.learning == 0 and session.counts.new == 3
    assert not session.can_undo
    with pytest.raises(UndoError):
        session.undo()
    assert _drain(session, Rating.Easy) == ["q-000", "q-001", "q-002"]


def test_undo_of_a_requeued_learning_card(store, settings):
    session = ReviewSession(store, numbered_bank(1), settings, clock=FakeClock(T0))
    session.rate(Rating.Again)
    assert session.counts.learning == 1
    session.undo()
    assert session.counts.learning == 0 and session.counts.new == 1
    assert session.card().is_new


def test_progress_survives_an_edit_of_the_question_text(store, settings):
    original = make_bank(make_question("attention-scale-sqrt-dk", text="Why divide by sqrt(d_k)?"))
    clock = FakeClock(T0)
    session = ReviewSession(store, original, settings, clock=clock)
    session.rate(Rating.Easy)
    learnt = store.card("attention-scale-sqrt-dk")
    edited_question = replace(original.get("attention-scale-sqrt-dk"), question=replace(original.get("attention-scale-sqrt-dk").question, en="Why scale scores by 1/sqrt(d_k)?"))
    edited = make_bank(edited_question, make_question("brand-new"))
    clock.advance(learnt.due - T0)
    later = ReviewSession(store, edited, settings, clock=clock)
    assert [c.question_id for c in later.queue.due] == ["attention-scale-sqrt-dk"]
    assert later.queue.new == ("brand-new",), "a question added to the bank is a new card"
    assert later.card("attention-scale-sqrt-dk") == learnt


def test_removed_questions_stay_in_the_store_but_are_not_shown(store, settings, scheduler):
    store.record_review("gone", Rating.Easy, scheduler=scheduler, reviewed_at=T0 - timedelta(days=60))
    session = ReviewSession(store, numbered_bank(1), settings, clock=FakeClock(T0))
    assert "gone" not in session.queue.question_ids
    assert _drain(session, Rating.Easy) == ["q-000"]
    assert store.card("gone") is not None


def test_ratings_are_committed_before_rate_returns(store, store_path, settings):
    from questions.study import ProgressStore

    session = ReviewSession(store, numbered_bank(1), settings, clock=FakeClock(T0))
    outcome = session.rate(Rating.Hard, duration=timedelta(seconds=12))
    with ProgressStore.open(store_path) as reader:
        [record] = reader.reviews()
    assert record.id == outcome.record.id and record.mode is ReviewMode.REVIEW
    assert record.duration == timedelta(seconds=12)


def test_preview_reflects_the_current_card(store, settings):
    session = ReviewSession(store, numbered_bank(1), settings, clock=FakeClock(T0))
    assert session.preview()[Rating.Good] == timedelta(minutes=10)
    assert session.card() == CardState.new("q-000")


def test_a_typed_answer_in_review_is_logged_as_typed(store, settings):
    session = ReviewSession(store, numbered_bank(2), settings, clock=FakeClock(T0))
    session.rate(Rating.Good, mode=ReviewMode.TYPED)
    session.rate(Rating.Good)
    assert [r.mode for r in store.reviews()] == [ReviewMode.TYPED, ReviewMode.REVIEW]
    assert all(r.scheduled for r in store.reviews())
