"""The key footer every screen shows: one widget drawing one line, repainted when the bindings change.

Textual's own ``Footer`` rebuilds a widget per key whenever the screen's bindings change, which
the app's screens do on most keys (a reveal swaps ``space``/``t`` for the ratings ``1``-``4``).
Each rebuilt key binds itself to the footer's ``compact`` setting, and Textual keeps those
bindings until ``compact`` changes, which it never does: measured with Textual 8.2.8, a review
session held on to 17 dead keys per card (0.4 MB; 17 MB over 40 cards). This footer has no
child widgets: it draws the same keys, in the same colours, straight from
``Screen.active_bindings`` each time it is painted.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


class AppFooter(Widget):
    """The keys of the screen it is on: key, then what it does; dimmed while unavailable.

    A click on a key presses it.
    """

    DEFAULT_CSS = """
    AppFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .app-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .app-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """
    COMPONENT_CLASSES = {"app-footer--key", "app-footer--description"}
    ALLOW_SELECT = False

    def __init__(self) -> None:
        super().__init__()
        # (first column, last column + 1, key, enabled) of each key as last drawn: for clicks.
        self._drawn: list[tuple[int, int, str, bool]] = []

    def on_mount(self) -> None:
        # Repainted in the same frame as whatever changed the bindings (a reveal, a language switch).
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh(), immediate=True)

    def shown_keys(self) -> list[tuple[str, str, str, bool]]:
        """(key, key as displayed, description, enabled) of each key shown, left to right: what
        Textual's Footer shows, one key per action, in binding order."""
        shown: dict[str, tuple[str, str, str, bool]] = {}
        for key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            if binding.show and binding.action not in shown:
                shown[binding.action] = (key, self.app.get_key_display(binding), binding.description, enabled)
        return list(shown.values())

    def render(self) -> Text:
        key_style = self.get_component_rich_style("app-footer--key")
        description_style = self.get_component_rich_style("app-footer--description")
        line = Text(no_wrap=True, end="")
        self._drawn = []
        for key, key_display, description, enabled in self.shown_keys():
            dim = Style(dim=not enabled)
            start = line.cell_len
            line.append(key_display, key_style + dim)
            if description:
                line.append(f" {description}", description_style + dim)
            self._drawn.append((start, line.cell_len, key, enabled))
            line.append(" ")
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key, enabled in self._drawn:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
