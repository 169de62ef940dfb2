"""Load the shipped question bank (and a user's own directories) into a ``Bank``.

Loading is validating: ``load_bank`` runs the full linter (``questions.lint``)
and refuses a bank with any problem, raising ``BankError`` (``exit_code = 2``)
whose message lists every problem as ``file:line: id: field: message``. A bank
that loads is therefore one that ``tprep bank lint`` passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from questions.model import Bank

__all__ = ["load_bank"]


def load_bank(extra_dirs: Sequence[Path] = (), *, include_builtin: bool = True, cache_dir: Path | None = None) -> Bank:
    """The shipped bank merged with the user's directories, in file then definition order.

    A user's question whose id is already taken (by the shipped bank or by
    another of their files) is reported as a conflict, never silently
    overwritten. A missing or unreadable directory is an error too.

    ``cache_dir``, a folder the caller picks (the app: one in the user data
    directory), keeps the validated result so that an unchanged bank loads
    without parsing; see ``questions.bank_cache``. Without it every load parses.
    """
    # Imported here so that `import questions` stays cheap (no yaml, no hashing), and the linter
    # only when it runs: a bank read back from the cache needs neither it nor yaml.
    from questions.errors import BankError
    from questions.files import files_in_dirs

    files = files_in_dirs([Path(d) for d in extra_dirs], include_builtin=include_builtin)
    if cache_dir is None:
        from questions.lint import lint_files

        report = lint_files(files)
    else:
        from questions.bank_cache import lint_with_cache

        report = lint_with_cache(files, Path(cache_dir))
    if report.problems:
        raise BankError(report.problems)
    return Bank(report.questions)
