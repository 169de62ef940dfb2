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
) -> Question:
    return Question(
        id=qid,
        topic=topic,
        difficulty=difficulty,
        tags=tags,
        question=Text(zh=f"问题 {qid}", en=text or f"Question {qid}"),
        answer=Text(zh="答案", en="Answer"),
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
