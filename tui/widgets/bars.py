"""Text measured in terminal cells (a CJK character takes two): bars, padding, cutting to fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len

from tui.widgets.markup import escape

if TYPE_CHECKING:
    from textual.content import Content

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


def one_line_each(text: "Text", language: str, width: int, indent: int) -> "Content":
    """A list entry: each language on one line, cut to fit, English under Chinese (dimmed) for both.

    Content, not markup: a list of the whole bank is made of these, and an ``OptionList`` parses
    every markup prompt it is given (about two thirds of the time Browse took to fill its list).
    """
    from textual.content import Content

    from tui.widgets.mathtext import readable

    lines = [readable(text.zh)] if language == "zh" else [readable(text.en)] if language == "en" else [readable(text.zh), readable(text.en)]
    cut = [truncate_cells(" ".join(line.split()), width) for line in lines]
    if len(cut) == 2:
        return Content.assemble(cut[0], "\n", " " * indent, (cut[1], "dim"))
    return Content(cut[0])


def lines_each(language: str) -> int:
    """How many lines ``one_line_each`` makes in ``language``, known before it makes them."""
    return 2 if language == "both" else 1


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar: ``fraction`` (0..1) of ``width`` cells filled, eighths for the edge."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, partial = divmod(eighths, 8)
    edge = " ▏▎▍▌▋▊▉"[partial] if partial else ""
    return ("█" * full + edge).ljust(width, "·")


SPARK_LEVELS = "▁▂▃▄▅▆▇█"


def spark(values: "list[float]") -> str:
    """Fractions (0..1) as a sparkline on an absolute scale: ▁ is 0%, █ is 100%."""
    return "".join(SPARK_LEVELS[min(len(SPARK_LEVELS) - 1, max(0, round(min(max(v, 0.0), 1.0) * (len(SPARK_LEVELS) - 1))))] for v in values)


def topic_columns(width: int, longest_title: int, planned: bool) -> tuple[int, int]:
    """(title width, bar width) for topic lines in ``width`` cells: the bar narrows below 60 cells;
    the title takes what the figures leave, no more than the longest title needs."""
    bar_width = 10 if width >= 60 else 6
    figures_width = bar_width + 5 + (6 if planned else 0) + 6  # bar, " 100%", "  100%", " 12/13"
    return max(8, min(longest_title, width - figures_width - 1)), bar_width


def topic_line(
    title: str,
    mastery: float,
    studied: int,
    total: int,
    *,
    title_width: int,
    bar_width: int = BAR_WIDTH,
    readiness: float | None = None,
    wrap: bool = False,
) -> str:
    """One topic: title, mastery bar and percent, readiness percent (with a plan), seen/total.

    A title longer than ``title_width`` is cut with "…" or, with ``wrap``, given its own line
    with the figures on the next, so the full name shows.
    """
    colour = "green" if mastery >= 0.85 else "yellow" if mastery >= 0.6 else "red" if studied else "dim"
    figures = f"[{colour}]{bar(mastery, bar_width)}[/] {mastery * 100:3.0f}%"
    if readiness is not None:
        figures += f"  {readiness * 100:3.0f}%"
    figures += f" [dim]{studied:>2}/{total:<2}[/]"
    if wrap and cell_len(title) > title_width:
        return f"{escape(title)}\n{' ' * title_width} {figures}"
    return f"{escape(pad_cells(title, title_width))} {figures}"


def topic_header(ui_lang: str, title_width: int, bar_width: int, planned: bool) -> str:
    """Column names over ``topic_line``s laid out with the same widths."""
    from tui.widgets.i18n import tr

    figures = pad_cells(tr(ui_lang, "mastery", "掌握度"), bar_width + 5)
    if planned:
        figures += "  " + pad_cells(tr(ui_lang, "ready", "备考"), 4)
    figures += " " + tr(ui_lang, "seen", "已学")
    return f"[dim]{escape(pad_cells(tr(ui_lang, 'topic', '主题'), title_width))} {escape(figures)}[/]"
