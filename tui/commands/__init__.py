"""One module per ``tprep`` subcommand; see ``tui/cli.py`` for the protocol."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, TextIO


def texts(text: Any, lang: str) -> list[str]:
    """The lines to print for a bilingual text (``.zh``/``.en``) in ``--lang`` zh, en or both (English first)."""
    if lang == "zh":
        return [text.zh]
    if lang == "en":
        return [text.en]
    return [text.en, text.zh] if text.zh != text.en else [text.en]


def use_colour(stream: TextIO) -> bool:
    """Whether to colour what goes to ``stream``: only a terminal, and never when ``NO_COLOR`` is set
    to anything (https://no-color.org) or the terminal says it is dumb. Colour only ever repeats
    what a mark or a word already says (questions.marks)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def checked_json_path(option: str | None, error: type[Exception], example: str) -> Path | None:
    """The file ``--json OPTION`` names (None: none asked for, or ``-`` for standard output), refused
    with ``error`` before any work is spent when it cannot be written: a folder, or a missing folder."""
    if option is None or option == "-":
        return None
    path = Path(option).expanduser()
    if path.is_dir():
        raise error(f"--json {option}: is a directory; give a file name, e.g. {path / example}")
    if not path.parent.is_dir():
        raise error(f"--json {option}: the folder {path.parent} does not exist; create it or choose another path")
    return path


def write_json_text(text: str, option: str | None, path: Path | None, error: type[Exception], *, what: str, kept: str) -> None:
    """Write ``--json`` output: to ``path``, or to standard output when ``path`` is None. A failure
    names ``what`` was not written and says it is ``kept`` ("they are still cached")."""
    if option is None:
        return
    if path is None:
        print(text)
        return
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as failure:
        raise error(f"--json {option}: could not write {what} ({failure}); {kept}") from None


def positive_seconds(text: str) -> float:
    """An argparse type for a time limit in seconds: a number above 0."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: the time limit must be more than 0 seconds")
    return seconds
