"""What every export format renders: the selected questions grouped by topic,
the languages to show, and the verifier evidence behind the answers.

Formats receive a ``StudySheet`` and never re-read the bank: exports start
from the same loaded ``Bank`` as the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Literal, Mapping

from questions.export.errors import ExportError
from questions.model import LANGS, Lang, Question, Text
from questions.topics import topic_order, topic_title

LangChoice = Literal["zh", "en", "both"]

# Headings that frame each part of a question, in both languages.
LABELS: dict[str, Text] = {
    "title": Text(zh="Transformer 面试备考", en="Transformer Prep"),
    "answer": Text(zh="答案", en="Answer"),
    "key_points": Text(zh="要点", en="Key points"),
    "caveats": Text(zh="文档勘误", en="Where the documents are wrong"),
    "document_says": Text(zh="文档说", en="The document says"),
    "correction": Text(zh="更正", en="Correction"),
    "evidence": Text(zh="验证证据", en="Evidence"),
    "sources": Text(zh="出处", en="Sources"),
    "references": Text(zh="参考文献", en="References"),
    "follow_ups": Text(zh="追问", en="Follow-ups"),
    "difficulty": Text(zh="难度", en="Difficulty"),
    "tags": Text(zh="标签", en="Tags"),
    "choices": Text(zh="选择题", en="Multiple choice"),
    "not_run": Text(zh="尚未运行", en="not run yet"),
    "evidence_at": Text(zh="完整证据见第", en="full evidence at question"),
    "contents": Text(zh="目录", en="Contents"),
    "generated": Text(zh="生成于", en="Generated"),
    "questions": Text(zh="道题", en="questions"),
}


def languages(choice: LangChoice) -> tuple[Lang, ...]:
    return LANGS if choice == "both" else (choice,)


@dataclass(frozen=True)
class StudySheet:
    questions: tuple[Question, ...]  # in presentation order (topic, then bank order)
    langs: tuple[Lang, ...]
    evidence: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # verifier id -> Result.to_dict()
    generated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def sections(self) -> list[tuple[str, tuple[Question, ...]]]:
        """(topic, its questions) in presentation order."""
        topics = list(dict.fromkeys(q.topic for q in self.questions))
        return [(topic, tuple(q for q in self.questions if q.topic == topic)) for topic in topics]

    def label(self, key: str, separator: str = " / ") -> str:
        """A heading in the sheet's languages, e.g. ``答案 / Answer``."""
        return separator.join(LABELS[key].get(lang) for lang in self.langs)

    def topic_heading(self, topic: str, separator: str = " · ") -> str:
        return separator.join(dict.fromkeys(topic_title(topic, lang) for lang in self.langs))

    def results_for(self, question: Question) -> list[tuple[str, Mapping[str, Any] | None]]:
        """Each verifier behind the question with its cached result (None if never run)."""
        return [(verifier_id, self.evidence.get(verifier_id)) for verifier_id in question.verifiers]

    @property
    def with_evidence(self) -> bool:
        return bool(self.evidence)


def build_sheet(
    questions: Iterable[Question],
    lang: LangChoice = "both",
    evidence: Mapping[str, Mapping[str, Any]] | None = None,
) -> StudySheet:
    """Order the selection by topic (curriculum order) and keep bank order within a topic."""
    selected = list(questions)
    if not selected:
        raise ExportError("the selection is empty: no question matches the filters; loosen --topic/--difficulty/--weak.")
    position = {q.id: index for index, q in enumerate(selected)}
    ordered = sorted(selected, key=lambda q: (topic_order(q.topic), position[q.id]))
    return StudySheet(questions=tuple(ordered), langs=languages(lang), evidence=dict(evidence or {}))
