"""The progress store: FSRS card state and the full review log in one SQLite file.

Durability and sharing, decided here once:

* WAL journal with ``synchronous=FULL``: a commit returns only after its WAL
  frames are fsynced, so every acknowledged rating survives a crash of the
  process *or* of the machine. (``NORMAL`` with WAL would survive a killed
  process but can lose the last commits on power loss; a rating costs a few
  milliseconds either way, so the stronger setting is cheap.)
* Every write is one ``BEGIN IMMEDIATE`` transaction that reads the card's
  current state and writes the log row and the new state together. Two app
  instances on one store therefore serialise (``busy_timeout`` waits for the
  other writer) and a review is always computed from the latest state.
* Opening never modifies a file it cannot read as a tprep store: the header and
  ``PRAGMA quick_check`` run before any pragma that writes, and a store from a
  newer schema is refused. ``backup_and_reset`` moves a bad file aside.
* Before an old store is migrated, a copy is written beside it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, NamedTuple

from fsrs import Rating, State

from questions.study.card import CardState
from questions.study.clock import require_utc, to_db, utc_now
from questions.study.errors import CorruptStoreError, ProgressImportError, StoreError, StoreVersionError, UndoError
from questions.study.migrations import SCHEMA_VERSION, migrate
from questions.study.review_record import ReviewMode, ReviewOutcome, ReviewRecord
from questions.study.scheduler import StudyScheduler

SQLITE_HEADER = b"SQLite format 3\x00"
EXPORT_FORMAT = "transformer-prep-progress"
EXPORT_VERSION = 1

_RATINGS = {int(rating): rating for rating in Rating}
_STATES = {int(state): state for state in State}
_MODES = {mode.value: mode for mode in ReviewMode}
_CARD_COLUMNS = "question_id, state, step, stability, difficulty, due, last_review, reps, lapses"
_LOG_COLUMNS = "id, question_id, rating, reviewed_at, duration_ms, mode, scheduled, card_before"


class ReviewFact(NamedTuple):
    """What statistics need from one review-log row (see ``ProgressStore.review_facts``)."""

    reviewed_at: datetime
    rating: Rating
    duration: timedelta | None
    scheduled: bool
    state_before: State | None  # None: the card was new
    mode: ReviewMode


@dataclass(frozen=True)
class ImportSummary:
    """What ``ProgressStore.import_progress`` changed."""

    cards_added: int
    cards_updated: int  # the imported state was newer (later last review) than ours
    cards_kept: int  # ours was as new or newer
    reviews_added: int
    reviews_skipped: int  # already in the store (same question, time, rating, mode)


class ProgressStore:
    """Review state and review log of one user; open with ``ProgressStore.open(path)``.

    Safe to share between threads (one connection behind a lock) and between
    processes (SQLite locking). Use as a context manager or call ``close()``.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._connection = connection
        self._lock = threading.RLock()

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, busy_timeout: float = 10.0) -> "ProgressStore":
        """Open (creating or migrating as needed) the store at ``path``.

        Raises ``CorruptStoreError`` (file not a tprep store; left untouched),
        ``StoreVersionError`` (written by a newer tprep) or ``StoreError``
        (cannot read or create it), all with ``exit_code = 2``.
        """
        path = Path(path).expanduser()
        existed = _check_file(path)
        try:
            connection = sqlite3.connect(
                str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise StoreError(path, f"cannot open the progress store {path}: {error}") from None
        try:
            version = _inspect(connection, path) if existed else 0
            _configure(connection, path, busy_timeout)
            if version < SCHEMA_VERSION:
                _upgrade(connection, path, version)
        except BaseException:
            connection.close()
            raise
        return cls(path, connection)

    @staticmethod
    def backup_and_reset(path: Path | str, now: datetime | None = None) -> Path:
        """Move the store at ``path`` (and its WAL files) aside; return where it went.

        Nothing is deleted: the backup keeps its bytes and its ``-wal``/``-shm``
        companions under the same new name, so it can still be opened or repaired.
        The next ``open(path)`` creates a fresh store.
        """
        path = Path(path).expanduser()
        stamp = require_utc(now or utc_now(), "now").strftime("%Y%m%dT%H%M%SZ")
        backup = path.with_name(f"{path.name}.{stamp}.bak")
        counter = 1
        while backup.exists():
            counter += 1
            backup = path.with_name(f"{path.name}.{stamp}-{counter}.bak")
        try:
            for suffix in ("-wal", "-shm", ""):  # main file last: a half-done move leaves it in place
                companion = Path(f"{path}{suffix}")
                if companion.exists():
                    os.replace(companion, Path(f"{backup}{suffix}"))
        except OSError as error:
            raise StoreError(path, f"cannot move the progress store {path} to {backup}: {error}") from None
        return backup

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> "ProgressStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------

    def card(self, question_id: str) -> CardState | None:
        """The stored state of one question, or None if it was never reviewed."""
        with self._lock:
            return _read_card(self._connection, question_id)

    def card_or_new(self, question_id: str) -> CardState:
        return self.card(question_id) or CardState.new(question_id)

    def cards(self) -> dict[str, CardState]:
        """Every stored card by question id, including questions no longer in the bank."""
        with self._lock:
            rows = self._connection.execute(f"SELECT {_CARD_COLUMNS} FROM cards").fetchall()
        return {row[0]: _card_from_row(row) for row in rows}

    def question_ids(self) -> set[str]:
        """Ids of every question that has a stored card (reviewed at least once)."""
        with self._lock:
            return {row[0] for row in self._connection.execute("SELECT question_id FROM cards")}

    def cards_due(self, until: datetime) -> list[CardState]:
        """Cards due at or before ``until``, earliest first (uses the ``due`` index)."""
        with self._lock:
            rows = self._connection.execute(
                f"SELECT {_CARD_COLUMNS} FROM cards WHERE due <= ? ORDER BY due, question_id", (to_db(until),)
            ).fetchall()
        return [_card_from_row(row) for row in rows]

    def reviews(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        question_id: str | None = None,
    ) -> list[ReviewRecord]:
        """Review log rows in the order they were written, optionally within ``[since, until)``."""
        clauses, params = [], []
        if since is not None:
            clauses.append("reviewed_at >= ?")
            params.append(to_db(since))
        if until is not None:
            clauses.append("reviewed_at < ?")
            params.append(to_db(until))
        if question_id is not None:
            clauses.append("question_id = ?")
            params.append(question_id)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._connection.execute(f"SELECT {_LOG_COLUMNS} FROM review_log {where} ORDER BY id", params).fetchall()
        return [_record_from_row(row) for row in rows]

    def review_facts(self) -> list[ReviewFact]:
        """The whole log as light tuples for statistics: no card-state JSON is parsed (10x faster)."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT reviewed_at, rating, duration_ms, scheduled, state_before, mode FROM review_log ORDER BY id"
            ).fetchall()
        # Hot loop for the stats screen: stored instants are always our fixed UTC format
        # (written by to_db), so plain fromisoformat is enough; enums come from lookup tables.
        return [
            ReviewFact(
                reviewed_at=datetime.fromisoformat(at),
                rating=_RATINGS[rating],
                duration=None if duration_ms is None else timedelta(milliseconds=duration_ms),
                scheduled=bool(scheduled),
                state_before=None if state_before is None else _STATES[state_before],
                mode=_MODES.get(mode) or ReviewMode(mode),
            )
            for at, rating, duration_ms, scheduled, state_before, mode in rows
        ]

    def latest_ratings(self, before: datetime | None = None) -> dict[str, Rating]:
        """Each question's latest rating in any mode (scheduled or not), optionally only before ``before``.

        "Latest" is by review time, not by row id, so rows merged in by an import
        take their place in time.
        """
        # One index seek per question (review_log_question is (question_id, reviewed_at)), rather
        # than a GROUP BY that reads every row of the log to find each maximum.
        bound = "" if before is None else "AND r.reviewed_at < :before"
        query = f"""
            SELECT q.question_id,
                   (SELECT r.rating FROM review_log AS r WHERE r.question_id = q.question_id {bound}
                    ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 1)
            FROM (SELECT DISTINCT question_id FROM review_log) AS q"""
        params = {} if before is None else {"before": to_db(before)}
        with self._lock:
            rows = self._connection.execute(query, params).fetchall()
        return {question_id: _RATINGS[rating] for question_id, rating in rows if rating is not None}

    def cards_as_of(self, instant: datetime) -> dict[str, CardState]:
        """Every card as it stood at ``instant``, rebuilt from the log; cards still new then are absent.

        A card's state at ``instant`` is the ``card_before`` of its first logged
        review at or after ``instant`` (every row keeps the state it replaced),
        or its current state if it has not been reviewed since. A card with no
        such row whose last review is after ``instant`` (imported without its
        log) is left out rather than guessed.
        """
        instant = require_utc(instant, "instant")
        with self._lock:
            later = self._connection.execute(
                """
                SELECT log.question_id, log.card_before FROM (
                    SELECT (SELECT r.id FROM review_log AS r WHERE r.question_id = q.question_id AND r.reviewed_at >= :at
                            ORDER BY r.reviewed_at, r.id LIMIT 1) AS first_id
                    FROM (SELECT DISTINCT question_id FROM review_log) AS q) AS firsts
                JOIN review_log AS log ON log.id = firsts.first_id
                """,
                {"at": to_db(instant)},
            ).fetchall()
            current = self._connection.execute(f"SELECT {_CARD_COLUMNS} FROM cards").fetchall()
        reviewed_since = {question_id for question_id, _before in later}
        cards = {}
        for row in current:
            card = _card_from_row(row)
            if card.question_id not in reviewed_since and card.last_review is not None and card.last_review <= instant:
                cards[card.question_id] = card
        for question_id, before in later:
            if before is not None:
                cards[question_id] = CardState.from_dict(json.loads(before))
        return cards

    def first_reviews(self) -> dict[str, datetime]:
        """When each question had its first scheduled review (was introduced as a new card)."""
        with self._lock:
            rows = self._connection.execute(
                """
                SELECT q.question_id,
                       (SELECT MIN(r.reviewed_at) FROM review_log AS r WHERE r.question_id = q.question_id AND r.scheduled = 1)
                FROM (SELECT DISTINCT question_id FROM review_log) AS q"""
            ).fetchall()
        return {question_id: datetime.fromisoformat(at) for question_id, at in rows if at is not None}

    def last_review_id(self) -> int:
        """The id of the newest log row (0 for an empty log): tells whether the log changed meanwhile."""
        with self._lock:
            return self._connection.execute("SELECT COALESCE(MAX(id), 0) FROM review_log").fetchone()[0]

    def review_count(self) -> int:
        with self._lock:
            return self._connection.execute("SELECT COUNT(*) FROM review_log").fetchone()[0]

    def last_review(self) -> ReviewRecord | None:
        with self._lock:
            row = self._connection.execute(f"SELECT {_LOG_COLUMNS} FROM review_log ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else _record_from_row(row)

    def new_cards_introduced(self, since: datetime) -> int:
        """How many questions had their first scheduled review at or after ``since`` (daily new limit).

        Drills (``ReviewMode.DRILL``) are not questions and do not use up the allowance.
        """
        with self._lock:
            return self._connection.execute(
                """
                SELECT COUNT(DISTINCT question_id) FROM review_log AS r
                WHERE r.scheduled = 1 AND r.reviewed_at >= :since AND r.mode != 'drill'
                  AND NOT EXISTS (
                      SELECT 1 FROM review_log AS p
                      WHERE p.question_id = r.question_id AND p.scheduled = 1 AND p.reviewed_at < :since)
                """,
                {"since": to_db(since)},
            ).fetchone()[0]

    def schema_version(self) -> int:
        with self._lock:
            return self._connection.execute("PRAGMA user_version").fetchone()[0]

    # -- writing -------------------------------------------------------------------------

    def record_review(
        self,
        question_id: str,
        rating: Rating,
        *,
        scheduler: StudyScheduler,
        reviewed_at: datetime | None = None,
        duration: timedelta | None = None,
        mode: ReviewMode = ReviewMode.REVIEW,
        reschedule: bool = True,
    ) -> ReviewOutcome:
        """Log a rating and (if ``reschedule``) advance the card; committed durably before returning.

        The new state is computed from the card as stored at commit time, so a
        second app instance reviewing the same card cannot be overwritten with
        a stale state.
        """
        rating = Rating(rating)
        reviewed_at = require_utc(reviewed_at or utc_now(), "reviewed_at")
        if duration is not None and duration < timedelta(0):
            raise ValueError(f"duration must not be negative, got {duration}")
        mode = ReviewMode(mode)
        with self._transaction() as connection:
            stored = _read_card(connection, question_id)
            current = stored or CardState.new(question_id)
            after = scheduler.review(current, rating, reviewed_at) if reschedule else current
            duration_ms = None if duration is None else round(duration / timedelta(milliseconds=1))
            cursor = connection.execute(
                """INSERT INTO review_log
                   (question_id, rating, reviewed_at, duration_ms, mode, scheduled, state_before, card_before)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    question_id,
                    int(rating),
                    to_db(reviewed_at),
                    duration_ms,
                    mode.value,
                    int(reschedule),
                    None if stored is None else int(stored.state),
                    None if stored is None else json.dumps(stored.to_dict()),
                ),
            )
            if reschedule:
                _write_card(connection, after)
        record = ReviewRecord(
            id=int(cursor.lastrowid or 0),
            question_id=question_id,
            rating=rating,
            reviewed_at=reviewed_at,
            duration=None if duration_ms is None else timedelta(milliseconds=duration_ms),
            mode=mode,
            scheduled=reschedule,
            card_before=stored,
        )
        return ReviewOutcome(record=record, card=after)

    def undo_review(self, record_id: int) -> CardState:
        """Remove log row ``record_id`` and restore the card state it replaced; returns that state.

        Refuses (``UndoError``) when the card has had a later scheduled review,
        e.g. from another app instance, because restoring would discard it.
        """
        with self._transaction() as connection:
            row = connection.execute(f"SELECT {_LOG_COLUMNS} FROM review_log WHERE id = ?", (record_id,)).fetchone()
            if row is None:
                raise UndoError(f"review #{record_id} is not in the progress store (already undone?)")
            record = _record_from_row(row)
            if record.scheduled:
                later = connection.execute(
                    "SELECT 1 FROM review_log WHERE question_id = ? AND scheduled = 1 AND id > ? LIMIT 1",
                    (record.question_id, record_id),
                ).fetchone()
                if later is not None:
                    raise UndoError(
                        f"cannot undo the rating of {record.question_id!r}: it has been reviewed again since "
                        "(perhaps in another tprep window); only the latest rating of a card can be undone"
                    )
                if record.card_before is None:
                    connection.execute("DELETE FROM cards WHERE question_id = ?", (record.question_id,))
                else:
                    _write_card(connection, record.card_before)
            connection.execute("DELETE FROM review_log WHERE id = ?", (record_id,))
        return record.card_before or CardState.new(record.question_id)

    def rewrite_cards(
        self, rewrite: Callable[[CardState], CardState | None], *, expect_last_review_id: int | None = None
    ) -> int:
        """Replace stored cards by ``rewrite(card)`` (None: keep it) in one transaction; returns how many changed.

        The review log is not touched. With ``expect_last_review_id`` (a
        ``last_review_id()`` read before the new states were computed), nothing
        is written if a review was logged since, e.g. by another tprep window:
        the new states would be built on stale history.
        """
        changed = 0
        with self._transaction() as connection:
            if expect_last_review_id is not None:
                last = connection.execute("SELECT COALESCE(MAX(id), 0) FROM review_log").fetchone()[0]
                if last != expect_last_review_id:
                    raise StoreError(
                        self.path,
                        f"reviews were recorded in {self.path} while tprep was working (perhaps in another "
                        "tprep window); nothing was changed. Run the command again.",
                    )
            for row in connection.execute(f"SELECT {_CARD_COLUMNS} FROM cards ORDER BY question_id").fetchall():
                card = _card_from_row(row)
                replacement = rewrite(card)
                if replacement is None or replacement == card:
                    continue
                if replacement.question_id != card.question_id:
                    raise ValueError(f"rewrite turned card {card.question_id!r} into {replacement.question_id!r}")
                _write_card(connection, replacement)
                changed += 1
        return changed

    # -- export and import ---------------------------------------------------------------

    def export_progress(self, now: datetime | None = None) -> dict[str, Any]:
        """All cards and the whole review log as a JSON-ready dict (a consistent snapshot)."""
        with self._transaction(write=False) as connection:
            cards = [_card_from_row(row).to_dict() for row in connection.execute(f"SELECT {_CARD_COLUMNS} FROM cards ORDER BY question_id")]
            log = [_record_from_row(row).to_dict() for row in connection.execute(f"SELECT {_LOG_COLUMNS} FROM review_log ORDER BY id")]
        for entry in log:
            del entry["id"]  # row ids are local to one store
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "exported_at": to_db(now or utc_now()),
            "cards": cards,
            "review_log": log,
        }

    def export_to(self, path: Path | str, now: datetime | None = None) -> None:
        """Write ``export_progress()`` to ``path`` atomically (a partial file never replaces a good one)."""
        path = Path(path).expanduser()
        temporary = path.with_name(f".{path.name}.tmp")
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(self.export_progress(now), handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise StoreError(path, f"cannot write the progress export {path}: {error}") from None

    def import_from(self, path: Path | str) -> ImportSummary:
        path = Path(path).expanduser()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ProgressImportError(str(path), "(file)", f"cannot be read ({error.strerror or error})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ProgressImportError(str(path), "(file)", f"is not valid JSON ({error})") from None
        return self.import_progress(data, source=str(path))

    def import_progress(self, data: Any, *, source: str = "progress JSON") -> ImportSummary:
        """Merge an export into this store; every entry is validated before anything is written.

        Review log rows already present are skipped, so importing the same
        file twice changes nothing. A card is replaced only by a state with a
        later last review: nothing the user has studied is thrown away.
        """
        cards, records = _parse_export(data, source)
        added = updated = kept = reviews_added = reviews_skipped = 0
        with self._transaction() as connection:
            for card in cards:
                existing = _read_card(connection, card.question_id)
                if existing is None:
                    added += 1
                elif _later(card.last_review, existing.last_review):
                    updated += 1
                else:
                    kept += 1
                    continue
                _write_card(connection, card)
            for record in records:
                duplicate = connection.execute(
                    "SELECT 1 FROM review_log WHERE question_id = ? AND reviewed_at = ? AND rating = ? AND mode = ? LIMIT 1",
                    (record.question_id, to_db(record.reviewed_at), int(record.rating), record.mode.value),
                ).fetchone()
                if duplicate is not None:
                    reviews_skipped += 1
                    continue
                entry = record.to_dict()
                connection.execute(
                    """INSERT INTO review_log
                       (question_id, rating, reviewed_at, duration_ms, mode, scheduled, state_before, card_before)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    (
                        record.question_id,
                        int(record.rating),
                        entry["reviewed_at"],
                        entry["duration_ms"],
                        record.mode.value,
                        int(record.scheduled),
                        None if record.card_before is None else int(record.card_before.state),
                        None if record.card_before is None else json.dumps(entry["card_before"]),
                    ),
                )
                reviews_added += 1
        return ImportSummary(added, updated, kept, reviews_added, reviews_skipped)

    # -- internals -----------------------------------------------------------------------

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction; a writer takes the write lock up front so reads inside it are current.

        Any SQLite failure (busy past the timeout, disk full, I/O error) rolls the
        whole step back and becomes a ``StoreError`` that says nothing was saved.
        """
        with self._lock:
            connection = self._connection
            try:
                connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.OperationalError as error:
                raise StoreError(
                    self.path,
                    f"the progress store {self.path} is busy ({error}); another tprep may be writing to it. Try again.",
                ) from None
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException as error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise StoreError(
                        self.path, f"the progress store {self.path} could not be written ({error}); nothing from this step was saved"
                    ) from error
                raise


def _check_file(path: Path) -> bool:
    """Whether a non-empty store exists at ``path``; refuses anything that is not a SQLite file."""
    if path.is_dir():
        raise StoreError(path, f"the progress store path {path} is a directory; give a file path with --store")
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(path, f"cannot create the folder for the progress store {path}: {error}") from None
        return False
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StoreError(
            path, f"cannot read the progress store {path}: {error.strerror or error}; check its permissions"
        ) from None
    if not header:
        return False  # an empty file is an empty database
    if header != SQLITE_HEADER:
        raise CorruptStoreError(path, "it is not an SQLite database (wrong file header)")
    return True


def _inspect(connection: sqlite3.Connection, path: Path) -> int:
    """Schema version of an existing store, after checking it reads cleanly. Writes nothing."""
    try:
        check = connection.execute("PRAGMA quick_check").fetchall()
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise CorruptStoreError(path, f"SQLite cannot read it ({error})") from None
    if check != [("ok",)]:
        detail = "; ".join(str(row[0]) for row in check[:3])
        raise CorruptStoreError(path, f"the database is damaged ({detail})")
    if version > SCHEMA_VERSION:
        raise StoreVersionError(path, version, SCHEMA_VERSION)
    if version == 0 and tables:
        raise CorruptStoreError(path, f"it is an SQLite database of another program (tables: {', '.join(sorted(tables))})")
    missing = {"cards", "review_log"} - tables
    if version > 0 and missing:
        raise CorruptStoreError(path, f"tables {', '.join(sorted(missing))} are missing")
    return version


def _configure(connection: sqlite3.Connection, path: Path, busy_timeout: float) -> None:
    # Switching a rollback-journal store to WAL needs an exclusive lock, and SQLite answers
    # "database is locked" at once (without its busy handler) while another process holds
    # the file, e.g. two instances opening an old store together; so wait here instead.
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise StoreError(path, f"cannot configure the progress store {path}: {error}") from None
            time.sleep(0.02)
        except sqlite3.DatabaseError as error:
            raise StoreError(path, f"cannot configure the progress store {path}: {error}") from None


def _upgrade(connection: sqlite3.Connection, path: Path, version: int) -> None:
    if version > 0:
        backup = path.with_name(f"{path.name}.v{version}.bak")
        if not backup.exists():
            try:
                with sqlite3.connect(str(backup)) as copy:
                    connection.backup(copy)
                copy.close()
            except sqlite3.Error as error:
                raise StoreError(path, f"cannot back up {path} before upgrading it: {error}") from None
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            current = connection.execute("PRAGMA user_version").fetchone()[0]  # another process may have upgraded it
            migrate(connection, current)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    except sqlite3.Error as error:
        raise StoreError(path, f"cannot upgrade the progress store {path} to schema version {SCHEMA_VERSION}: {error}") from None


def _read_card(connection: sqlite3.Connection, question_id: str) -> CardState | None:
    row = connection.execute(f"SELECT {_CARD_COLUMNS} FROM cards WHERE question_id = ?", (question_id,)).fetchone()
    return None if row is None else _card_from_row(row)


def _write_card(connection: sqlite3.Connection, card: CardState) -> None:
    entry = card.to_dict()
    connection.execute(
        f"INSERT OR REPLACE INTO cards ({_CARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry["question_id"],
            entry["state"],
            entry["step"],
            entry["stability"],
            entry["difficulty"],
            entry["due"],
            entry["last_review"],
            entry["reps"],
            entry["lapses"],
        ),
    )


def _card_from_row(row: tuple) -> CardState:
    return CardState.from_dict(dict(zip(_CARD_COLUMNS.split(", "), row)))


def _record_from_row(row: tuple) -> ReviewRecord:
    entry = dict(zip(_LOG_COLUMNS.split(", "), row))
    entry["card_before"] = None if entry["card_before"] is None else json.loads(entry["card_before"])
    return ReviewRecord.from_dict(entry)


def _later(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and (b is None or a > b)


def _parse_export(data: Any, source: str) -> tuple[list[CardState], list[ReviewRecord]]:
    if not isinstance(data, Mapping):
        raise ProgressImportError(source, "(top level)", "expected a JSON object")
    if data.get("format") != EXPORT_FORMAT:
        raise ProgressImportError(source, "format", f"expected {EXPORT_FORMAT!r}, got {data.get('format')!r}")
    if not isinstance(data.get("version"), int) or data["version"] > EXPORT_VERSION:
        raise ProgressImportError(
            source, "version", f"expected an export version up to {EXPORT_VERSION}, got {data.get('version')!r}"
        )
    cards = [_parse_entry(CardState.from_dict, entry, source, f"cards[{i}]") for i, entry in enumerate(_list(data, "cards", source))]
    records = [
        _parse_entry(ReviewRecord.from_dict, entry, source, f"review_log[{i}]")
        for i, entry in enumerate(_list(data, "review_log", source))
    ]
    return cards, records


def _list(data: Mapping[str, Any], key: str, source: str) -> list:
    value = data.get(key)
    if not isinstance(value, list):
        raise ProgressImportError(source, key, "expected a list")
    return value


def _parse_entry(parse: Any, entry: Any, source: str, where: str) -> Any:
    if not isinstance(entry, Mapping):
        raise ProgressImportError(source, where, "expected an object")
    try:
        return parse(entry)
    except KeyError as error:
        raise ProgressImportError(source, where, f"missing field {error.args[0]!r}") from None
    except (TypeError, ValueError) as error:
        raise ProgressImportError(source, where, f"bad value ({error})") from None
