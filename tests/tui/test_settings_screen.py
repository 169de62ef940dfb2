"""The Settings screen's interview plan (#19, #14): date, scope, review-only days; bad input is
refused in plain words naming the field as the form labels it, and nothing saved is lost."""

import json
from datetime import date, timedelta

import pytest
from fsrs import Rating

from tests.tui.factory import FIXED_NOW, make_app
from tui import paths
from tui.screens.settings import SettingsScreen
from tui.settings import Settings, save_settings


def error_text(screen) -> str:
    return str(screen.query_one("#settings-error").render())


@pytest.mark.parametrize(
    "field, value, words, not_words",
    [
        ("#setting-date", "2026-02-30", ["Interview date", "is not a date", "YYYY-MM-DD"], ["interview_date"]),
        ("#setting-date", "next friday", ["Interview date", "is not a date"], ["interview_date"]),
        ("#setting-date", "2025-12-01", ["Interview date", "is in the past", "today is 2026-01-15"], ["interview_date"]),
        ("#setting-new", "900", ["New cards per day", "from 0 to 500"], ["daily_new_cards"]),
        ("#setting-final", "40", ["Review-only days", "from 1 to 30"], ["plan_final_days"]),
    ],
)
async def test_bad_input_is_refused_in_words_naming_the_field_and_nothing_saved_is_lost(field, value, words, not_words):
    saved = Settings(daily_new_cards=7, interview_date=date(2026, 3, 12), language="en")
    save_settings(saved, paths.settings_path())
    app = make_app(settings=saved)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("comma")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        screen.query_one(field).value = value
        await pilot.press("ctrl+s")
        shown = error_text(screen)
        for word in words:
            assert word in shown
        for word in not_words:
            assert word not in shown
        assert screen.query_one(field).has_focus
        assert screen.query_one(field).value == value, "the form keeps what was typed"
        assert app.settings == saved
    assert json.loads(paths.settings_path().read_text(encoding="utf-8"))["daily_new_cards"] == 7
    assert json.loads(paths.settings_path().read_text(encoding="utf-8"))["interview_date"] == "2026-03-12"


async def test_the_date_error_is_in_chinese_too():
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("comma")
        app.screen.query_one("#setting-date").value = "2026-13-01"
        await pilot.press("ctrl+s")
        assert "面试日期" in error_text(app.screen) and "YYYY-MM-DD" in error_text(app.screen)


async def test_saving_a_date_caps_the_cards_and_home_shows_the_plan(app):
    from questions.study.scheduler import StudyScheduler
    from questions.study.store import ProgressStore

    interview = date(2026, 1, 25)
    with ProgressStore.open(paths.store_path()) as store:  # a card learnt well: due long after the interview
        scheduler = StudyScheduler(app.study_settings())
        for days_ago in (40, 30, 10):
            store.record_review("attention-qkv-meaning", Rating.Easy, scheduler=scheduler, reviewed_at=FIXED_NOW - timedelta(days=days_ago))
        assert store.card("attention-qkv-meaning").due.date() > interview
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("comma")
        screen = app.screen
        screen.query_one("#setting-date").value = interview.isoformat()
        screen.query_one("#setting-final").value = "2"
        screen.query_one("#setting-topics").focus()
        await pilot.press("space")  # the first topic (Attention) in scope
        await pilot.press("ctrl+s")
        assert error_text(screen) == ""
        assert app.settings.interview_date == interview and app.settings.plan_final_days == 2
        assert app.settings.plan_topics == ("attention",)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        home = str(app.screen.query_one("#home-mastery-text").render())
        assert "Readiness on 25 Jan" in home and "trend" in home
        assert "seen" in home and "new to go today" in home
    with ProgressStore.open(paths.store_path()) as store:
        assert store.card("attention-qkv-meaning").due.date() < interview, "the cap moved the card before the interview"
    assert json.loads(paths.settings_path().read_text(encoding="utf-8"))["interview_date"] == "2026-01-25"


async def test_clearing_the_date_removes_the_plan():
    saved = Settings(interview_date=date(2026, 3, 12), language="en")
    app = make_app(settings=saved)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("comma")
        app.screen.query_one("#setting-date").value = ""
        await pilot.press("ctrl+s")
        assert app.settings.interview_date is None
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Readiness" not in str(app.screen.query_one("#home-mastery-text").render())
