"""The numbers on the home screen, gathered from the progress store in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app import TPrepApp


@dataclass(frozen=True)
class HomeSummary:
    due: int
    new: int
    streak: int
    reviewed_today: int
    questions: int
    # topic -> (mean retrievability of studied cards or None, studied, total)
    mastery: dict[str, tuple[float | None, int, int]] = field(default_factory=dict)

    def topics(self, ui_lang: str) -> list[tuple[str, float | None, int, int]]:
        from questions.topics import topic_order, topic_title

        return [
            (topic_title(topic, ui_lang), *self.mastery[topic])
            for topic in sorted(self.mastery, key=topic_order)
        ]


def home_summary(app: "TPrepApp") -> HomeSummary:
    bank = app.bank
    mastery = {topic: (None, 0, len(bank.by_topic(topic))) for topic in bank.topics()}
    return HomeSummary(
        due=0,
        new=min(len(bank), app.settings.daily_new_cards),
        streak=0,
        reviewed_today=0,
        questions=len(bank),
        mastery=mastery,
    )
