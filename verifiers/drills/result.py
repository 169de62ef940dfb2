"""What checking a candidate's file produces: plain data, JSON-serialisable.

A ``DrillResult`` holds one ``CheckResult`` per declared check, in order, and
(when the file could not be used at all) a ``Problem``. It is what the CLI
prints, what the Drills screen shows, and what the drill results cache keeps
(``verifiers.cache.ResultsCache`` with ``model=DrillResult``).

Status, as for verifiers (``verifiers.result.Status``): ``passed`` every check
passed; ``failed`` the file ran and some check did not pass (a wrong answer, an
exception, a hang, a crash); ``error`` the file could not be used (a syntax
error, an import that fails, no function of the right name, or the checker
itself could not start).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping

from verifiers.result import Bilingual, ResultFormatError, Status, _json_number, _number_from_json

# Bump when a field is renamed, removed or changes meaning; readers refuse other
# versions (the cache then treats the file as stale).
SCHEMA_VERSION = 1


class CheckOutcome(str, Enum):
    PASSED = "passed"
    FAILED = "failed"  # ran and gave a wrong answer: the counterexample says which
    RAISED = "raised"  # the candidate's code raised (sys.exit included)
    NOT_IMPLEMENTED = "not-implemented"  # the stub's NotImplementedError: nothing written yet
    TIMED_OUT = "timed-out"  # stopped at the time limit
    CRASHED = "crashed"  # the process died: a crash, os._exit, a resource limit, too much output
    NOT_RUN = "not-run"  # an earlier check hung or crashed the process

    @property
    def passed(self) -> bool:
        return self is CheckOutcome.PASSED


@dataclass(frozen=True)
class Counterexample:
    """The input that breaks the candidate's code, small enough to read.

    Values are already formatted for a reader (shape, dtype and a few values);
    ``max_error`` is the largest absolute difference (``inf`` where one side is
    not finite), ``where`` the index at which it occurs.
    """

    inputs: tuple[tuple[str, str], ...]  # (argument name, description)
    expected: str
    got: str
    max_error: float | None = None
    where: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": [[name, text] for name, text in self.inputs],
            "expected": self.expected,
            "got": self.got,
            "max_error": _json_number(self.max_error),
            "where": self.where,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Counterexample":
        return cls(
            inputs=tuple((str(name), str(text)) for name, text in raw["inputs"]),
            expected=str(raw["expected"]),
            got=str(raw["got"]),
            max_error=_number_from_json(raw.get("max_error")),
            where=str(raw.get("where", "")),
        )


@dataclass(frozen=True)
class CheckResult:
    """One check of one run: what it tests, how it went, and what to look at when it failed."""

    check_id: str
    statement: Bilingual  # what the check tests
    outcome: CheckOutcome
    message: Bilingual | None = None  # what went wrong, in words
    counterexample: Counterexample | None = None
    hint: Bilingual | None = None  # what to look at; a diagnosed mistake's hint when one was recognised
    detail: str = ""  # the candidate's traceback (trimmed to their own file) when it raised
    elapsed_s: float = 0.0

    @property
    def passed(self) -> bool:
        return self.outcome.passed

    def to_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.check_id,
            "statement": self.statement.to_dict(),
            "outcome": self.outcome.value,
            "message": None if self.message is None else self.message.to_dict(),
            "counterexample": None if self.counterexample is None else self.counterexample.to_dict(),
            "hint": None if self.hint is None else self.hint.to_dict(),
            "detail": self.detail,
            "elapsed_s": self.elapsed_s,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "CheckResult":
        message, counterexample, hint = raw.get("message"), raw.get("counterexample"), raw.get("hint")
        return cls(
            check_id=str(raw["check_id"]),
            statement=Bilingual.from_dict(raw["statement"]),
            outcome=CheckOutcome(raw["outcome"]),
            message=None if message is None else Bilingual.from_dict(message),
            counterexample=None if counterexample is None else Counterexample.from_dict(counterexample),
            hint=None if hint is None else Bilingual.from_dict(hint),
            detail=str(raw.get("detail", "")),
            elapsed_s=float(raw.get("elapsed_s", 0.0)),
        )


class ProblemKind(str, Enum):
    """Why a file could not be checked at all."""

    UNREADABLE = "unreadable"  # no such file, not UTF-8, a directory
    SYNTAX = "syntax"  # SyntaxError / IndentationError; ``line`` says where
    IMPORT = "import"  # running the file's top level raised
    EXIT = "exit"  # the file called sys.exit() (or ended the process) while being imported
    MISSING = "missing"  # no function/class of the drill's name
    LOAD_TIMEOUT = "load-timeout"  # the file's top level ran past the time limit
    CHECKER = "checker"  # the checking process itself could not start (not the candidate's fault)


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    message: Bilingual
    line: int | None = None  # 1-based line in the candidate's file, when known
    detail: str = ""  # the offending source line with a caret, or a trimmed traceback

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "message": self.message.to_dict(), "line": self.line, "detail": self.detail}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Problem":
        line = raw.get("line")
        return cls(
            kind=ProblemKind(raw["kind"]),
            message=Bilingual.from_dict(raw["message"]),
            line=None if line is None else int(line),
            detail=str(raw.get("detail", "")),
        )


@dataclass(frozen=True)
class DrillResult:
    """Everything one check of a candidate's file produced."""

    drill_id: str
    status: Status
    checks: tuple[CheckResult, ...] = ()
    problem: Problem | None = None  # set exactly when status is ERROR
    file: str = ""
    output: str = ""  # what the candidate's code printed (the beginning, when it printed a lot)
    output_bytes: int = 0  # how much it printed in all
    started_at: str = ""  # ISO 8601, UTC
    elapsed_s: float = 0.0
    seed: int = 0
    limits: Mapping[str, float] = field(default_factory=dict)  # check_s, memory_mb, output_bytes
    versions: Mapping[str, str] = field(default_factory=dict)  # python, torch in the checking process

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @property
    def cache_key(self) -> str:
        return self.drill_id

    @property
    def passed_count(self) -> int:
        return sum(1 for check in self.checks if check.passed)

    @property
    def attempted(self) -> bool:
        """Whether the candidate's code ran and something of it was written: a result worth
        scheduling. An untouched stub (every check hits its ``NotImplementedError``) and a
        file that could not be used are not attempts."""
        if self.status is Status.ERROR:
            return False
        return any(check.outcome is not CheckOutcome.NOT_IMPLEMENTED for check in self.checks)

    @property
    def summary(self) -> Bilingual:
        total = len(self.checks)
        if self.problem is not None:
            where = f" (line {self.problem.line})" if self.problem.line else ""
            where_zh = f"（第 {self.problem.line} 行）" if self.problem.line else ""
            return Bilingual(
                zh=f"文件无法使用{where_zh}：{self.problem.message.zh}",
                en=f"The file could not be used{where}: {self.problem.message.en}",
            )
        if not self.attempted:
            return Bilingual(zh="还没有实现：桩函数仍抛出 NotImplementedError。", en="Not implemented yet: the stub still raises NotImplementedError.")
        if self.passed:
            return Bilingual(zh=f"全部 {total} 项检查通过。", en=f"All {total} checks passed.")
        return Bilingual(
            zh=f"{total} 项检查中通过 {self.passed_count} 项。", en=f"{self.passed_count} of {total} checks passed."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "drill_id": self.drill_id,
            "status": self.status.value,
            "checks": [check.to_dict() for check in self.checks],
            "problem": None if self.problem is None else self.problem.to_dict(),
            "file": self.file,
            "output": self.output,
            "output_bytes": self.output_bytes,
            "started_at": self.started_at,
            "elapsed_s": self.elapsed_s,
            "seed": self.seed,
            "limits": {key: _json_number(value) for key, value in self.limits.items()},
            "versions": dict(self.versions),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "DrillResult":
        if not isinstance(raw, Mapping):
            raise ResultFormatError(f"a drill result must be a JSON object, not {type(raw).__name__}")
        version = raw.get("schema_version")
        if version != SCHEMA_VERSION or "drill_id" not in raw:
            raise ResultFormatError(f"drill result schema version {version!r}; this tprep reads version {SCHEMA_VERSION}")
        try:
            problem = raw.get("problem")
            return cls(
                drill_id=str(raw["drill_id"]),
                status=Status(raw["status"]),
                checks=tuple(CheckResult.from_dict(check) for check in raw["checks"]),
                problem=None if problem is None else Problem.from_dict(problem),
                file=str(raw.get("file", "")),
                output=str(raw.get("output", "")),
                output_bytes=int(raw.get("output_bytes", 0)),
                started_at=str(raw.get("started_at", "")),
                elapsed_s=float(raw.get("elapsed_s", 0.0)),
                seed=int(raw.get("seed", 0)),
                limits={str(k): float(_number_from_json(v)) for k, v in (raw.get("limits") or {}).items()},  # type: ignore[arg-type]
                versions={str(k): str(v) for k, v in (raw.get("versions") or {}).items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as problem:
            raise ResultFormatError(f"malformed drill result: {type(problem).__name__}: {problem}") from None
