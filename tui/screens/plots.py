"""A verifier result's figures, one at a time: its line plots (gradient norms per
layer, loss curves, ...) drawn by plotext, then its heatmaps (attention weights
with and without a mask) drawn as shaded cells with their values."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from tui.screens.base import AppModal
from tui.widgets.evidence import pick
from tui.widgets.footer import AppFooter

if TYPE_CHECKING:
    from verifiers.result import Heatmap, Plot, Result


class PlotsScreen(AppModal):
    CSS_PATH = "plots.tcss"
    BINDINGS = [
        Binding("right,n", "step(1)", "Next", key_display="→", id="plots.next"),
        Binding("left", "step(-1)", "Back", show=False),
    ]

    def __init__(self, result: "Result") -> None:
        super().__init__()
        self.result = result
        self.figures: tuple["Plot | Heatmap", ...] = (*result.plots, *result.heatmaps)
        self.index = 0

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot  # about 0.2 s: only when a plot is asked for

        with Vertical(id="plots-box"):
            yield Static(id="plots-title")
            yield PlotextPlot(id="plots-plot")
            yield HeatmapView(id="plots-heatmap")
        yield AppFooter()

    def show_language(self) -> None:
        self._draw()

    def action_step(self, delta: int) -> None:
        self.index = (self.index + delta) % len(self.figures)
        self._draw()

    def _draw(self) -> None:
        from textual_plotext import PlotextPlot

        from verifiers.result import Heatmap

        figure = self.figures[self.index]
        language = "en" if self.app.language == "en" else "zh"  # plotext draws one line of text per label
        self.query_one("#plots-box").border_title = f"{self.result.verifier_id}  {self.index + 1}/{len(self.figures)}"
        self.query_one("#plots-title", Static).update(pick(figure.title, self.app.language))
        widget = self.query_one("#plots-plot", PlotextPlot)
        heatmap_view = self.query_one("#plots-heatmap", HeatmapView)
        widget.display = not isinstance(figure, Heatmap)
        heatmap_view.display = isinstance(figure, Heatmap)
        if isinstance(figure, Heatmap):
            heatmap_view.show(figure, language)
            return
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        for series in figure.series:
            plt.plot(list(series.x), list(series.y), label=series.name, marker="braille")
        plt.xlabel(figure.x_label.get(language))
        plt.ylabel(figure.y_label.get(language))
        if figure.x_log:
            plt.xscale("log")
        if figure.y_log:
            plt.yscale("log")
        widget.refresh()


class HeatmapView(Widget):
    """A heatmap as coloured cells sized to the widget, each holding its value when there is room."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.heatmap: "Heatmap | None" = None
        self.language = "en"

    def show(self, heatmap: "Heatmap", language: str) -> None:
        self.heatmap, self.language = heatmap, language
        self.refresh()

    def render(self) -> Text:
        if self.heatmap is None:
            return Text()
        return heatmap_text(self.heatmap, self.language, self.size.width or 74, self.size.height or 16)


_GUTTER_MAX = 6  # row labels longer than this are cut: the cells need the width
_NUMBER_CELL = 5  # a cell this wide holds "0.25" with a space to spare
_CELL_MAX = 8
_CELL_LINES_MAX = 3
_BAR_STEPS = 20


def heatmap_text(heatmap: "Heatmap", language: str, width: int, height: int) -> Text:
    """The heatmap drawn into ``width`` x ``height`` terminal cells.

    Lines: what the rows and columns are, the column labels, one line per row
    (two rows per line, as upper/lower half blocks, when rows outnumber the
    lines), then the colour scale. Cells show their value when at least
    ``_NUMBER_CELL`` columns wide; an exact zero (a masked weight) shows as "0".
    """
    from questions.export.evidence import NOT_A_NUMBER_COLOUR, heatmap_colour

    low, high = heatmap.scale()
    n_rows, n_cols = len(heatmap.values), len(heatmap.column_labels)
    gutter = min(_GUTTER_MAX, max(cell_len(label) for label in heatmap.row_labels)) + 1
    cell_w = max(1, min(_CELL_MAX, (width - gutter) // n_cols))
    numbers = cell_w >= _NUMBER_CELL
    row_lines = max(1, height - 3)  # the axes line, the column labels and the colour scale take three
    halves = n_rows > row_lines
    shown_rows = min(n_rows, 2 * row_lines if halves else row_lines)
    # Terminal cells are about twice as tall as wide: with room to spare, give each row up to
    # three lines so the cells come out closer to square (the value sits on the middle line).
    cell_h = 1 if halves else max(1, min(_CELL_LINES_MAX, row_lines // n_rows))

    def colour(value: float) -> str:
        return NOT_A_NUMBER_COLOUR if not math.isfinite(value) else heatmap_colour((value - low) / (high - low))

    text = Text(no_wrap=True, overflow="crop")
    text.append(
        f"{heatmap.y_label.get(language)} ↓   {heatmap.x_label.get(language)} →"
        + ("" if shown_rows == n_rows else f"   ({shown_rows}/{n_rows})")
        + "\n",
        style="dim",
    )
    text.append(" " * gutter)
    label_every = max(1, math.ceil((max(cell_len(label) for label in heatmap.column_labels) + 1) / cell_w))
    for j in range(0, n_cols, label_every):
        span = cell_w * min(label_every, n_cols - j)  # the last label may have fewer cells under it
        text.append(_fit(heatmap.column_labels[j], span).center(span), style="bold")
    text.append("\n")
    step = 2 if halves else 1
    for i in range(0, shown_rows, step):
        for line in range(cell_h):
            middle = line == cell_h // 2
            label = _fit(heatmap.row_labels[i], gutter - 1) if middle else ""
            text.append(label.rjust(gutter - 1) + " ", style="bold")
            for j, value in enumerate(heatmap.values[i]):
                if halves:
                    below = heatmap.values[i + 1][j] if i + 1 < shown_rows else math.nan
                    text.append("▀" * cell_w, style=Style(color=colour(value), bgcolor=colour(below) if i + 1 < shown_rows else None))
                else:
                    shown = _cell_label(value, cell_w) if numbers and middle else " " * cell_w
                    text.append(shown, style=_cell_style(colour(value), value, low, high))
            text.append("\n")
    text.append(" " * gutter + f"{low:.3g} ", style="dim")
    for k in range(_BAR_STEPS):
        text.append(" ", style=Style(bgcolor=heatmap_colour((k + 0.5) / _BAR_STEPS)))
    text.append(f" {high:.3g}", style="dim")
    return text


def _cell_label(value: float, width: int) -> str:
    if not math.isfinite(value):
        shown = "NaN" if math.isnan(value) else ("∞" if value > 0 else "-∞")
    else:
        shown = "0" if value == 0 else f"{value:.2f}"
    return _fit(shown, width - 1).center(width)


def _cell_style(background: str, value: float, low: float, high: float) -> Style:
    dark = math.isfinite(value) and (value - low) / (high - low) > 0.55
    return Style(color="#ffffff" if dark else "#222222", bgcolor=background)


def _fit(label: str, width: int) -> str:
    """``label`` cut to ``width`` terminal cells (a CJK character takes two)."""
    out = ""
    for char in label:
        if cell_len(out + char) > width:
            break
        out += char
    return out
