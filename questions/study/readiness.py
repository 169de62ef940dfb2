"""The interview plan against the candidate's progress: pacing, "behind", readiness and its trend.

``plan_report`` is what ``tprep plan`` prints (and ``--json`` writes) and what
the home screen shows; ``pacing`` is also what the review queue uses to
decide how many new questions to introduce today. The rules themselves are in
``questions.study.plan``; readiness is ``questions.study.forecast``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from questions.model import Bank
from questions.study.clock import require_utc, to_db
from questions.study.forecast import MASTERY_HORIZON, TREND_WEEKS, RecallForecast, TrendPoint, forecast_recall, recall_trend
from questions.study.plan import PACE_WINDOW_DAYS, InterviewPlan, local_day_start
from questions.study.scheduler import StudyScheduler
from questions.study.settings import StudySettings
from questions.study.snapshot import ProgressSnapshot
from questions.study.store import ProgressStore
from questions.study.weak import weak_ids

Lang = Literal["zh", "en"]


def _day_label(day: date, lang: Lang) -> str:
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {day.strftime('%b')}"


@dataclass(frozen=True)
class PlanPacing:
    """Where the candidate stands on seeing every question of the plan's scope before its deadline."""

    plan: InterviewPlan
    today: date
    scope_size: int
    unseen: tuple[str, ...]  # scope questions never introduced, bank order
    introduced_today: int  # scope questions introduced today
    needed_today: int  # new scope questions today's share of the plan asks for (introduced ones included)
    recent_per_day: float  # new scope questions a day the candidate actually kept lately
    pace_days: int  # over how many days (today included) ``recent_per_day`` was measured
    projected_unseen: int  # still unseen at the deadline if that pace goes on

    @property
    def seen(self) -> int:
        return self.scope_size - len(self.unseen)

    @property
    def left_today(self) -> int:
        """New scope questions still to introduce today to keep to the plan."""
        return max(0, self.needed_today - self.introduced_today)

    @property
    def study_days_left(self) -> int:
        return self.plan.study_days_left(self.today)

    @property
    def behind(self) -> bool:
        return self.projected_unseen > 0

    def behind_message(self, lang: Lang = "en") -> str | None:
        """E.g. "At this pace 23 questions will still be unseen on 9 Mar ..."; None when on track."""
        if not self.behind:
            return None
        deadline = _day_label(self.plan.deadline, lang)
        days = self.plan.final_days
        per_day = math.ceil(len(self.unseen) / max(1, self.study_days_left))
        if lang == "zh":
            return (
                f"进度落后：按目前的速度，到{deadline}（面试前 {days} 天）仍有 {self.projected_unseen} 道题没见过；"
                f"要赶上，每天需学 {per_day} 道新题。"
            )
        return (
            f"Behind plan: at this pace {self.projected_unseen} question{'s' if self.projected_unseen != 1 else ''} "
            f"will still be unseen on {deadline} ({days} day{'s' if days != 1 else ''} before the interview); "
            f"to catch up, see {per_day} new a day."
        )

    def summary(self, lang: Lang = "en") -> str:
        """One line for the home screen: seen so far, today's share, and the behind warning if any."""
        deadline = _day_label(self.plan.deadline, lang)
        if lang == "zh":
            line = f"已见 {self.seen}/{self.scope_size} 道；今天还需学 {self.left_today} 道新题（{deadline}前全部见过）。"
        else:
            line = f"{self.seen} of {self.scope_size} seen; {self.left_today} new to go today (all seen before {deadline})."
        warning = self.behind_message(lang)
        return f"{line} {warning}" if warning else line

    def to_dict(self) -> dict[str, Any]:
        return {
            "deadline": self.plan.deadline.isoformat(),
            "scope_size": self.scope_size,
            "seen": self.seen,
            "unseen": len(self.unseen),
            "study_days_left": self.study_days_left,
            "introduced_today": self.introduced_today,
            "needed_today": self.needed_today,
            "left_today": self.left_today,
            "recent_per_day": round(self.recent_per_day, 3),
            "pace_days": self.pace_days,
            "projected_unseen": self.projected_unseen,
            "behind": self.behind,
            "message": {"en": self.behind_message("en"), "zh": self.behind_message("zh")},
        }


def pacing(store: ProgressStore | None, bank: Bank, settings: StudySettings, now: datetime) -> PlanPacing | None:
    """The plan's pacing today; None without an interview date or once its day has begun."""
    plan = settings.interview
    tz = settings.day_timezone
    now = require_utc(now, "now")
    if plan is None or not plan.is_active(now, tz):
        return None
    today = now.astimezone(tz).date()
    day_begin = local_day_start(today, tz)
    known = store.question_ids() if store is not None else set()
    first = store.first_reviews() if store is not None else {}
    scope_ids = [question.id for question in plan.scope(bank)]
    unseen = tuple(question_id for question_id in scope_ids if question_id not in known)
    introduced_today = sum(1 for question_id in scope_ids if question_id in first and first[question_id] >= day_begin)

    # The candidate's own pace: new scope questions a day over the last week, or since they began.
    started = min(first.values(), default=now).astimezone(tz).date()
    pace_days = max(1, min(PACE_WINDOW_DAYS, (today - started).days + 1))
    window_begin = local_day_start(today - timedelta(days=pace_days - 1), tz)
    recent = sum(1 for question_id in scope_ids if question_id in first and first[question_id] >= window_begin)
    recent_per_day = recent / pace_days
    projected = max(0, math.ceil(len(unseen) - recent_per_day * plan.study_days_left(today) - 1e-9))
    return PlanPacing(
        plan=plan,
        today=today,
        scope_size=len(scope_ids),
        unseen=unseen,
        introduced_today=introduced_today,
        needed_today=plan.new_per_day(len(unseen) + introduced_today, today),
        recent_per_day=recent_per_day,
        pace_days=pace_days,
        projected_unseen=projected,
    )


@dataclass(frozen=True)
class PlanReport:
    """Everything ``tprep plan`` shows; ``to_dict`` is its ``--json``."""

    now: datetime
    plan: InterviewPlan | None
    pacing: PlanPacing | None  # None without a date, or once the interview day has begun
    readiness: RecallForecast  # predicted recall at the interview, or a week ahead without a date
    trend: tuple[TrendPoint, ...]  # the same figure as it stood each week, oldest first, the last one now
    weak_question_ids: tuple[str, ...]
    unknown_scope_topics: frozenset[str]  # scope topics the bank does not have

    @property
    def scope_readiness(self) -> float | None:
        """Readiness over the plan's scope topics only (None when the scope is the whole bank)."""
        if self.plan is None or not self.plan.topics:
            return None
        return self.readiness.for_topics(self.plan.topics)

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "now": to_db(self.now),
            "interview": None
            if plan is None
            else {
                "date": plan.date.isoformat(),
                "scope": sorted(plan.topics),
                "final_days": plan.final_days,
                "deadline": plan.deadline.isoformat(),
                "unknown_scope_topics": sorted(self.unknown_scope_topics),
            },
            "pacing": None if self.pacing is None else self.pacing.to_dict(),
            "readiness": {
                **self.readiness.to_dict(),
                "scope_recall": self.scope_readiness,
                "legend": {"en": self.readiness.legend("en"), "zh": self.readiness.legend("zh")},
            },
            "trend": [{"as_of": to_db(p.as_of), "at": to_db(p.at), "recall": p.recall} for p in self.trend],
            "weak": list(self.weak_question_ids),
        }


def readiness_target(settings: StudySettings, now: datetime) -> datetime | None:
    """The instant readiness is forecast for: the start of the interview day while it is ahead, else None."""
    plan = settings.interview
    if plan is None or not plan.is_active(now, settings.day_timezone):
        return None
    return plan.interview_start(settings.day_timezone)


def plan_report(store: ProgressStore | None, bank: Bank, settings: StudySettings, now: datetime) -> PlanReport:
    """The plan, its pacing, readiness and readiness trend; ``store`` None means nothing studied yet."""
    now = require_utc(now, "now")
    scheduler = StudyScheduler(settings)
    target = readiness_target(settings, now)
    snapshot = ProgressSnapshot.read(store) if store is not None else ProgressSnapshot.empty()
    at = target if target is not None else now + MASTERY_HORIZON
    readiness = forecast_recall(snapshot, bank, scheduler, at, as_of=now, label="readiness")
    if store is not None:
        trend = recall_trend(store, bank, scheduler, now, target=target)
    else:  # nothing studied: every point is 0
        trend = tuple(
            TrendPoint(as_of=as_of, at=target or as_of + MASTERY_HORIZON, recall=0.0)
            for as_of in (now - timedelta(weeks=weeks_ago) for weeks_ago in range(TREND_WEEKS - 1, -1, -1))
        )
    plan = settings.interview
    return PlanReport(
        now=now,
        plan=plan,
        pacing=pacing(store, bank, settings, now),
        readiness=readiness,
        trend=trend,
        weak_question_ids=weak_ids(snapshot, bank, scheduler, now),
        unknown_scope_topics=frozenset() if plan is None else plan.unknown_topics(bank),
    )


def apply_interview_cap(store: ProgressStore, settings: StudySettings) -> int:
    """Bring every stored card's due date before the interview where the plan says so; returns how many moved.

    Reviews made from now on are capped as they are made (``StudyScheduler.review``);
    this does the same once for the cards scheduled before the date was set.
    One transaction; the review log is not touched.
    """
    if settings.interview is None:
        return 0
    return store.rewrite_cards(StudyScheduler(settings).capped)
