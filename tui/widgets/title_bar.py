"""The title line over every screen: one widget drawing what Textual's ``Header`` draws.

Textual's ``Header`` is four widgets (the bar, an icon, the title and the clock's space) and
watches the app's ``title`` and ``sub_title``; Textual drops the watchers of a removed widget only
when the watched value changes, which these never do here, so every Header ever built stayed in
memory unless each screen called those watchers on unmount. Measured with Textual 8.2.8: a
mounted Header holds 829 gc-tracked objects and a one-line widget ~235, and opening a screen with
a Header took 6-8 ms longer (``push_screen`` of a screen with eight Statics, median of 30: 64.9
vs 56.5 ms). The app's title never changes and no screen sets a sub-title, so this bar draws the
title once and watches nothing. It keeps the Header's look: the icon in the first 8 columns, the
title centred between them and the clock's 10 columns on the right.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.widget import Widget

ICON = "⭘"
ICON_COLUMNS = 8  # Header's icon: 8 columns, padded by one on each side
CLOCK_COLUMNS = 10  # Header's space for a clock, kept so the title sits where it always did


class TitleBar(Widget):
    """The app's title, docked at the top of a screen."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def render(self) -> str:
        width = self.size.width
        middle = max(0, width - ICON_COLUMNS - CLOCK_COLUMNS)
        title = self.app.title
        if cell_len(title) > middle:  # Header ends a title too long for its space with an ellipsis
            title = set_cell_size(title, max(0, middle - 1)) + "…" if middle else ""
        left = (middle - cell_len(title)) // 2
        line = f" {ICON}".ljust(ICON_COLUMNS) + " " * left + title
        return set_cell_size(line, width)
