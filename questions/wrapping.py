r"""Wrap bank text to a terminal width the way Chinese, English and mixed text are set.

Textual wraps only at spaces, so a Chinese paragraph (which has none) breaks
wherever a long run of characters ends, leaving ragged lines. ``wrap_text``
breaks where the Unicode line-breaking rules (UAX #14) allow it, which gives
the usual rules of Chinese typesetting and of English at once:

- Chinese breaks between any two characters, and a line is filled as long as
  the next character fits (no early wraps);
- no line starts with closing punctuation (，。、：；！？）」”…) and no line
  ends with opening punctuation (（「“…); English words are never split
  (a line breaks at a space or after a hyphen, never inside a word);
- math (``$...$`` in bank text) is rendered to Unicode (``questions.render``)
  and a short formula (at most half the width) is never broken; a longer one
  breaks only after a relation or operator outside brackets, as TeX does;
- ``\n`` ends a line; a word or formula wider than the whole width is the only
  thing ever cut, at a character boundary.

Widths are terminal cells as Textual measures them (``rich.cells.cell_len``:
East Asian wide characters take two). The break opportunities come from
``unicode-segmentation-rs`` (Weblate's binding of the Rust ``unicode-linebreak``
crate), which implements UAX #14 for Unicode 15.0; its one gap for Chinese is
filled here: Unicode 15.1 allows a break before an opening “ and after a
closing ” between Chinese characters (rule LB19a), which 15.0 forbade, so
quoted Chinese no longer wraps a character early.

The app's widgets call ``wrap_text`` (or ``fill_text``) with their content
width when they render, and again when the width changes; results are cached,
so a reveal or a resize costs a dictionary look-up after the first time.
``bench/wrapping.py`` measures it against Textual's own wrapping.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from questions.mathtext import split_math

# A formula of at most this share of the width is kept on one line whatever it contains.
SHORT_FORMULA_SHARE = 0.5
# Where a longer formula may break: after one of these, outside brackets (TeX's rule).
_FORMULA_BREAK_AFTER = set("=≠≈≡≤≥<>→←⇒⇔↦∈∝∼+−-·×,;")
_OPENING_BRACKETS, _CLOSING_BRACKETS = "([{⟨", ")]}⟩"
_NO_LINE_START = set(",.;:!?，。、：；！？")  # punctuation (besides closing brackets) a cut must not put first
_EAST_ASIAN_WIDE = ("W", "F")
_QUOTES = re.compile("[\u2018\u2019\u201c\u201d\u00ab\u00bb\u2039\u203a]")  # the Pi and Pf quotation marks


def wrap_text(
    text: str,
    width: int,
    *,
    initial_indent: str = "",
    subsequent_indent: str = "",
    render_math: bool = True,
) -> list[str]:
    """``text`` as lines of at most ``width`` cells (indents included), math rendered to Unicode.

    ``initial_indent`` starts the first line, ``subsequent_indent`` every other
    one (as in ``textwrap``: e.g. ``"• "`` and ``"  "`` for a bullet point).
    Spaces at the end of a line are dropped; an empty ``text`` gives ``[]``.
    With ``render_math=False`` the text is taken as already rendered: ``$`` is
    an ordinary character.
    """
    if width < 1:
        raise ValueError(f"width must be at least 1 cell, got {width}")
    return list(_wrap_cached(text, width, initial_indent, subsequent_indent, render_math))


def fill_text(text: str, width: int, **options: object) -> str:
    """``wrap_text``'s lines joined with newlines: a paragraph ready for a ``Static``."""
    return "\n".join(wrap_text(text, width, **options))  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def _wrap_cached(text: str, width: int, initial_indent: str, subsequent_indent: str, render_math: bool) -> tuple[str, ...]:
    from rich.cells import cell_len

    lines: list[str] = []
    for paragraph in text.split("\n"):
        indent = initial_indent if not lines else subsequent_indent
        rendered, formulas = _render(paragraph, render_math)
        for line in _wrap_paragraph(rendered, formulas, width, indent, subsequent_indent, cell_len):
            lines.append(line)
    if lines and not text.strip():
        return ()
    return tuple(lines)


def _render(paragraph: str, render_math: bool) -> tuple[str, list[tuple[int, int]]]:
    """The paragraph as shown, and where each formula sits in it (start, end)."""
    if not render_math or "$" not in paragraph:
        return paragraph, []
    from questions.render import latex_to_unicode

    pieces: list[str] = []
    formulas: list[tuple[int, int]] = []
    position = 0
    for span in split_math(paragraph):
        shown = latex_to_unicode(span.text) if span.is_math else span.text
        if span.is_math and shown:
            formulas.append((position, position + len(shown)))
        pieces.append(shown)
        position += len(shown)
    return "".join(pieces), formulas


def _wrap_paragraph(text: str, formulas: list[tuple[int, int]], width: int, first_indent: str, indent: str, cell_len) -> list[str]:
    if not text.strip():
        return [first_indent.rstrip()]
    preferred, every = _break_positions(text, formulas, width)
    room = max(1, width - max(cell_len(first_indent), cell_len(indent)))
    pieces: list[str] = []
    for start, end in _spans(preferred, len(text)):
        piece = text[start:end]
        if cell_len(piece.rstrip(" ")) <= room:
            pieces.append(piece)
            continue
        # Wider than a line by itself: a long formula, a URL. Cut at its other opportunities,
        # and what is still too wide at character boundaries.
        inner = [p for p in every if start < p < end]
        for inner_start, inner_end in _spans(inner, end, start):
            part = text[inner_start:inner_end]
            if cell_len(part.rstrip(" ")) <= room:
                pieces.append(part)
                continue
            for word in _glued(_words(part)):  # between words first (output_attentions|=|True)
                pieces.extend([word] if cell_len(word.rstrip(" ")) <= room else _glued(_graphemes(word)))
    lines: list[str] = []
    line, line_indent = "", first_indent
    used = cell_len(first_indent)  # cells taken on the current line, trailing spaces included
    for piece in pieces:
        shown = piece.rstrip(" ")
        if line and used + cell_len(shown) > width:
            lines.append(line_indent + line.rstrip(" "))
            line, line_indent = "", indent
            used = cell_len(indent)
        line += piece
        used += cell_len(shown) + len(piece) - len(shown)
    lines.append(line_indent + line.rstrip(" "))
    return lines


def _spans(positions, end: int, start: int = 0) -> list[tuple[int, int]]:
    bounds = [start, *positions, end]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _graphemes(text: str) -> list[str]:
    import unicode_segmentation_rs

    return unicode_segmentation_rs.graphemes(text, True)


def _words(text: str) -> list[str]:
    import unicode_segmentation_rs

    return unicode_segmentation_rs.split_word_bounds(text)


def _glued(units: list[str]) -> list[str]:
    """``units`` (words or characters of something that must be cut) with an opening bracket or
    quote kept with the unit after it, and closing punctuation with the one before: even a cut
    obeys the rules."""
    pieces: list[str] = []
    glue_next = False
    for unit in units:
        category = unicodedata.category(unit[0])
        if pieces and (glue_next or category in ("Pe", "Pf") or unit[0] in _NO_LINE_START or unit.isspace()):
            pieces[-1] += unit
        else:
            pieces.append(unit)
        glue_next = unicodedata.category(unit[-1]) in ("Ps", "Pi")
    return pieces


def _break_positions(text: str, formulas: list[tuple[int, int]], width: int) -> tuple[list[int], list[int]]:
    """Where a line may end (offsets into ``text``): the preferred places, and every allowed one.

    Preferred: UAX #14's opportunities outside formulas, and inside a long formula the places
    after a relation or operator outside brackets. Every: those and UAX #14's opportunities
    inside formulas too (only used to cut something wider than a whole line).
    """
    import unicode_segmentation_rs

    opportunities: set[int] = set()
    position = 0
    for unit in unicode_segmentation_rs.line_break_units(text):
        position += len(unit)
        opportunities.add(position)
    opportunities.discard(len(text))
    opportunities |= _chinese_quote_breaks(text)

    inside = set()
    formula_breaks: set[int] = set()
    last_resort: set[int] = set()  # after an operator inside brackets too, before cutting a formula anywhere
    for start, end in formulas:
        inside.update(range(start + 1, end))
        if end - start > width * SHORT_FORMULA_SHARE:
            formula_breaks |= _formula_breaks(text, start, end)
            last_resort |= _formula_breaks(text, start, end, any_depth=True)
    preferred = sorted((opportunities - inside) | formula_breaks)
    every = sorted(opportunities | formula_breaks | last_resort)
    return preferred, every


def _formula_breaks(text: str, start: int, end: int, *, any_depth: bool = False) -> set[int]:
    """After a relation or operator at bracket depth 0 (and the spaces after it), as TeX breaks
    inline math; with ``any_depth``, inside brackets too."""
    breaks = set()
    depth = 0
    for index in range(start, end):
        char = text[index]
        if char in _OPENING_BRACKETS:
            depth += 1
        elif char in _CLOSING_BRACKETS:
            depth = max(0, depth - 1)
        elif (depth == 0 or any_depth) and char in _FORMULA_BREAK_AFTER and index > start:
            after = index + 1
            while after < end and text[after] == " ":
                after += 1
            if after < end:
                breaks.add(after)
        if any_depth and index + 1 < end and _between_factors(char, text[index + 1]):
            breaks.add(index + 1)  # diag(ℓ)⁻¹|(diag(ℓ)|e^(m): between two factors of a product
    return breaks


def _between_factors(left: str, right: str) -> bool:
    """``left`` ends a factor (a closing bracket, a sub/superscript) and ``right`` starts one
    (a letter that is not itself a script, an opening bracket)."""
    ends = left in _CLOSING_BRACKETS or (not left.isascii() and unicodedata.category(left) in ("No", "Lm"))
    starts = right in _OPENING_BRACKETS or unicodedata.category(right) in ("Lu", "Ll", "Lo")
    return ends and starts


def _chinese_quote_breaks(text: str) -> set[int]:
    """Unicode 15.1's rule LB19a, missing from the 15.0 rules the library implements: between
    Chinese characters a break is allowed before an opening quote and after a closing one."""
    breaks = set()
    for match in _QUOTES.finditer(text, 1, len(text) - 1):
        index = match.start()
        char, before, after = text[index], text[index - 1], text[index + 1]
        if not (_wide(before) and _wide(after)):
            continue
        if unicodedata.category(char) == "Pi" and unicodedata.category(before) not in ("Ps", "Pi"):
            breaks.add(index)  # 说：|“引文 (never after an opening bracket: （“)
        elif unicodedata.category(char) == "Pf" and unicodedata.category(after) in ("Lo", "Ps", "Pi"):
            breaks.add(index + 1)  # 引文”|是 (never before closing punctuation: ”，)
    return breaks


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in _EAST_ASIAN_WIDE
