"""Running a drill's checks on the candidate's code, inside one process.

``run_check`` / ``run_checks`` do it in the calling process: the tests use
them to hold every reference and every kept wrong implementation to the
checks quickly. ``tprep`` never runs the candidate's code in its own process:
``verifiers.drills.sandbox.check_drill`` starts ``python -m
verifiers.drills.harness`` as a child with resource limits, and this module's
``main`` reports to the parent over a pipe, one JSON object per line:

    {"event": "ready", "versions": {...}}            torch imported, limits set
    {"event": "loaded"} | {"event": "unusable", "problem": {...}}
    {"event": "check-start", "index": i}
    {"event": "check-end", "index": i, "result": {...}}
    {"event": "done"}
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from verifiers.drills.result import CheckOutcome, CheckResult
from verifiers.drills.spec import Check, Drill
from verifiers.result import Bilingual

NOT_IMPLEMENTED_MESSAGE = Bilingual(zh="还没有实现（仍是桩函数的 NotImplementedError）", en="not implemented yet (the stub's NotImplementedError)")


def run_check(drill: Drill, check: Check, entry: Any, *, seed: int = 0, candidate_file: str | None = None) -> CheckResult:
    """Run one check on the candidate's ``entry``; never raises for anything the candidate did."""
    from verifiers.drills.context import CandidateRaised, CheckFailed, DrillContext, seed_for

    ctx = DrillContext(seed=seed_for(seed, drill.id, check.id), forbidden=drill.forbidden, candidate_file=candidate_file)
    started = time.perf_counter()

    def result(outcome: CheckOutcome, **details: Any) -> CheckResult:
        return CheckResult(
            check_id=check.id,
            statement=check.statement,
            outcome=outcome,
            elapsed_s=round(time.perf_counter() - started, 4),
            **details,
        )

    try:
        check.run(entry, ctx)
    except CheckFailed as failure:
        return result(CheckOutcome.FAILED, message=failure.message, counterexample=failure.counterexample, hint=failure.hint or check.hint)
    except CandidateRaised as raised:
        error = raised.error
        if isinstance(error, NotImplementedError):
            return result(CheckOutcome.NOT_IMPLEMENTED, message=NOT_IMPLEMENTED_MESSAGE, detail=raised.detail)
        if isinstance(error, SystemExit):
            message = Bilingual(
                zh=f"调用了 sys.exit({'' if error.code is None else repr(error.code)})；函数应返回结果",
                en=f"it called sys.exit({'' if error.code is None else repr(error.code)}); a function should return its result",
            )
        elif isinstance(error, MemoryError) or "can't allocate memory" in str(error):
            message = Bilingual(
                zh=f"内存不足（超过了内存上限）：{type(error).__name__}", en=f"it ran out of memory (past the memory limit): {type(error).__name__}"
            )
        else:
            message = Bilingual(zh=f"抛出了 {type(error).__name__}: {error}", en=f"it raised {type(error).__name__}: {error}")
        return result(CheckOutcome.RAISED, message=message, detail=raised.detail, hint=check.hint)
    except Exception as error:  # noqa: BLE001 - the check tripped over what the candidate returned
        return result(
            CheckOutcome.FAILED,
            message=Bilingual(
                zh=f"无法使用你的返回值（{type(error).__name__}: {error}）；检查返回值的类型和形状",
                en=f"the check could not use what your code returned ({type(error).__name__}: {error}); "
                "check the type and shape of the return value",
            ),
            hint=check.hint,
        )
    return result(CheckOutcome.PASSED)


def run_checks(
    drill: Drill,
    entry: Any,
    *,
    seed: int = 0,
    candidate_file: str | None = None,
    on_start: Callable[[int, Check], None] | None = None,
    on_finish: Callable[[int, CheckResult], None] | None = None,
) -> tuple[CheckResult, ...]:
    results = []
    for index, check in enumerate(drill.checks):
        if on_start is not None:
            on_start(index, check)
        outcome = run_check(drill, check, entry, seed=seed, candidate_file=candidate_file)
        results.append(outcome)
        if on_finish is not None:
            on_finish(index, outcome)
    return tuple(results)


# -- the checking process -------------------------------------------------------------


def set_limits(cpu_s: int, file_mb: int) -> None:
    """CPU time, file size and core-dump limits for this process (nothing to set where
    ``resource`` does not exist). The CPU limit is a backstop should the parent die; the
    parent's wall-clock limit is the one that normally acts."""
    _set_limit("RLIMIT_CPU", cpu_s)
    _set_limit("RLIMIT_FSIZE", file_mb * 2**20)
    _set_limit("RLIMIT_CORE", 0)


def limit_memory(memory_mb: int) -> None:
    """Let the data segment grow by at most ``memory_mb`` from here on.

    Called once torch is imported, so the budget is the candidate's and the
    checks' whatever torch build is installed (a CUDA build maps far more than a
    CPU one). ``RLIMIT_DATA`` counts the heap and anonymous mappings -- every
    tensor -- but not the address space shared libraries merely reserve, as
    ``RLIMIT_AS`` would.
    """
    _set_limit("RLIMIT_DATA", _data_segment_bytes() + memory_mb * 2**20)


def _data_segment_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _set_limit(name: str, value: int) -> None:
    try:
        import resource
    except ImportError:
        return
    kind = getattr(resource, name, None)
    if kind is None:
        return
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(kind, (value, hard))
    except (ValueError, OSError):
        pass  # a lower limit already in force is just as good


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verifiers.drills.harness")
    parser.add_argument("drill_id")
    parser.add_argument("file")
    parser.add_argument("--channel-fd", type=int, required=True)
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--cpu-s", type=int, default=600)
    parser.add_argument("--file-mb", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    channel = os.fdopen(args.channel_fd, "w", encoding="utf-8", buffering=1)

    def send(event: str, **fields: Any) -> None:
        channel.write(json.dumps({"event": event, **fields}, ensure_ascii=False) + "\n")
        channel.flush()

    set_limits(args.cpu_s, args.file_mb)
    sys.dont_write_bytecode = True  # leave no __pycache__ beside the candidate's file
    import torch

    torch.set_num_threads(1)  # tiny tensors; more threads only add start-up and noise
    from verifiers.drills import context  # noqa: F401 - imported before the memory limit, with torch
    from verifiers.drills.loading import CandidateUnusable, load_candidate
    from verifiers.drills.registry import default_drills

    drill = default_drills().get(args.drill_id)
    limit_memory(args.memory_mb)
    send("ready", versions={"python": platform.python_version(), "torch": torch.__version__})
    try:
        entry = load_candidate(args.file, drill.entry)
    except CandidateUnusable as unusable:
        send("unusable", problem=unusable.problem.to_dict())
        return _leave(0)
    send("loaded")
    candidate_file = str(Path(args.file))
    run_checks(
        drill,
        entry,
        seed=args.seed,
        candidate_file=candidate_file,
        on_start=lambda index, check: send("check-start", index=index),
        on_finish=lambda index, result: send("check-end", index=index, result=result.to_dict()),
    )
    send("done")
    return _leave(0)


def _leave(code: int) -> int:
    """Flush what the candidate printed, then exit at once: threads the candidate started must not keep us alive."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed or broken stream is the candidate's doing
            pass
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
