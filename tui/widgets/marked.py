"""Widgets whose state shows by the shape of a mark (``questions.marks``), not by colour alone.

Textual's ``Checkbox`` draws the same ``▐X▌`` ticked or not, and its lists
tell the current row by a background colour only: on a monochrome terminal,
with ``NO_COLOR`` (Textual then draws in greys), or for a colour-blind reader
the state is invisible. ``TickBox`` draws ☑ or ☐, ``InlineChoice`` draws ◉ before
the chosen one of a few options and ◌ before the others, and ``CurrentRowMark``
puts ▸ before the current row of an ``OptionList``; colour still repeats them.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Checkbox

from questions.marks import CURRENT_ROW, choice, tick

ValueT = TypeVar("ValueT", bound=Hashable)


class TickBox(Checkbox):
    """A ``Checkbox`` drawn as ``☑ label`` / ``☐ label``."""

    DEFAULT_CSS = """
    TickBox {
        & > .toggle--button { color: $text-muted; background: transparent; }
        &.-on > .toggle--button { color: $text-success; background: transparent; text-style: bold; }
    }
    """

    def render(self) -> Content:
        mark = Content.styled(tick(self.value), self.get_visual_style("toggle--button"))
        label = self.label.pad(1, 1).stylize_before(self.get_visual_style("toggle--label"))
        return Content.assemble(mark, label)

    def get_content_width(self, container, viewport) -> int:
        return 1 + (2 + self.label.cell_length if self.label else 0)


class InlineChoice(Widget, Generic[ValueT], can_focus=True):
    """One of a few options, all in one line: ``◉ Markdown  ◌ HTML  ◌ PDF``.

    A lighter stand-in for ``Select`` where there are only a few options to show: one widget,
    where a ``Select`` is six (its box, label and two arrows, and the list it opens, built and
    styled with the form even if never opened): half the cost of opening a form of them.
    ← and → choose the option before or after, space and enter the next one (round to the
    first), a click the one under the pointer. ``value`` and ``Changed`` are as ``Select``'s.
    """

    DEFAULT_CSS = """
    InlineChoice {
        height: 3;
        border: tall $border-blurred;
        background: $surface;
        color: $foreground;
        padding: 0 1 0 2;  /* the text starts where an Input's or a Select's does */
        pointer: pointer;
        &:focus { border: tall $border; background-tint: $foreground 5%; }
        & > .inline-choice--chosen { text-style: bold; }
        &:focus > .inline-choice--chosen { color: $text-accent; text-style: bold underline; }
    }
    """
    COMPONENT_CLASSES = {"inline-choice--chosen"}
    BINDINGS = [
        Binding("left", "step(-1)", "Previous", show=False),
        Binding("right,space,enter", "step(1)", "Next", show=False),
    ]
    GAP = 2  # cells between two options

    value: reactive[ValueT] = reactive(None, init=False)  # type: ignore[assignment]

    class Changed(Message):
        """The chosen option changed (by a key, a click or the program), as ``Select.Changed``."""

        def __init__(self, choice: "InlineChoice", value: Hashable) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> "InlineChoice":
            return self.choice

    def __init__(
        self, options: Sequence[tuple[str, ValueT]], value: ValueT, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._options = list(options)
        if value not in self._values():
            raise ValueError(f"{value!r} is not one of the options")
        self.set_reactive(InlineChoice.value, value)

    def _values(self) -> list[ValueT]:
        return [value for _label, value in self._options]

    def validate_value(self, value: ValueT) -> ValueT:
        if value not in self._values():
            raise ValueError(f"{value!r} is not one of the options")
        return value

    def watch_value(self, value: ValueT) -> None:
        self.post_message(self.Changed(self, value))

    def render(self) -> Content:
        chosen_style = self.get_visual_style("inline-choice--chosen")
        parts: list[Content] = []
        for label, value in self._options:
            if parts:
                parts.append(Content(" " * self.GAP))
            part = Content(f"{choice(value == self.value)} {label}")
            parts.append(part.stylize(chosen_style) if value == self.value else part)
        return Content.assemble(*parts)

    def get_content_width(self, container, viewport) -> int:
        return sum(2 + Content(label).cell_length for label, _value in self._options) + self.GAP * (len(self._options) - 1)

    def action_step(self, step: int) -> None:
        values = self._values()
        self.value = values[(values.index(self.value) + step) % len(values)]

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        start = 0
        for label, value in self._options:
            end = start + 2 + Content(label).cell_length
            if start <= offset.x < end:
                self.value = value
                return
            start = end + self.GAP


class CurrentRowMark:
    """Mixin for an ``OptionList``: ▸ in the first cell of the highlighted option's first visible line.

    The cell is the option's left padding (``current_row_css``: the list's own left padding moved
    into its options), so nothing moves when the highlight does, and no option has to be laid
    out again: each line is marked as it is drawn, from the option index Textual records on it.
    """

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)  # type: ignore[misc]
        highlighted = self.highlighted  # type: ignore[attr-defined]
        if highlighted is None or _option_of(strip) != highlighted:
            return strip
        if y > 0 and _option_of(super().render_line(y - 1)) == highlighted:  # type: ignore[misc]
            return strip  # not the option's first visible line
        segments = list(strip)
        if not segments or not segments[0].text.startswith(" "):
            return strip
        first = segments[0]
        style = (first.style or Style()) + Style(bold=True)
        return Strip([Segment(CURRENT_ROW, style), *strip.crop(1, strip.cell_length)], strip.cell_length)


def current_row_css(selector: str) -> str:
    """CSS for a list with ``CurrentRowMark``: one cell of left padding in each option for the ▸."""
    return f"""
    {selector} {{ padding-left: 0; }}
    {selector} > .option-list--option {{ padding: 0 0 0 1; }}
    """


def _option_of(strip: Strip) -> int | None:
    for segment in strip:
        if segment.style is not None and segment.style.meta:
            option = segment.style.meta.get("option")
            if option is not None:
                return option
    return None
