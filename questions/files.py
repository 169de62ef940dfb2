"""Where a bank's YAML files are: the shipped bank's directory, and the files of any bank directory.

Its own module so that the loader and the linter both use it without importing each other.
"""

from __future__ import annotations

from pathlib import Path

BUILTIN_BANK_DIR = Path(__file__).parent / "bank"
BANK_FILE_SUFFIXES = (".yaml", ".yml")


def bank_files(directory: Path) -> list[Path]:
    """The YAML files of one bank directory, in a stable order."""
    return sorted(p for p in directory.iterdir() if p.suffix in BANK_FILE_SUFFIXES and p.is_file())
