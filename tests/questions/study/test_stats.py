from __future__ import annotations

from datetime import date, timedelta, timezone

import pytest

from questions.study import Rating, ReviewMode, StudySettings, compute_stats

from .factory import T0, make_bank, make_question

BANK = make_bank(
    make_question("a1", topic="attention"),
    make_question("a2", topic="attention"),
    make_question("l1", topic="layers"),
    make_question("l2", topic="layers"),
)


def _review(store, scheduler, question_id, rating, at, seconds=10, **kwargs):
    return store.record_review(question_id, rating, scheduler=scheduler, reviewed_at=at, duration=timedelta(seconds=seconds), **kwargs)


def test_empty_store(store, settings):
    stats = compute_stats(store, BANK, T0, settings)
    assert stats.today == date(2026, 3, 2)
    assert len(stats.reviews_per_day) == 365 and stats.reviews_per_day[-1].day == stats.today
    assert stats.reviews_per_day[0].day == stats.today - timedelta(days=364)
    assert all(day.count == 0 for day in stats.reviews_per_day)
    assert stats.retention.rate is None and stats.retention_all_time.total == 0
    assert len(stats.due_forecast) == 30 and sum(d.count for d in stats.due_forecast) == 0
    assert [(m.topic, m.questions, m.studied, m.mastery) for m in stats.topic_mastery] == [("attention", 2, 0, 0.0), ("layers", 2, 0, 0.0)]
    assert (stats.current_streak, stats.longest_streak) == (0, 0)
    assert stats.time_total == timedelta(0) and stats.new_cards == 4


def test_heatmap_streak_time_and_counts(store, settings, scheduler):
    # studied on days -5, -4, -3 (a 3-day run), then -1 and today (current streak 2)
    for offset in (5, 4, 3, 1):
        _review(store, scheduler, "a1", Rating.Good, T0 - timedelta(days=offset))
    _review(store, scheduler, "a2", Rating.Good, T0, seconds=30)
    _review(store, scheduler, "a2", Rating.Good, T0 + timedelta(minutes=10), seconds=20, mode=ReviewMode.CRAM, reschedule=False)
    stats = compute_stats(store, BANK, T0 + timedelta(hours=1), settings)
    by_day = {day.day: day.count for day in stats.reviews_per_day}
    assert by_day[date(2026, 3, 2)] == 2 and by_day[date(2026, 2, 25)] == 1 and by_day[date(2026, 2, 28)] == 0
    assert (stats.current_streak, stats.longest_streak) == (2, 3)
    assert stats.reviews_today == 2 and stats.reviews_total == 6
    assert stats.time_today == timedelta(seconds=50) and stats.time_total == timedelta(seconds=90)
    # tomorrow, before studying: the streak is not broken yet
    assert compute_stats(store, BANK, T0 + timedelta(days=1), settings).current_streak == 2
    assert compute_stats(store, BANK, T0 + timedelta(days=2), settings).current_streak == 0


def test_days_follow_the_configured_time_zone(store, scheduler):
    late_evening_utc = T0.replace(hour=20)  # 04:00 the next day in Beijing
    _review(store, scheduler, "a1", Rating.Good, late_evening_utc)
    beijing = StudySettings(enable_fuzzing=False, day_timezone=timezone(timedelta(hours=8)))
    stats = compute_stats(store, BANK, late_evening_utc, beijing)
    assert stats.today == date(2026, 3, 3) and stats.reviews_per_day[-1].count == 1


def test_true_retention_counts_only_scheduled_reviews_of_learnt_cards(store, settings, scheduler):
    # learn both attention cards (first reviews: not retention data)
    _review(store, scheduler, "a1", Rating.Easy, T0 - timedelta(days=60))
    _review(store, scheduler, "a2", Rating.Easy, T0 - timedelta(days=60))
    # old review-state recalls, outside the 30-day window
    _review(store, scheduler, "a1", Rating.Good, T0 - timedelta(days=40))
    # recent: one pass, one lapse, and a crammed Again that must not count
    _review(store, scheduler, "a1", Rating.Good, T0 - timedelta(days=2))
    _review(store, scheduler, "a2", Rating.Again, T0 - timedelta(days=1))
    _review(store, scheduler, "l1", Rating.Again, T0, mode=ReviewMode.CRAM, reschedule=False)
    stats = compute_stats(store, BANK, T0, settings)
    assert (stats.retention.passed, stats.retention.total) == (1, 2)
    assert stats.retention.rate == pytest.approx(0.5)
    assert (stats.retention_all_time.passed, stats.retention_all_time.total) == (2, 3)


def test_due_forecast_and_mastery(store, settings, scheduler):
    overdue = _review(store, scheduler, "a1", Rating.Easy, T0 - timedelta(days=30)).card
    soon = _review(store, scheduler, "l1", Rating.Easy, T0).card
    _review(store, scheduler, "gone-from-bank", Rating.Easy, T0 - timedelta(days=30))
    stats = compute_stats(store, BANK, T0, settings)
    forecast = {day.day: day.count for day in stats.due_forecast}
    assert overdue.due < T0 and forecast[stats.today] == 1, "overdue cards are due today"
    assert forecast[soon.due.date()] == 1
    assert sum(forecast.values()) == 2, "cards of removed questions are not forecast"
    mastery = {m.topic: m for m in stats.topic_mastery}
    week_ahead = T0 + timedelta(days=7)  # mastery looks a week ahead: recall now is always near 1 after a review
    r_a1, r_l1 = scheduler.retrievability(overdue, week_ahead), scheduler.retrievability(soon, week_ahead)
    assert mastery["attention"].mastery == pytest.approx(r_a1 / 2), "a never-reviewed question counts as 0"
    assert mastery["attention"].studied_mastery == pytest.approx(r_a1)
    assert mastery["layers"].studied == 1 and mastery["layers"].studied_mastery == pytest.approx(r_l1)
    assert r_l1 < scheduler.retrievability(soon, T0) == pytest.approx(1.0)
    assert stats.mastery_forecast.at == week_ahead
    assert stats.mastery_forecast.recall == pytest.approx((r_a1 + r_l1) / 4)
    assert "in 7 days" in stats.mastery_forecast.legend("en") and "7 天后" in stats.mastery_forecast.legend("zh")
    assert (stats.new_cards, stats.learning_cards, stats.review_cards) == (2, 0, 2)


def test_retention_counts_recall_modes_only(store, settings, scheduler):
    _review(store, scheduler, "a1", Rating.Easy, T0 - timedelta(days=60))
    _review(store, scheduler, "a1", Rating.Hard, T0 - timedelta(days=2), mode=ReviewMode.CHOICE)  # recognised
    _review(store, scheduler, "a1", Rating.Good, T0 - timedelta(days=1), mode=ReviewMode.MOCK)
    stats = compute_stats(store, BANK, T0, settings)
    assert (stats.retention.passed, stats.retention.total) == (1, 1), "a multiple-choice answer is not recall"


def test_stats_name_the_weak_questions(store, settings, scheduler):
    _review(store, scheduler, "a2", Rating.Good, T0 - timedelta(minutes=30))
    _review(store, scheduler, "l1", Rating.Again, T0 - timedelta(minutes=20), mode=ReviewMode.CHOICE)
    assert compute_stats(store, BANK, T0, settings).weak_question_ids == ("l1",)
