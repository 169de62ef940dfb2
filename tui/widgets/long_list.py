"""A list of many options (every question of the bank) that draws only the rows on screen.

An ``OptionList`` asks every option it holds for its height when options are added, and each
line of ours had its text made for that (bank text with its math rendered, cut to the width):
for the whole bank that was most of the time Browse and Mock took to open. Here each option's
prompt is a ``LazyPrompt``, whose height is known without its text: the list takes every option
in one batch, and the text of a row is made when the row is first drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Generic, Sequence, TypeVar

from textual.visual import Visual
from textual.widgets import OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from textual.content import Content
    from textual.css.styles import RulesMap
    from textual.strip import Strip
    from textual.style import Style
    from textual.visual import RenderOptions

Item = TypeVar("Item")


def replace_options(option_list: OptionList, options: Sequence[Option]) -> None:
    """Show ``options`` instead of the list's, the same row still highlighted (the first when it
    is gone): a language switch or a flipped tick redraws the list without moving the cursor."""
    highlighted = option_list.highlighted
    option_list.clear_options()
    option_list.add_options(options)
    option_list.highlighted = highlighted if highlighted is not None and highlighted < len(options) else 0


class LongOptionList(OptionList, Generic[Item]):
    def fill(self, items: Sequence[Item], make_option: Callable[[Item], Option], *, highlighted: int | None = 0) -> None:
        """Replace the options with one per item, in one batch (one layout).

        All at once, not a screenful first and the rest after that frame: with lazy prompts the
        rest costs little, and the first frame is then the final one. Split, it drew the
        scrollbar for a screenful, and the frame after, with every option in, redrew it for the
        whole list: a search's results were shown complete ~20 ms later (57.7 -> 26.8 ms, gc
        off), and opening Browse or Mock drew one frame more."""
        self.clear_options()
        self.add_options([make_option(item) for item in items])
        if highlighted is not None and items:
            self.highlighted = min(highlighted, len(items) - 1)


class LazyPrompt(Visual):
    """An option's prompt made when it is first drawn, not when the option is added.

    An ``OptionList`` asks every option for its height when options are added, and for nothing
    else until an option is drawn. For a prompt of a known number of lines, each cut to fit
    ``width`` cells (``tui.widgets.bars.one_line_each``), the height is known without making the
    text: so a list of the whole bank makes the text of the options on screen, not of all 274
    (cutting and rendering the math of each was most of the time the list took to fill).
    """

    def __init__(self, make: Callable[[], "Content"], lines: int, width: int) -> None:
        self._make = make
        self._lines = lines  # how many lines the prompt has ...
        self._width = width  # ... in any width of at least this many cells
        self._content: "Content | None" = None

    @property
    def content(self) -> "Content":
        if self._content is None:
            self._content = self._make()
        return self._content

    def __str__(self) -> str:
        return str(self.content)

    def render_strips(self, width: int, height: int | None, style: "Style", options: "RenderOptions") -> list["Strip"]:
        return self.content.render_strips(width, height, style, options)

    def get_optimal_width(self, rules: "RulesMap", container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_height(self, rules: "RulesMap", width: int) -> int:
        if self._content is None and width >= self._width:
            return self._lines
        return self.content.get_height(rules, width)  # made already, or narrower than it was cut for
