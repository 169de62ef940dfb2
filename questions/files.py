"""Where a bank's YAML files are: the shipped bank's directory, and the files of the bank directories
to load or check (``files_in_dirs``), each as a ``BankFile``.

Its own module so that the loader, the linter and the bank cache all use it without importing
each other; a bank loaded from the cache reads its files' bytes and never imports the linter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from questions.errors import BankDirectoryError

BUILTIN_BANK_DIR = Path(__file__).parent / "bank"
BANK_FILE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class BankFile:
    """One YAML file to check; ``shipped`` files follow the built-in bank's extra rules."""

    path: Path
    shipped: bool = False


def bank_files(directory: Path) -> list[Path]:
    """The YAML files of one bank directory, in a stable order."""
    return sorted(p for p in directory.iterdir() if p.suffix in BANK_FILE_SUFFIXES and p.is_file())


def files_in_dirs(dirs: Sequence[Path], *, include_builtin: bool = True) -> list[BankFile]:
    """The built-in bank's files (if wanted) then each user directory's, checking each directory."""
    found = [BankFile(path, shipped=True) for path in bank_files(BUILTIN_BANK_DIR)] if include_builtin else []
    seen = {file_identity(f.path) for f in found}
    for directory in dirs:
        for path in user_bank_files(Path(directory)):
            # The same directory given twice (or the built-in one given as --bank)
            # is one set of files, not a set of duplicate ids.
            if file_identity(path) not in seen:
                seen.add(file_identity(path))
                found.append(BankFile(path, shipped=is_shipped(path)))
    return found


def user_bank_files(directory: Path) -> list[Path]:
    """The bank files of a directory the user gave; an error that says what to fix when there are none."""
    if not directory.exists():
        raise BankDirectoryError(directory, "it does not exist; check the path given to --bank")
    if not directory.is_dir():
        raise BankDirectoryError(directory, "it is not a directory; --bank takes a directory of *.yaml files")
    try:
        found = bank_files(directory)
    except OSError as error:
        raise BankDirectoryError(directory, f"it cannot be read ({error.strerror or error}); check its permissions") from None
    if not found:
        # Most likely the wrong folder: say so rather than quietly add nothing.
        raise BankDirectoryError(directory, "it holds no bank files (*.yaml or *.yml); check the path")
    return found


def is_shipped(path: Path) -> bool:
    """Whether a file belongs to the built-in bank (and so follows its extra rules)."""
    try:
        return path.resolve().parent == BUILTIN_BANK_DIR.resolve()
    except OSError:
        return False


def file_identity(path: Path) -> Path:
    """What tells two paths to one file apart from two files: its resolved path."""
    try:
        return path.resolve()
    except OSError:
        return path.absolute()
