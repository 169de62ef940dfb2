"""A yes/no question over the current screen, answered with a button, y/n, or escape (no)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.screens.base import AppModal
from tui.widgets.footer import AppFooter

Words = tuple[str, str]  # (English, Chinese)


class ConfirmScreen(AppModal, ModalScreen[bool]):
    """Dismissed with True for yes, False for no; "no" has the focus, so enter alone never says yes."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: Words, question: Words, yes: Words, no: Words) -> None:
        super().__init__()
        self.title_words, self.question, self.yes, self.no = title, question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(id="confirm-yes", variant="warning")
                yield Button(id="confirm-no", variant="primary")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def show_language(self) -> None:
        self.query_one("#confirm-box").border_title = self.tr(*self.title_words)
        self.query_one("#confirm-question", Static).update(self.tr(*self.question))
        self.query_one("#confirm-yes", Button).label = f"{self.tr(*self.yes)} (y)"
        self.query_one("#confirm-no", Button).label = f"{self.tr(*self.no)} (n)"

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_dismiss_modal(self) -> None:
        self.dismiss(False)
