"""Issue #13, items 2-4: failures count in every mode, one definition of weak, mastery that looks forward."""

from __future__ import annotations

from datetime import timedelta

import pytest

from questions.study import (
    CramFilter,
    CramSession,
    MockInterview,
    MultipleChoiceSession,
    ProgressSnapshot,
    Rating,
    ReviewMode,
    State,
    compute_stats,
    is_weak,
    mastery,
    predicted_recall,
    weak_ids,
    weak_question_ids,
)
from questions.study.weak import WEAK_LAPSES

from .conftest import FakeClock
from .factory import T0, make_bank, make_question

SINGLE = make_question("mc", topic="attention", choices=(("right", True), ("w1", False), ("w2", False), ("w3", False)))
OTHER = make_question("other", topic="attention")
BANK = make_bank(SINGLE, OTHER, make_question("layers-1", topic="layers"))


def learn(store, scheduler, question_id="mc", days_ago=3):
    """A card learnt lately (two Good reviews a day apart): in the Review state, not weak at T0."""
    store.record_review(question_id, Rating.Good, scheduler=scheduler, reviewed_at=T0 - timedelta(days=days_ago))
    store.record_review(question_id, Rating.Good, scheduler=scheduler, reviewed_at=T0 - timedelta(days=days_ago - 1))
    card = store.card(question_id)
    assert card.state == State.Review
    return card


def choice_session(store, settings, **kwargs):
    return MultipleChoiceSession(store, make_bank(SINGLE), settings=settings, seed=3, clock=FakeClock(T0), **kwargs)


def wrong_option(item):
    return next(option.number for option in item.options if not option.correct)


# -- multiple choice ------------------------------------------------------------------------------


def test_a_wrong_choice_is_a_lapse_and_makes_the_card_weak(store, settings, scheduler):
    learnt = learn(store, scheduler)
    assert weak_question_ids(store, BANK, T0, settings) == ()
    session = choice_session(store, settings)
    answer = session.answer({wrong_option(session.item)}, duration=timedelta(seconds=9))

    assert answer.result.recognition_rating == Rating.Again
    card = store.card("mc")
    assert answer.outcome.card == card and answer.outcome.record.scheduled
    assert card.state == State.Relearning and card.lapses == learnt.lapses + 1
    assert card.due - T0 <= timedelta(minutes=10), "relearnt within minutes, not in weeks"
    assert card.stability < learnt.stability
    assert weak_question_ids(store, BANK, T0, settings) == ("mc",)
    assert store.reviews()[-1].duration == timedelta(seconds=9), "durations keep being recorded"


def test_undo_of_a_wrong_choice_restores_the_card_and_the_weak_list(store, settings, scheduler):
    learnt = learn(store, scheduler)
    session = choice_session(store, settings)
    session.answer({wrong_option(session.item)})
    assert session.undo().id == "mc"
    assert store.card("mc") == learnt and store.review_count() == 2
    assert weak_question_ids(store, BANK, T0, settings) == ()
    assert session.item.question.id == "mc", "the question is asked again"


def test_a_right_choice_counts_less_than_a_recalled_answer(store, settings, scheduler):
    learnt = learn(store, scheduler)
    session = choice_session(store, settings)
    answer = session.answer(session.item.correct_numbers)
    recalled = scheduler.review(learnt, Rating.Good, T0)  # the same card recalled at the same moment

    assert answer.outcome.record.rating == Rating.Hard
    chosen = store.card("mc")
    assert chosen == scheduler.review(learnt, Rating.Hard, T0)
    assert T0 < chosen.due < recalled.due, "recognition lengthens the interval less than recall"
    assert chosen.stability < recalled.stability
    assert weak_question_ids(store, BANK, T0, settings) == ()


def test_a_right_choice_on_a_new_card_keeps_it_in_learning(store, settings):
    session = choice_session(store, settings)
    session.answer(session.item.correct_numbers)
    card = store.card("mc")
    assert card.state == State.Learning and card.due - T0 < timedelta(hours=1), "it comes back soon, to be recalled"


def test_practice_choice_sessions_still_count_failures(store, settings, scheduler):
    learnt = learn(store, scheduler)
    right = choice_session(store, settings, reschedule=False)
    right.answer(right.item.correct_numbers)
    assert store.card("mc") == learnt, "with reschedule=False a right answer leaves the schedule alone"
    wrong = choice_session(store, settings, reschedule=False)
    wrong.answer({wrong_option(wrong.item)})
    assert store.card("mc").state == State.Relearning, "a wrong one moves it all the same"


def test_the_self_rated_choice_path_moves_the_schedule(store, settings, scheduler):
    """``rate`` (the current screen's path) is logged as scheduled: a wrong answer rated Again lapses."""
    learn(store, scheduler)
    session = choice_session(store, settings)
    session.grade({wrong_option(session.item)})
    outcome = session.rate(Rating.Again)
    assert outcome.record.scheduled and store.card("mc").state == State.Relearning


# -- mock interview -------------------------------------------------------------------------------

CHAIN = make_bank(
    make_question("root", follow_ups=("next",), key_points=(("一", "one"), ("二", "two"), ("三", "three"), ("四", "four"))),
    make_question("next"),
)


def test_a_weak_mock_answer_is_a_lapse_and_undo_restores_it(store, settings, scheduler):
    learnt = learn(store, scheduler, "root")
    ticks = [0.0]
    interview = MockInterview(CHAIN, "root", clock=lambda: ticks[0], store=store, scheduler=scheduler, wall_clock=FakeClock(T0))
    ticks[0] = 50.0
    step = interview.answer({0})  # one key point of four: weak
    assert step.suggested_rating == Rating.Again
    [outcome] = interview.outcomes
    assert outcome.record.mode is ReviewMode.MOCK and outcome.record.duration == timedelta(seconds=50)
    assert store.card("root").state == State.Relearning and store.card("root").lapses == learnt.lapses + 1
    assert weak_question_ids(store, CHAIN, T0, settings) == ("root",)

    assert interview.undo().id == "root" and interview.current.id == "root"
    assert store.card("root") == learnt and weak_question_ids(store, CHAIN, T0, settings) == ()
    with pytest.raises(Exception, match="nothing to undo"):
        interview.undo()
    with pytest.raises(ValueError, match="records each answer"):
        interview.record(store, scheduler)


def test_a_strong_mock_answer_is_saved_as_it_is_given(store, settings, scheduler):
    interview = MockInterview(CHAIN, "root", clock=lambda: 0.0, store=store, scheduler=scheduler, wall_clock=FakeClock(T0))
    interview.answer({0, 1, 2, 3})
    assert [r.rating for r in store.reviews()] == [Rating.Good]
    interview.skip()
    assert [r.rating for r in store.reviews()] == [Rating.Good, Rating.Again]
    assert weak_question_ids(store, CHAIN, T0, settings) == ("next",)


# -- one definition of weak -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", [ReviewMode.REVIEW, ReviewMode.TYPED, ReviewMode.CHOICE, ReviewMode.MOCK, ReviewMode.CRAM])
@pytest.mark.parametrize("scheduled", [True, False])
def test_weak_is_never_empty_right_after_a_failure(store, settings, scheduler, mode, scheduled):
    learn(store, scheduler, "other", days_ago=3)  # fresh: not weak by its recall
    store.record_review("other", Rating.Again, scheduler=scheduler, reviewed_at=T0, mode=mode, reschedule=scheduled)
    assert weak_question_ids(store, BANK, T0, settings) == ("other",)


def test_a_crammed_failure_makes_the_card_weak_for_cram_export_and_stats(store, settings, scheduler):
    learn(store, scheduler, "other", days_ago=3)
    cram = CramSession(store, BANK, CramFilter(topics={"attention"}), settings, seed=1, clock=FakeClock(T0))
    while cram.current is not None and cram.current.id != "other":
        cram.rate(Rating.Good)
    cram.rate(Rating.Again)
    weak_cram = CramSession(store, BANK, CramFilter(weak_only=True), settings, seed=1, clock=FakeClock(T0))
    assert weak_cram.question_ids == ("other",)
    assert compute_stats(store, BANK, T0, settings).weak_question_ids == ("other",)
    assert weak_question_ids(store, BANK, T0, settings) == ("other",)


def test_a_right_answer_after_a_failure_clears_that_rule(store, settings, scheduler):
    learn(store, scheduler, "other", days_ago=3)
    store.record_review("other", Rating.Again, scheduler=scheduler, reviewed_at=T0, mode=ReviewMode.CRAM, reschedule=False)
    store.record_review("other", Rating.Good, scheduler=scheduler, reviewed_at=T0 + timedelta(minutes=1), mode=ReviewMode.CRAM, reschedule=False)
    assert weak_question_ids(store, BANK, T0 + timedelta(minutes=2), settings) == ()


def test_weak_rules(store, settings, scheduler):
    fresh = learn(store, scheduler, "other", days_ago=3)
    now = T0
    assert not is_weak(None, None, scheduler, now), "never answered: new, not weak"
    assert is_weak(None, Rating.Again, scheduler, now), "failed in practice before ever being scheduled"
    assert not is_weak(fresh, Rating.Good, scheduler, now)
    assert is_weak(fresh, Rating.Again, scheduler, now)
    from dataclasses import replace

    assert is_weak(replace(fresh, state=State.Relearning), Rating.Good, scheduler, now), "lapsed, not relearnt yet"
    assert is_weak(replace(fresh, lapses=WEAK_LAPSES), Rating.Good, scheduler, now), "a leech"
    assert not is_weak(replace(fresh, lapses=WEAK_LAPSES - 1), Rating.Good, scheduler, now)
    later = now + timedelta(days=365)
    assert scheduler.retrievability(fresh, later) < settings.weak_retrievability
    assert is_weak(fresh, Rating.Good, scheduler, later), "likely forgotten"


# -- mastery looks forward ------------------------------------------------------------------------


def test_mastery_after_again_is_below_mastery_after_good(tmp_path, settings, scheduler):
    from questions.study import ProgressStore

    results, cards = {}, {}
    for rating in (Rating.Again, Rating.Good):
        with ProgressStore.open(tmp_path / f"{rating.name}.sqlite3") as store:
            learn(store, scheduler, "other", days_ago=20)
            cards[rating] = store.record_review("other", rating, scheduler=scheduler, reviewed_at=T0).card
            results[rating] = mastery(ProgressSnapshot.read(store), BANK, scheduler, T0)
    assert results[Rating.Again].recall < results[Rating.Good].recall
    assert results[Rating.Again].recall == 0.0, "an Again never shows as mastered"
    assert scheduler.retrievability(cards[Rating.Again], T0 + timedelta(days=7)) > 0.0, "though FSRS gives it some chance"
    week_ahead = scheduler.retrievability(cards[Rating.Good], T0 + timedelta(days=7))
    assert results[Rating.Good].recall == pytest.approx(week_ahead / 3), "three questions in the bank, one seen"


def test_a_crammed_again_is_never_mastered_even_with_a_stable_card(store, settings, scheduler):
    learn(store, scheduler, "other", days_ago=3)
    store.record_review("other", Rating.Again, scheduler=scheduler, reviewed_at=T0, mode=ReviewMode.CRAM, reschedule=False)
    snapshot = ProgressSnapshot.read(store)
    card = snapshot.card("other")
    assert scheduler.retrievability(card, T0 + timedelta(days=7)) > 0.5, "FSRS alone would still call it known"
    assert predicted_recall(card, snapshot.last_rating("other"), scheduler, T0 + timedelta(days=7)) == 0.0
    topic = {t.topic: t for t in mastery(snapshot, BANK, scheduler, T0).topics}["attention"]
    assert topic.recall == 0.0 and topic.seen == 1 and topic.seen_recall == 0.0


def test_mastery_is_recall_a_week_ahead_with_unseen_questions_at_zero(store, settings, scheduler):
    card = learn(store, scheduler, "other", days_ago=3)
    forecast = mastery(ProgressSnapshot.read(store), BANK, scheduler, T0)
    expected = scheduler.retrievability(card, T0 + timedelta(days=7))
    assert expected < scheduler.retrievability(card, T0)
    topics = {t.topic: t for t in forecast.topics}
    assert topics["attention"].recall == pytest.approx(expected / 2) and topics["attention"].seen_recall == pytest.approx(expected)
    assert topics["layers"].recall == 0.0 and topics["layers"].seen_recall is None
    assert forecast.recall == pytest.approx(expected / 3) and (forecast.seen, forecast.questions) == (1, 3)
    assert "never seen or last answered wrong count 0" in forecast.legend("en")
    assert weak_ids(ProgressSnapshot.read(store), BANK, scheduler, T0) == ()
