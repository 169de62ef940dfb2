"""Home (#13 items 3, 4; #19): mastery from forecast.mastery with its legend, the weak count,
readiness on the interview day with its trend, the pacing message when behind, topic names whole."""

from datetime import date, timedelta

from fsrs import Rating

from questions.study.review_record import ReviewMode
from tests.tui.factory import FIXED_NOW, make_app
from tui import paths
from tui.settings import Settings


def home_text(app) -> str:
    return str(app.screen.query_one("#home-mastery-text").render())


async def loaded(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_home_shows_mastery_with_its_legend_and_the_weak_count(app):
    from questions.study.scheduler import StudyScheduler
    from questions.study.store import ProgressStore

    with ProgressStore.open(paths.store_path()) as store:
        scheduler = StudyScheduler(app.study_settings())
        # learnt, then answered wrong in multiple choice: weak, and never shown as mastered
        store.record_review("attention-qkv-meaning", Rating.Good, scheduler=scheduler, reviewed_at=FIXED_NOW - timedelta(days=3))
        store.record_review("attention-qkv-meaning", Rating.Good, scheduler=scheduler, reviewed_at=FIXED_NOW - timedelta(days=2))
        store.record_review("attention-qkv-meaning", Rating.Again, scheduler=scheduler, reviewed_at=FIXED_NOW - timedelta(minutes=5), mode=ReviewMode.CHOICE)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app, pilot)
        text = home_text(app)
        assert "Mastery 0%" in text, "an Again never shows as mastered"
        assert "Mastery: the chance, predicted by FSRS" in text and "in 7 days" in text
        assert "Weak 1" in str(app.screen.query_one("#home-today").render())
        assert "Readiness" not in text  # no interview date


async def test_home_says_when_the_plan_is_behind():
    settings = Settings(language="en", interview_date=date(2026, 1, 20), plan_final_days=3)
    app = make_app(settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app, pilot)
        text = " ".join(home_text(app).split())
        assert "Readiness on 20 Jan 0%" in text and "trend" in text
        assert "Behind plan: at this pace 4 questions will still be unseen on 17 Jan" in text


async def test_home_in_chinese_has_the_legend_and_readiness():
    settings = Settings(language="zh", interview_date=date(2026, 1, 20), plan_final_days=3)
    app = make_app(settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app, pilot)
        text = "".join(home_text(app).split())
        assert "掌握度：按你的复习记录" in text and "1月20日" in text and "进度落后" in text


async def test_topic_names_are_whole_at_120_columns():
    from questions import load_bank
    from questions.topics import topic_title

    app = make_app()
    app.bank = load_bank()
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(app, pilot)
        text = home_text(app)
        for topic in app.bank.topics():
            assert topic_title(topic, "en") in text
        assert "…" not in text


async def test_stats_shows_mastery_the_weak_list_and_readiness_with_its_trend():
    settings = Settings(language="en", interview_date=date(2026, 1, 20), plan_final_days=3)
    app = make_app(settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app, pilot)
        await pilot.press("s")
        await loaded(app, pilot)
        text = " ".join(str(app.screen.query_one("#stats-text").render()).split())
        assert "Mastery by topic 0% overall, 0 of 4 seen" in text and "in 7 days" in text
        assert "Readiness on 20 Jan 0% trend over the last weeks ▁▁▁▁▁▁ 0% → 0%" in text
        assert "Readiness: the chance, predicted by FSRS" in text and "on 20 Jan" in text
        assert "Behind plan" in text and "Weak questions 0" in text
