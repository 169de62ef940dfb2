"""Study statistics for the stats screen: heatmap, retention, forecast, mastery, streak, time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fsrs import Rating, State

from questions.model import Bank
from questions.study.clock import require_utc
from questions.study.forecast import RecallForecast, mastery
from questions.study.review_record import ReviewMode
from questions.study.scheduler import StudyScheduler
from questions.study.settings import StudySettings
from questions.study.snapshot import ProgressSnapshot
from questions.study.store import ProgressStore
from questions.study.weak import weak_ids

HEATMAP_DAYS = 365
FORECAST_DAYS = 30
RETENTION_WINDOW_DAYS = 30
# Answers that test recall. Multiple choice is recognition (easier), and a crammed card
# was not due, so neither says whether the schedule keeps cards at the desired retention.
RETENTION_MODES = frozenset({ReviewMode.REVIEW, ReviewMode.TYPED, ReviewMode.MOCK})


@dataclass(frozen=True)
class DayCount:
    day: date  # a local calendar day (``settings.day_timezone``)
    count: int


@dataclass(frozen=True)
class Retention:
    """True retention: share of reviews of already-learnt (Review-state) cards not rated Again.

    Only scheduled recall answers count (``RETENTION_MODES``): crammed cards
    were not due, and recognising an option is easier than recalling an answer.
    """

    passed: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None


@dataclass(frozen=True)
class TopicMastery:
    """A topic's mastery: predicted recall a week ahead (``questions.study.forecast``)."""

    topic: str
    questions: int  # in the bank
    studied: int  # reviewed at least once
    mastery: float  # mean predicted recall in 7 days over all the topic's questions (unseen or last wrong = 0)
    studied_mastery: float | None  # the same mean over the studied ones only


@dataclass(frozen=True)
class StudyStats:
    today: date
    reviews_per_day: tuple[DayCount, ...]  # the last 365 days, oldest first, today last (heatmap)
    retention: Retention  # the last 30 days
    retention_all_time: Retention
    due_forecast: tuple[DayCount, ...]  # today (including overdue) and the next 29 days
    topic_mastery: tuple[TopicMastery, ...]  # in bank topic order
    mastery_forecast: RecallForecast  # the same figures overall, with ``legend(lang)`` saying what they mean
    weak_question_ids: tuple[str, ...]  # questions.study.weak, in bank order
    current_streak: int  # consecutive days with a review, ending today (or yesterday, if not yet today)
    longest_streak: int
    reviews_today: int
    reviews_total: int
    time_today: timedelta
    time_total: timedelta
    new_cards: int  # bank questions never reviewed
    learning_cards: int
    review_cards: int


def compute_stats(
    store: ProgressStore,
    bank: Bank,
    now: datetime,
    settings: StudySettings | None = None,
    *,
    scheduler: StudyScheduler | None = None,
) -> StudyStats:
    """Everything the stats screen shows, from one pass over the log and the cards."""
    now = require_utc(now, "now")
    settings = settings or (scheduler.settings if scheduler else StudySettings())
    scheduler = scheduler or StudyScheduler(settings)
    tz = settings.day_timezone
    today = now.astimezone(tz).date()

    per_day: Counter[date] = Counter()
    time_per_day: Counter[date] = Counter()
    passed = total = passed_recent = total_recent = 0
    time_total = timedelta(0)
    retention_since = today - timedelta(days=RETENTION_WINDOW_DAYS - 1)
    for fact in store.review_facts():
        day = fact.reviewed_at.astimezone(tz).date()
        per_day[day] += 1
        if fact.duration is not None:
            time_total += fact.duration
            time_per_day[day] += fact.duration // timedelta(milliseconds=1)
        if fact.scheduled and fact.state_before == State.Review and fact.mode in RETENTION_MODES:
            ok = int(fact.rating != Rating.Again)
            passed += ok
            total += 1
            if day >= retention_since:
                passed_recent += ok
                total_recent += 1

    heatmap = tuple(
        DayCount(day, per_day.get(day, 0)) for day in (today - timedelta(days=offset) for offset in range(HEATMAP_DAYS - 1, -1, -1))
    )

    cards = {question_id: card for question_id, card in store.cards().items() if question_id in bank}
    forecast: Counter[int] = Counter()
    for card in cards.values():
        if card.due is None:
            continue
        offset = max(0, (card.due.astimezone(tz).date() - today).days)
        if offset < FORECAST_DAYS:
            forecast[offset] += 1

    snapshot = ProgressSnapshot(cards=cards, last_ratings=store.latest_ratings())
    week_ahead = mastery(snapshot, bank, scheduler, now)
    topic_mastery = tuple(
        TopicMastery(topic.topic, topic.questions, topic.seen, topic.recall, topic.seen_recall) for topic in week_ahead.topics
    )

    current, longest = _streaks(set(per_day), today)
    states = Counter(card.state for card in cards.values())
    return StudyStats(
        today=today,
        reviews_per_day=heatmap,
        retention=Retention(passed_recent, total_recent),
        retention_all_time=Retention(passed, total),
        due_forecast=tuple(DayCount(today + timedelta(days=offset), forecast.get(offset, 0)) for offset in range(FORECAST_DAYS)),
        topic_mastery=topic_mastery,
        mastery_forecast=week_ahead,
        weak_question_ids=weak_ids(snapshot, bank, scheduler, now),
        current_streak=current,
        longest_streak=longest,
        reviews_today=per_day.get(today, 0),
        reviews_total=sum(per_day.values()),
        time_today=timedelta(milliseconds=time_per_day.get(today, 0)),
        time_total=time_total,
        new_cards=len(bank) - len(cards),
        learning_cards=states[State.Learning] + states[State.Relearning],
        review_cards=states[State.Review],
    )


def _streaks(days: set[date], today: date) -> tuple[int, int]:
    """(current, longest) run of consecutive study days. Today not studied yet does not break the run."""
    current = 0
    day = today if today in days else today - timedelta(days=1)
    while day in days:
        current += 1
        day -= timedelta(days=1)
    longest = run = 0
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    return current, longest
