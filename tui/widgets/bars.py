"""Text measured in terminal cells (a CJK character takes two): bars, padding, cutting to fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.markup import escape

if TYPE_CHECKING:
    from questions.model import Text

BAR_WIDTH = 12


def truncate_cells(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` terminal cells with "…" (a CJK character takes two)."""
    if cell_len(text) <= width:
        return text
    used, end = 0, 0
    for end, character in enumerate(text):  # one pass: cell widths add up character by character
        used += cell_len(character)
        if used > width - 1:
            break
    return text[:end] + "…"


def pad_cells(text: str, width: int) -> str:
    """``text`` cut or padded to exactly ``width`` terminal cells."""
    cut = truncate_cells(text, width)
    return cut + " " * (width - cell_len(cut))


def one_line_each(text: "Text", language: str, width: int, indent: int) -> str:
    """A list entry: each language on one line, cut to fit, English under Chinese (dimmed) for both."""
    from tui.widgets.mathtext import readable

    lines = [readable(text.zh)] if language == "zh" else [readable(text.en)] if language == "en" else [readable(text.zh), readable(text.en)]
    cut = [escape(truncate_cells(" ".join(line.split()), width)) for line in lines]
    if len(cut) == 2:
        return f"{cut[0]}\n{' ' * indent}[dim]{cut[1]}[/]"
    return cut[0]


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar: ``fraction`` (0..1) of ``width`` cells filled, eighths for the edge."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, partial = divmod(eighths, 8)
    edge = " ▏▎▍▌▋▊▉"[partial] if partial else ""
    return ("█" * full + edge).ljust(width, "·")


def mastery_bar(
    title: str, mastery: float | None, studied: int, total: int, *, title_width: int = 16, bar_width: int = BAR_WIDTH
) -> str:
    """One topic line: title, bar of mean retrievability, percent, studied/total."""
    name = escape(pad_cells(title, title_width))
    if mastery is None:
        return f"{name} [dim]{'·' * bar_width}   –  {studied:>2}/{total:<2}[/]"
    colour = "green" if mastery >= 0.85 else "yellow" if mastery >= 0.6 else "red"
    return f"{name} [{colour}]{bar(mastery, bar_width)}[/] {mastery * 100:3.0f}% {studied:>2}/{total:<2}"
