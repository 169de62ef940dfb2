"""Importing the candidate's file, with every way it can go wrong said plainly.

The file is compiled first, so a syntax error is reported with its line and a
caret, then run as a fresh module named ``candidate`` (its folder is not put on
``sys.path``: a file named ``torch.py`` beside it cannot shadow torch). What
its top level raises -- ``sys.exit()`` included -- becomes a ``Problem``.
"""

from __future__ import annotations

import difflib
import sys
import traceback
import types
from pathlib import Path
from types import CodeType
from typing import Any

from verifiers.drills.result import Problem, ProblemKind
from verifiers.result import Bilingual

MODULE_NAME = "candidate"


class CandidateUnusable(Exception):
    """The file cannot be checked; ``problem`` says why and where."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message.en)
        self.problem = problem


def read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _unusable(ProblemKind.UNREADABLE, f"没有文件 {path}", f"there is no file {path}") from None
    except IsADirectoryError:
        raise _unusable(ProblemKind.UNREADABLE, f"{path} 是目录，不是 .py 文件", f"{path} is a directory, not a .py file") from None
    except UnicodeDecodeError as error:
        raise _unusable(
            ProblemKind.UNREADABLE, f"{path} 不是 UTF-8 文本（{error.reason}）", f"{path} is not UTF-8 text ({error.reason})"
        ) from None
    except OSError as error:
        raise _unusable(ProblemKind.UNREADABLE, f"无法读取 {path}：{error.strerror}", f"cannot read {path}: {error.strerror}") from None


def compile_candidate(path: Path | str) -> CodeType:
    """Read and compile the file without running any of it (safe in tprep's own process)."""
    path = Path(path)
    source = read_source(path)
    try:
        return compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as error:
        raise CandidateUnusable(_syntax_problem(error)) from None
    except (ValueError, RecursionError, MemoryError) as error:  # a NUL byte; absurdly deep nesting
        raise _unusable(ProblemKind.SYNTAX, f"Python 无法编译该文件：{error}", f"Python cannot compile the file: {error}") from None


def load_candidate(path: Path | str, entry: str) -> Any:
    """Run the candidate's file and return the object named ``entry`` it defines."""
    path = Path(path)
    code = compile_candidate(path)
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = str(path)
    sys.modules[MODULE_NAME] = module  # dataclasses and pickling look classes up by module name
    try:
        exec(code, module.__dict__)
    except SystemExit as error:
        raise CandidateUnusable(
            Problem(
                kind=ProblemKind.EXIT,
                message=Bilingual(
                    zh=f"文件在导入时调用了 sys.exit({_code(error)})；把测试代码放进 if __name__ == \"__main__\": 块里",
                    en=f"the file called sys.exit({_code(error)}) while being imported; put script code under "
                    "if __name__ == \"__main__\":",
                ),
                line=_last_line_in(error, str(path)),
                detail=_trimmed(error, str(path)),
            )
        ) from None
    except BaseException as error:  # noqa: BLE001 - whatever the top level raises is the candidate's problem
        raise CandidateUnusable(
            Problem(
                kind=ProblemKind.IMPORT,
                message=Bilingual(
                    zh=f"导入文件时出错：{type(error).__name__}: {error}",
                    en=f"running the file's top level raised {type(error).__name__}: {error}",
                ),
                line=_last_line_in(error, str(path)),
                detail=_trimmed(error, str(path)),
            )
        ) from None
    if entry not in module.__dict__:
        defined = sorted(name for name, value in module.__dict__.items() if callable(value) and not name.startswith("_") and getattr(value, "__module__", None) == MODULE_NAME)
        close = difflib.get_close_matches(entry, defined, n=1)
        found = ", ".join(defined) if defined else "none"
        maybe = f" (did you mean {close[0]}?)" if close else ""
        maybe_zh = f"（是不是 {close[0]}？）" if close else ""
        raise CandidateUnusable(
            Problem(
                kind=ProblemKind.MISSING,
                message=Bilingual(
                    zh=f"文件中没有名为 {entry} 的函数或类{maybe_zh}；找到的有：{found}",
                    en=f"the file defines no function or class named {entry}{maybe}; it defines: {found}",
                ),
            )
        )
    value = module.__dict__[entry]
    if not callable(value):
        raise CandidateUnusable(
            Problem(
                kind=ProblemKind.MISSING,
                message=Bilingual(
                    zh=f"{entry} 应是函数或类，却是 {type(value).__name__}",
                    en=f"{entry} should be a function or a class, not a {type(value).__name__}",
                ),
            )
        )
    return value


def _syntax_problem(error: SyntaxError) -> Problem:
    detail = ""
    if error.text:
        text = error.text.rstrip("\n")
        stripped = text.lstrip()
        offset = max(1, (error.offset or 1) - (len(text) - len(stripped)))
        detail = f"    {stripped}\n    {' ' * (offset - 1)}^"
    return Problem(
        kind=ProblemKind.SYNTAX,
        message=Bilingual(zh=f"语法错误（{type(error).__name__}: {error.msg}）", en=f"{type(error).__name__}: {error.msg}"),
        line=error.lineno,
        detail=detail,
    )


def _code(error: SystemExit) -> str:
    return "" if error.code is None else repr(error.code)


def _last_line_in(error: BaseException, filename: str) -> int | None:
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == filename]
    return lines[-1] if lines else None


def _trimmed(error: BaseException, filename: str) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    own = [frame for frame in frames if frame.filename == filename] or frames[-1:]
    return "".join(traceback.format_list(own) + traceback.format_exception_only(type(error), error)).rstrip()


def _unusable(kind: ProblemKind, zh: str, en: str) -> CandidateUnusable:
    return CandidateUnusable(Problem(kind=kind, message=Bilingual(zh=zh, en=en)))
