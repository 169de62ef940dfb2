"""The four FSRS ratings as clickable buttons, each with the interval it would schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Mapping

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button

from tui.widgets.i18n import UiLang, tr

# rating value -> (English, Chinese, button variant)
RATING_LABELS = {
    1: ("Again", "重来", "error"),
    2: ("Hard", "困难", "warning"),
    3: ("Good", "良好", "success"),
    4: ("Easy", "简单", "primary"),
}


class RatingBar(Horizontal):
    DEFAULT_CSS = """
    RatingBar { height: 1; width: 1fr; }
    RatingBar Button { width: 1fr; margin: 0 1; }
    RatingBar Button.-suggested { text-style: bold reverse; }
    """

    @dataclass
    class Rated(Message):
        rating: int

    def compose(self) -> ComposeResult:
        for rating, (_english, _chinese, variant) in RATING_LABELS.items():
            yield Button(str(rating), id=f"rate-{rating}", variant=variant, compact=True)  # type: ignore[arg-type]

    def show(self, lang: UiLang, intervals: Mapping[int, timedelta] | None = None, suggested: int | None = None) -> None:
        from questions.study.scheduler import format_interval

        for rating, (english, chinese, _variant) in RATING_LABELS.items():
            label = f"{rating} {tr(lang, english, chinese)}"
            if intervals and rating in intervals:
                label += f" · {format_interval(intervals[rating])}"
            button = self.query_one(f"#rate-{rating}", Button)
            button.label = label
            button.set_class(rating == suggested, "-suggested")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Rated(int((event.button.id or "rate-3").removeprefix("rate-"))))
