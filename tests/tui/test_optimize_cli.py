"""`tprep progress optimize`: fit on a synthetic log, dry run writes nothing, too few reviews is exit 2."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from questions.study import ProgressStore
from tests.questions.study.factory import simulated_progress
from tui import paths
from tui.cli import main
from tui.settings import Settings, load_settings, save_settings


def fill_store(**kwargs) -> None:
    progress = simulated_progress(until=datetime.now(timezone.utc) - timedelta(days=1), **kwargs)
    with ProgressStore.open(paths.store_path()) as store:
        store.import_progress(progress)


def fingerprint() -> dict[str, str | None]:
    """The bytes of everything the command could write."""
    files = [paths.settings_path(), paths.store_path(), *paths.store_path().parent.glob("progress.sqlite3-*")]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() if f.exists() else None for f in files}


class QuickOptimizer:
    """Stands in for fsrs's Optimizer where the test is about what gets written, not about the fit
    (the real fit runs in test_fit_saves_the_parameters_and_reschedules)."""

    def __init__(self, review_logs):
        self.review_logs = review_logs

    def compute_optimal_parameters(self, verbose: bool = False):
        parameters = list(DEFAULT_PARAMETERS)
        parameters[20] = 0.25  # a faster-forgetting curve
        return parameters


def test_the_dry_run_writes_nothing(capsys, monkeypatch):
    import questions.study.parameters as parameters

    monkeypatch.setattr(parameters, "_optimizer_class", lambda: QuickOptimizer)
    fill_store()
    save_settings(Settings(daily_new_cards=12), paths.settings_path())
    before = fingerprint()
    assert main(["progress", "optimize", "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert "reviews the optimizer learns from (needs 512)" in captured.out
    assert "w20 forgetting-curve decay" in captured.out and "0.1542    0.2500" in captured.out
    assert "log loss (lower is better)" in captured.out and "calibration RMSE" in captured.out
    assert "dry run: nothing was saved." in captured.err
    assert fingerprint() == before, "neither the store nor the settings changed"


@pytest.mark.slow
def test_fit_saves_the_parameters_and_reschedules(capsys):
    fill_store()
    save_settings(Settings(daily_new_cards=12), paths.settings_path())
    with ProgressStore.open(paths.store_path()) as store:
        cards_before, log_before = store.cards(), store.reviews()

    assert main(["progress", "optimize", "--json"]) == 0
    captured = capsys.readouterr()
    fit = json.loads(captured.out)
    assert fit["eligible_reviews"] >= 512 and fit["old"] == list(DEFAULT_PARAMETERS) and fit["new"] != fit["old"]
    assert fit["improved"] and fit["after"]["log_loss"] < fit["before"]["log_loss"]
    assert "cards rescheduled" in captured.err
    saved = load_settings(paths.settings_path()).settings
    assert saved.fsrs_parameters == tuple(fit["new"]) and saved.daily_new_cards == 12, "other settings kept"
    with ProgressStore.open(paths.store_path()) as store:
        cards_after, log_after = store.cards(), store.reviews()
    assert log_after == log_before, "no review is lost or changed"
    assert set(cards_after) == set(cards_before)
    assert any(cards_after[q].stability != cards_before[q].stability for q in cards_after), "cards rescheduled"
    assert saved.study_settings().fsrs_parameters == tuple(fit["new"]), "and the scheduler uses them from now on"

    assert main(["progress", "optimize", "--defaults"]) == 0
    assert load_settings(paths.settings_path()).settings.fsrs_parameters is None


def test_too_few_reviews_is_exit_2_and_changes_nothing(capsys):
    fill_store(questions=10)
    before = fingerprint()
    assert main(["progress", "optimize"]) == 2
    err = capsys.readouterr().err
    assert "reviews the FSRS optimizer can learn from, and it needs 512" in err and "Traceback" not in err
    assert fingerprint() == before


def test_no_store_and_a_corrupt_store_are_exit_2(capsys):
    assert main(["progress", "optimize"]) == 2
    assert "no progress store" in capsys.readouterr().err
    store = paths.store_path()
    store.write_bytes(b"garbage" * 100)
    assert main(["progress", "optimize", "--dry-run"]) == 2
    assert "cannot be used" in capsys.readouterr().err
    assert store.read_bytes() == b"garbage" * 100


def test_saved_parameters_outside_fsrs_bounds_are_set_aside():
    paths.settings_path().parent.mkdir(parents=True, exist_ok=True)
    paths.settings_path().write_text(json.dumps({"fsrs_parameters": [100.0] * 21}), encoding="utf-8")
    loaded = load_settings(paths.settings_path())
    assert loaded.settings.fsrs_parameters is None and "outside the bounds FSRS accepts" in loaded.notice
