"""Long text in a pane of its own, drawn a line at a time: only the lines in view are rendered.

A ``Static`` in a ``VerticalScroll`` renders its whole text into strips
whenever it changes, and keeps them: a verifier's evidence or a question's
answer runs to a hundred lines or more, so each change paid for every line
and kept them on the heap while the screen lived (many times the rows a
terminal shows). ``ScrollingText`` is a ``ScrollView`` that uses Textual's
line API instead, as ``Log`` does: it wraps the text to its width (with
``questions.wrapping``, as ``WrappedText`` does: Chinese by character,
continuation lines under a list marker) and renders a line only when it
comes into view.

The wrapped lines are cached per text and width, so a repaint, a scroll or a
second resize to a width already seen costs no wrapping; ``prepare`` wraps a
text ahead of the key that shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual

from tui.widgets.wrapped import wrap_content_fits

if TYPE_CHECKING:
    from textual import events
    from textual.selection import Selection


def wrapped_lines(content: Content, width: int) -> list[Content]:
    """``content``'s lines wrapped to ``width`` cells by ``questions.wrapping``; a line it could
    not map back is wrapped by Textual, so every line returned fits."""
    if "\t" in content.plain:
        content = content.expand_tabs()  # as Textual draws them (to 8-column stops); cell_len counts a tab as no cells
    wrapped, fits = wrap_content_fits(content, width)
    return wrapped.split("\n", allow_blank=True) if fits else wrapped.wrap(width)


class ScrollingText(ScrollView, can_focus=True):
    """A scrollable pane of (markup) text; ``show()`` replaces it."""

    DEFAULT_CSS = """
    ScrollingText { height: 1fr; padding: 0 1; overflow-x: hidden; overflow-y: auto; }
    """

    def __init__(self, content: "str | Content" = "", **kwargs) -> None:
        super().__init__(**kwargs)
        # Markup seen lately -> its parsed text, and (text, width) -> its wrapped lines: moving
        # back through a list of details, or a text prepared ahead, costs neither again.
        self._parsed: LRUCache[str, Content] = LRUCache(16)
        self._wrapped: LRUCache[tuple[tuple[int, ...], int], tuple[tuple[Content, ...], list[Content]]] = LRUCache(32)
        self._parts: tuple[Content, ...] = (self._parse(content),)
        self._content: Content | None = self._parts[0]  # the parts joined, when first asked for
        self._lines: list[Content] = []
        self._strips: LRUCache[int, Strip] = LRUCache(256)  # line index -> its rendered strip

    # --- what is shown ------------------------------------------------------

    @property
    def content(self) -> Content:
        """The text shown, before wrapping (its parts joined, one below the other)."""
        if self._content is None:
            self._content = Content("\n").join(self._parts)
        return self._content

    @property
    def lines(self) -> list[Content]:
        """The text as shown: one ``Content`` a line, wrapped at the pane's width."""
        return self._lines

    def show(self, markup: "str | Content", *more: "str | Content", scroll_home: bool = True) -> None:
        """Show Textual markup, or the same already parsed (``Content.from_markup``). Several
        parts are shown one below the other, each wrapped (and cached) on its own: a part
        prepared ahead (``prepare``) costs no wrapping when shown beside a new one."""
        self._parts = tuple(self._parse(part) for part in (markup, *more))
        self._content = self._parts[0] if not more else None
        self._lay_out()
        if scroll_home:
            self.scroll_home(animate=False)

    def prepare(self, content: Content) -> None:
        """Wrap parsed markup now, so that a later ``show(content)``, or ``show(..., content)``,
        of this same object (an answer built ahead of the key that shows it) costs no wrapping
        on its key: at the present width; in a hidden pane never laid out yet, at the width it
        will have filling its parent; with ``overflow-y: auto``, also beside a scrollbar, since
        whether one comes depends on the whole text shown."""
        styles = self.styles
        width = self.text_width
        if width < 1 and self._fills_parent_width() and self.parent is not None:
            width = (
                self.parent.scrollable_content_region.width
                - styles.gutter.width
                - styles.margin.width
                - self.scrollbar_size_vertical
            )
        self._wrap_parts((content,), width)
        if styles.overflow_y == "auto":
            scrollbar = styles.scrollbar_size_vertical
            self._wrap_parts((content,), width + scrollbar if self.show_vertical_scrollbar else width - scrollbar)

    def _fills_parent_width(self) -> bool:
        width = self.styles.width
        return width is None or width.is_fraction or (width.is_percent and width.value == 100)

    # --- wrapping -----------------------------------------------------------

    def _parse(self, markup: "str | Content") -> Content:
        if not isinstance(markup, str):
            return markup
        content = self._parsed.get(markup)
        if content is None:
            content = self._parsed[markup] = Content.from_markup(markup)
        return content

    @property
    def text_width(self) -> int:
        """The cells a line of text may take: the pane less its padding and scrollbar."""
        return self.scrollable_content_region.width

    def _wrap(self, width: int) -> list[Content]:
        """The text shown, wrapped to ``width`` cells."""
        return self._wrap_parts(self._parts, width)

    def _wrap_parts(self, parts: tuple[Content, ...], width: int) -> list[Content]:
        if width < 1:
            return []
        key = (tuple(map(id, parts)), width)  # the entry keeps its texts alive, so the ids stay their own
        known = self._wrapped.get(key)
        if known is None:
            if len(parts) == 1:
                lines = wrapped_lines(parts[0], width)
            else:
                lines = [line for part in parts for line in self._wrap_parts((part,), width)]
            known = self._wrapped[key] = (parts, lines)
        return known[1]

    def _lay_out(self) -> None:
        width = self.text_width
        lines = self._wrap(width)
        # (Not while the pane has no width yet, e.g. shown as it is unhidden: the width a scrollbar
        # would give back is then all there is, and wrapping a long answer two cells wide cost
        # ~20 ms of a multiple-choice check; its Resize lays it out at its real width.)
        if width > 0 and self.show_vertical_scrollbar and self.styles.overflow_y == "auto":
            # The scrollbar came for an earlier, longer text: if this one fits the pane at the
            # full width, lay it out so, and the scrollbar goes (then the watcher lays it out again).
            wider = width + self.styles.scrollbar_size_vertical
            if len(wide := self._wrap(wider)) <= self.scrollable_content_region.height:
                width, lines = wider, wide
        self._use_lines(lines)
        self._set_virtual_size(Size(width, len(self._lines)))
        self.refresh()

    def _use_lines(self, lines: list[Content]) -> None:
        """Show these wrapped lines; the drawn ones still hold if they are the same (the same
        text at the same width: the wrapping cache gives back the same list)."""
        if lines is not self._lines:
            self._lines = lines
            self._strips.clear()

    def _set_virtual_size(self, size: Size) -> None:
        self.virtual_size = size
        # Textual gives a scroll view's scrollbar its new length only in the layout this change
        # asks for, and draws the scrollbar a frame after that: a new screen (Verifiers, a
        # question's detail) showed its text two frames before its scrollbar's thumb was right.
        # Told now, the scrollbar is drawn right in the next frame.
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.window_virtual_size = size.height

    def get_content_height(self, container: "Size", viewport: "Size", width: int) -> int:
        # With ``height: auto`` Textual asks for the height at the width it is about to give: the
        # text's lines at that width (wrapped once, cached), so the pane is the right height in
        # the first frame, not after a second layout once it knows its width.
        lines = self._wrap(width)
        room = self._rows_allowed()
        if room is None or width < 1:
            return len(lines)
        # A ``max-height`` in cells with ``overflow-y: auto``: whether the text needs a scrollbar
        # is known here, in the layout that first gives the pane its width. Settled now (the
        # scrollbar, and the text wrapped beside it), the first frame after the key is the final
        # one; left to Textual, the text was drawn at the full width, then the scrollbar came
        # (a layout), then the text wrapped again beside it (another): three frames, ~45 ms more
        # on a multiple-choice check. Textual, sizing the pane after this, finds the same answer.
        scrollbar = len(lines) > room and self.styles.scrollbar_size_vertical > 0
        if scrollbar:
            width -= self.styles.scrollbar_size_vertical
            lines = self._wrap(width)
        # Set without watchers or a refresh: this layout is the one that uses them.
        if scrollbar != self.show_vertical_scrollbar:
            self.set_reactive(ScrollingText.show_vertical_scrollbar, scrollbar)
        self._use_lines(lines)
        self.set_reactive(ScrollingText.virtual_size, Size(width, len(lines)))
        return len(lines)

    def _rows_allowed(self) -> int | None:
        """The most rows of text the pane shows when its height is ``auto``, a scrollbar coming
        beyond them (``overflow-y: auto``); None unless that is set with a ``max-height`` in cells."""
        styles = self.styles
        if styles.overflow_y != "auto" or styles.max_height is None or not styles.max_height.is_cells:
            return None
        if styles.height is None or not styles.height.is_auto:
            return None
        rows = int(styles.max_height.value)
        if styles.box_sizing == "border-box":
            rows -= styles.gutter.height
        return max(rows, 0)

    def on_resize(self, event: "events.Resize") -> None:
        self._lay_out()

    def watch_show_vertical_scrollbar(self) -> None:
        # With ``overflow-y: auto`` a scrollbar comes when the text is longer than the pane, and
        # takes a column from it: wrap again to the narrower width (never the other way round
        # in a loop: narrower lines are never fewer).
        self._lay_out()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    # --- drawing (Textual's line API) ---------------------------------------

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.text_width
        lines = self._wrap(width)  # at the width drawn, even before on_resize
        if lines is not self._lines:
            self._use_lines(lines)
            self._set_virtual_size(Size(width, len(lines)))  # (first drawn before its Resize)
        if index >= len(lines):
            return Strip.blank(width, self.visual_style.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            line = lines[index]
            selection = self.text_selection
            if selection is not None and (span := selection.get_span(index)) is not None:
                start, end = span
                # Content takes Textual's Style (as Visual.to_strips builds it), not Rich's.
                selection_style = Style.from_styles(self.screen.get_component_styles("screen--selection"))
                line = line.stylize(selection_style, start, len(line) if end == -1 else end)
            [strip] = Visual.to_strips(self, line, width, 1, self.visual_style, apply_selection=False, pad=True) or [
                Strip.blank(width, self.visual_style.rich_style)
            ]
            # Offsets let a mouse selection find the characters under it.
            strip = strip.apply_offsets(0, index)
            if selection is None:
                self._strips[index] = strip
        return strip

    # --- selecting text with the mouse --------------------------------------

    def get_selection(self, selection: "Selection") -> tuple[str, str] | None:
        return selection.extract("\n".join(line.plain for line in self._lines)), "\n"

    def selection_updated(self, selection: "Selection | None") -> None:
        self._strips.clear()
        self.refresh()
