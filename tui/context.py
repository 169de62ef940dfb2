"""What every screen shares, reached through ``self.app``; ``tui.app.TPrepApp`` provides it.

Screens and widgets import this module, never ``tui.app``: the app imports the screens, so
the other way round would be an import circle.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol, runtime_checkable

if TYPE_CHECKING:
    from datetime import tzinfo

    from textual.app import App

    from questions.model import Bank
    from questions.study.settings import StudySettings
    from questions.study.store import ProgressStore
    from tui.settings import Settings
    from tui.widgets.i18n import UiLang

# The smallest terminal the layouts are designed and tested for.
MIN_WIDTH, MIN_HEIGHT = 80, 24

Clock = Callable[[], datetime]


@runtime_checkable
class AppContext(Protocol):
    """The app's shared state and the few things any screen may ask of it."""

    bank: "Bank"
    settings: "Settings"  # saved with ``update_settings``
    results_dir: Path  # the verifiers' cached results
    clock: Clock  # now, timezone-aware UTC; tests fix it
    day_timezone: "tzinfo | None"  # where a study day starts and ends; None: the machine's
    seed: int | None  # shuffles of multiple choice and mock interviews; None: a fresh one each time
    language: str  # "zh", "en" or "both": what bank text is shown in (a reactive on the app)

    @property
    def store(self) -> "ProgressStore":
        """The progress store, opened on first use."""

    @property
    def ui_lang(self) -> "UiLang":
        """The language of labels and messages: "zh", or "en" for English and both."""

    def tr(self, english: str, chinese: str) -> str:
        """``english`` or ``chinese``, by ``ui_lang``."""

    def study_settings(self) -> "StudySettings":
        """The study engine's settings from the app's saved ones."""

    def update_settings(self, settings: "Settings") -> None:
        """Apply and save new settings (a failed save is reported, the old file kept)."""

    def open_screen(self, name: str) -> None:
        """Show one of the app's screens by name ("review", "browse", ...)."""

    def action_prove(self, question_id: str) -> None:
        """Show the evidence for a question's verifiers."""

    def check_size(self) -> None:
        """Show or remove the too-small notice after a resize."""


if TYPE_CHECKING:

    class StudyApp(App[int], AppContext):
        """What ``self.app`` is on a screen, for type checkers: a Textual app with the shared state."""
