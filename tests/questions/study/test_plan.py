"""Issue #19: the interview date caps intervals and paces new cards; readiness at the date and its trend."""

from __future__ import annotations

import math
import zlib
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from questions.study import (
    InterviewPlan,
    ProgressSnapshot,
    Rating,
    ReviewMode,
    ReviewSession,
    State,
    StudyScheduler,
    apply_interview_cap,
    build_review_queue,
    pacing,
    plan_report,
)
from questions.study.card import CardState

from .conftest import FakeClock
from .factory import T0, make_bank, make_question

INTERVIEW = date(2026, 3, 20)  # T0 is Monday 2 March 2026
PLAN = InterviewPlan(date=INTERVIEW, final_days=3)  # final days 17-19 March: the deadline is the 17th
FINAL_START = datetime(2026, 3, 17, tzinfo=timezone.utc)
INTERVIEW_START = datetime(2026, 3, 20, tzinfo=timezone.utc)


@pytest.fixture
def planned(settings):
    return replace(settings, interview=PLAN)


def stable_card(question_id: str, stability: float = 60.0, reviewed: datetime = T0 - timedelta(days=30)) -> CardState:
    """A well-learnt Review card: its next interval is weeks long."""
    return CardState(
        question_id=question_id,
        state=State.Review,
        step=None,
        stability=stability,
        difficulty=5.0,
        due=reviewed + timedelta(days=stability),
        last_review=reviewed,
        reps=3,
    )


# -- the cap on intervals -------------------------------------------------------------------------


def test_a_review_before_the_final_days_comes_due_in_them(settings, planned):
    card = stable_card("a1")
    natural = StudyScheduler(settings).review(card, Rating.Easy, T0)
    assert natural.due >= INTERVIEW_START, "without the plan it would come due after the interview"
    capped = StudyScheduler(planned).review(card, Rating.Easy, T0)
    assert FINAL_START <= capped.due < INTERVIEW_START
    assert capped.due == FINAL_START + timedelta(days=zlib.crc32(b"a1") % 3), "a fixed day per question, at local midnight"
    assert replace(capped, due=natural.due) == natural, "only the due date changes; FSRS's memory state does not"


def test_capped_cards_spread_over_the_final_days(planned):
    scheduler = StudyScheduler(planned)
    days = {scheduler.review(stable_card(f"q{i}"), Rating.Good, T0).due for i in range(40)}
    assert days == {FINAL_START + timedelta(days=offset) for offset in range(3)}


def test_a_review_in_the_final_days_is_left_alone(settings, planned):
    at = FINAL_START + timedelta(days=1, hours=10)
    card = stable_card("a1", reviewed=at - timedelta(days=40))
    assert StudyScheduler(planned).review(card, Rating.Good, at) == StudyScheduler(settings).review(card, Rating.Good, at)


def test_short_intervals_and_past_interviews_are_not_capped(settings, planned):
    new = CardState.new("a1")
    assert StudyScheduler(planned).review(new, Rating.Good, T0).due == T0 + timedelta(minutes=10), "learning steps"
    # a review a few days before the final days whose natural next review falls inside them
    probe = StudyScheduler(settings).review(stable_card("a1", stability=2.0, reviewed=T0), Rating.Good, T0 + timedelta(days=1))
    shift = FINAL_START + timedelta(days=1) - probe.due
    at = T0 + timedelta(days=1) + shift
    assert at < FINAL_START
    inside = stable_card("a1", stability=2.0, reviewed=T0 + shift)
    natural = StudyScheduler(settings).review(inside, Rating.Good, at)
    assert natural.due == FINAL_START + timedelta(days=1)
    assert StudyScheduler(planned).review(inside, Rating.Good, at) == natural
    after = INTERVIEW_START + timedelta(days=1)
    card = stable_card("a1", reviewed=after - timedelta(days=30))
    assert StudyScheduler(planned).review(card, Rating.Easy, after) == StudyScheduler(settings).review(card, Rating.Easy, after)


def test_the_rating_labels_show_the_capped_intervals(planned):
    scheduler = StudyScheduler(planned)
    preview = scheduler.preview(stable_card("a1"), T0)
    assert all(T0 + interval < INTERVIEW_START for interval in preview.values())


def test_setting_a_date_caps_the_cards_already_scheduled(store, settings, planned):
    plain = StudyScheduler(settings)
    far = store.record_review("far", Rating.Easy, scheduler=plain, reviewed_at=T0 - timedelta(days=1)).card
    store.record_review("far", Rating.Easy, scheduler=plain, reviewed_at=T0)
    near = store.record_review("near", Rating.Good, scheduler=plain, reviewed_at=T0).card  # learning: minutes
    assert store.card("far").due >= INTERVIEW_START and far.due < INTERVIEW_START
    log = store.reviews()

    assert apply_interview_cap(store, planned) == 1
    assert FINAL_START <= store.card("far").due < INTERVIEW_START
    assert store.card("near") == near and store.reviews() == log, "other cards and the log are untouched"
    assert apply_interview_cap(store, planned) == 0, "applying it again changes nothing"
    assert apply_interview_cap(store, settings) == 0, "no date, no cap"


# -- pacing new cards -----------------------------------------------------------------------------

SCOPED = make_bank(
    *(make_question(f"att-{i:02d}", topic="attention") for i in range(30)),
    *(make_question(f"lay-{i:02d}", topic="layers") for i in range(10)),
)


def scoped_plan(settings, days_to_deadline: int, *, daily_new_limit: int = 0, today: date = T0.date()):
    plan = InterviewPlan(date=today + timedelta(days=days_to_deadline + 3), topics={"attention"}, final_days=3)
    return replace(settings, interview=plan, daily_new_limit=daily_new_limit)


def test_new_cards_come_at_the_pace_the_plan_needs(store, settings):
    paced = scoped_plan(settings, days_to_deadline=10)
    queue = build_review_queue(store, SCOPED, paced, T0)
    assert queue.new == ("att-00", "att-01", "att-02"), "30 unseen, 10 days: 3 a day, from the scope"
    assert queue.plan_new_today == 3
    unplanned = replace(paced, interview=None)
    assert build_review_queue(store, SCOPED, unplanned, T0).new == (), "without the plan the daily limit (0) holds"


def test_a_higher_daily_limit_still_applies_scope_first(store, settings):
    queue = build_review_queue(store, SCOPED, scoped_plan(settings, 10, daily_new_limit=5), T0)
    assert queue.new == tuple(f"att-{i:02d}" for i in range(5))
    small_scope = replace(scoped_plan(settings, 10, daily_new_limit=5), interview=InterviewPlan(date=INTERVIEW, topics={"layers"}))
    queue = build_review_queue(store, SCOPED, small_scope, T0)
    assert queue.new[:1] == ("lay-00",) and len(queue.new) == 5


def test_the_pace_is_fixed_through_the_day_and_recomputed_the_next(store, settings):
    paced = scoped_plan(settings, days_to_deadline=10)
    clock = FakeClock(T0)
    session = ReviewSession(store, SCOPED, paced, clock=clock)
    for _ in range(2):
        session.rate(Rating.Good)
    assert build_review_queue(store, SCOPED, paced, T0).plan_new_today == 1, "3 today, 2 done"
    status = pacing(store, SCOPED, paced, T0)
    assert (status.needed_today, status.introduced_today, len(status.unseen)) == (3, 2, 28)
    tomorrow = T0 + timedelta(days=1)
    assert pacing(store, SCOPED, paced, tomorrow).needed_today == math.ceil(28 / 9)


def test_a_passed_deadline_introduces_every_unseen_question(store, settings):
    late = scoped_plan(settings, days_to_deadline=-1)  # already in the final days
    assert len(build_review_queue(store, SCOPED, late, T0).new) == 30


def test_no_pacing_without_a_date_or_once_the_interview_day_began(store, settings):
    assert pacing(store, SCOPED, settings, T0) is None
    done = replace(settings, interview=InterviewPlan(date=T0.date()))
    assert pacing(store, SCOPED, done, T0) is None


# -- behind ---------------------------------------------------------------------------------------


def introduce(store, scheduler, question_ids, start: datetime):
    """One new question a day, the last one at ``start``'s time-of-day today."""
    for offset, question_id in enumerate(reversed(question_ids)):
        store.record_review(question_id, Rating.Good, scheduler=scheduler, reviewed_at=start - timedelta(days=offset))


def test_the_plan_is_behind_at_the_pace_actually_kept(store, settings, scheduler):
    introduce(store, scheduler, [f"att-{i:02d}" for i in range(7)], T0)  # 1 a day for a week
    paced = scoped_plan(settings, days_to_deadline=10)
    status = pacing(store, SCOPED, paced, T0)
    assert (status.recent_per_day, status.pace_days, len(status.unseen)) == (1.0, 7, 23)
    assert status.projected_unseen == 23 - 10 and status.behind
    deadline = T0.date() + timedelta(days=10)
    message = status.behind_message("en")
    assert message.startswith(f"Behind plan: at this pace 13 questions will still be unseen on {deadline.day} {deadline.strftime('%b')}")
    assert "3 days before the interview" in message and "see 3 new a day" in message
    assert "13 道题没见过" in status.behind_message("zh")


def test_a_plan_kept_to_is_not_behind(store, settings, scheduler):
    introduce(store, scheduler, [f"att-{i:02d}" for i in range(7)], T0)
    status = pacing(store, SCOPED, scoped_plan(settings, days_to_deadline=30), T0)
    assert status.projected_unseen == 0 and not status.behind and status.behind_message() is None
    assert status.summary("en").startswith("7 of 30 seen;")


def test_a_candidate_who_just_began_is_measured_over_the_days_since(store, settings, scheduler):
    introduce(store, scheduler, ["att-00", "att-01", "att-02"], T0)  # first review two days ago
    status = pacing(store, SCOPED, scoped_plan(settings, days_to_deadline=9), T0)
    assert (status.pace_days, status.recent_per_day) == (3, 1.0)


# -- readiness on the interview day, and its trend ------------------------------------------------

READY_BANK = make_bank(make_question("a1", topic="attention"), make_question("a2", topic="attention"), make_question("l1", topic="layers"))


def fsrs_recall(card: CardState, at: datetime) -> float:
    """FSRS-6's forgetting curve with the default decay, written out: the figure readiness must give."""
    decay = -0.1542
    factor = 0.9 ** (1 / decay) - 1
    elapsed_days = (at - card.last_review).days
    return (1 + factor * elapsed_days / card.stability) ** decay


@pytest.fixture
def constructed_log(store, scheduler):
    """a1 learnt three weeks ago; a2 learnt ten days ago, then failed in cram yesterday; l1 never seen."""
    for question_id, days in (("a1", 20), ("a2", 10)):
        store.record_review(question_id, Rating.Good, scheduler=scheduler, reviewed_at=T0 - timedelta(days=days))
        store.record_review(question_id, Rating.Good, scheduler=scheduler, reviewed_at=T0 - timedelta(days=days - 1))
    store.record_review("a2", Rating.Again, scheduler=scheduler, reviewed_at=T0 - timedelta(days=1), mode=ReviewMode.CRAM, reschedule=False)
    return store


def test_readiness_at_the_interview_date(constructed_log, planned):
    store = constructed_log
    report = plan_report(store, READY_BANK, planned, T0)
    a1 = store.card("a1")
    expected = fsrs_recall(a1, INTERVIEW_START)
    assert report.readiness.at == INTERVIEW_START
    assert report.readiness.recall == pytest.approx(expected / 3), "a2 was last answered wrong, l1 never seen: both 0"
    topics = {t.topic: t for t in report.readiness.topics}
    assert topics["attention"].recall == pytest.approx(expected / 2) and topics["layers"].recall == 0.0
    assert "on 20 Mar" in report.readiness.legend("en") and "3月20日" in report.readiness.legend("zh")
    assert report.weak_question_ids == ("a2",)


def test_readiness_trend_is_rebuilt_from_the_log(constructed_log, planned):
    store = constructed_log
    trend = plan_report(store, READY_BANK, planned, T0).trend
    assert [p.as_of for p in trend] == [T0 - timedelta(weeks=w) for w in range(5, -1, -1)]
    assert all(p.at == INTERVIEW_START for p in trend), "every point forecasts the same day"
    a1, a2_learnt = store.card("a1"), store.reviews(question_id="a2")[-1].card_before
    r_a1, r_a2 = fsrs_recall(a1, INTERVIEW_START), fsrs_recall(a2_learnt, INTERVIEW_START)
    expected = [0.0, 0.0, 0.0, r_a1 / 3, (r_a1 + r_a2) / 3, r_a1 / 3]  # the cram failure yesterday drops a2 to 0
    assert [p.recall for p in trend] == pytest.approx(expected)


def test_without_a_date_readiness_looks_a_week_ahead(constructed_log, settings):
    report = plan_report(constructed_log, READY_BANK, settings, T0)
    assert report.plan is None and report.pacing is None
    assert report.readiness.at == T0 + timedelta(days=7)
    assert all(p.at == p.as_of + timedelta(days=7) for p in report.trend)
    data = report.to_dict()
    assert data["interview"] is None and data["readiness"]["recall"] == report.readiness.recall
    assert len(data["trend"]) == 6 and data["weak"] == ["a2"]


def test_plan_report_without_a_store(settings, planned):
    report = plan_report(None, READY_BANK, planned, T0)
    assert report.readiness.recall == 0.0 and [p.recall for p in report.trend] == [0.0] * 6
    assert report.pacing.unseen == ("a1", "a2", "l1") and report.pacing.behind


def test_snapshots_of_the_past(constructed_log):
    store = constructed_log
    assert ProgressSnapshot.read(store, as_of=T0 - timedelta(days=30)).cards == {}
    then = ProgressSnapshot.read(store, as_of=T0 - timedelta(days=5))
    assert set(then.cards) == {"a1", "a2"} and then.last_ratings == {"a1": Rating.Good, "a2": Rating.Good}
    assert then.card("a1") == store.card("a1"), "not reviewed since: as it is now"
    assert then.card("a2") == store.reviews(question_id="a2")[-1].card_before
    now = ProgressSnapshot.read(store)
    assert now.last_answer_wrong("a2") and not now.last_answer_wrong("a1")
    halfway = ProgressSnapshot.read(store, as_of=T0 - timedelta(days=9, hours=12))
    assert halfway.card("a2").state == State.Learning, "between the first and the second review"
