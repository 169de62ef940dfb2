"""One module per ``tprep`` subcommand; see ``tui/cli.py`` for the protocol."""

from __future__ import annotations

from typing import Any


def texts(text: Any, lang: str) -> list[str]:
    """The lines to print for a bilingual text (``.zh``/``.en``) in ``--lang`` zh, en or both (English first)."""
    if lang == "zh":
        return [text.zh]
    if lang == "en":
        return [text.en]
    return [text.en, text.zh] if text.zh != text.en else [text.en]
