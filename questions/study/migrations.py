"""Schema of the progress store, one migration per version.

The version lives in ``PRAGMA user_version``. A fresh store runs every
migration from 0, so the upgrade path that old stores take is the path every
store takes, and it is exercised by every test that opens a store.

Version history:

1. ``cards`` (FSRS state per question id) and ``review_log`` (question id,
   rating, time) -- what the first release wrote.
2. Review log gains duration, mode, whether it moved the schedule and the card
   state before the review (for undo and true retention); cards gain review and
   lapse counters; indexes for the queue and the stats.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

SCHEMA_V1 = """
CREATE TABLE cards (
    question_id TEXT PRIMARY KEY,
    state INTEGER NOT NULL,
    step INTEGER,
    stability REAL,
    difficulty REAL,
    due TEXT NOT NULL,
    last_review TEXT
);
CREATE TABLE review_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    reviewed_at TEXT NOT NULL
);
"""


def _create_v1(connection: sqlite3.Connection) -> None:
    for statement in SCHEMA_V1.split(";"):
        if statement.strip():
            connection.execute(statement)


def _v1_to_v2(connection: sqlite3.Connection) -> None:
    for statement in (
        "ALTER TABLE cards ADD COLUMN reps INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE cards ADD COLUMN lapses INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE review_log ADD COLUMN duration_ms INTEGER",
        "ALTER TABLE review_log ADD COLUMN mode TEXT NOT NULL DEFAULT 'review'",
        "ALTER TABLE review_log ADD COLUMN scheduled INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE review_log ADD COLUMN state_before INTEGER",  # NULL: the card was new
        "ALTER TABLE review_log ADD COLUMN card_before TEXT",  # JSON of CardState; NULL: new
        "CREATE INDEX review_log_time ON review_log (reviewed_at)",
        "CREATE INDEX review_log_question ON review_log (question_id, reviewed_at)",
        "CREATE INDEX cards_due ON cards (due)",
        # v1 did not count; every logged rating there was a scheduled review.
        "UPDATE cards SET reps = (SELECT COUNT(*) FROM review_log WHERE review_log.question_id = cards.question_id)",
    ):
        connection.execute(statement)


# MIGRATIONS[n] upgrades a store at version n - 1 to version n.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _create_v1,
    2: _v1_to_v2,
}
SCHEMA_VERSION = max(MIGRATIONS)


def migrate(connection: sqlite3.Connection, from_version: int, to_version: int = SCHEMA_VERSION) -> None:
    """Apply migrations ``from_version + 1 .. to_version`` on ``connection`` (caller owns the transaction)."""
    for version in range(from_version + 1, to_version + 1):
        MIGRATIONS[version](connection)
        connection.execute(f"PRAGMA user_version = {version}")
