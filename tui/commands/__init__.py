"""One module per ``tprep`` subcommand; see ``tui/cli.py`` for the protocol."""

from __future__ import annotations

import os
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
