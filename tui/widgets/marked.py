"""Widgets whose state shows by the shape of a mark (``questions.marks``), not by colour alone.

Textual's ``Checkbox`` draws the same ``▐X▌`` ticked or not, and its lists
tell the current row by a background colour only: on a monochrome terminal,
with ``NO_COLOR`` (Textual then draws in greys), or for a colour-blind reader
the state is invisible. ``TickBox`` draws ☑ or ☐, and ``CurrentRowMark``
puts ▸ before the current row of an ``OptionList``; colour still repeats them.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox

from questions.marks import CURRENT_ROW, tick


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
