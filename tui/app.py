"""The Textual app: ``tprep`` with no subcommand.

The app only owns what every screen shares (the bank, the progress store, the
settings, the clock) and pushes the first screen. Each screen lives in its own
module under ``tui/screens/`` with its ``.tcss`` beside it; the ones not needed
for the home screen are imported when first opened, so start-up stays fast and
torch/sympy are never imported until a verifier actually runs (in a worker).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import inspect
import sys
import threading
import time
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from tui import paths
from tui.settings import LANGUAGES, Settings, load_settings, save_settings
from tui.widgets.i18n import UiLang, localise_bindings, tr

if TYPE_CHECKING:
    from datetime import tzinfo

    from questions.model import Bank
    from questions.study.settings import StudySettings
    from questions.study.store import ProgressStore
    from textual.screen import Screen
    from textual.timer import Timer

# The smallest terminal the layouts are designed and tested for.
MIN_WIDTH, MIN_HEIGHT = 80, 24

# Screen name -> (module under tui.screens, class). Imported on first use.
SCREENS_BY_NAME: dict[str, tuple[str, str]] = {
    "review": ("review", "ReviewScreen"),
    "choice": ("choice", "ChoiceScreen"),
    "mock": ("mock", "MockInterviewScreen"),
    "browse": ("browse", "BrowseScreen"),
    "verifiers": ("verifiers", "VerifiersScreen"),
    "stats": ("stats", "StatsScreen"),
    "settings": ("settings", "SettingsScreen"),
    "export": ("export", "ExportScreen"),  # a dialog over the current screen
    "cram": ("session_filter", "SessionFilterScreen"),  # a dialog: what to cram
}

# Dialogs other screens open themselves (help on any screen, prove it, plots):
# imported, and their stylesheets read, ahead like the screens above.
DIALOGS: tuple[tuple[str, str], ...] = (
    ("help", "HelpScreen"),
    ("prove", "ProveItScreen"),
    ("plots", "PlotsScreen"),
)

# Imported by the start-up worker (with the screens above) so that no key waits for them. The
# whole study engine comes first: every screen imports its submodules lazily, and importing one
# of them on the UI thread while the worker runs the package's ``__init__`` breaks both imports
# (CPython's import deadlock detection fails one; the other then finds ``questions.study``
# missing: ``KeyError: 'questions.study'``).
STUDY_ENGINE = "questions.study"
PRELOADED_MODULES: tuple[str, ...] = (STUDY_ENGINE, "questions.topics", "questions.search", "tui.widgets.summary")

# Screens built once and kept when left, so opening them again only shows them: Browse mounts
# four dropdowns and a line per question, far more than a keypress may cost, and keeps the
# search, filters and highlighted question where the user left them.
KEPT_SCREENS = frozenset({"browse"})

# Screens home opens by a key with nothing to ask first, built, laid out and drawn off screen
# while home waits, likeliest first, so that the key only shows one: composing, laying out and
# drawing one costs 40-100 ms the first time, more than a keypress may. Each names what it shows
# that can change while home waits (see ``_built_from``; never the language: a screen relabels
# itself when shown); it is used as it is while those are unchanged and for PREPARED_FRESH_S
# (cards come due with time). Otherwise a screen with ``renew()`` (review, choice, cram's
# filter, stats) is brought up to date in place, and kept when left to be renewed for the next time; any other
# is built anew.
PREPARED_SCREENS: dict[str, tuple[str, ...]] = {
    "review": ("progress", "settings"),  # the queue; the retention and new-card limit set it
    "choice": ("progress", "settings"),
    "cram": (),  # its filter: the bank's topics
    "mock": (),  # the bank's questions; an interview rates only once it is open
    "stats": ("progress", "settings"),
    "verifiers": ("results",),  # each verifier's last result
    "settings": ("settings",),
    "export": (),  # a dialog over home; it reads the results when it writes
}
PREPARED_FRESH_S = 300.0
STEP_PAUSE_S = 0.001  # between two steps of that work: a pass of the event loop, for keys waiting
# Garbage (see _collect_garbage): a full collection waits for this many screens built or
# renewed ahead since the last one (each leaves garbage behind: what it replaced, ~0.4 MB a
# return home), and then until no key has come for this long.
# Never under ~1.5 s: a screen just left stays reachable for up to a second (asyncio keeps the
# cancelled sleeps of its one-second timers, with their context, until they fall due), and
# what a full collection finds alive is frozen until the next one.
SCREENS_BEFORE_FULL_COLLECTION = 2 * len(PREPARED_SCREENS)
IDLE_BEFORE_FULL_COLLECTION_S = 3.0
SHORT_IDLE_BEFORE_FULL_COLLECTION_S = 1.5  # once twice as many are waiting

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class TPrepApp(App[int]):
    """Transformer Prep: study the bank, check the evidence."""

    TITLE = "Transformer Prep"
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute, so subclasses elsewhere find it
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("l", "cycle_language", "Language", id="language"),
    ]

    # "zh", "en" or "both": what bank text is shown in. Screens watch it.
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
        # Held for every import the app does lazily (see ``import_lazily``): the start-up worker and
        # the UI thread never import the same package at once.
        self._import_lock = threading.RLock()
        # name -> (built at, what it was built from, screen): see prepare_screens
        self._prepared: "dict[str, tuple[float, dict[str, object], Screen]]" = {}
        self._frozen_once = False  # see preload_screens
        # See _collect_garbage.
        self._made_since_full_collection = 0
        self._full_collection_timer: "Timer | None" = None
        self._last_key_at = time.monotonic()
        self.set_reactive(TPrepApp.language, self.settings.language)
        self.theme = self.settings.theme if self.settings.theme in self.available_themes else "textual-dark"

    # --- shared state -------------------------------------------------------

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
        """The study engine's settings from the app's saved ones."""
        from questions.study.settings import StudySettings

        zone = {} if self.day_timezone is None else {"day_timezone": self.day_timezone}
        return StudySettings(
            desired_retention=self.settings.desired_retention,
            daily_new_limit=self.settings.daily_new_cards,
            **zone,
        )

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

        localise_bindings(self, self.ui_lang)
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

    def watch_language(self, language: str) -> None:
        localise_bindings(self, self.ui_lang)
        for screen in list(self.screen_stack):  # those off the stack catch up when shown
            follow = getattr(screen, "follow_language", None)
            if follow is not None:
                follow(language)

    # --- navigation ---------------------------------------------------------

    def open_screen(self, name: str, *args, **kwargs) -> None:
        """Push one of the app's screens by name, importing its module on first use."""
        if name in KEPT_SCREENS and not args and not kwargs:
            if not self.is_screen_installed(name):
                self.install_screen(self.make_screen(name), name)
            self.push_screen(name)
            return
        if args or kwargs:
            self.push_screen(self.make_screen(name, *args, **kwargs))
        else:
            self.push_screen(self.ready_screen(name))

    def ready_screen(self, name: str) -> "Screen":
        """The screen for ``name``: the one built ahead if there is one (renewed if need be), else a new one."""
        prepared = self._take_prepared(name) if name in PREPARED_SCREENS else None
        return prepared if prepared is not None else self.make_screen(name)

    def import_lazily(self, module_name: str):
        """Import a module the app loads on first use; the one way the app does so off start-up.

        Two threads importing one package at once can break the import (see
        ``PRELOADED_MODULES``), so imports run one at a time: a key pressed while the start-up
        worker is still importing waits for it (tens of milliseconds) instead of racing it.
        """
        with self._import_lock:
            importlib.import_module(STUDY_ENGINE)  # whole, before anything that uses a part of it
            return importlib.import_module(module_name)

    def preload_screens(self) -> None:
        """Import every screen module and what they use (from a worker thread, after the first paint)."""
        with self._import_lock:
            for module_name in PRELOADED_MODULES:
                importlib.import_module(module_name)
            for module_name, _class_name in (*SCREENS_BY_NAME.values(), *DIALOGS):
                importlib.import_module(f"tui.screens.{module_name}")
        # Everything alive the first time (modules, the bank, the home screen) lives as long as
        # the app. Moved out of the collector's sight, a full collection triggered mid-keypress
        # no longer walks it all (tens of milliseconds each time). Only then: frozen later, the
        # screens left or rebuilt since would never be freed.
        if not self._frozen_once:
            self._frozen_once = True
            gc.freeze()

    def prepare_screens(self, home: "Screen") -> None:
        """Do the work of opening screens ahead, on the UI thread once home is drawn and idle.

        Every screen's stylesheet is parsed at once (Textual re-parses all CSS each time a new
        file is added: ~30 ms on the key that first opens each screen otherwise); the kept
        screens (Browse: four dropdowns and a line per question, ~150 ms) are built and drawn
        off screen; and each of PREPARED_SCREENS is built against the progress home has just
        shown, so its key only switches to it. Home calls this each time it is shown again: a
        prepared screen still current is kept, an outdated one rebuilt.
        """
        self._read_screen_stylesheets()
        for name in sorted(KEPT_SCREENS):
            if not self.is_screen_installed(name):
                kept = self.make_screen(name)
                self._mount_off_screen(kept, name)
                # Once composed (its queue runs compose and mount first), lay it out too.
                kept.call_later(self._lay_out_off_screen, kept)
            else:
                self.get_screen(name).catch_up()  # e.g. a search redraw left pending on leaving it
        if self.screen is not home:  # home was left meanwhile: nothing to prepare for
            return
        built_from = self._built_from()
        renewals, builds = [], []
        for name in PREPARED_SCREENS:
            entry = self._prepared.get(name)
            if entry is not None and self._still_current(name, entry[0], entry[1], built_from):
                continue
            screen = self._built_screen(name)
            self._prepared.pop(name, None)
            if screen is not None and _renewable(screen):  # redrawn with what changed: cheaper than anew
                renewals.append(partial(self._renew_ahead, name, screen, built_from))
            else:
                if screen is not None:
                    self._discard(screen)
                builds.append(partial(self._build_ahead, name, built_from))
        steps = renewals + builds  # the quick renewals first
        if steps:
            steps += [partial(self._restyle_ahead, name) for name in (*sorted(KEPT_SCREENS), *PREPARED_SCREENS)]
            steps.append(self._collect_garbage)
        self._prepare_in_steps(home, steps)

    def _prepare_in_steps(self, home: "Screen", steps: "list[Callable[[Callable[[], None]], None]]") -> None:
        """Run ``steps`` one at a time, so that a key pressed meanwhile waits for one step at
        most (each is 10-50 ms), and one that leaves home stops the rest. (What changes while
        they run is caught when a key takes the screen: see ``_take_prepared``.)

        Each next step starts from a timer, not from the app's message queue: queued there, the
        steps would run back to back (~160 ms after start-up) without the event loop ever
        taking in the keys that arrived meanwhile.
        """
        if not steps or self.screen is not home:
            return
        step, rest = steps[0], steps[1:]
        step(lambda: self.set_timer(STEP_PAUSE_S, partial(self._prepare_in_steps, home, rest)))

    def _build_ahead(self, name: str, built_from: dict[str, object], then: Callable[[], None]) -> None:
        screen = self.make_screen(name)
        # A screen that can be renewed is installed: kept when it is left, and renewed for the
        # next time, instead of being freed and built anew (the garbage, and the 30-50 ms of
        # composing a key pressed on coming back home would wait behind).
        self._mount_off_screen(screen, name if _renewable(screen) else None)
        self._prepared[name] = (time.monotonic(), built_from, screen)
        self._made_since_full_collection += 1
        self._lay_out_when_ready(screen, then)

    def _renew_ahead(
        self, name: str, screen: "Screen", built_from: dict[str, object], then: Callable[[], None]
    ) -> None:
        """Bring a screen built ahead, or kept since last left, up to date (``renew()``: e.g. a
        review session read anew after ratings) and lay it out again: a fraction of building
        it anew (~10 ms against 30-50 ms of composing and mounting, which keys arriving
        meanwhile wait behind)."""
        self._renew(screen)
        self._prepared[name] = (time.monotonic(), built_from, screen)
        self._made_since_full_collection += 1
        self._lay_out_when_ready(screen, then)

    @staticmethod
    def _renew(screen: "Screen") -> None:
        """Bring ``screen`` up to date in place; its next showing counts as its first."""
        screen.renew()  # type: ignore[attr-defined]
        screen.start_afresh()  # type: ignore[attr-defined]

    def _lay_out_when_ready(self, screen: "Screen", then: Callable[[], None]) -> None:
        """Lay ``screen`` out off screen once its queue has run what is in it (compose and mount,
        or a redraw's messages), then go on with ``then``."""

        def laid_out() -> None:
            self._lay_out_off_screen(screen)
            then()

        screen.call_later(laid_out)

    def _restyle_ahead(self, name: str, then: Callable[[], None]) -> None:
        """Restyle, and lay out again, a screen built ahead whose styles predate CSS read since:
        each new kind of screen built adds its widgets' CSS, and Textual re-parses it all.
        Otherwise the key that shows it would restyle it (~10 ms for Browse)."""
        screen = self._built_screen(name)
        if screen is not None and screen.is_attached and screen.restyle_if_outdated():
            self._lay_out_off_screen(screen)
        then()

    def _collect_garbage(self, then: Callable[[], None]) -> None:
        """Collect the garbage of building screens now, while idle, and freeze what is left.

        Building screens leaves tens of thousands of objects. Left in the collector's sight,
        a full collection at some later allocation walks them all, in the middle of a keypress
        (~30 ms once, checking a multiple-choice answer). So the young generations are
        collected now (a few ms) and the survivors frozen: later collections walk only what is
        newer (this step takes under a millisecond). Screens left or rebuilt after being frozen
        are not freed by that, so after every few rebuilds a full collection follows
        (``_collect_all_when_idle``).
        """
        self._forget_removed_watchers()
        gc.collect(1)
        gc.freeze()
        if self._made_since_full_collection >= 4 * SCREENS_BEFORE_FULL_COLLECTION:
            # No pause long enough for a long while (keys every second or so): collected now all
            # the same, between two of home's steps, so that memory stays bounded (~60 ms).
            self._collect_all()
        elif self._made_since_full_collection >= SCREENS_BEFORE_FULL_COLLECTION:
            self._collect_all_when_idle()
        then()

    def _collect_all_when_idle(self) -> None:
        """Collect the whole heap (50-80 ms: it cannot be split) once no key has come for a while:
        IDLE_BEFORE_FULL_COLLECTION_S, or a shorter pause once twice as much garbage has piled up."""
        if self._full_collection_timer is not None:
            self._full_collection_timer.stop()

        def idle_needed() -> float:
            overdue = self._made_since_full_collection >= 2 * SCREENS_BEFORE_FULL_COLLECTION
            return SHORT_IDLE_BEFORE_FULL_COLLECTION_S if overdue else IDLE_BEFORE_FULL_COLLECTION_S

        def collect() -> None:
            self._full_collection_timer = None
            if time.monotonic() - self._last_key_at < idle_needed():
                self._collect_all_when_idle()  # a key came meanwhile: wait again
            else:
                self._collect_all()

        waited = time.monotonic() - self._last_key_at
        self._full_collection_timer = self.set_timer(max(STEP_PAUSE_S, idle_needed() - waited), collect)

    def _collect_all(self) -> None:
        if self._full_collection_timer is not None:  # one was waiting for a pause: done now
            self._full_collection_timer.stop()
            self._full_collection_timer = None
        gc.unfreeze()  # so that what was frozen and has become garbage since is freed too
        gc.collect()
        gc.freeze()
        self._made_since_full_collection = 0

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._last_key_at = time.monotonic()  # see _collect_all_when_idle
        await super().on_event(event)

    def _forget_removed_watchers(self) -> None:
        """Drop the app's watchers that belong to removed widgets, so that those can be freed.

        Textual keeps each ``watch()`` callback until the watched value next changes, and each
        screen's ``Header`` watches the app's title and sub-title, which never change here:
        every header ever built stayed in memory with its caches (about 1.5 MB a return to home
        once screens are built ahead). Textual has no public way to stop watching; its own
        pruning on a change does just this, on its own registry (private, hence guarded).
        """
        for watchers in getattr(self, "__watchers", {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if not getattr(node, "_closing", False)]

    def prepared(self, name: str) -> "Screen | None":
        """The screen built ahead for ``name``, if there is one (current or not)."""
        entry = self._prepared.get(name)
        return None if entry is None else entry[2]

    def _take_prepared(self, name: str) -> "Screen | None":
        """The screen built ahead for ``name``, brought up to date if it can be (``renew()``: a
        fraction of building one anew) and it is not current; no longer kept either way."""
        screen = self._built_screen(name)
        entry = self._prepared.pop(name, None)
        if screen is None:
            return None
        if entry is not None and self._still_current(name, entry[0], entry[1], self._built_from()):
            return screen
        if _renewable(screen):
            self._renew(screen)
            return screen
        self._discard(screen)
        return None

    def _built_screen(self, name: str) -> "Screen | None":
        """The screen built ahead for ``name``: waiting to be shown, or (one that can be
        renewed) kept since it was last left."""
        entry = self._prepared.get(name)
        if entry is not None:
            return entry[2]
        return self.get_screen(name) if self.is_screen_installed(name) else None

    @staticmethod
    def _discard(screen: "Screen") -> None:
        # Through the screen's own queue: built a moment ago, it may not be mounted yet, and
        # removing it first would leave its mount handler without widgets.
        screen.call_next(screen.remove)

    def _built_from(self) -> dict[str, object]:
        """What screens built ahead show that can change while home waits (PREPARED_SCREENS)."""
        from verifiers.cache import ResultsCache

        return {
            "progress": self._progress_mark(),  # every rating and undo, anywhere (choice, mock, cram too)
            "results": ResultsCache(self.results_dir).stamp(),
            "settings": self.settings.with_changes(language="both"),  # all but the language
        }

    @staticmethod
    def _still_current(name: str, built_at: float, built_from: dict[str, object], now_from: dict[str, object]) -> bool:
        return time.monotonic() - built_at <= PREPARED_FRESH_S and all(
            built_from[part] == now_from[part] for part in PREPARED_SCREENS[name]
        )

    def _progress_mark(self) -> tuple[int, int | None]:
        """Changes with every rating and undo, anywhere (two small queries)."""
        last = self.store.last_review()
        return self.store.review_count(), None if last is None else last.id

    def _read_screen_stylesheets(self) -> None:
        paths = [
            path
            for module_name, class_name in (*SCREENS_BY_NAME.values(), *DIALOGS)
            for path in _css_paths(getattr(self.import_lazily(f"tui.screens.{module_name}"), class_name))
        ]
        unread = [path for path in paths if not self.stylesheet.has_source(str(path), "")]
        for path in unread:
            self.stylesheet.read(path)
        if unread:  # one parse for them all, as ``push_screen`` would do per screen
            self.stylesheet.reparse()
            self.stylesheet.update(self)

    def _mount_off_screen(self, screen: "Screen", name: str | None = None) -> None:
        if name is not None:
            self.install_screen(screen, name)
        # What ``push_screen`` does first, without showing the screen: read its stylesheet, then
        # compose and mount it (Textual's own steps; it has no public "mount off screen").
        self._load_screen_css(screen)
        self._register(self, screen)

    def _lay_out_off_screen(self, screen: "Screen") -> None:
        """Lay a screen built ahead out at the terminal's size, and render it, as showing it would.

        Textual lays a screen out the first time it is shown, on the key that shows it; for
        Browse that measures every result line (~50 ms). Laid out now, the key only paints it,
        unless the terminal was resized meanwhile (then showing it lays it out again). Rendered
        now too, each widget keeps its lines, so that paint reuses most of them (~6 ms of 13).
        """
        if screen.is_attached and screen is not self.screen:
            screen._refresh_layout(self.size)  # Textual's own step on showing a screen (private)
            screen._compositor.render_strips()  # the lines are kept; the strips are not needed

    def make_screen(self, name: str, *args, **kwargs) -> "Screen":
        module_name, class_name = SCREENS_BY_NAME[name]
        return getattr(self.import_lazily(f"tui.screens.{module_name}"), class_name)(*args, **kwargs)

    def action_help(self) -> None:
        HelpScreen = self.import_lazily("tui.screens.help").HelpScreen

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
        self.push_screen(self.import_lazily("tui.screens.prove").ProveItScreen(question))


def _renewable(screen: "Screen") -> bool:
    """Whether a screen built ahead can be brought up to date in place (it has ``renew()``)."""
    return callable(getattr(screen, "renew", None))


def _css_paths(screen_class: type) -> list[Path]:
    """A screen class's stylesheet files, resolved as Textual resolves them for an instance."""
    css_path = screen_class.CSS_PATH
    if not css_path:
        return []
    base = Path(inspect.getfile(screen_class)).parent
    return [(base / path).resolve() for path in ([css_path] if isinstance(css_path, (str, Path)) else css_path)]


def load_app_bank(extra_dirs: "Sequence[Path]") -> "tuple[Bank, Exception | None]":
    """The bank to study, and the user's bank error to show first (then the built-in bank is used).

    A problem in the built-in bank is ours, not the user's: it is raised.
    """
    from questions import load_bank

    try:
        return load_bank(extra_dirs), None
    except Exception as error:  # noqa: BLE001 - only the user's bank may be at fault here
        if not extra_dirs or not isinstance(getattr(error, "exit_code", None), int):
            raise
        return load_bank(), error


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
