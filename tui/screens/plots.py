"""A verifier result's plots (gradient norms per layer, loss curves, ...), one at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Static

from tui.screens.base import AppModal
from tui.widgets.evidence import pick

if TYPE_CHECKING:
    from verifiers.result import Result


class PlotsScreen(AppModal):
    CSS_PATH = "plots.tcss"
    BINDINGS = [
        Binding("right,n", "step(1)", "Next", key_display="→", id="plots.next"),
        Binding("left", "step(-1)", "Back", show=False),
    ]

    def __init__(self, result: "Result") -> None:
        super().__init__()
        self.result = result
        self.index = 0

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot  # about 0.2 s: only when a plot is asked for

        with Vertical(id="plots-box"):
            yield Static(id="plots-title")
            yield PlotextPlot(id="plots-plot")
        yield Footer(compact=True)

    def show_language(self) -> None:
        self._draw()

    def action_step(self, delta: int) -> None:
        self.index = (self.index + delta) % len(self.result.plots)
        self._draw()

    def _draw(self) -> None:
        from textual_plotext import PlotextPlot

        plot = self.result.plots[self.index]
        language = "en" if self.app.language == "en" else "zh"  # plotext draws one line of text per label
        self.query_one("#plots-box").border_title = f"{self.result.verifier_id}  {self.index + 1}/{len(self.result.plots)}"
        self.query_one("#plots-title", Static).update(pick(plot.title, self.app.language))
        widget = self.query_one("#plots-plot", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        for series in plot.series:
            plt.plot(list(series.x), list(series.y), label=series.name, marker="braille")
        plt.xlabel(plot.x_label.get(language))
        plt.ylabel(plot.y_label.get(language))
        if plot.x_log:
            plt.xscale("log")
        if plot.y_log:
            plt.yscale("log")
        widget.refresh()
