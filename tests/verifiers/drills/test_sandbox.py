"""The candidate's code runs in a separate, limited process: a hang is stopped within the
time limit, and a crash, sys.exit, huge output, a memory hog, a syntax error or a cancel
each give a clear result and never hang the caller or leave a process behind."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from verifiers.drills.registry import default_drills
from verifiers.drills.result import CheckOutcome, ProblemKind
from verifiers.drills.sandbox import Limits, Phase, check_drill
from verifiers.result import Status

pytestmark = pytest.mark.slow  # each run starts a Python that imports torch

SOFTMAX = default_drills().get("softmax")
GOOD = SOFTMAX.reference_source()


def write(tmp_path: Path, source: str, name: str = "softmax.py") -> Path:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return path


def processes_running(path: Path) -> list[str]:
    """Processes whose command line names ``path`` (Linux /proc; empty elsewhere)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if str(path) in command:
            found.append(command)
    return found


def test_the_reference_passes_in_the_sandbox_with_progress_in_order(tmp_path):
    events = []
    result = check_drill(SOFTMAX, write(tmp_path, GOOD), progress=events.append)
    assert result.status is Status.PASSED and result.attempted and result.problem is None
    assert [c.outcome for c in result.checks] == [CheckOutcome.PASSED] * len(SOFTMAX.checks)
    assert result.versions["torch"] and result.limits["check_s"] == Limits().check_s
    phases = [(e.phase, e.index, e.finished) for e in events]
    expected = [(Phase.STARTING, -1, False), (Phase.LOADING, -1, False)]
    for index in range(len(SOFTMAX.checks)):
        expected += [(Phase.CHECKING, index, False), (Phase.CHECKING, index, True)]
    assert phases == expected
    assert not list(tmp_path.glob("__pycache__")), "the candidate's folder must be left as it was"


def test_an_endless_loop_is_stopped_within_the_time_limit_and_its_process_killed(tmp_path):
    path = write(tmp_path, "def softmax(x, dim=-1):\n    while True:\n        pass\n", "hangs_forever.py")
    started: dict[int, float] = {}

    def note(event):
        if event.phase is Phase.CHECKING and not event.finished:
            started[event.index] = time.monotonic()

    limit = 2.0
    result = check_drill(SOFTMAX, path, limits=Limits(check_s=limit), progress=note)
    stopped_after = time.monotonic() - started[0]
    assert stopped_after < limit + 2.0, f"the hang ran {stopped_after:.1f} s past a {limit} s limit"
    assert result.status is Status.FAILED
    assert result.checks[0].outcome is CheckOutcome.TIMED_OUT and "2 s" in result.checks[0].message.en
    assert {c.outcome for c in result.checks[1:]} == {CheckOutcome.NOT_RUN}
    assert processes_running(path) == []


def test_an_endless_loop_at_import_time_is_a_file_that_cannot_be_used(tmp_path):
    path = write(tmp_path, "while True:\n    pass\n", "hangs_on_import.py")
    result = check_drill(SOFTMAX, path, limits=Limits(check_s=1.5))
    assert result.status is Status.ERROR and result.problem.kind is ProblemKind.LOAD_TIMEOUT
    assert not result.attempted
    assert processes_running(path) == []


def test_a_segfault_is_reported_as_a_crash_of_the_check_in_flight(tmp_path):
    source = "import ctypes\ndef softmax(x, dim=-1):\n    return ctypes.string_at(0)\n"
    result = check_drill(SOFTMAX, write(tmp_path, source))
    assert result.status is Status.FAILED and result.attempted
    crash = result.checks[0]
    assert crash.outcome is CheckOutcome.CRASHED and "SIGSEGV" in crash.message.en
    assert {c.outcome for c in result.checks[1:]} == {CheckOutcome.NOT_RUN}


def test_sys_exit_in_the_function_is_a_raised_check_and_at_import_a_problem(tmp_path):
    inside = check_drill(SOFTMAX, write(tmp_path, "import sys\ndef softmax(x, dim=-1):\n    sys.exit(3)\n"))
    assert inside.status is Status.FAILED
    assert all(c.outcome is CheckOutcome.RAISED and "sys.exit(3)" in c.message.en for c in inside.checks)
    at_import = check_drill(SOFTMAX, write(tmp_path, "import sys\nsys.exit('bye')\n", "exits.py"))
    assert at_import.status is Status.ERROR and at_import.problem.kind is ProblemKind.EXIT
    assert at_import.problem.line == 2 and "sys.exit('bye')" in at_import.problem.message.en
    os_exit = check_drill(SOFTMAX, write(tmp_path, "import os\ndef softmax(x, dim=-1):\n    os._exit(0)\n", "os_exit.py"))
    assert os_exit.checks[0].outcome is CheckOutcome.CRASHED and "exit code 0" in os_exit.checks[0].message.en


def test_huge_output_is_stopped_and_its_beginning_kept(tmp_path):
    source = "def softmax(x, dim=-1):\n    while True:\n        print('spam' * 1000)\n"
    result = check_drill(SOFTMAX, write(tmp_path, source), limits=Limits(output_bytes=200_000))
    assert result.status is Status.FAILED
    assert result.checks[0].outcome is CheckOutcome.CRASHED and "printed more than" in result.checks[0].message.en
    assert result.output_bytes > 200_000 and result.output.startswith("spamspam") and len(result.output) <= 8192


def test_running_out_of_memory_raises_inside_the_candidates_code(tmp_path):
    # 2 GiB: a size any machine running these tests can allocate, four times the limit given.
    source = "import torch\ndef softmax(x, dim=-1):\n    return torch.ones(2**28, dtype=torch.float64).sum() * x\n"
    result = check_drill(SOFTMAX, write(tmp_path, source), limits=Limits(memory_mb=512))
    assert result.status is Status.FAILED
    assert result.checks[0].outcome is CheckOutcome.RAISED and "memory" in result.checks[0].message.en


def test_syntax_errors_and_missing_files_are_reported_at_once_without_a_process(tmp_path):
    started = time.monotonic()
    broken = check_drill(SOFTMAX, write(tmp_path, "import torch\n\ndef softmax(x, dim=-1)\n    return x\n"))
    missing = check_drill(SOFTMAX, tmp_path / "nowhere.py")
    assert time.monotonic() - started < 1.0  # no torch import was paid for
    assert broken.status is Status.ERROR and broken.problem.kind is ProblemKind.SYNTAX and broken.problem.line == 3
    assert "^" in broken.problem.detail and "def softmax(x, dim=-1)" in broken.problem.detail
    assert missing.problem.kind is ProblemKind.UNREADABLE and "nowhere.py" in missing.problem.message.en


def test_cancelling_returns_none_at_once_and_kills_the_process(tmp_path):
    path = write(tmp_path, "def softmax(x, dim=-1):\n    while True:\n        pass\n", "cancelled.py")
    cancel = threading.Event()
    asked: list[float] = []

    def cancel_when_checking(event):
        if event.phase is Phase.CHECKING and not asked:
            asked.append(time.monotonic())
            cancel.set()

    result = check_drill(SOFTMAX, path, limits=Limits(check_s=60), progress=cancel_when_checking, cancel=cancel)
    assert result is None
    assert time.monotonic() - asked[0] < 2.0
    assert processes_running(path) == []


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_a_child_process_the_candidate_starts_does_not_keep_the_check_waiting(tmp_path):
    source = (
        "import subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])  # inherits our output pipe\n"
        + GOOD.split('"""Reference solution: numerically stable softmax."""', 1)[1]
    )
    started = time.monotonic()
    result = check_drill(SOFTMAX, write(tmp_path, source, "spawns.py"), limits=Limits(check_s=20))
    assert result.status is Status.PASSED
    assert time.monotonic() - started < 20
