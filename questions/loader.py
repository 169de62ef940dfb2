"""Load the shipped question bank (and a user's own directories) into a ``Bank``.

Loading is validating: ``load_bank`` runs the full linter (``questions.lint``)
and refuses a bank with any problem, raising ``BankError`` (``exit_code = 2``)
whose message lists every problem as ``file:line: id: field: message``. A bank
that loads is therefore one that ``tprep bank lint`` passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from questions.bank_cache import lint_with_cache
from questions.errors import BankError
from questions.lint import BUILTIN_BANK_DIR, bank_files, files_in_dirs, lint_files
from questions.model import Bank

__all__ = ["BUILTIN_BANK_DIR", "bank_files", "load_bank"]


def load_bank(extra_dirs: Sequence[Path] = (), *, include_builtin: bool = True, cache_dir: Path | None = None) -> Bank:
    """The shipped bank merged with the user's directories, in file then definition order.

    A user's question whose id is already taken (by the shipped bank or by
    another of their files) is reported as a conflict, never silently
    overwritten. A missing or unreadable directory is an error too.

    ``cache_dir``, a folder the caller picks (the app: one in the user data
    directory), keeps the validated result so that an unchanged bank loads
    without parsing; see ``questions.bank_cache``. Without it every load parses.
    """
    files = files_in_dirs([Path(d) for d in extra_dirs], include_builtin=include_builtin)
    report = lint_with_cache(files, Path(cache_dir)) if cache_dir is not None else lint_files(files)
    if report.problems:
        raise BankError(report.problems)
    return Bank(report.questions)
