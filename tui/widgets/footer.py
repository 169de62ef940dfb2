"""The key footer every screen shows, rebuilt only when what it shows has changed.

Textual's ``Footer`` tears down and remounts every key whenever a screen's
bindings are refreshed, which the app's screens do after most keys (a reveal
enables the ratings, a language switch relabels them). Remounting a dozen keys
costs tens of milliseconds a keypress, mostly styling each new key twice. This
footer compares what it would show with what it shows and skips identical
rebuilds, and styles new keys as compact from the start.
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class AppFooter(Footer):
    """A compact ``Footer`` that only rebuilds when its keys, labels or enabled states change."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._shown: tuple | None = None  # what the keys on screen were built from
        self._bindings_shown = False  # the first build is Footer's own

    def _wanted(self) -> tuple:
        """Everything ``Footer.compose`` reads from the screen's bindings, as a comparable value."""
        app = self.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, enabled, tooltip,
             binding.group)
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        if not self.is_attached:
            return
        wanted = self._wanted()
        if wanted == self._shown:
            return
        self._shown = wanted
        keys = list(self.query_children(FooterKey))
        plain = all(group is None for *_rest, group in wanted) and len(keys) == len(list(self.children))
        if not plain or not self._bindings_shown:
            self._bindings_shown = True
            await self.recompose()
            return
        # Relabel the keys already mounted, add or remove only the difference: a reveal that
        # swaps two keys for four costs two mounts instead of six.
        async with self.batch():
            for widget, (key, key_display, description, action, enabled, tooltip, _group) in zip(keys, wanted):
                # A key's width follows its text only: a key merely enabled or disabled (the usual
                # change, e.g. a reveal) is repainted without laying the whole screen out again.
                relabelled = (widget.key_display, widget.description) != (key_display, description)
                widget.key, widget.key_display, widget.description, widget.action = key, key_display, description, action
                widget._disabled = not enabled
                widget.set_class(not enabled, "-disabled")
                widget.tooltip = tooltip or None
                widget.refresh(layout=relabelled)
            if len(keys) > len(wanted):
                await self.remove_children(keys[len(wanted):])
            elif len(wanted) > len(keys):
                await self.mount_all(
                    self._new_key(key, key_display, description, action, enabled, tooltip)
                    for key, key_display, description, action, enabled, tooltip, _group in wanted[len(keys):]
                )

    def _new_key(self, key: str, key_display: str, description: str, action: str, enabled: bool, tooltip: str) -> FooterKey:
        widget = FooterKey(key, key_display, description, action, disabled=not enabled, tooltip=tooltip,
                           classes="-compact" if self.compact else "")
        return widget.data_bind(compact=Footer.compact)

    def compose(self):
        for widget in super().compose():
            if isinstance(widget, FooterKey) and self.compact:
                # Already compact when mounted, so binding ``compact`` does not restyle it again.
                widget.add_class("-compact", update=False)
            yield widget
