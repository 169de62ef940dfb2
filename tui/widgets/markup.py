"""Text shown inside Textual markup, escaped so that every character of it is shown."""

from __future__ import annotations


def escape(text: str) -> str:
    """``text`` as Textual markup that shows exactly ``text``.

    Textual's own ``escape`` (Rich's pattern) protects only a bracket that opens a lower-case
    tag, but Textual's parser takes any bracketed word for one: "[MASK]", "[CLS]" and "[SEP]"
    in the bank's BERT answers were dropped from the screen. It also shows the backslash of an
    escaped "[" that follows another "[" (a counterexample's "[[nan, 0], ...]") and leaves a cut
    "x=[0.503,-…" unescaped, which then closes nothing and fails to parse. Every "[" is escaped
    here; a backslash is never special to the parser otherwise, so nothing else needs it.
    """
    return text.replace("[", r"\[")
