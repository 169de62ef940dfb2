from __future__ import annotations

from datetime import timezone

import pytest

from questions.study import ProgressStore, StudyScheduler, StudySettings


@pytest.fixture
def settings() -> StudySettings:
    # Fuzzing off and days in UTC: every interval in these tests is exact.
    return StudySettings(enable_fuzzing=False, day_timezone=timezone.utc, daily_new_limit=5)


@pytest.fixture
def scheduler(settings) -> StudyScheduler:
    return StudyScheduler(settings)


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def store(store_path):
    with ProgressStore.open(store_path) as opened:
        yield opened


class FakeClock:
    """A settable UTC clock for sessions."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, delta):
        self.now += delta
