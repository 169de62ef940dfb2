"""The numbers on the home screen, gathered from the study engine in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from questions.study.stats import StudyStats, TopicMastery
    from tui.context import StudyApp


@dataclass(frozen=True)
class HomeSummary:
    due: int  # learning and review cards due today
    new: int  # new cards today's limit still allows
    streak: int
    reviewed_today: int
    questions: int
    mastery: tuple["TopicMastery", ...]

    def topics(self, ui_lang: str) -> list[tuple[str, float | None, int, int]]:
        """(title, mean retrievability of the studied cards or None, studied, total) per topic."""
        from questions.topics import topic_order, topic_title

        ordered = sorted(self.mastery, key=lambda m: topic_order(m.topic))
        return [(topic_title(m.topic, ui_lang), m.studied_retrievability, m.studied, m.questions) for m in ordered]


def study_stats(app: "StudyApp") -> "StudyStats":
    from questions.study.stats import compute_stats

    return compute_stats(app.store, app.bank, app.clock(), app.study_settings())


def home_summary(app: "StudyApp") -> HomeSummary:
    from questions.study.queue import build_review_queue

    settings = app.study_settings()
    queue = build_review_queue(app.store, app.bank, settings, app.clock())
    stats = study_stats(app)
    return HomeSummary(
        due=len(queue.learning) + len(queue.due),
        new=len(queue.new),
        streak=stats.current_streak,
        reviewed_today=stats.reviews_today,
        questions=len(app.bank),
        mastery=stats.topic_mastery,
    )
