"""`tprep plan`: set an interview date, see pace and readiness; bad input is exit 2 with nothing lost."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from questions.study import ProgressStore, Rating, ReviewMode, StudyScheduler, StudySettings
from tui import paths
from tui.cli import main
from tui.settings import Settings, load_settings, save_settings

TODAY = datetime.now().astimezone().date()  # the command's "today" is the machine's local day


def interview_in(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def review(question_id: str, rating: Rating, at: datetime, **kwargs) -> None:
    with ProgressStore.open(paths.store_path()) as store:
        store.record_review(question_id, rating, scheduler=StudyScheduler(StudySettings()), reviewed_at=at, **kwargs)


def test_without_a_date_it_shows_readiness_a_week_ahead(capsys):
    assert main(["plan"]) == 0
    out = capsys.readouterr().out
    assert "No interview date set" in out and "Readiness on" in out and "0% of the bank" in out
    assert "never seen or last answered wrong count 0" in out
    assert not paths.store_path().exists(), "reading the plan does not create a store"


def test_setting_a_date_saves_it_and_reports_the_plan(capsys):
    assert main(["plan", "--interview-date", interview_in(30), "--scope", "attention,masks", "--final-days", "4"]) == 0
    out = capsys.readouterr().out
    assert f"Saved: interview on {interview_in(30)}" in out
    assert "scope: attention, masks" in out and "Behind plan" in out, "nothing studied yet: behind"
    saved = load_settings(paths.settings_path()).settings
    assert (saved.interview_date, saved.plan_topics, saved.plan_final_days) == (TODAY + timedelta(days=30), ("attention", "masks"), 4)

    assert main(["plan", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["interview"]["date"] == interview_in(30) and data["interview"]["scope"] == ["attention", "masks"]
    assert data["pacing"]["scope_size"] == data["pacing"]["unseen"] > 0
    assert data["pacing"]["needed_today"] == -(-data["pacing"]["unseen"] // 26), "unseen / (30 - 4 final days), rounded up"
    at = datetime.fromisoformat(data["readiness"]["at"]).astimezone()
    assert (at.date(), at.hour, at.minute) == (TODAY + timedelta(days=30), 0, 0), "the start of the interview day"
    assert len(data["trend"]) == 6 and data["readiness"]["legend"]["en"].startswith("Readiness:")

    assert main(["plan", "--scope", "all"]) == 0, "the scope can change once a date is set"
    assert load_settings(paths.settings_path()).settings.plan_topics == ()
    assert main(["plan", "--clear"]) == 0
    assert load_settings(paths.settings_path()).settings.interview_date is None


def test_setting_a_date_brings_due_cards_before_it(capsys):
    long_ago = datetime.now(timezone.utc) - timedelta(days=3)
    review("attention-scale-sqrt-dk", Rating.Easy, long_ago)
    review("attention-scale-sqrt-dk", Rating.Easy, long_ago + timedelta(days=2))
    with ProgressStore.open(paths.store_path()) as store:
        due = store.card("attention-scale-sqrt-dk").due
    assert due.date() > TODAY + timedelta(days=10)
    assert main(["plan", "--interview-date", interview_in(10), "--final-days", "3"]) == 0
    assert "1 card due after it now come due in the final days" in capsys.readouterr().out
    with ProgressStore.open(paths.store_path()) as store:
        capped = store.card("attention-scale-sqrt-dk").due.astimezone().date()
    assert TODAY + timedelta(days=7) <= capped < TODAY + timedelta(days=10)


def test_a_wrong_answer_shows_as_weak_in_the_plan_and_the_export(tmp_path, capsys):
    review("attention-scale-sqrt-dk", Rating.Again, datetime.now(timezone.utc), mode=ReviewMode.CHOICE)
    assert main(["plan", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["weak"] == ["attention-scale-sqrt-dk"]
    out = tmp_path / "weak.md"
    assert main(["export", "--format", "md", "--weak", "--lang", "en", "--out", str(out)]) == 0
    assert "(1 questions" in capsys.readouterr().out


@pytest.mark.parametrize(
    "options, message",
    [
        (["--interview-date", "2020-01-01"], "is in the past"),
        (["--interview-date", TODAY.isoformat()], "is today"),
        (["--interview-date", "12/03/2026"], "is not a date; write it as YYYY-MM-DD"),
        (["--interview-date", "2026-02-30"], "is not a date"),
        (["--interview-date", interview_in(20), "--scope", "attention,nope"], "unknown topic nope; the topics are:"),
        (["--interview-date", interview_in(20), "--final-days", "0"], "--final-days must be from 1 to 30"),
        (["--scope", "attention"], "no interview date is set"),
        (["--clear", "--scope", "attention"], "--clear removes the plan"),
    ],
)
def test_bad_input_is_exit_2_and_saves_nothing(options, message, capsys):
    save_settings(Settings(daily_new_cards=7), paths.settings_path())
    before = paths.settings_path().read_bytes()
    assert main(["plan", *options]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert paths.settings_path().read_bytes() == before


def test_a_corrupt_store_is_exit_2_and_left_untouched(capsys):
    store = paths.store_path()
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_bytes(b"not a database at all" * 10)
    assert main(["plan", "--interview-date", interview_in(20)]) == 2
    assert "cannot be used" in capsys.readouterr().err
    assert store.read_bytes() == b"not a database at all" * 10
    assert not paths.settings_path().exists(), "nothing was saved: the date waits for a usable store"
    assert main(["plan"]) == 2


def test_an_interview_date_survives_a_round_trip_through_the_settings_file():
    settings = Settings(interview_date=date(2031, 5, 6), plan_topics=("masks", "attention"), fsrs_parameters=None)
    save_settings(settings, paths.settings_path())
    raw = json.loads(paths.settings_path().read_text(encoding="utf-8"))
    assert raw["interview_date"] == "2031-05-06" and raw["plan_topics"] == ["attention", "masks"]
    assert load_settings(paths.settings_path()).settings == settings
    study = settings.study_settings()
    assert study.interview.date == date(2031, 5, 6) and study.interview.topics == {"attention", "masks"}
