"""What ``tprep drill`` and the app's Drills screen share: the drills with their
status, the candidate's files, and what happens to a finished check.

* ``drill_rows(store_file)``: every drill with its schedule status (from the
  progress store) and its last check (from the drill results cache).
* ``start_drill(drill, directory)``: write the stub into the workspace, never
  over the candidate's file unless forced (and then the old file is kept).
* ``save_check(result, store_file, ...)``: cache the result and, when the code
  was really attempted, record it in the progress store (FSRS schedules it).

Running a check is ``verifiers.drills.sandbox.check_drill``: blocking, with
progress callbacks and a cancel event, so the CLI calls it directly and the app
from a worker thread. Nothing here imports torch or textual.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.paths import drill_results_dir, drill_workspace_dir, settings_path

if TYPE_CHECKING:
    from questions.study.drill_schedule import DrillStatus
    from questions.study.settings import StudySettings
    from verifiers.cache import ResultsCache
    from verifiers.drills.result import DrillResult
    from verifiers.drills.spec import Drill


class DrillUsageError(Exception):
    """A drill command that cannot be carried out; ``str()`` says why and what to do."""

    exit_code = 2


@dataclass(frozen=True)
class DrillRow:
    """One drill as a list shows it."""

    drill: "Drill"
    status: "DrillStatus"
    last_result: "DrillResult | None"  # the latest check, passed or not, recorded or not
    path: Path  # the candidate's file in the workspace

    @property
    def file_exists(self) -> bool:
        return self.path.is_file()

    def to_dict(self) -> dict[str, Any]:
        result = self.last_result
        return {
            "id": self.drill.id,
            "entry": self.drill.entry,
            "signature": self.drill.signature,
            "title": self.drill.title.to_dict(),
            "questions": list(self.drill.questions),
            "status": self.status.to_dict(),
            "last_result": None
            if result is None
            else {
                "status": result.status.value,
                "passed_checks": result.passed_count,
                "checks": len(result.checks),
                "checked_at": result.started_at,
                "file": result.file,
            },
            "file": str(self.path),
            "file_exists": self.file_exists,
        }


def study_settings() -> "StudySettings":
    """The study settings the app uses (desired retention from the saved settings)."""
    from tui.settings import load_settings

    return load_settings(settings_path()).settings.study_settings()


def results_cache() -> "ResultsCache":
    from verifiers.cache import ResultsCache
    from verifiers.drills.result import DrillResult

    return ResultsCache(drill_results_dir(), model=DrillResult)


def workspace_file(drill: "Drill", directory: Path | None = None) -> Path:
    return (directory or drill_workspace_dir()) / drill.file_name


def drill_rows(store_file: Path, *, now: datetime | None = None, settings: "StudySettings | None" = None) -> list[DrillRow]:
    """Every drill in curriculum order with its status and last check. A store that does
    not exist yet is not created: every drill is then new."""
    from questions.study.drill_schedule import DrillStatus, drill_statuses
    from verifiers.drills.registry import default_drills

    registry = default_drills()
    now = now or datetime.now(timezone.utc)
    settings = settings or study_settings()
    ids = registry.ids()
    if store_file.exists():
        from questions.study.store import ProgressStore

        with ProgressStore.open(store_file) as store:
            statuses = drill_statuses(store, ids, now, settings)
    else:
        statuses = {i: DrillStatus(i, "new", None, None, None, 0, 0) for i in ids}
    cached = results_cache().load_all()
    return [DrillRow(drill, statuses[drill.id], cached.get(drill.id), workspace_file(drill)) for drill in registry]


@dataclass(frozen=True)
class StartOutcome:
    path: Path
    written: bool  # False: the candidate's file was there and was kept
    backup: Path | None = None  # where the candidate's old file went (``force``)


def start_drill(drill: "Drill", directory: Path | None = None, *, force: bool = False) -> StartOutcome:
    """Write ``drill``'s stub to its file in ``directory`` (the workspace by default).

    An existing file is the candidate's work: it is kept unless ``force``, and
    even then it is renamed aside (``<name>.<UTC time>.bak``), never overwritten.
    """
    path = workspace_file(drill, directory)
    if path.parent.exists() and not path.parent.is_dir():
        raise DrillUsageError(f"{path.parent} is a file, not a folder; give a folder with --dir")
    backup = None
    if path.exists():
        if not force:
            return StartOutcome(path, written=False)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        backup = path.with_name(f"{path.name}.{stamp}.bak")
        counter = 1
        while backup.exists():
            counter += 1
            backup = path.with_name(f"{path.name}.{stamp}-{counter}.bak")
        os.replace(path, backup)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:  # "x": never clobber a file that appeared meanwhile
            handle.write(drill.stub_source())
    except OSError as error:
        raise DrillUsageError(f"cannot write {path}: {error.strerror or error}; choose another folder with --dir") from None
    return StartOutcome(path, written=True, backup=backup)


def save_check(
    result: "DrillResult",
    store_file: Path,
    *,
    record: bool = True,
    settings: "StudySettings | None" = None,
    now: datetime | None = None,
) -> "DrillStatus | None":
    """Cache ``result``; if ``record`` and the code was attempted, log it in the progress
    store and return the drill's new status (``None`` when nothing was recorded)."""
    results_cache().save(result)
    if not (record and result.attempted):
        return None
    from questions.study.drill_schedule import drill_status, record_drill_check
    from questions.study.store import ProgressStore

    settings = settings or study_settings()
    now = now or datetime.now(timezone.utc)
    with ProgressStore.open(store_file) as store:
        record_drill_check(store, result.drill_id, result.passed, settings=settings, now=now)
        return drill_status(store, result.drill_id, now, settings)
