"""The Textual app: ``tprep`` with no subcommand.

The app owns what every screen shares (the bank, the progress store, the settings, the clock:
see ``tui.context.AppContext``) and pushes the first screen. Each screen lives in its own module
under ``tui/screens/`` with its ``.tcss`` beside it, imported when first opened, so start-up
stays fast and torch/sympy are never imported until a verifier actually runs (in a worker).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from tui import paths
from tui.context import MIN_HEIGHT, MIN_WIDTH, Clock
from tui.settings import LANGUAGES, Settings, load_settings, save_settings
from tui.widgets.i18n import UiLang, tr

if TYPE_CHECKING:
    from datetime import tzinfo

    from textual.screen import Screen

    from questions.model import Bank
    from questions.study.settings import StudySettings
    from questions.study.store import ProgressStore

# The screens home opens by name: name -> (module under tui.screens, class), imported on first use.
SCREENS_BY_NAME: dict[str, tuple[str, str]] = {
    "review": ("review", "ReviewScreen"),
    "choice": ("choice", "ChoiceScreen"),
    "mock": ("mock", "MockInterviewScreen"),
    "drills": ("drills", "DrillsScreen"),
    "browse": ("browse", "BrowseScreen"),
    "verifiers": ("verifiers", "VerifiersScreen"),
    "stats": ("stats", "StatsScreen"),
    "settings": ("settings", "SettingsScreen"),
    "export": ("export", "ExportScreen"),  # a dialog over the current screen
}

# Installed once and kept when left, instead of built anew each time: Browse keeps the search,
# filters and highlighted question where the user left them.
KEPT_SCREENS = frozenset({"browse"})


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class TPrepApp(App[int]):
    """Transformer Prep: study the bank, check the evidence."""

    TITLE = "Transformer Prep"
    # Every stylesheet of the app, read once at start-up (absolute paths, so subclasses elsewhere
    # find them). Each screen names its own too (CSS_PATH), but read only when the screen is first
    # opened, a new file made Textual parse every stylesheet again and restyle every screen on the
    # stack, on the key that opened it: a third of a first opening's time.
    CSS_PATH = [Path(__file__).parent / "app.tcss", *sorted((Path(__file__).parent / "screens").glob("*.tcss"))]
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("l", "cycle_language", "Language", id="language"),
    ]

    # "zh", "en" or "both": what bank text is shown in.
    language: reactive[str] = reactive("both", init=False)

    def __init__(
        self,
        bank: "Bank",
        *,
        settings: Settings | None = None,
        settings_path: Path | None = None,
        store_path: Path | None = None,
        results_dir: Path | None = None,
        clock: Clock = utc_now,
        settings_notice: str | None = None,
        bank_error: Exception | None = None,
        day_timezone: "tzinfo | None" = None,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self.bank = bank
        self.settings = settings or Settings()
        self.settings_path = settings_path or paths.settings_path()
        self.store_path = store_path or paths.store_path()
        self.results_dir = results_dir or paths.results_dir()
        self.clock = clock
        self.settings_notice = settings_notice
        self.bank_error = bank_error  # the user's bank could not be loaded; shown first
        self.day_timezone = day_timezone  # None: the machine's; tests fix it for stable days
        self.seed = seed  # shuffles of multiple choice and mock interviews; None: a fresh one each time
        self._store: "ProgressStore | None" = None
        self._store_lock = threading.Lock()  # the home screen's worker and the UI thread may both open it
        self.set_reactive(TPrepApp.language, self.settings.language)
        self.theme = self.settings.theme if self.settings.theme in self.available_themes else "textual-dark"

    # --- shared state (tui.context.AppContext) -------------------------------

    @property
    def ui_lang(self) -> UiLang:
        return "zh" if self.language == "zh" else "en"

    def tr(self, english: str, chinese: str) -> str:
        return tr(self.ui_lang, english, chinese)

    @property
    def store(self) -> "ProgressStore":
        """The progress store, opened on first use and closed when the app exits."""
        with self._store_lock:
            if self._store is None:
                from questions.study.store import ProgressStore

                self._store = ProgressStore.open(self.store_path)
            return self._store

    def study_settings(self) -> "StudySettings":
        """The study engine's settings from the app's saved ones (interview plan and fitted FSRS
        parameters included): ``Settings.study_settings`` is the one mapping."""
        return self.settings.study_settings(day_timezone=self.day_timezone)

    def update_settings(self, settings: Settings) -> None:
        """Apply and save new settings; a failed save is reported and the old file kept."""
        self.settings = settings
        try:
            save_settings(settings, self.settings_path)
        except OSError as error:
            self.notify(
                self.tr(f"Could not save settings to {self.settings_path}: {error}", f"无法保存设置到 {self.settings_path}：{error}"),
                severity="error",
                timeout=8,
                markup=False,
            )
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        self.language = settings.language

    # --- lifecycle ----------------------------------------------------------

    def on_mount(self) -> None:
        from tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        if self.bank_error is not None:
            from tui.screens.problems import BankProblemsScreen

            self.push_screen(BankProblemsScreen.for_error(self.bank_error))
        if self.settings_notice:
            self.notify(self.settings_notice, severity="warning", timeout=10, markup=False)
        self.check_size()

    def on_unmount(self) -> None:
        if self._store is not None:
            self._store.close()

    def check_size(self) -> None:
        from tui.screens.too_small import TooSmallScreen

        too_small = self.size.width < MIN_WIDTH or self.size.height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if too_small and not showing:
            self.push_screen(TooSmallScreen())
        elif not too_small and showing:
            self.pop_screen()

    def watch_language(self) -> None:
        # Screens do not watch the app's language themselves: Textual keeps a watcher until the
        # value next changes, so every screen ever opened would stay in memory until then. The
        # ones on the stack are told here; a kept one off the stack (Browse) catches up when shown.
        for screen in list(self.screen_stack):
            follow = getattr(screen, "follow_language", None)
            if follow is not None:
                follow()

    # --- navigation ---------------------------------------------------------

    def open_screen(self, name: str) -> None:
        """Show one of SCREENS_BY_NAME: a new one, or the one kept since it was last left."""
        if name not in KEPT_SCREENS:
            self.push_screen(self.screen_class(name)())
            return
        if not self.is_screen_installed(name):
            self.install_screen(self.screen_class(name)(), name)
        self.push_screen(name)

    @staticmethod
    def screen_class(name: str) -> "type[Screen]":
        module_name, class_name = SCREENS_BY_NAME[name]
        return getattr(importlib.import_module(f"tui.screens.{module_name}"), class_name)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_cycle_language(self) -> None:
        following = LANGUAGES[(LANGUAGES.index(self.language) + 1) % len(LANGUAGES)]
        self.update_settings(self.settings.with_changes(language=following))
        names = {"zh": "中文", "en": "English", "both": "中文 + English"}
        self.notify(names[following], timeout=2)

    def action_prove(self, question_id: str) -> None:
        """Show the evidence for a question's verifiers ('p' on any question screen)."""
        question = self.bank.get(question_id)
        if not question.verifiers:
            self.notify(self.tr("No verifier backs this question.", "这道题没有验证器。"), timeout=3)
            return
        from tui.screens.prove import ProveItScreen

        self.push_screen(ProveItScreen(question))


def load_app_bank(extra_dirs: "Sequence[Path]") -> "tuple[Bank, Exception | None]":
    """The bank to study, and the user's bank error to show first (then the built-in bank is used).

    A problem in the built-in bank is ours, not the user's: it is raised.
    """
    from questions import load_bank

    # An unchanged bank loads from the cache of validated banks without parsing YAML (about 100 ms of
    # the cold start); the cache key covers every byte and rule the result depends on.
    cache_dir = paths.cache_dir()
    try:
        return load_bank(extra_dirs, cache_dir=cache_dir), None
    except Exception as error:  # noqa: BLE001 - only the user's bank may be at fault here
        if not extra_dirs or not isinstance(getattr(error, "exit_code", None), int):
            raise
        return load_bank(cache_dir=cache_dir), error


def run_app(args: argparse.Namespace) -> int:
    """Open the app on the built-in bank (plus ``--bank`` directories) and the progress store."""
    loaded = load_settings(paths.settings_path())
    settings = loaded.settings
    if getattr(args, "lang", None):
        settings = settings.with_changes(language=args.lang)
    bank, bank_error = load_app_bank(list(getattr(args, "bank", None) or []))
    store_path = paths.store_path(getattr(args, "store", None))
    open_store_or_offer_reset(store_path)
    app = TPrepApp(
        bank,
        settings=settings,
        store_path=store_path,
        settings_notice=loaded.notice,
        bank_error=bank_error,
    )
    result = app.run()
    return result if isinstance(result, int) else 0


def open_store_or_offer_reset(store_path: Path) -> None:
    """Check the progress store opens before the app starts; offer a fresh one if it is corrupt.

    The old file is moved aside, never deleted. Anything else (a newer schema,
    no permission) is raised as the user's error with its own message.
    """
    from questions.study.errors import CorruptStoreError
    from questions.study.store import ProgressStore

    try:
        ProgressStore.open(store_path).close()
        return
    except CorruptStoreError as error:
        print(f"tprep: {error}", file=sys.stderr)
        if not sys.stdin.isatty():
            raise
        answer = input("Start a fresh progress store now (the old file is kept as a backup)? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            raise
    backup = ProgressStore.backup_and_reset(store_path)
    print(f"tprep: the old progress store was moved to {backup}; starting fresh.", file=sys.stderr)
