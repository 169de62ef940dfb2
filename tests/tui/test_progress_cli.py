"""`tprep progress export|import|reset`: progress moves between stores, nothing is lost."""

from __future__ import annotations

import json

import pytest

from questions.study import ProgressStore, Rating, StudyScheduler, StudySettings
from tui.cli import main


def rate(store_file, question_id, rating=Rating.Good):
    with ProgressStore.open(store_file) as store:
        store.record_review(question_id, rating, scheduler=StudyScheduler(StudySettings()))


def test_export_then_import_into_another_store(tmp_path, capsys):
    first, second, exported = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3", tmp_path / "progress.json"
    rate(first, "attention-scale-sqrt-dk")
    rate(first, "layers-pre-post-ln", Rating.Again)

    assert main(["--store", str(first), "progress", "export", "--out", str(exported)]) == 0
    assert "2 cards, 2 reviews" in capsys.readouterr().out
    assert json.loads(exported.read_text(encoding="utf-8"))

    assert main(["--store", str(second), "progress", "import", str(exported)]) == 0
    assert "2 cards added" in capsys.readouterr().out
    with ProgressStore.open(second) as store:
        assert set(store.cards()) == {"attention-scale-sqrt-dk", "layers-pre-post-ln"}
        assert store.review_count() == 2

    # Importing the same file again changes nothing.
    assert main(["--store", str(second), "progress", "import", str(exported)]) == 0
    assert "0 reviews added, 2 already present" in capsys.readouterr().out


def test_export_refuses_to_overwrite_without_force(tmp_path, capsys):
    store_file, exported = tmp_path / "s.sqlite3", tmp_path / "progress.json"
    exported.write_text("keep me", encoding="utf-8")
    assert main(["--store", str(store_file), "progress", "export", "--out", str(exported)]) == 2
    assert "--force" in capsys.readouterr().err
    assert exported.read_text(encoding="utf-8") == "keep me"


def test_import_of_a_broken_file_says_what_and_where(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["--store", str(tmp_path / "s.sqlite3"), "progress", "import", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.json" in err and "JSON" in err and "Traceback" not in err
    assert main(["--store", str(tmp_path / "s.sqlite3"), "progress", "import", str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_reset_needs_confirmation_and_keeps_a_backup(tmp_path, capsys):
    store_file = tmp_path / "s.sqlite3"
    rate(store_file, "attention-scale-sqrt-dk")
    assert main(["--store", str(store_file), "progress", "reset"]) == 2
    assert "--yes" in capsys.readouterr().err and store_file.exists()

    assert main(["--store", str(store_file), "progress", "reset", "--yes"]) == 0
    assert not store_file.exists()
    backups = list(tmp_path.glob("s.sqlite3.*.bak"))
    assert len(backups) == 1
    with ProgressStore.open(backups[0]) as old:
        assert old.review_count() == 1


def test_a_corrupt_store_is_reported_not_crashed_on(tmp_path, capsys):
    store_file = tmp_path / "s.sqlite3"
    store_file.write_bytes(b"this is not a database" * 100)
    assert main(["--store", str(store_file), "progress", "export", "--out", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(store_file) in err
    assert store_file.read_bytes() == b"this is not a database" * 100


@pytest.mark.parametrize("argv", [["progress"], ["progress", "frobnicate"], ["progress", "import"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2


def test_export_writes_to_the_current_folder_by_default(tmp_path, capsys, monkeypatch):
    store_file = tmp_path / "s.sqlite3"
    rate(store_file, "attention-scale-sqrt-dk")
    monkeypatch.chdir(tmp_path)
    assert main(["--store", str(store_file), "progress", "export"]) == 0
    assert "wrote tprep-progress.json (1 cards, 1 reviews)" in capsys.readouterr().out
    assert json.loads((tmp_path / "tprep-progress.json").read_text(encoding="utf-8"))


def test_the_old_bare_path_still_works_with_a_notice(tmp_path, capsys):
    store_file, exported = tmp_path / "s.sqlite3", tmp_path / "old-form.json"
    rate(store_file, "attention-scale-sqrt-dk")
    assert main(["--store", str(store_file), "progress", "export", str(exported)]) == 0
    captured = capsys.readouterr()
    assert f"tprep progress export --out {exported}" in captured.err and "old form" in captured.err
    assert exported.exists()
    assert main(["--store", str(store_file), "progress", "export", str(exported), "--out", str(exported)]) == 2
    assert "not both" in capsys.readouterr().err
