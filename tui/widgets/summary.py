"""The numbers on the home screen, gathered from the study engine in one place.

Every figure about the candidate comes from the engine (``docs/contracts.md``): mastery is
``forecast.mastery`` (``StudyStats.topic_mastery`` / ``mastery_forecast``), the weak list is
``weak.weak_ids`` (``StudyStats.weak_question_ids``), readiness, its trend and the pacing are
``readiness.plan_report``. Nothing is recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from questions.study.forecast import RecallForecast
    from questions.study.readiness import PlanReport
    from questions.study.stats import StudyStats, TopicMastery
    from tui.context import StudyApp


@dataclass(frozen=True)
class TopicLine:
    """One topic as home and stats show it."""

    topic: str
    title: str
    mastery: float  # predicted recall a week ahead over all the topic's questions (unseen = 0)
    studied: int
    questions: int
    readiness: float | None  # predicted recall on the interview day (None without a plan)


@dataclass(frozen=True)
class HomeSummary:
    due: int  # learning and review cards due today
    new: int  # new cards today's limit still allows
    streak: int
    reviewed_today: int
    questions: int
    mastery: tuple["TopicMastery", ...]
    mastery_forecast: "RecallForecast"  # overall mastery, with its legend
    weak: int  # questions.study.weak
    plan: "PlanReport | None" = None  # readiness, trend and pacing, when an interview date is set

    def topics(self, ui_lang: str) -> list[TopicLine]:
        return topic_lines(self.mastery, self.plan, ui_lang)


def topic_lines(mastery: "tuple[TopicMastery, ...]", plan: "PlanReport | None", ui_lang: str) -> list[TopicLine]:
    """Per topic, in curriculum order: mastery, and readiness on the interview day when planned."""
    from questions.topics import topic_order, topic_title

    readiness = {} if plan is None or plan.plan is None else {t.topic: t.recall for t in plan.readiness.topics}
    ordered = sorted(mastery, key=lambda m: topic_order(m.topic))
    return [
        TopicLine(m.topic, topic_title(m.topic, ui_lang), m.mastery, m.studied, m.questions, readiness.get(m.topic))
        for m in ordered
    ]


def study_stats(app: "StudyApp") -> "StudyStats":
    from questions.study.stats import compute_stats

    return compute_stats(app.store, app.bank, app.clock(), app.study_settings())


def plan_summary(app: "StudyApp") -> "PlanReport | None":
    """Readiness on the interview day, its trend and the pacing; None without an interview date."""
    if app.settings.interview_date is None:
        return None
    from questions.study.readiness import plan_report

    return plan_report(app.store, app.bank, app.study_settings(), app.clock())


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
        mastery_forecast=stats.mastery_forecast,
        weak=len(stats.weak_question_ids),
        plan=plan_summary(app),
    )


def trend_text(plan: "PlanReport") -> str:
    """The readiness trend as a sparkline and its first and last figures: "▁▂▄▆ 4% → 31%"."""
    from tui.widgets.bars import spark

    values = [point.recall for point in plan.trend]
    if not values:
        return ""
    return f"{spark(values)} {values[0]:.0%} → {values[-1]:.0%}"
