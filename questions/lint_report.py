"""What a lint of bank files found: ``LintReport``.

Its own module, apart from the linter (``questions.lint``, which imports yaml and every check),
so that a result read back from the bank cache (``questions.bank_cache``) needs neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from questions.errors import Problem
from questions.model import Question


@dataclass(frozen=True)
class LintReport:
    """What a lint run found: the questions that parsed, and every problem."""

    questions: tuple[Question, ...]
    problems: tuple[Problem, ...]
    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()  # checks that could not run, and why

    @property
    def ok(self) -> bool:
        return not self.problems
