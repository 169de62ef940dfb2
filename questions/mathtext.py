"""Find the math in bank text: ``$...$`` (inline) and ``$$...$$`` (display).

The one place that knows the bank's math delimiters; the terminal renderer and
every export split text with ``split_math``. A dollar sign written ``\\$`` is a
literal dollar, an unmatched ``$`` is kept as text, and so is a price such as
``$5``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Pandoc's rule for inline math: no space just inside the dollars, no digit right after the
# closing one, so "costs $5 and $10" stays prose.
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?![\s$])(.+?)(?<![\s\\$])\$(?!\d)", re.DOTALL)


@dataclass(frozen=True)
class Span:
    text: str  # for math: the LaTeX source without delimiters
    is_math: bool = False
    display: bool = False  # $$...$$


def split_math(text: str) -> list[Span]:
    """Text and math spans in order; concatenating text spans and delimited
    math gives back the input (apart from ``\\$`` escapes, which become ``$``)."""
    spans: list[Span] = []
    position = 0
    for match in _MATH.finditer(text):
        if match.start() > position:
            spans.append(Span(_unescape(text[position : match.start()])))
        display = match.group(1) is not None
        spans.append(Span((match.group(1) if display else match.group(2)).strip(), is_math=True, display=display))
        position = match.end()
    if position < len(text):
        spans.append(Span(_unescape(text[position:])))
    return spans


def _unescape(text: str) -> str:
    return text.replace("\\$", "$")
