"""Text shown inside Textual markup, escaped so that every character of it is shown."""

from __future__ import annotations


def escape(text: str) -> str:
    """``text`` as Textual markup that shows exactly ``text``.

    Textual's own ``escape`` (Rich's pattern) protects only a bracket that opens a lower-case
    tag, but Textual's parser takes any bracketed word for one: "[MASK]", "[CLS]" and "[SEP]"
    in the bank's BERT answers were dropped from the screen. Every "[" is escaped here; a
    backslash is never special to the parser otherwise, so nothing else needs it.
    """
    return text.replace("[", r"\[")
