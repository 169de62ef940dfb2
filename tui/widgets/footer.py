"""The key footer every screen shows, relabelled in place in the same pass as the key that changed it.

Textual's ``Footer`` tears down and remounts every key whenever a screen's
bindings are refreshed, and it does so only after the next screen refresh.
The app's screens refresh their bindings after most keys (a reveal swaps
``space``/``t`` for the ratings ``1``-``4``, a language switch relabels every
key), so with the stock footer one keypress laid the screen out two or three
times and restyled a dozen new keys. This footer keeps a pool of key widgets,
sized when the screen is built to the most keys its bindings can show, and on
a bindings change relabels them at once, hiding the spare ones: the screen
then lays out once, with the content the key changed.

Binding groups (``Binding.Group``) are shown as plain keys; no screen uses them.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# What one key shows: (key, key display, description, action, enabled, tooltip).
KeySpec = tuple[str, str, str, str, bool, str]


class AppFooter(Footer):
    """A compact ``Footer`` whose keys are relabelled, enabled, disabled or hidden in place."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._shown: tuple[KeySpec, ...] | None = None  # what the visible keys were set from

    # --- what to show -------------------------------------------------------

    def _wanted(self) -> tuple[KeySpec, ...]:
        """The keys ``Footer.compose`` would show: one per action, in binding order."""
        app = self.app
        wanted: dict[str, KeySpec] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in wanted:
                wanted[binding.action] = (
                    binding.key, app.get_key_display(binding), binding.description, binding.action, enabled, tooltip
                )
        return tuple(wanted.values())

    def _capacity(self) -> int:
        """The most keys the screen's and the app's own bindings can show at once."""
        actions = set()
        for node in (self.screen, self.app):
            for cls in type(node).__mro__:
                for binding in Binding.make_bindings(getattr(cls, "BINDINGS", None) or []):
                    if binding.show:
                        actions.add(binding.action)
        return len(actions)

    def visible_keys(self) -> list[FooterKey]:
        """The keys on screen now, left to right (spare keys in the pool are hidden)."""
        return [key for key in self.query_children(FooterKey) if key.display]

    # --- building and updating ----------------------------------------------

    def compose(self):
        # Built hidden with the screen (often ahead of its key, see ``TPrepApp.prepare_screens``);
        # the first bindings change fills them in.
        self._shown = None
        for _ in range(self._capacity()):
            key = self._blank_key()
            key.display = False
            yield key

    def on_mount(self) -> None:
        # (Footer's own on_mount runs after this one and subscribes first.)
        self.call_next(self._follow_bindings_immediately)

    def _follow_bindings_immediately(self) -> None:
        # Footer's subscription queues the update behind the footer's other messages, where the
        # screen's next layout may run first; called on publishing, it always makes that layout.
        signal = self.screen.bindings_updated_signal
        signal.unsubscribe(self)
        signal.subscribe(self, self.bindings_changed, immediate=True)

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if not (self.is_attached and screen is self.screen):
            return
        if screen is screen.app.screen and screen.is_mounted:
            # At once, not after the next refresh as ``Footer`` does: the key's other changes and
            # the footer's are laid out together.
            self._show(self._wanted())
        else:
            # A screen built ahead or being left: app-wide bindings ask the current screen, which
            # may still be composing, so wait for the refresh as ``Footer`` does.
            self.call_after_refresh(self._show_when_attached)

    def _show_when_attached(self) -> None:
        if self.is_attached:
            self._show(self._wanted())

    def _show(self, wanted: tuple[KeySpec, ...]) -> None:
        if wanted == self._shown:
            return
        self._shown = wanted
        keys = list(self.query_children(FooterKey))
        if len(wanted) > len(keys):  # a focused widget's own shown bindings: grow the pool once
            extra = [self._blank_key() for _ in range(len(wanted) - len(keys))]
            self.mount_all(extra)
            keys += extra
        for widget, spec in zip(keys, wanted):
            self._set_key(widget, spec)
        for widget in keys[len(wanted):]:
            widget.display = False

    @staticmethod
    def _blank_key() -> FooterKey:
        """A key for the pool, compact from the start (binding ``compact`` then restyles nothing)."""
        return FooterKey("", "", "", "", classes="-compact").data_bind(compact=Footer.compact)

    @staticmethod
    def _set_key(widget: FooterKey, spec: KeySpec) -> None:
        key, key_display, description, action, enabled, tooltip = spec
        # A key's width follows its text only: a key merely enabled or disabled is repainted
        # without laying the screen out again.
        relabelled = (widget.key_display, widget.description) != (key_display, description)
        widget.key, widget.key_display, widget.description, widget.action = key, key_display, description, action
        widget._disabled = not enabled  # what FooterKey's click handler reads
        widget.set_class(not enabled, "-disabled")
        widget.tooltip = tooltip or None
        widget.display = True
        widget.refresh(layout=relabelled)
