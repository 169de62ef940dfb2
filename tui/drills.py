"""What ``tprep drill`` and the app's Drills screen share: the drills with their
status, the candidate's files, and what happens to a finished check.

* ``drill_rows(store)``: every drill with its schedule status (from the
  progress store) and its last check (from the drill results cache).
* ``start_drill(drill, directory)``: write the stub into the workspace, never
  over the candidate's file unless forced (and then the old file is kept).
* ``save_check(result, store, ...)``: cache the result and, when the code
  was really attempted, record it in the progress store (FSRS schedules it).
* In words: a drill's status, its last check, a failed check's counterexample and
  hint (``check_details``), what recording did to the schedule; the CLI prints them,
  the Drills screen shows them.

Running a check is ``verifiers.drills.sandbox.check_drill``: blocking, with
progress callbacks and a cancel event, so the CLI calls it directly and the app
from a worker thread. Nothing here imports torch or textual.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.paths import drill_results_dir, drill_workspace_dir, settings_path

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from questions.study.drill_schedule import DrillStatus
    from questions.study.settings import StudySettings
    from questions.study.store import ProgressStore
    from verifiers.cache import ResultsCache
    from verifiers.drills.result import CheckResult, DrillResult, Problem
    from verifiers.drills.spec import Drill
    from verifiers.result import Bilingual


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


def _opened(store: "ProgressStore | Path") -> "AbstractContextManager[ProgressStore]":
    """The store to use: the caller's open one (left open), or the file opened for the call."""
    if not isinstance(store, (str, os.PathLike)):
        return nullcontext(store)
    from questions.study.store import ProgressStore

    return ProgressStore.open(store)


def drill_rows(store: "ProgressStore | Path", *, now: datetime | None = None, settings: "StudySettings | None" = None) -> list[DrillRow]:
    """Every drill in curriculum order with its status and last check. ``store`` is the app's
    open progress store or a store file; a file that does not exist yet is not created: every
    drill is then new."""
    from questions.study.drill_schedule import DrillStatus, drill_statuses
    from verifiers.drills.registry import default_drills

    registry = default_drills()
    now = now or datetime.now(timezone.utc)
    settings = settings or study_settings()
    ids = registry.ids()
    if isinstance(store, (str, os.PathLike)) and not Path(store).exists():
        statuses = {i: DrillStatus(i, "new", None, None, None, 0, 0) for i in ids}
    else:
        with _opened(store) as opened:
            statuses = drill_statuses(opened, ids, now, settings)
    # No drill checked yet (no results folder): nothing to read, and the result model (a module
    # of dataclasses, ~6 ms to import) is not needed to show the list.
    cached = results_cache().load_all() if drill_results_dir().is_dir() else {}
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
    store: "ProgressStore | Path",
    *,
    record: bool = True,
    settings: "StudySettings | None" = None,
    now: datetime | None = None,
) -> "DrillStatus | None":
    """Cache ``result``; if ``record`` and the code was attempted, log it in the progress
    store (the app's open one, or a store file) and return the drill's new status (``None``
    when nothing was recorded)."""
    results_cache().save(result)
    if not (record and result.attempted):
        return None
    from questions.study.drill_schedule import drill_status, record_drill_check

    settings = settings or study_settings()
    now = now or datetime.now(timezone.utc)
    with _opened(store) as opened:
        record_drill_check(opened, result.drill_id, result.passed, settings=settings, now=now)
        return drill_status(opened, result.drill_id, now, settings)


# -- in words: what ``tprep drill`` prints and the Drills screen shows ------------------------------
#
# Each side lays the words out its own way (the CLI as indented plain text with ANSI colour, the
# screen as markup); which facts are shown, in which order and in what words is decided here.
# ``ui`` is the language of the labels ("en" or "zh"); bilingual texts (a check's statement, a
# hint) are handed over as they are, for the caller to show in its reader's language(s).

OUTCOME_WORDS: dict[str, tuple[str, str]] = {  # outcome -> (English, Chinese)
    "passed": ("passed", "通过"),
    "failed": ("FAILED", "未通过"),
    "raised": ("RAISED", "抛出异常"),
    "not-implemented": ("not implemented", "尚未实现"),
    "timed-out": ("TIMED OUT", "超时"),
    "crashed": ("CRASHED", "崩溃"),
    "not-run": ("not run", "未运行"),
}


def _words(ui: str, english: str, chinese: str) -> str:
    return chinese if ui == "zh" else english


def local_time(moment: "datetime | str", tz: Any = None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """``moment`` (a datetime, or ISO 8601 text as results keep it) in ``tz`` (None: this machine's zone)."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment or "?"
    return moment.astimezone(tz).strftime(pattern)


def outcome_word(outcome: Any, ui: str = "en") -> str:
    english, chinese = OUTCOME_WORDS.get(outcome.value, (outcome.value, outcome.value))
    return _words(ui, english, chinese)


def status_text(status: "DrillStatus", ui: str = "en", tz: Any = None) -> str:
    """new / due / "passed, next 2026-01-17"."""
    if status.state == "passed" and status.due is not None:
        day = local_time(status.due, tz, "%Y-%m-%d")
        return _words(ui, f"passed, next {day}", f"已通过，下次 {day}")
    return {"new": _words(ui, "new", "新"), "due": _words(ui, "due", "到期")}.get(status.state, status.state)


def last_result_text(row: DrillRow, ui: str = "en", tz: Any = None) -> str:
    """The latest check in a few words: "failed 2/3 · 2026-01-15 09:00", or "-" if none."""
    result = row.last_result
    if result is not None:
        when = local_time(result.started_at, tz)
        if result.problem is not None:
            return _words(ui, f"unusable file · {when}", f"文件无法使用 · {when}")
        passed = {"passed": _words(ui, "passed", "通过"), "failed": _words(ui, "failed", "未通过")}.get(result.status.value, result.status.value)
        return f"{passed} {result.passed_count}/{len(result.checks)} · {when}"
    if row.status.last_passed is not None and row.status.last_checked is not None:
        outcome = _words(ui, "passed", "通过") if row.status.last_passed else _words(ui, "failed", "未通过")
        return f"{outcome} · {local_time(row.status.last_checked, tz)}"
    return "-"


def schedule_text(status: "DrillStatus", ui: str = "en", tz: Any = None) -> str:
    """What recording a check did to the drill's schedule."""
    if status.state == "passed" and status.due is not None:
        day = local_time(status.due, tz, "%Y-%m-%d")
        return _words(
            ui, f"Recorded in your progress: passed; this drill comes back on {day}.", f"已记入学习进度：通过；这道练习将于 {day} 再次出现。"
        )
    if status.last_passed:
        return _words(ui, "Recorded in your progress: passed.", "已记入学习进度：通过。")
    return _words(
        ui, "Recorded in your progress: failed; the drill stays due until it passes.", "已记入学习进度：未通过；通过之前这道练习一直到期。"
    )


@dataclass(frozen=True)
class CheckDetail:
    """One fact about a check that did not pass, in the order they are shown."""

    kind: str  # "statement", "message", "input", "expected", "got", "largest-error", "difference", "traceback", "hint"
    label: str  # in the ui language; "" for a message and the traceback
    text: "Bilingual | str"  # bilingual for the texts the drill and the checker wrote

    @property
    def bilingual(self) -> bool:
        return not isinstance(self.text, str)


TRACEBACK_LINES = 8  # the end of the candidate's traceback: where in their file it broke


def check_details(result: "CheckResult", ui: str = "en") -> list[CheckDetail]:
    """What a reader needs to fix a check that did not pass: what it tests, what went wrong,
    the counterexample (inputs, expected, got, largest error), the traceback's end, the hint.
    Nothing for a passed check nor for one the stub has not implemented yet."""
    if result.passed or result.outcome.value == "not-implemented":
        return []
    details = [CheckDetail("statement", _words(ui, "checks", "检查"), result.statement)]
    if result.message is not None:
        details.append(CheckDetail("message", "", result.message))
    example = result.counterexample
    if example is not None:
        for name, description in example.inputs:
            details.append(CheckDetail("input", _words(ui, f"input {name}", f"输入 {name}"), description))
        if example.expected:
            details.append(CheckDetail("expected", _words(ui, "expected", "期望"), example.expected))
        if example.got:
            details.append(CheckDetail("got", _words(ui, "got", "实际"), example.got))
        if example.max_error is not None:
            where = _words(ui, f" at {example.where}", f"，位于 {example.where}") if example.where else ""
            details.append(CheckDetail("largest-error", _words(ui, "largest error", "最大误差"), f"{example.max_error:.3g}{where}"))
        elif example.where:
            details.append(CheckDetail("difference", _words(ui, "first difference", "第一处不同"), example.where))
    if result.detail:
        details.extend(CheckDetail("traceback", "", line) for line in result.detail.splitlines()[-TRACEBACK_LINES:])
    if result.hint is not None:
        details.append(CheckDetail("hint", _words(ui, "hint", "提示"), result.hint))
    return details


def problem_detail_lines(problem: "Problem") -> list[str]:
    """The offending source line with its caret, or the end of the traceback."""
    return problem.detail.splitlines()[-TRACEBACK_LINES:] if problem.detail else []


OUTPUT_LINES_SHOWN = 12
OUTPUT_LINE_CHARS = 200


def output_excerpt(result: "DrillResult") -> tuple[list[str], bool]:
    """The first lines the candidate's code printed (each cut to 200 characters), and whether
    there was more."""
    if not result.output_bytes:
        return [], False
    lines = result.output.splitlines()
    shown = [line[:OUTPUT_LINE_CHARS] for line in lines[:OUTPUT_LINES_SHOWN]]
    more = len(lines) > len(shown) or result.output_bytes > len(result.output.encode("utf-8"))
    return shown, more


def editor_command(path: Path) -> list[str] | None:
    """The command that opens ``path`` in the user's editor: ``$VISUAL``, else ``$EDITOR`` (split
    as a shell would, so ``code --wait`` works); None when neither is set. A value that cannot be
    split (an unclosed quote) raises ValueError."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor or not editor.strip():
        return None
    import shlex  # only when an editor is opened, not when the list is read

    return shlex.split(editor) + [str(path)]
