"""What every screen of the app shares: a way back, and following the language setting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen

from tui.widgets.i18n import localise_bindings

if TYPE_CHECKING:
    from tui.app import TPrepApp


class _FollowsLanguage:
    """Mixin: re-localise the footer and call ``show_language()`` whenever the language changes.

    The app tells the screens on its stack (``TPrepApp.watch_language``); any other screen
    (kept, like Browse, or built ahead) catches up when it is shown. Screens do not watch the
    app's reactive themselves: Textual keeps every watcher until the value next changes, so
    each screen ever opened would stay in memory until the language was switched.
    """

    app: "TPrepApp"

    def on_mount(self) -> None:
        self.follow_language(self.app.language)

    def on_resize(self) -> None:
        # The app's own resize event comes before the new size is settled; the screen's comes after.
        self.app.check_size()

    def on_screen_resume(self) -> None:
        if getattr(self, "_shown_language", self.app.language) != self.app.language:
            self.follow_language(self.app.language)

    def follow_language(self, language: str) -> None:
        """Relabel everything in ``language`` (the app's, passed as it changes)."""
        self._shown_language = language
        localise_bindings(self, self.app.ui_lang)  # type: ignore[arg-type]
        try:
            self.show_language()
        except NoMatches:
            # Only a screen opened by keys typed after q (the app is closing and no longer
            # composes new screens) has no widgets to label; there is nothing to show.
            if not getattr(self.app, "_exit", False):
                raise

    def show_language(self) -> None:
        """Redraw every label and bank text in the current language (screens override)."""

    def tr(self, english: str, chinese: str) -> str:
        return self.app.tr(english, chinese)

    @property
    def language(self) -> str:
        return self.app.language


class _BuiltAhead:
    """Mixin: what a screen built ahead (``TPrepApp.prepare_screens``) needs to show fast and right.

    Textual restyles a screen each time it is shown, in case the CSS or theme changed while it
    was away. For a screen built ahead or kept (Browse: ~10 ms, a fifth of a keypress's budget)
    that is wasted unless something its styles depend on did change, so it is skipped then; and
    such a screen can be restyled while the app is idle instead (``restyle_if_outdated``).
    """

    app: "TPrepApp"
    _styled_under: tuple | None = None  # what the styles were computed from (see _style_inputs)
    _seen = False

    def on_mount(self) -> None:
        # (Textual calls each class's handler in turn; this one needs no super() call.)
        self._styled_under = self._style_inputs()  # Textual styles each widget as it mounts it

    def first_shown(self) -> None:
        """Called once, when the screen is first shown: for a screen built ahead that is long
        after it was built. Screens override it (e.g. to start timing the first answer)."""

    def start_afresh(self) -> None:
        """Count the next showing as the first again (``first_shown``): a screen kept and renewed."""
        self._seen = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._seen:
            self._seen = True
            self.first_shown()
        # Runs before Textual's own handler (Screen comes later in the MRO), which restyles
        # only while ``refresh_styles`` is set.
        inputs = self._style_inputs()
        if inputs == self._styled_under:
            event.refresh_styles = False
        self._styled_under = inputs

    def restyle_if_outdated(self) -> bool:
        """Restyle now (off screen, while the app is idle) if the styles' inputs changed since
        the screen was styled, so that showing it need not; True if it was restyled."""
        inputs = self._style_inputs()
        if inputs == self._styled_under:
            return False
        self.update_node_styles(animate=False)  # type: ignore[attr-defined]
        self._styled_under = inputs
        return True

    def _style_inputs(self) -> tuple:
        """What computed styles depend on beyond the screen's own DOM: the parsed CSS (a new
        list whenever any stylesheet is re-read or the theme's variables change), the theme,
        and the app's classes and pseudo-classes (dark/light, focus)."""
        app = self.app
        return app.stylesheet.rules, app.theme, app.classes, app.pseudo_classes


class AppScreen(_FollowsLanguage, _BuiltAhead, Screen):
    """A full screen of the app; escape goes back to the one below."""

    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:  # never pop the home screen off the default one
            self.app.pop_screen()


class AppModal(_FollowsLanguage, _BuiltAhead, ModalScreen):
    """A dialog over the current screen; escape closes it."""

    # A modal screen hides the app's bindings from the keys, so the global ones are repeated here.
    BINDINGS = [
        Binding("escape", "dismiss_modal", "Back", id="back"),
        Binding("q", "app.quit", "Quit", id="modal.quit"),
        Binding("l", "app.cycle_language", "Language", id="modal.language"),
    ]

    def action_dismiss_modal(self) -> None:
        self.dismiss(None)


def undo_done(screen) -> bool:
    """Undo the session's last rating; if there is none to undo, say why and return False."""
    from questions.study.errors import UndoError

    try:
        screen.session.undo()
    except UndoError as error:
        screen.notify(str(error), severity="warning", timeout=6, markup=False)
        return False
    return True


def rating_saved(screen, save) -> bool:
    """Run ``save()`` (which commits a rating); on a store problem say so and keep the card shown.

    The rating was not written, so the card stays on screen for the user to rate
    again once the problem (a full disk, a store locked elsewhere) is fixed.
    """
    from questions.study.errors import StoreError

    try:
        save()
    except StoreError as error:
        screen.notify(
            screen.app.tr(f"Rating NOT saved: {error}", f"评分未保存：{error}"), severity="error", timeout=15, markup=False
        )
        return False
    return True
