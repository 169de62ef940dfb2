"""Shown instead of everything else while the terminal is smaller than the layouts need."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

from tui.context import MIN_HEIGHT, MIN_WIDTH


class TooSmallScreen(Screen):
    """Says what size is needed; the app removes it as soon as the terminal is big enough."""

    BINDINGS = [Binding("q", "app.quit", "Quit")]
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen Static { width: auto; max-width: 100%; text-align: center; }
    """

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Static(id="too-small-message")

    def on_mount(self) -> None:
        self._update()

    def on_resize(self) -> None:
        self._update()
        self.app.check_size()  # big enough again: this screen goes away

    def _update(self) -> None:
        width, height = self.app.size
        self.query_one("#too-small-message", Static).update(
            f"Terminal too small: {width}×{height}\n"
            f"终端太小：需要至少 {MIN_WIDTH}×{MIN_HEIGHT}\n"
            f"Enlarge the window to at least {MIN_WIDTH}×{MIN_HEIGHT} (q quits)."
        )
