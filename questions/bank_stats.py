"""Counts that describe a bank: by topic, difficulty, seed document, and how
many questions carry choices, verifiers, caveats and follow-ups.

``bank_stats`` returns plain JSON-ready data (the shape ``tprep bank stats
--json`` writes, documented in ``docs/bank-schema.md``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from questions.model import Bank
from questions.schema import DIFFICULTIES
from questions.topics import topic_order

STATS_SCHEMA_VERSION = 1


def bank_stats(bank: Bank) -> dict[str, Any]:
    questions = bank.questions
    total = len(questions)
    with_choices = sum(1 for q in questions if q.has_choices)
    documents = Counter(doc for q in questions for doc in q.docs)
    verifiers = Counter(v for q in questions for v in q.verifiers)
    return {
        "schema_version": STATS_SCHEMA_VERSION,
        "questions": total,
        "by_topic": {topic: len(bank.by_topic(topic)) for topic in sorted(bank.topics(), key=topic_order)},
        "by_difficulty": {str(level): sum(1 for q in questions if q.difficulty == level) for level in DIFFICULTIES},
        "by_document": dict(sorted(documents.items())),
        "with_choices": with_choices,
        "without_choices": total - with_choices,
        "choices_share": round(with_choices / total, 4) if total else 0.0,
        "with_verifiers": sum(1 for q in questions if q.verifiers),
        "by_verifier": dict(sorted(verifiers.items())),
        "with_caveats": sum(1 for q in questions if q.caveats),
        "caveats": sum(len(q.caveats) for q in questions),
        "with_follow_ups": sum(1 for q in questions if q.follow_ups),
        "sources": sum(len(q.sources) for q in questions),
        "tags": len(bank.tags()),
    }
