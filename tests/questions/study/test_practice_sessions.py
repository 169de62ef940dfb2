"""Cram, multiple choice and mock interviews."""

from __future__ import annotations

from datetime import timedelta

import pytest

from questions.study import (
    CramFilter,
    CramSession,
    MockInterview,
    MultipleChoiceSession,
    Rating,
    ReviewMode,
    State,
    follow_up_chain,
    is_weak,
    shuffle_choices,
    weak_question_ids,
)

from .conftest import FakeClock
from .factory import T0, make_bank, make_question

BANK = make_bank(
    make_question("a1", topic="attention", difficulty=1, tags=("math",), verifiers=("sqrt-dk-variance",)),
    make_question("a2", topic="attention", difficulty=3, tags=("softmax",), docs=("002_f51c8fc0c724f297.txt",)),
    make_question("l1", topic="layers", difficulty=2, tags=("math", "norm"), verifiers=("pre-post-ln-gradients",)),
    make_question("l2", topic="layers", difficulty=1, tags=("norm",)),
)


@pytest.mark.parametrize(
    "cram_filter, expected",
    [
        (CramFilter(), {"a1", "a2", "l1", "l2"}),
        (CramFilter(topics={"layers"}), {"l1", "l2"}),
        (CramFilter(tags={"math"}), {"a1", "l1"}),
        (CramFilter(difficulties={1}), {"a1", "l2"}),
        (CramFilter(docs={"002_f51c8fc0c724f297.txt"}), {"a2"}),
        (CramFilter(verifier_backed=True), {"a1", "l1"}),
        (CramFilter(verifier_backed=False), {"a2", "l2"}),
        (CramFilter(topics={"layers"}, tags={"math"}), {"l1"}),
    ],
)
def test_cram_filters(store, settings, cram_filter, expected):
    session = CramSession(store, BANK, cram_filter, settings, seed=1, clock=FakeClock(T0))
    assert set(session.question_ids) == expected


def test_cram_filter_rejects_a_bare_string_and_unknown_difficulty():
    with pytest.raises(TypeError, match="topics"):
        CramFilter(topics="attention")
    with pytest.raises(ValueError, match="difficulties"):
        CramFilter(difficulties={5})


def test_weak_cards(store, settings, scheduler):
    store.record_review("a1", Rating.Easy, scheduler=scheduler, reviewed_at=T0 - timedelta(days=200))  # long forgotten
    store.record_review("a2", Rating.Easy, scheduler=scheduler, reviewed_at=T0 - timedelta(hours=1))  # fresh
    store.record_review("l1", Rating.Easy, scheduler=scheduler, reviewed_at=T0 - timedelta(days=30))
    store.record_review("l1", Rating.Again, scheduler=scheduler, reviewed_at=T0 - timedelta(minutes=5))  # lapsed: relearning
    cards, last = store.cards(), store.latest_ratings()
    assert is_weak(cards["a1"], last["a1"], scheduler, T0) and is_weak(cards["l1"], last["l1"], scheduler, T0)
    assert not is_weak(cards["a2"], last["a2"], scheduler, T0)
    session = CramSession(store, BANK, CramFilter(weak_only=True), settings, seed=1, clock=FakeClock(T0))
    assert set(session.question_ids) == {"a1", "l1"}, "l2 was never studied: new, not weak"
    assert weak_question_ids(store, BANK, T0, settings) == ("a1", "l1")


def test_weak_question_ids_from_a_path_does_not_create_a_store(tmp_path):
    missing = tmp_path / "nope.sqlite3"
    assert weak_question_ids(missing, BANK) == ()
    assert not missing.exists()


def test_cram_is_seeded_and_successes_leave_the_schedule_alone(store, settings, scheduler):
    store.record_review("a1", Rating.Good, scheduler=scheduler, reviewed_at=T0 - timedelta(days=1))
    before = store.cards()
    first = CramSession(store, BANK, settings=settings, seed=7, clock=FakeClock(T0))
    again = CramSession(store, BANK, settings=settings, seed=7, clock=FakeClock(T0))
    assert first.question_ids == again.question_ids
    assert {CramSession(store, BANK, settings=settings, seed=s).question_ids for s in range(20)} != {first.question_ids}
    order = []
    while (question := first.current) is not None:
        order.append(question.id)
        first.rate(Rating.Again if question.id == "l2" and order.count("l2") == 1 else Rating.Good)
    assert order == [*first.question_ids, "l2"], "a card rated Again comes back once at the end"
    after = store.cards()
    assert {k: v for k, v in after.items() if k != "l2"} == before, "a crammed success never moved the schedule"
    crammed = [r for r in store.reviews() if r.mode is ReviewMode.CRAM]
    assert len(crammed) == 5
    assert [(r.question_id, r.rating) for r in crammed if r.scheduled] == [("l2", Rating.Again)], "only the failure moved it"


def test_a_crammed_failure_is_a_lapse_and_undo_restores_the_card(store, settings, scheduler):
    store.record_review("l1", Rating.Good, scheduler=scheduler, reviewed_at=T0 - timedelta(days=3))
    store.record_review("l1", Rating.Good, scheduler=scheduler, reviewed_at=T0 - timedelta(days=2))
    learnt = store.card("l1")
    assert learnt.state == State.Review
    session = CramSession(store, BANK, CramFilter(topics={"layers"}), settings, seed=3, clock=FakeClock(T0))
    while session.current.id != "l1":
        session.rate(Rating.Good)
    session.rate(Rating.Again)
    lapsed = store.card("l1")
    assert lapsed.state == State.Relearning and lapsed.lapses == learnt.lapses + 1
    assert lapsed.due < learnt.due, "the failure brought the card back soon"
    session.undo()
    assert store.card("l1") == learnt


def test_cram_can_reschedule_when_asked(store, settings):
    session = CramSession(store, BANK, CramFilter(topics={"layers"}), settings, seed=3, reschedule=True, clock=FakeClock(T0))
    session.rate(Rating.Good)
    assert store.card(session.history[0].record.question_id) is not None


def test_cram_undo_of_again_removes_the_requeued_copy(store, settings):
    session = CramSession(store, BANK, CramFilter(topics={"layers"}), settings, seed=3, clock=FakeClock(T0))
    first = session.current.id
    session.rate(Rating.Again)
    assert session.remaining == 2
    session.undo()
    assert session.current.id == first and session.remaining == 2 and store.review_count() == 0


# -- multiple choice -----------------------------------------------------------------------

SINGLE = make_question("mc-single", choices=(("right", True), ("w1", False), ("w2", False), ("w3", False)))
MULTI = make_question("mc-multi", choices=(("r1", True), ("r2", True), ("w1", False), ("w2", False)))
NO_CHOICES = make_question("open")


def test_options_are_shuffled_per_seed_and_stable_per_question():
    orders = {tuple(o.original_index for o in shuffle_choices(SINGLE, seed).options) for seed in range(30)}
    assert len(orders) > 5, "different seeds give different orders"
    item = shuffle_choices(SINGLE, 42)
    assert item == shuffle_choices(SINGLE, 42)
    assert [o.number for o in item.options] == [1, 2, 3, 4]
    assert sorted(o.original_index for o in item.options) == [0, 1, 2, 3]
    [correct] = item.correct_numbers
    assert item.options[correct - 1].text.en == "right" and not item.multi_answer


def test_single_answer_grading_and_ratings():
    item = shuffle_choices(SINGLE, 5)
    [right] = item.correct_numbers
    wrong = next(o.number for o in item.options if not o.correct)
    assert item.grade({right}).is_correct and item.grade({right}).suggested_rating == Rating.Good
    assert item.grade({right}).recognition_rating == Rating.Hard, "recognised, not recalled: counts as Hard"
    result = item.grade({wrong})
    assert not result.is_correct and result.wrong == {wrong} and result.missed == {right}
    assert result.suggested_rating == Rating.Again == result.recognition_rating
    assert item.grade(set()).suggested_rating == Rating.Again == item.grade(set()).recognition_rating
    with pytest.raises(ValueError, match="pick exactly one"):
        item.grade({right, wrong})
    with pytest.raises(ValueError, match="choose from 1 to 4"):
        item.grade({9})


def test_multi_answer_grading():
    item = shuffle_choices(MULTI, 11)
    assert item.multi_answer and len(item.correct_numbers) == 2
    both = item.grade(item.correct_numbers)
    assert both.is_correct and both.suggested_rating == Rating.Good
    assert both.recognition_rating == Rating.Hard
    one = item.grade({min(item.correct_numbers)})
    assert not one.is_correct and one.suggested_rating == Rating.Hard and one.missed == {max(item.correct_numbers)}
    assert one.recognition_rating == Rating.Again, "a correct option missed is a wrong answer"
    wrong = next(o.number for o in item.options if not o.correct)
    mixed = item.grade({*item.correct_numbers, wrong})
    assert mixed.suggested_rating == Rating.Again and mixed.wrong == {wrong}


def test_multiple_choice_session(store, settings):
    bank = make_bank(SINGLE, NO_CHOICES, MULTI)
    session = MultipleChoiceSession(store, bank, settings=settings, seed=9, clock=FakeClock(T0))
    assert set(session.question_ids) == {"mc-single", "mc-multi"}, "questions without choices are skipped"
    asked = []
    while (item := session.item) is not None:
        asked.append(item.question.id)
        answer = session.answer(item.correct_numbers, duration=timedelta(seconds=4))
        assert answer.item == item and answer.result.is_correct
    assert sorted(asked) == ["mc-multi", "mc-single"]
    records = store.reviews()
    assert [r.mode for r in records] == [ReviewMode.CHOICE] * 2
    assert all(r.rating == Rating.Hard and r.duration == timedelta(seconds=4) and r.scheduled for r in records)
    assert set(store.cards()) == {"mc-single", "mc-multi"}, "every answer moves the schedule"
    with pytest.raises(ValueError, match="finished"):
        session.grade({1})
    with pytest.raises(ValueError, match="finished"):
        session.answer({1})


def test_a_self_rated_choice_moves_the_schedule_too(store, settings):
    """The current choice screen's path: the user accepts or overrides a suggested rating."""
    session = MultipleChoiceSession(store, make_bank(SINGLE), settings=settings, seed=1, clock=FakeClock(T0))
    session.rate(session.grade(session.item.correct_numbers).suggested_rating)
    assert store.card("mc-single").reps == 1


# -- mock interview ------------------------------------------------------------------------

CHAIN = make_bank(
    make_question("root", follow_ups=("deep", "wide")),
    make_question("deep", follow_ups=("deeper", "root")),  # a cycle back to the start
    make_question("deeper", follow_ups=("missing-id",)),
    make_question("wide", follow_ups=("deep",)),
    make_question("unrelated"),
)


def test_follow_up_chain_is_depth_first_without_revisits():
    assert follow_up_chain(CHAIN, "root") == ("root", "deep", "deeper", "wide")
    assert follow_up_chain(CHAIN, "wide") == ("wide", "deep", "deeper", "root")
    assert follow_up_chain(CHAIN, "root", max_questions=2) == ("root", "deep")
    assert follow_up_chain(CHAIN, "unrelated") == ("unrelated",)
    with pytest.raises(KeyError, match="nope"):
        follow_up_chain(CHAIN, "nope")


def test_mock_interview_timer_score_and_weak_points(store, scheduler):
    ticks = [100.0]
    interview = MockInterview(CHAIN, "root", time_limit=timedelta(minutes=2), clock=lambda: ticks[0])
    assert interview.current.id == "root" and interview.position == 1
    ticks[0] += 30
    assert interview.elapsed == timedelta(seconds=30)
    step = interview.answer({0, 1, 2})
    assert step.elapsed == timedelta(seconds=30) and not step.over_time and step.suggested_rating == Rating.Good
    assert interview.elapsed == timedelta(0), "the timer restarts for the follow-up"
    ticks[0] += 200
    slow = interview.answer({0, 1, 2})
    assert slow.over_time and slow.suggested_rating == Rating.Hard
    ticks[0] += 60
    partial = interview.answer({1})
    assert partial.suggested_rating == Rating.Again and [p.index for p in partial.weak_points] == [0, 2]
    skipped = interview.skip()
    assert skipped.skipped and skipped.suggested_rating == Rating.Again
    assert interview.finished and interview.current is None
    with pytest.raises(ValueError, match="over"):
        interview.answer({0})

    result = interview.result()
    assert result.score == pytest.approx(100 * 7 / 12)
    assert [(w.question_id, w.index) for w in result.weak_points] == [("deeper", 0), ("deeper", 2), ("wide", 0), ("wide", 1), ("wide", 2)]
    assert result.weak_points[0].text.en == "one"
    assert result.total_time == timedelta(seconds=290)
    assert result.over_time == ("deep",)

    outcomes = interview.record(store, scheduler, reviewed_at=T0)
    assert [o.record.rating for o in outcomes] == [Rating.Good, Rating.Hard, Rating.Again, Rating.Again]
    assert {r.mode for r in store.reviews()} == {ReviewMode.MOCK}


def test_mock_interview_rejects_unknown_key_points():
    interview = MockInterview(CHAIN, "root", clock=lambda: 0.0)
    with pytest.raises(ValueError, match="numbered from 0"):
        interview.answer({3})
    assert interview.position == 1
