"""A list of many options (every question of the bank) that shows its first screenful at once.

An ``OptionList`` lays out every option it holds, and each line of ours first has its text
made (bank text with its math rendered, cut to the width): for the whole bank that was most of
the time Browse and Mock took to open. Filled here, the options that fit on the screen are made
and shown on the key; the rest follow once that frame is drawn.
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
    _filling = 0  # which fill the options being added belong to: a newer one drops the rest

    def fill(self, items: Sequence[Item], make_option: Callable[[Item], Option], *, highlighted: int | None = 0) -> None:
        """Replace the options with one per item: a screenful now, the rest after the next frame."""
        self._filling += 1
        filling = self._filling
        first = max(self.app.size.height, 1)  # no option is shorter than a line
        self.clear_options()
        self.add_options([make_option(item) for item in items[:first]])  # one batch: one layout
        if highlighted is not None and items:
            self.highlighted = min(highlighted, len(items) - 1) if highlighted < first else 0

        def add_the_rest() -> None:
            if filling == self._filling:  # not filled again meanwhile
                self.add_options([make_option(item) for item in items[first:]])
                if highlighted is not None and first <= highlighted < len(items):
                    self.highlighted = highlighted

        if len(items) > first:
            self.call_after_refresh(add_the_rest)


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
