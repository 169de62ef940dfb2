"""What every screen of the app shares: a way back, the footer in the app's language, and
following the language setting."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual import events
from textual.binding import ActiveBinding, Binding
from textual.screen import ModalScreen, Screen

from tui.widgets.i18n import BINDING_ZH

if TYPE_CHECKING:
    from tui.context import StudyApp


class FollowsLanguage:
    """Mixin for a screen: its labels and footer follow the app's language.

    ``show_language()`` draws every label and bank text in the current language; it runs when
    the screen is mounted, when the app's language changes while the screen is on the stack
    (``TPrepApp.watch_language``), and when a screen kept off the stack is shown again after one.
    """

    app: "StudyApp"
    _shown_language: str | None = None
    _resumed_before = False  # shown once already: styled at mount no longer means styled now

    def on_mount(self) -> None:
        # (Textual calls each class's handler in turn; the screen's own one runs first.)
        self.follow_language()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles every widget of a screen each time it is shown, in case the styles
        # changed while it was away. Ours are away only under another screen on the stack, where
        # Textual restyles them itself when the theme or CSS changes, or, installed, off the stack
        # (Browse): only those need it, and only when shown again. A new screen, installed or not,
        # was styled as it was mounted, a moment ago (restyling Browse there took 10-25 ms).
        # (This handler runs before Textual's own: Screen comes later in the MRO.)
        if not self._resumed_before or not self.app.is_screen_installed(self):  # type: ignore[arg-type]
            event.refresh_styles = False
        self._resumed_before = True
        if self._shown_language != self.app.language:
            self.follow_language()

    def on_screen_suspend(self) -> None:
        # Left (popped, or kept installed off the stack): let go of what its widgets last drew.
        # Textual 8.2.8 keeps the render cache of up to 1024 removed widgets alive (an lru_cache
        # on ``StylesCache.get_inner_outer``, a method: Textualize/textual#6665), and with them
        # every line they drew: a session's pass over the screens grew the heap by ~50,000
        # objects, and each full garbage collection, which lands on some key, took 50-190 ms
        # instead of 20-50. A repaint request empties a widget's render cache (the widgets are
        # removed right after this, so nothing is drawn again). A kept screen (Browse) is
        # restyled and drawn afresh when shown again anyway (``on_screen_resume``), so its lines
        # are not worth keeping in between either (reopening Browse is no slower for it).
        if self not in self.app.screen_stack:  # type: ignore[arg-type]
            for widget in self.walk_children():  # type: ignore[attr-defined]
                widget.refresh()

    def on_resize(self) -> None:
        # The app's own resize event comes before the new size is settled; the screen's comes after.
        self.app.check_size()

    def follow_language(self) -> None:
        """Relabel everything, footer included, in the app's language."""
        self._shown_language = self.app.language
        self.refresh_bindings()  # type: ignore[attr-defined]  # the footer asks active_bindings again
        self.show_language()

    def show_language(self) -> None:
        """Redraw every label and bank text in the current language (screens override)."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys the footer shows, described in the app's language (Textual's are English)."""
        active = super().active_bindings  # type: ignore[misc]
        if self.app.ui_lang != "zh":
            return active
        return {
            key: ActiveBinding(node, replace(binding, description=BINDING_ZH.get(binding.description, binding.description)), enabled, tooltip)
            for key, (node, binding, enabled, tooltip) in active.items()
        }

    def tr(self, english: str, chinese: str) -> str:
        return self.app.tr(english, chinese)

    @property
    def language(self) -> str:
        return self.app.language


class AppScreen(FollowsLanguage, Screen):
    """A full screen of the app; escape goes back to the one below."""

    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:  # never pop the home screen off the default one
            self.app.pop_screen()


class AppModal(FollowsLanguage, ModalScreen):
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
