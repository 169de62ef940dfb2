"""Model objects for study tests, built directly (no YAML, no linter): fast and explicit."""

from __future__ import annotations

from datetime import datetime, timezone

from questions.model import Bank, Choice, Question, Source, Text, TextList

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday morning, UTC


def make_question(
    qid: str,
    *,
    topic: str = "attention",
    difficulty: int = 2,
    tags: tuple[str, ...] = ("basics",),
    follow_ups: tuple[str, ...] = (),
    verifiers: tuple[str, ...] = (),
    docs: tuple[str, ...] = ("000_b1566269e68ea388.txt",),
    key_points: tuple[tuple[str, str], ...] = (("一", "one"), ("二", "two"), ("三", "three")),
    choices: tuple[tuple[str, bool], ...] = (),
    text: str | None = None,
    answer: tuple[str, str] = ("答案", "Answer"),
) -> Question:
    return Question(
        id=qid,
        topic=topic,
        difficulty=difficulty,
        tags=tags,
        question=Text(zh=f"问题 {qid}", en=text or f"Question {qid}"),
        answer=Text(zh=answer[0], en=answer[1]),
        key_points=TextList(zh=tuple(zh for zh, _ in key_points), en=tuple(en for _, en in key_points)),
        sources=tuple(Source(doc=doc, heading="h") for doc in docs),
        choices=tuple(Choice(text=Text(zh=f"选项 {label}", en=label), correct=correct) for label, correct in choices),
        follow_ups=follow_ups,
        verifiers=verifiers,
    )


def make_bank(*questions: Question) -> Bank:
    return Bank(tuple(questions))


def numbered_bank(count: int, topic: str = "attention") -> Bank:
    return make_bank(*(make_question(f"q-{index:03d}", topic=topic) for index in range(count)))


def simulated_progress(
    *, questions: int = 64, reviews_per_question: int = 12, until: datetime | None = None, seed: int = 7
) -> dict:
    """A progress export (``ProgressStore.import_progress`` format) of a simulated learner.

    The learner forgets faster than FSRS's default model predicts (true recall
    is the default prediction squared), so fitted parameters have something to
    learn. Reviews come when FSRS schedules them, at least a day apart, and stop
    before ``until``: every review after the first is one the optimizer learns
    from, about ``questions * (reviews_per_question - 1)`` in all.
    """
    import random
    from datetime import timedelta

    from questions.study import Rating, StudyScheduler, StudySettings
    from questions.study.card import CardState
    from questions.study.clock import to_db

    rng = random.Random(seed)
    until = until or T0
    scheduler = StudyScheduler(StudySettings(enable_fuzzing=False, day_timezone=timezone.utc))
    cards, log = [], []
    for index in range(questions):
        card = CardState.new(f"sim-{index:03d}")
        at = until - timedelta(days=2000) + timedelta(hours=rng.random() * 48 + index * 7)
        for _ in range(reviews_per_question):
            if at >= until:
                break
            recall = scheduler.retrievability(card, at) ** 2 if not card.is_new else 1.0
            if not card.is_new and rng.random() > recall:
                rating = Rating.Again
            else:
                rating = rng.choice((Rating.Good, Rating.Good, Rating.Good, Rating.Hard, Rating.Easy))
            before = None if card.is_new else card.to_dict()
            log.append(
                {
                    "question_id": card.question_id,
                    "rating": int(rating),
                    "reviewed_at": to_db(at),
                    "duration_ms": rng.randrange(3000, 20000),
                    "mode": "review",
                    "scheduled": True,
                    "card_before": before,
                }
            )
            card = scheduler.review(card, rating, at)
            at = max(card.due, at + timedelta(days=1, minutes=5))
        cards.append(card.to_dict())
    return {"format": "transformer-prep-progress", "version": 1, "exported_at": to_db(until), "cards": cards, "review_log": log}
