"""Checking a candidate's file in a separate process that cannot hang or crash tprep.

``check_drill`` starts ``python -m verifiers.drills.harness`` (see there for
the protocol) and watches it:

* **time**: each step -- importing the file, then each check -- has
  ``Limits.check_s`` seconds of wall-clock time; past it the whole process
  group is killed and the step is reported as timed out (the checks after it
  as not run). The checker's own start (Python and torch) has
  ``Limits.startup_s``.
* **memory**: once torch is imported, the child lets its data segment
  (``RLIMIT_DATA``) grow by at most ``Limits.memory_mb``, so a runaway
  allocation raises inside the candidate's code instead of swapping the
  machine; CPU time and file size are limited too.
* **output**: what the candidate's code prints is kept (the first 8 KiB);
  past ``Limits.output_bytes`` the process is killed.
* **crashes**: ``sys.exit`` inside a check is reported by the harness; a
  segfault, ``os._exit`` or a kill by a resource limit ends the process and is
  reported as a crash of the step in flight.
* **cancel**: setting the ``cancel`` event kills the process at once; the
  call then returns ``None``.

Nothing here imports torch: the parent only reads JSON lines.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Callable

from verifiers.drills.loading import CandidateUnusable, compile_candidate
from verifiers.drills.result import CheckOutcome, CheckResult, DrillResult, Problem, ProblemKind
from verifiers.drills.spec import Check, Drill
from verifiers.result import Bilingual, Status

OUTPUT_KEPT_BYTES = 8192
_POLL_S = 0.05
_PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the verifiers package


@dataclass(frozen=True)
class Limits:
    check_s: float = 10.0  # wall-clock seconds for importing the file, and for each check
    startup_s: float = 120.0  # for the checker itself to start (Python + torch import), generous for busy machines
    memory_mb: int = 1024  # what the candidate's code and the checks may allocate (beyond torch itself)
    output_bytes: int = 1 << 20  # what the candidate's code may print before it is stopped
    file_mb: int = 16  # the largest file it may write

    def __post_init__(self) -> None:
        for name in ("check_s", "startup_s", "memory_mb", "output_bytes", "file_mb"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be more than 0, got {getattr(self, name)}")

    def to_dict(self) -> dict[str, float]:
        return {"check_s": self.check_s, "memory_mb": self.memory_mb, "output_bytes": self.output_bytes}


class Phase(str, Enum):
    STARTING = "starting"  # the checking process is starting (torch is being imported)
    LOADING = "loading"  # the candidate's file is being imported
    CHECKING = "checking"  # check ``index`` is running (``result`` None) or has finished


@dataclass(frozen=True)
class DrillProgress:
    """Sent as the run moves on: once per phase, and before and after each check."""

    phase: Phase
    total: int  # number of checks
    index: int = -1  # the check's position (CHECKING only)
    check: Check | None = None
    result: CheckResult | None = None

    @property
    def finished(self) -> bool:
        return self.result is not None


ProgressCallback = Callable[[DrillProgress], None]


def check_drill(
    drill: Drill,
    path: Path | str,
    *,
    limits: Limits = Limits(),
    seed: int = 0,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> DrillResult | None:
    """Run ``drill``'s checks on the file at ``path`` in a child process; ``None`` if cancelled.

    Blocks until done: the app calls it from a worker thread. ``progress`` is
    called from the calling thread.
    """
    path = Path(path).expanduser().absolute()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    started = time.perf_counter()
    base = dict(drill_id=drill.id, file=str(path), started_at=started_at, seed=seed, limits=limits.to_dict())
    try:
        compile_candidate(path)  # syntax errors and missing files: at once, without starting torch
    except CandidateUnusable as unusable:
        return DrillResult(status=Status.ERROR, problem=unusable.problem, elapsed_s=round(time.perf_counter() - started, 4), **base)
    if progress is not None:
        progress(DrillProgress(Phase.STARTING, len(drill.checks)))
    run = _Run(drill, path, limits, seed, progress, cancel)
    run.execute()
    if run.stop_reason == "cancel":
        return None
    return run.result(base, elapsed_s=round(time.perf_counter() - started, 4))


class _Run:
    """One child process and what it has reported so far."""

    def __init__(self, drill: Drill, path: Path, limits: Limits, seed: int, progress: ProgressCallback | None, cancel: threading.Event | None):
        self.drill, self.path, self.limits, self.seed = drill, path, limits, seed
        self.progress, self.cancel = progress, cancel
        self.phase = Phase.STARTING
        self.ready = False
        self.loaded = False
        self.done = False
        self.problem: Problem | None = None
        self.versions: dict[str, str] = {}
        self.results: dict[int, CheckResult] = {}
        self.current: int | None = None  # the check in flight
        self.stop_reason: str | None = None  # "timeout", "output", "cancel" when we killed it
        self.output = bytearray()
        self.output_total = 0
        self.returncode: int | None = None
        self.channel_garbage = False

    # -- running ----------------------------------------------------------------------------

    def execute(self) -> None:
        read_fd, write_fd = os.pipe()
        workdir = tempfile.mkdtemp(prefix="tprep-drill-")
        try:
            process = subprocess.Popen(
                self._command(write_fd),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                cwd=workdir,  # an empty folder: nothing there can shadow a module
                env=self._environment(),
                start_new_session=True,  # its own process group, killed as a whole
            )
        except OSError as error:
            os.close(read_fd)
            os.close(write_fd)
            shutil.rmtree(workdir, ignore_errors=True)
            self.problem = Problem(
                ProblemKind.CHECKER,
                Bilingual(zh=f"无法启动检查进程：{error}", en=f"the checking process could not be started: {error}"),
            )
            return
        os.close(write_fd)
        try:
            self._watch(process, read_fd)
        finally:
            if process.poll() is None:
                _kill(process)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not fail
                pass
            self.returncode = process.returncode
            if process.stdout is not None:
                process.stdout.close()
            os.close(read_fd)
            shutil.rmtree(workdir, ignore_errors=True)

    def _command(self, channel_fd: int) -> list[str]:
        cpu_budget = int(self.limits.startup_s + self.limits.check_s * (len(self.drill.checks) + 1) + 30)
        return [
            sys.executable,
            "-m",
            "verifiers.drills.harness",
            self.drill.id,
            str(self.path),
            "--channel-fd",
            str(channel_fd),
            "--memory-mb",
            str(int(self.limits.memory_mb)),
            "--cpu-s",
            str(cpu_budget),
            "--file-mb",
            str(int(self.limits.file_mb)),
            "--seed",
            str(self.seed),
        ]

    @staticmethod
    def _environment() -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        env["PYTHONUNBUFFERED"] = "1"  # what is printed arrives at once, and survives a crash
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[name] = "1"
        return env

    def _watch(self, process: subprocess.Popen, channel_fd: int) -> None:
        assert process.stdout is not None
        output_fd = process.stdout.fileno()
        os.set_blocking(output_fd, False)
        os.set_blocking(channel_fd, False)
        selector = selectors.DefaultSelector()
        selector.register(output_fd, selectors.EVENT_READ, "output")
        selector.register(channel_fd, selectors.EVENT_READ, "channel")
        pending = b""
        deadline = time.monotonic() + self.limits.startup_s
        open_streams = 2
        try:
            while open_streams:
                if self.cancel is not None and self.cancel.is_set():
                    self._stop(process, "cancel")
                    return
                now = time.monotonic()
                if now >= deadline:
                    self._stop(process, "timeout")
                    return
                events = selector.select(timeout=min(_POLL_S, deadline - now))
                exited = not events and process.poll() is not None
                for key, _ in events:
                    try:
                        data = os.read(key.fd, 65536)
                    except BlockingIOError:
                        continue
                    if not data:
                        selector.unregister(key.fd)
                        open_streams -= 1
                        continue
                    if key.data == "output":
                        if not self._take_output(data):
                            self._stop(process, "output")
                            return
                        continue
                    pending += data
                    *lines, pending = pending.split(b"\n")
                    for line in lines:
                        if self._handle(line):
                            deadline = time.monotonic() + self.limits.check_s
                if self.done or exited:
                    # Finished (or died) while something it started may still hold the pipes open:
                    # take what is already written and stop waiting for end-of-file.
                    self._drain(output_fd)
                    return
        finally:
            selector.close()

    def _take_output(self, data: bytes) -> bool:
        """Keep the beginning of what the candidate printed; False once it printed too much."""
        self.output_total += len(data)
        if len(self.output) < OUTPUT_KEPT_BYTES:
            self.output += data[: OUTPUT_KEPT_BYTES - len(self.output)]
        return self.output_total <= self.limits.output_bytes

    def _drain(self, output_fd: int) -> None:
        while True:
            try:
                data = os.read(output_fd, 65536)
            except (BlockingIOError, OSError):
                return
            if not data or not self._take_output(data):
                return

    def _stop(self, process: subprocess.Popen, reason: str) -> None:
        self.stop_reason = reason
        _kill(process)

    def _handle(self, line: bytes) -> bool:
        """Take in one message; True when a new step began (its time limit starts now)."""
        try:
            message: dict[str, Any] = json.loads(line)
            event = message["event"]
        except (ValueError, KeyError, TypeError):
            self.channel_garbage = True  # the candidate wrote into our channel; the outcome says so if it matters
            return False
        total = len(self.drill.checks)
        if event == "ready":
            self.ready = True
            self.versions = {str(k): str(v) for k, v in message.get("versions", {}).items()}
            self.phase = Phase.LOADING
            self._tell(DrillProgress(Phase.LOADING, total))
            return True
        if event == "unusable":
            self.problem = Problem.from_dict(message["problem"])
            return False
        if event == "loaded":
            self.loaded = True
            self.phase = Phase.CHECKING
            return True
        if event == "check-start":
            self.current = int(message["index"])
            self._tell(DrillProgress(Phase.CHECKING, total, self.current, self.drill.checks[self.current]))
            return True
        if event == "check-end":
            index = int(message["index"])
            result = CheckResult.from_dict(message["result"])
            self.results[index] = result
            self.current = None
            self._tell(DrillProgress(Phase.CHECKING, total, index, self.drill.checks[index], result))
            return True
        if event == "done":
            self.done = True
        return False

    def _tell(self, event: DrillProgress) -> None:
        if self.progress is not None:
            self.progress(event)

    # -- the outcome --------------------------------------------------------------------------

    def result(self, base: dict[str, Any], *, elapsed_s: float) -> DrillResult:
        output = bytes(self.output).decode("utf-8", errors="replace")
        common = dict(base, output=output, output_bytes=self.output_total, elapsed_s=elapsed_s, versions=self.versions)
        problem = self.problem or self._load_problem()
        if problem is not None:
            return DrillResult(status=Status.ERROR, problem=problem, **common)
        checks = tuple(self._check_result(index, check) for index, check in enumerate(self.drill.checks))
        status = Status.PASSED if all(c.passed for c in checks) else Status.FAILED
        return DrillResult(status=status, checks=checks, **common)

    def _load_problem(self) -> Problem | None:
        """Why the file never got to its checks, when it did not."""
        if self.loaded:
            return None
        if not self.ready:
            if self.stop_reason == "timeout":
                message = Bilingual(
                    zh=f"检查进程 {self.limits.startup_s:g} 秒内没有启动（机器太忙？）；稍后重试",
                    en=f"the checking process did not start within {self.limits.startup_s:g} s (a busy machine?); try again",
                )
            else:
                message = Bilingual(
                    zh=f"检查进程启动失败（{self._death_zh()}）", en=f"the checking process failed to start ({self._death_en()})"
                )
            tail = bytes(self.output).decode("utf-8", errors="replace").strip().splitlines()[-5:]
            return Problem(ProblemKind.CHECKER, message, detail="\n".join(tail))
        if self.stop_reason == "timeout":
            return Problem(
                ProblemKind.LOAD_TIMEOUT,
                Bilingual(
                    zh=f"导入文件超过了 {self.limits.check_s:g} 秒（顶层代码里有死循环？）",
                    en=f"importing the file took longer than {self.limits.check_s:g} s (an endless loop at the top level?)",
                ),
            )
        if self.stop_reason == "output":
            return Problem(
                ProblemKind.IMPORT,
                Bilingual(
                    zh=f"导入文件时输出超过了 {_size(self.limits.output_bytes)}，已停止",
                    en=f"the file printed more than {_size(self.limits.output_bytes)} while being imported; it was stopped",
                ),
            )
        return Problem(
            ProblemKind.EXIT,
            Bilingual(zh=f"导入文件时进程结束了（{self._death_zh()}）", en=f"the process ended while importing the file ({self._death_en()})"),
        )

    def _check_result(self, index: int, check: Check) -> CheckResult:
        if index in self.results:
            return self.results[index]
        if index != self.current:
            return CheckResult(
                check_id=check.id,
                statement=check.statement,
                outcome=CheckOutcome.NOT_RUN,
                message=Bilingual(zh="未运行：前面的检查让进程停止了", en="not run: an earlier check stopped the process"),
            )
        if self.stop_reason == "timeout":
            outcome, message = CheckOutcome.TIMED_OUT, Bilingual(
                zh=f"超过 {self.limits.check_s:g} 秒仍未结束，已停止（死循环？循环条件永远成立？）",
                en=f"still running after {self.limits.check_s:g} s, so it was stopped (an endless loop? a loop condition that never fails?)",
            )
        elif self.stop_reason == "output":
            outcome, message = CheckOutcome.CRASHED, Bilingual(
                zh=f"输出超过 {_size(self.limits.output_bytes)}，已停止（循环里的 print？）",
                en=f"it printed more than {_size(self.limits.output_bytes)}, so it was stopped (a print inside a loop?)",
            )
        else:
            outcome, message = CheckOutcome.CRASHED, Bilingual(
                zh=f"进程在这项检查中结束了（{self._death_zh()}）", en=f"the process ended during this check ({self._death_en()})"
            )
        return CheckResult(check_id=check.id, statement=check.statement, outcome=outcome, message=message, hint=check.hint)

    def _death_en(self) -> str:
        code = self.returncode
        if code is None:
            return "no exit status"
        if code < 0:
            name = _signal_name(-code)
            meaning = {
                "SIGSEGV": "a segmentation fault",
                "SIGKILL": "killed, probably for using too much memory",
                "SIGXCPU": "past its CPU-time limit",
                "SIGXFSZ": f"it wrote a file larger than {self.limits.file_mb} MiB",
                "SIGABRT": "aborted",
            }.get(name, "killed by a signal")
            return f"{name}: {meaning}"
        return f"exit code {code}: os._exit() or a crash in a library"

    def _death_zh(self) -> str:
        code = self.returncode
        if code is None:
            return "没有退出状态"
        if code < 0:
            name = _signal_name(-code)
            meaning = {
                "SIGSEGV": "段错误",
                "SIGKILL": "被强制结束，可能是内存用得太多",
                "SIGXCPU": "超过了 CPU 时间上限",
                "SIGXFSZ": f"写入的文件超过 {self.limits.file_mb} MiB",
                "SIGABRT": "异常中止",
            }.get(name, "被信号结束")
            return f"{name}：{meaning}"
        return f"退出码 {code}：调用了 os._exit() 或库崩溃"


def _kill(process: subprocess.Popen) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _size(count: float) -> str:
    count = int(count)
    if count >= 2**20 and count % 2**20 == 0:
        return f"{count // 2**20} MiB"
    if count >= 1024 and count % 1024 == 0:
        return f"{count // 1024} KiB"
    return f"{count} bytes"
