"""Predicted recall at a future instant: the one definition behind mastery and readiness.

*Mastery* (home, stats) is the forecast a week ahead; *readiness* (``tprep
plan``, home) is the forecast at the interview, or a week ahead when no date
is set. Both are ``forecast_recall``; only the instant differs.

A question's predicted recall at ``at`` is FSRS's retrievability of its card
at ``at``, assuming no further study, except:

* a question never seen counts 0;
* a question whose latest answer (any mode) was wrong counts 0, however
  stable its card was: a failure is never shown as mastered, even a crammed
  one that left the schedule alone.

Looking ahead is what makes the figure honest: just after a review the
retrievability of every card is close to 1, so "recall now" says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Literal

from fsrs import Rating

from questions.model import Bank
from questions.study.card import CardState
from questions.study.clock import require_utc, to_db
from questions.study.scheduler import StudyScheduler
from questions.study.snapshot import ProgressSnapshot
from questions.study.store import ProgressStore

MASTERY_HORIZON = timedelta(days=7)  # mastery = predicted recall this far ahead
TREND_WEEKS = 6  # readiness trend: one point a week, the last one now

Lang = Literal["zh", "en"]


def predicted_recall(card: CardState | None, last_rating: Rating | None, scheduler: StudyScheduler, at: datetime) -> float:
    """The chance of recalling one question at ``at`` without further study (see the module docstring)."""
    if card is None or card.is_new or last_rating == Rating.Again:
        return 0.0
    return scheduler.retrievability(card, at)


@dataclass(frozen=True)
class TopicRecall:
    topic: str
    questions: int  # in the bank
    seen: int  # with a scheduled card
    recall: float  # mean predicted recall over all the topic's questions (unseen count 0)
    seen_recall: float | None  # mean over the seen ones only; None when none is seen


@dataclass(frozen=True)
class RecallForecast:
    """Mean predicted recall at ``at``, over the bank and per topic (bank topic order)."""

    at: datetime  # the instant recall is predicted for
    as_of: datetime  # the progress it was computed from
    questions: int
    seen: int
    recall: float  # 0..1, unseen questions count 0
    topics: tuple[TopicRecall, ...]
    label: Literal["mastery", "readiness"] = "mastery"

    def for_topics(self, topics: Iterable[str]) -> float:
        """Mean predicted recall over the questions of ``topics`` (e.g. an interview plan's scope)."""
        chosen = [t for t in self.topics if t.topic in set(topics)]
        total = sum(t.questions for t in chosen)
        return sum(t.recall * t.questions for t in chosen) / total if total else 0.0

    def legend(self, lang: Lang = "en") -> str:
        """One line that says what the number means, for beside the figure."""
        days = round((self.at - self.as_of) / timedelta(days=1))
        when_en = f"on {self.at.strftime('%d %b').lstrip('0')}" if self.label == "readiness" else f"in {days} days"
        when_zh = f"{self.at.month}月{self.at.day}日" if self.label == "readiness" else f"{days} 天后"
        if lang == "zh":
            return (
                f"{'备考度' if self.label == 'readiness' else '掌握度'}：按你的复习记录（FSRS）预测，{when_zh}不再复习时"
                "能答出每道题的平均概率；没学过或最近一次答错的题按 0 计。"
            )
        return (
            f"{self.label.capitalize()}: the chance, predicted by FSRS from your reviews, of recalling each question "
            f"{when_en} without further study; questions never seen or last answered wrong count 0."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": to_db(self.at),
            "as_of": to_db(self.as_of),
            "questions": self.questions,
            "seen": self.seen,
            "recall": self.recall,
            "topics": [
                {"topic": t.topic, "questions": t.questions, "seen": t.seen, "recall": t.recall, "seen_recall": t.seen_recall}
                for t in self.topics
            ],
        }


def forecast_recall(
    snapshot: ProgressSnapshot,
    bank: Bank,
    scheduler: StudyScheduler,
    at: datetime,
    *,
    as_of: datetime,
    label: Literal["mastery", "readiness"] = "mastery",
) -> RecallForecast:
    """Predicted recall at ``at`` of every bank question, from ``snapshot`` (taken at ``as_of``)."""
    at = require_utc(at, "at")
    topics = []
    total = seen_total = 0
    recall_total = 0.0
    for topic in bank.topics():
        questions = bank.by_topic(topic)
        seen = [(q.id, card) for q in questions if (card := snapshot.card(q.id)) is not None and not card.is_new]
        recalls = [predicted_recall(card, snapshot.last_rating(question_id), scheduler, at) for question_id, card in seen]
        topics.append(
            TopicRecall(
                topic=topic,
                questions=len(questions),
                seen=len(recalls),
                recall=sum(recalls) / len(questions) if questions else 0.0,
                seen_recall=sum(recalls) / len(recalls) if recalls else None,
            )
        )
        total += len(questions)
        seen_total += len(recalls)
        recall_total += sum(recalls)
    return RecallForecast(
        at=at,
        as_of=require_utc(as_of, "as_of"),
        questions=total,
        seen=seen_total,
        recall=recall_total / total if total else 0.0,
        topics=tuple(topics),
        label=label,
    )


def mastery(snapshot: ProgressSnapshot, bank: Bank, scheduler: StudyScheduler, now: datetime) -> RecallForecast:
    """Predicted recall ``MASTERY_HORIZON`` from ``now``: what home and stats show as mastery."""
    return forecast_recall(snapshot, bank, scheduler, require_utc(now, "now") + MASTERY_HORIZON, as_of=now)


@dataclass(frozen=True)
class TrendPoint:
    as_of: datetime  # the progress as it stood then
    at: datetime  # the instant recall was predicted for
    recall: float


def recall_trend(
    store: ProgressStore,
    bank: Bank,
    scheduler: StudyScheduler,
    now: datetime,
    *,
    target: datetime | None = None,
    weeks: int = TREND_WEEKS,
) -> tuple[TrendPoint, ...]:
    """The forecast as it stood each week, oldest first, the last point now; rebuilt from the review log.

    With ``target`` (the interview), every point predicts recall at that same
    instant, so the trend shows the candidate getting readier for it; without,
    each point looks ``MASTERY_HORIZON`` ahead of its own date.
    """
    now = require_utc(now, "now")
    points = []
    for weeks_ago in range(weeks - 1, -1, -1):
        as_of = now - timedelta(weeks=weeks_ago)
        snapshot = ProgressSnapshot.read(store) if weeks_ago == 0 else ProgressSnapshot.read(store, as_of=as_of)
        at = target if target is not None else as_of + MASTERY_HORIZON
        forecast = forecast_recall(snapshot, bank, scheduler, at, as_of=as_of)
        points.append(TrendPoint(as_of=as_of, at=forecast.at, recall=forecast.recall))
    return tuple(points)
