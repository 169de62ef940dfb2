from __future__ import annotations

import json
import os
import sqlite3
from datetime import timedelta

import pytest

from questions.study import (
    CardState,
    CorruptStoreError,
    ProgressImportError,
    ProgressStore,
    Rating,
    ReviewMode,
    State,
    StoreError,
    StoreVersionError,
    UndoError,
)
from questions.study.migrations import SCHEMA_V1, SCHEMA_VERSION

from .factory import T0


def test_a_new_store_is_wal_full_sync_at_the_current_schema(store, store_path):
    assert store_path.exists()
    assert store.schema_version() == SCHEMA_VERSION
    assert store._connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.cards() == {} and store.review_count() == 0


def test_record_review_logs_everything_and_advances_the_card(store, scheduler):
    outcome = store.record_review(
        "q1", Rating.Good, scheduler=scheduler, reviewed_at=T0, duration=timedelta(seconds=7.5), mode=ReviewMode.TYPED
    )
    assert outcome.card == store.card("q1")
    assert outcome.card.due == T0 + timedelta(minutes=10)
    [record] = store.reviews()
    assert record == outcome.record
    assert (record.question_id, record.rating, record.reviewed_at) == ("q1", Rating.Good, T0)
    assert record.duration == timedelta(milliseconds=7500)
    assert record.mode is ReviewMode.TYPED and record.scheduled and record.card_before is None


def test_a_rating_is_visible_to_a_second_connection_immediately(store, store_path, scheduler):
    store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0)
    with ProgressStore.open(store_path) as other:
        assert other.card("q1") == store.card("q1")
        assert other.review_count() == 1


def test_unscheduled_review_is_logged_without_touching_the_card(store, scheduler):
    first = store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0)
    crammed = store.record_review(
        "q1", Rating.Again, scheduler=scheduler, reviewed_at=T0 + timedelta(hours=1), mode=ReviewMode.CRAM, reschedule=False
    )
    assert store.card("q1") == first.card == crammed.card
    assert [r.scheduled for r in store.reviews()] == [True, False]


def test_undo_restores_the_previous_state_and_removes_the_log_row(store, scheduler):
    first = store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0)
    second = store.record_review("q1", Rating.Easy, scheduler=scheduler, reviewed_at=T0 + timedelta(minutes=10))
    assert store.card("q1").state == State.Review
    assert store.undo_review(second.record.id) == first.card
    assert store.card("q1") == first.card
    assert [r.id for r in store.reviews()] == [first.record.id]
    assert store.undo_review(first.record.id) == CardState.new("q1")
    assert store.card("q1") is None, "undoing the first review makes the card new again"
    assert store.review_count() == 0
    with pytest.raises(UndoError, match="already undone"):
        store.undo_review(first.record.id)


def test_undo_refuses_when_a_later_review_exists(store, scheduler):
    first = store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0)
    store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0 + timedelta(minutes=10))
    with pytest.raises(UndoError, match="reviewed again since") as error:
        store.undo_review(first.record.id)
    assert error.value.exit_code == 2
    assert store.review_count() == 2


def test_naive_review_time_is_rejected_and_nothing_written(store, scheduler):
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=datetime(2026, 1, 1))
    assert store.review_count() == 0


def test_progress_is_keyed_by_id_and_outlives_the_bank(store, scheduler):
    """Cards of questions removed from the bank stay; the store never deletes them."""
    store.record_review("removed-question", Rating.Good, scheduler=scheduler, reviewed_at=T0)
    assert "removed-question" in store.cards()
    assert store.question_ids() == {"removed-question"}


# -- export / import -----------------------------------------------------------------------


def test_export_import_round_trip_into_a_fresh_store(store, scheduler, tmp_path):
    store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0, duration=timedelta(seconds=3))
    store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0 + timedelta(minutes=10))
    store.record_review("q2", Rating.Again, scheduler=scheduler, reviewed_at=T0, mode=ReviewMode.CRAM, reschedule=False)
    exported = tmp_path / "progress.json"
    store.export_to(exported, now=T0)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["format"] == "transformer-prep-progress" and len(data["review_log"]) == 3

    with ProgressStore.open(tmp_path / "other.sqlite3") as other:
        summary = other.import_from(exported)
        assert (summary.cards_added, summary.reviews_added) == (1, 3)
        assert other.cards() == store.cards()
        strip = lambda records: [{k: v for k, v in r.to_dict().items() if k != "id"} for r in records]  # noqa: E731
        assert strip(other.reviews()) == strip(store.reviews())
        again = other.import_from(exported)
        assert (again.cards_added, again.cards_updated, again.reviews_added, again.reviews_skipped) == (0, 0, 0, 3)


def test_import_keeps_the_newer_card_state(store, scheduler, tmp_path):
    store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0)
    old_export = store.export_progress(now=T0)
    newer = store.record_review("q1", Rating.Easy, scheduler=scheduler, reviewed_at=T0 + timedelta(minutes=10))
    summary = store.import_progress(old_export)
    assert summary.cards_kept == 1 and summary.cards_updated == 0
    assert store.card("q1") == newer.card


@pytest.mark.parametrize(
    "mutate, where",
    [
        (lambda d: d.update(format="anki"), "format"),
        (lambda d: d.update(version=99), "version"),
        (lambda d: d.update(cards={}), "cards"),
        (lambda d: d["cards"][0].pop("question_id"), "cards[0]"),
        (lambda d: d["cards"][0].update(due="yesterday"), "cards[0]"),
        (lambda d: d["review_log"][0].update(rating=7), "review_log[0]"),
        (lambda d: d["review_log"][0].update(reviewed_at="2026-01-01T00:00:00"), "review_log[0]"),
    ],
)
def test_malformed_import_says_where_and_writes_nothing(store, scheduler, tmp_path, mutate, where):
    store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0)
    data = store.export_progress(now=T0)
    mutate(data)
    with ProgressStore.open(tmp_path / "target.sqlite3") as target:
        with pytest.raises(ProgressImportError) as error:
            target.import_progress(data, source="backup.json")
        assert error.value.exit_code == 2
        assert f"backup.json: {where}" in str(error.value)
        assert target.cards() == {} and target.review_count() == 0


def test_import_of_a_file_that_is_not_json(store, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ProgressImportError, match="not valid JSON"):
        store.import_from(bad)
    with pytest.raises(ProgressImportError, match="cannot be read"):
        store.import_from(tmp_path / "missing.json")


# -- bad files -----------------------------------------------------------------------------


def _files_in(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"this is my diary, not a database\n" * 20, "not an SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 2000, "cannot read it|damaged"),
    ],
)
def test_corrupt_store_is_reported_and_left_untouched(tmp_path, content, reason):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(content)
    before = _files_in(tmp_path)
    with pytest.raises(CorruptStoreError, match=reason) as error:
        ProgressStore.open(path)
    assert error.value.exit_code == 2
    assert "start a fresh store" in str(error.value) and str(path) in str(error.value)
    assert _files_in(tmp_path) == before, "no byte changed and no -wal/-shm file appeared"


def test_damaged_pages_are_detected(store_path, scheduler):
    with ProgressStore.open(store_path) as store:
        card = scheduler.review(CardState.new("q"), Rating.Good, T0).to_dict()
        cards = [{**card, "question_id": f"q{index}"} for index in range(300)]  # one transaction: fast
        store.import_progress({"format": "transformer-prep-progress", "version": 1, "cards": cards, "review_log": []})
    data = bytearray(store_path.read_bytes())
    page_size = 4096
    data[page_size * 2 : page_size * 4] = os.urandom(page_size * 2)  # scribble over two pages
    store_path.write_bytes(bytes(data))
    before = store_path.read_bytes()
    with pytest.raises(CorruptStoreError):
        ProgressStore.open(store_path)
    assert store_path.read_bytes() == before


def test_another_programs_database_is_refused(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.close()
    with pytest.raises(CorruptStoreError, match="another program"):
        ProgressStore.open(path)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(StoreVersionError, match="Upgrade transformer-prep") as error:
        ProgressStore.open(path)
    assert error.value.exit_code == 2


def test_directory_and_unreadable_paths(tmp_path, monkeypatch):
    with pytest.raises(StoreError, match="is a directory"):
        ProgressStore.open(tmp_path)
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        ProgressStore.open(not_a_folder / "progress.sqlite3")
    unreadable = tmp_path / "locked.sqlite3"
    unreadable.write_bytes(b"SQLite format 3\x00")

    def denied(*args, **kwargs):  # chmod 0 does not stop root, which runs CI here
        raise PermissionError(13, "Permission denied")

    import questions.study.store as store_module

    monkeypatch.setattr(store_module, "open", denied, raising=False)
    with pytest.raises(StoreError, match="check its permissions") as error:
        ProgressStore.open(unreadable)
    assert error.value.exit_code == 2


def test_an_empty_file_is_a_new_store(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"")
    with ProgressStore.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION


def test_backup_and_reset_keeps_the_old_file_and_starts_fresh(tmp_path):
    path = tmp_path / "progress.sqlite3"
    garbage = b"garbage " * 100
    path.write_bytes(garbage)
    with pytest.raises(CorruptStoreError):
        ProgressStore.open(path)
    backup = ProgressStore.backup_and_reset(path, now=T0)
    assert backup.name == "progress.sqlite3.20260302T090000Z.bak"
    assert backup.read_bytes() == garbage and not path.exists()
    with ProgressStore.open(path) as fresh:
        assert fresh.review_count() == 0
    path.write_bytes(garbage)
    second = ProgressStore.backup_and_reset(path, now=T0)
    assert second != backup and second.read_bytes() == garbage, "a second backup never overwrites the first"


def test_backup_moves_wal_companions_so_the_backup_still_opens(store_path, scheduler):
    store = ProgressStore.open(store_path)
    store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0)
    # The connection stays open, so the rating may live only in the -wal file.
    backup = ProgressStore.backup_and_reset(store_path, now=T0)
    store.close()
    with ProgressStore.open(backup) as restored:
        assert restored.review_count() == 1


# -- migrations ----------------------------------------------------------------------------


def _write_v1_store(path):
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_V1)
    connection.execute(
        "INSERT INTO cards VALUES ('q1', 2, NULL, 5.0, 4.0, '2026-03-05T09:00:00.000000+00:00', '2026-03-01T09:00:00.000000+00:00')"
    )
    connection.executemany(
        "INSERT INTO review_log (question_id, rating, reviewed_at) VALUES (?, ?, ?)",
        [("q1", 3, "2026-02-28T09:00:00.000000+00:00"), ("q1", 3, "2026-03-01T09:00:00.000000+00:00")],
    )
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()


def test_migration_from_v1_keeps_progress_and_backs_up_first(tmp_path, scheduler):
    path = tmp_path / "progress.sqlite3"
    _write_v1_store(path)
    original = path.read_bytes()
    with ProgressStore.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        card = store.card("q1")
        assert (card.state, card.stability, card.reps, card.lapses) == (State.Review, 5.0, 2, 0)
        records = store.reviews()
        assert [(r.rating, r.mode, r.scheduled, r.duration) for r in records] == [(Rating.Good, ReviewMode.REVIEW, True, None)] * 2
        outcome = store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0 + timedelta(days=3))
        assert outcome.record.card_before == card
        assert outcome.card.reps == 3
    backup = tmp_path / "progress.sqlite3.v1.bak"
    assert backup.exists()
    with sqlite3.connect(backup) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
        assert connection.execute("SELECT COUNT(*) FROM review_log").fetchone()[0] == 2
    connection.close()
    assert original[:16] == b"SQLite format 3\x00"


def test_reopening_a_current_store_does_not_migrate_again(store_path):
    ProgressStore.open(store_path).close()
    with ProgressStore.open(store_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
    assert not list(store_path.parent.glob("*.bak"))


def test_a_writer_blocked_too_long_gets_a_clear_error_and_loses_nothing(store_path, scheduler):
    with ProgressStore.open(store_path) as store:
        store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0)
    blocker = sqlite3.connect(store_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another tprep in the middle of a write
    try:
        with ProgressStore.open(store_path, busy_timeout=0.2) as store:
            with pytest.raises(StoreError, match="busy") as error:
                store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0 + timedelta(minutes=10))
            assert error.value.exit_code == 2
            blocker.execute("ROLLBACK")
            store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0 + timedelta(minutes=10))
            assert store.review_count() == 2 and store.card("q1").reps == 2
    finally:
        blocker.close()


def test_a_failed_write_rolls_back_and_says_nothing_was_saved(store, scheduler, monkeypatch):
    store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0)
    before = (store.cards(), store.review_count())
    import questions.study.store as store_module

    def failing_write(connection, card):  # e.g. the disk filled up between the two statements
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module, "_write_card", failing_write)
    with pytest.raises(StoreError, match="nothing from this step was saved") as error:
        store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0 + timedelta(minutes=10))
    assert error.value.exit_code == 2
    monkeypatch.undo()
    assert (store.cards(), store.review_count()) == before, "the log row was rolled back with the card"
    store.record_review("q1", Rating.Good, scheduler=scheduler, reviewed_at=T0 + timedelta(minutes=10))
    assert store.review_count() == 2
