"""Text the app shows from the bank and the verifiers, wrapped by ``questions.wrapping`` at the widget's width.

Textual wraps text only at spaces, so a Chinese paragraph (which has none)
breaks wherever a long run of characters happens to end. ``WrappedText`` is a
``Static`` whose markup is laid out with ``wrap_text`` instead (UAX #14:
Chinese by character with its punctuation rules, English words whole), at
the width Textual gives it and again whenever that width changes; every line
then fits, so Textual never wraps it a second time.

A line that starts with a list marker (``1.``, ``·``, ``→``, a mark of
``questions.marks``) or with spaces keeps its continuation lines under the
text, not under the marker. Short formulas arrive glued with no-break spaces
(``tui.widgets.mathtext.readable``), so they are never broken either.
The wrapped text is cached per width: a repaint or a second resize to the
same width costs a dictionary look-up.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.cache import LRUCache
from textual.content import Content
from textual.visual import Visual
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.geometry import Size
    from textual.strip import Strip
    from textual.style import Style
    from textual.visual import RenderOptions

# What hangs before a line's text: spaces, then perhaps list markers or marks, each followed by a space.
# Several may stand in a row ("✗◉ 1. " before a checked option): the text hangs under what follows them all.
# A key letter may come first when a tick follows it ("a ☑ 1. ", a typed answer's point to flip).
_HANGING = re.compile(r"^( *(?:[a-z] (?=[☑☐◉◌]))?(?:(?:\d+\.|[·•→✓✗!?☑☐◉◌▸\-])+ +)*)")


def wrap_content(content: Content, width: int) -> Content:
    """``content`` (styled text) with each of its lines wrapped to ``width`` cells by ``wrap_text``."""
    return wrap_content_fits(content, width)[0]


def option_prompt(markup: str) -> "WrappedPrompt":
    """An ``OptionList`` option's prompt: its markup wrapped by ``wrap_text`` at whatever width the
    list draws it, continuation lines hanging under the text after the option's marks."""
    return WrappedPrompt(Content.from_markup(markup))


class WrappedPrompt(Visual):
    """A prompt wrapped at the width the option list lays it out at, when it does so.

    Wrapped when the options were made instead, a list filled before its first layout (a new
    screen) had no width yet: its first frame showed Textual's own wrapping, with continuation
    lines under the marks, and the options were made again once the list knew its width, a
    frame later. Textual asks a prompt for its height and its lines at the options' width, after
    their padding and any scrollbar, so the first frame is right, and so is every resize."""

    def __init__(self, content: Content) -> None:
        self._content = content
        self._wrapped: LRUCache[int, Content] = LRUCache(4)  # width -> the content wrapped to it

    def wrapped(self, width: int) -> Content:
        """The prompt as drawn in an option ``width`` cells wide."""
        if width <= 20:  # too narrow to hang continuation lines: Textual wraps it
            return self._content
        wrapped = self._wrapped.get(width)
        if wrapped is None:
            wrapped = self._wrapped[width] = wrap_content(self._content, width)
        return wrapped

    def __str__(self) -> str:
        return self._content.plain

    def render_strips(self, width: int, height: int | None, style: "Style", options: "RenderOptions") -> list["Strip"]:
        return self.wrapped(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: "RulesMap", container_width: int) -> int:
        return self._content.get_optimal_width(rules, container_width)

    def get_height(self, rules: "RulesMap", width: int) -> int:
        return self.wrapped(width).get_height(rules, width)


def wrap_content_fits(content: Content, width: int) -> tuple[Content, bool]:
    """The wrapped content, and whether every line fits in ``width`` (then its height is its line count)."""
    from rich.cells import cell_len

    from questions.wrapping import wrap_text

    plain = content.plain
    shown: list[tuple[str, int, int]] = []  # (indent added, start, end) of each line shown
    start = 0
    changed = False
    fits = True
    for line in plain.split("\n"):
        end = start + len(line)
        spans = _line_spans(line, width, cell_len, wrap_text) if cell_len(line) > width else None
        if spans is None:
            fits = fits and cell_len(line) <= width  # else Textual wraps what could not be mapped
            shown.append(("", start, end))
        else:
            changed = True
            shown.extend((indent, start + piece_start, start + piece_end) for indent, piece_start, piece_end in spans)
        start = end + 1
    if not changed:
        return content, fits
    # One cut of the styled text at every line's start and end (its spans are walked once).
    cuts = sorted({offset for _indent, line_start, line_end in shown for offset in (line_start, line_end)} - {0, len(plain)})
    pieces = dict(zip([0, *cuts], content.divide(cuts)))
    lines = [
        (Content(indent) + pieces[line_start] if indent else pieces[line_start]) if line_end > line_start else Content(indent)
        for indent, line_start, line_end in shown
    ]
    return Content("\n").join(lines), fits


def _line_spans(line: str, width: int, cell_len, wrap_text) -> list[tuple[str, int, int]] | None:
    """Where ``line`` is cut: (indent added, start, end) per wrapped line, offsets into ``line``;
    None when it cannot be mapped back (then Textual wraps it)."""
    prefix = _HANGING.match(line).group(1)  # type: ignore[union-attr]
    if cell_len(prefix) * 2 > width:
        prefix = ""  # a hanging indent wider than half the line would leave no room for the text
    body = line[len(prefix) :]
    indent = " " * cell_len(prefix)
    wrapped = wrap_text(body, width, initial_indent=prefix, subsequent_indent=indent, render_math=False)
    spans: list[tuple[str, int, int]] = []
    position = 0
    for number, shown in enumerate(wrapped):
        text = shown[len(prefix) :] if number == 0 else shown[len(indent) :]
        while position < len(body) and body[position] == " " and not body.startswith(text, position):
            position += 1  # the spaces a break dropped
        if not body.startswith(text, position):
            return None
        first = 0 if number == 0 else len(prefix) + position
        spans.append(("" if number == 0 else indent, first, len(prefix) + position + len(text)))
        position += len(text)
    return spans or None


class WrappedText(Static):
    """A ``Static`` whose text is wrapped by ``questions.wrapping`` at its own width."""

    def __init__(self, content: "Visual | str" = "", *, ahead: int = 1, **kwargs) -> None:
        """``ahead``: how many texts prepared ahead (``prepare``) are kept until shown."""
        super().__init__(content, **kwargs)
        self._wrapped_visual: object = None  # the visual the cache below belongs to
        self._wrapped: dict[int, tuple["Visual", int | None]] = {}  # width -> (shown, its height when known)
        # Texts prepared ahead, the last ``ahead`` of them: id -> (the text, its cache as above);
        # each entry keeps its text alive, so the id stays its own.
        self._prepared: LRUCache[int, tuple[object, dict[int, tuple["Visual", int | None]]]] = LRUCache(ahead)

    def prepare(self, content: Content) -> None:
        """Wrap ``content`` now, at the present width, so that showing this same object later
        (``update(content)``) costs no wrapping on the key that shows it (an answer built ahead
        of its reveal, the next drill's detail)."""
        width = self.content_size.width
        if width < 1 or content is self._wrapped_visual:
            return
        entry = self._prepared.get(id(content))
        if entry is None:
            entry = self._prepared[id(content)] = (content, {})
        if width not in entry[1]:
            shown, fits = wrap_content_fits(content, width)
            entry[1][width] = (shown, shown.plain.count("\n") + 1 if fits else None)

    def _wrapped_at(self, width: int) -> tuple["Visual", int | None]:
        visual = self.visual
        if not isinstance(visual, Content) or width < 1:
            return visual, None
        if self._wrapped_visual is not visual:
            prepared = self._prepared.get(id(visual))  # (its own: an entry keeps its text alive)
            self._wrapped_visual, self._wrapped = visual, prepared[1] if prepared else {}
            self._prepared.discard(id(visual))
        known = self._wrapped.get(width)
        if known is None:
            shown, fits = wrap_content_fits(visual, width)
            known = self._wrapped[width] = (shown, shown.plain.count("\n") + 1 if fits else None)
        return known

    def wrapped(self, width: int) -> "Visual":
        """What is shown at ``width`` cells: the text wrapped, cached per width."""
        return self._wrapped_at(width)[0]

    def render(self) -> "Visual":
        return self.wrapped(self.content_size.width)

    def height_at(self, width: int) -> int:
        """The rows the text takes at ``width`` cells, as it is laid out there (wrapped, cached)."""
        if not width:
            return 0
        shown, height = self._wrapped_at(width)
        return height if height is not None else shown.get_height(self.styles, width)

    def get_content_height(self, container: "Size", viewport: "Size", width: int) -> int:
        # Textual asks for the height at the width it is about to give: the text wrapped to it,
        # one row a line when every line fits (Textual would wrap it all again to count them).
        return self.height_at(width)
