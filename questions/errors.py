"""Problems found in bank files, and the error that carries them to the user.

A ``Problem`` is one thing wrong with one field of one question, located by
file and line so an editor can jump to it. ``BankError`` carries every problem
found in one pass (never just the first), with ``exit_code = 2`` so that
``tprep`` prints it as a message for the user instead of a traceback (see
``docs/contracts.md``, "Errors a user can act on").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

NO_QUESTION = "-"  # stands in for the question id when a problem concerns no one question


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: ``file:line: id: field: message``.

    ``question_id`` is ``None`` for file-level problems (syntax, encoding,
    ``topic``) and for questions whose id itself is missing or malformed.
    ``field`` is a dotted path into the question, e.g. ``key_points.en[2]``.
    """

    path: Path
    line: int  # 1-based; 0 when the file could not be read at all
    question_id: str | None
    field: str
    message: str

    def format(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.question_id or NO_QUESTION}: {self.field}: {self.message}"

    def __str__(self) -> str:
        return self.format()


def display_path(path: Path) -> str:
    """A path as the user can use it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


class BankError(Exception):
    """The bank (or a user's directory) cannot be used; ``problems`` says every reason."""

    exit_code = 2

    def __init__(self, problems: Sequence[Problem], *, summary: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems))
        self.summary = summary
        super().__init__(self._message())

    def _message(self) -> str:
        count = len(self.problems)
        head = self.summary or f"the question bank has {count} problem{'s' if count != 1 else ''}:"
        lines = [head, *(f"  {problem.format()}" for problem in self.problems)]
        if self.problems:
            lines.append("Fix the fields named above (schema: docs/bank-schema.md) and run 'tprep bank lint' to check.")
        return "\n".join(lines)


class BankDirectoryError(BankError):
    """A directory given with ``--bank`` (or to ``tprep bank lint``) cannot be read."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        problem = Problem(path=path, line=0, question_id=None, field="--bank", message=reason)
        super().__init__([problem], summary=f"cannot use the bank directory {display_path(path)}: {reason}")

    def _message(self) -> str:
        return self.summary or ""
