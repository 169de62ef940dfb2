"""Text bars that line up in a terminal, Chinese titles included."""

from __future__ import annotations

from rich.cells import cell_len
from textual.markup import escape

BAR_WIDTH = 12


def pad_cells(text: str, width: int) -> str:
    """``text`` cut or padded to ``width`` terminal cells (a CJK character takes two)."""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    cut = ""
    for character in text:
        if cell_len(cut + character) > width - 1:
            break
        cut += character
    return cut + "…" + " " * (width - 1 - cell_len(cut))


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
