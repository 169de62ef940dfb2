"""Load the shipped question bank (and a user's own directories) into a ``Bank``.

Provisional loader: builds the model from well-formed files. The strict
validation (every problem with file:line, question id and field) replaces the
body of ``load_bank`` in the question-bank issue; the signature stays.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import yaml

from questions.model import Bank, Caveat, Choice, Origin, Question, Source, Text, TextList

BUILTIN_BANK_DIR = Path(__file__).parent / "bank"


def bank_files(directory: Path) -> list[Path]:
    """The YAML files of one bank directory, in a stable order."""
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))


def load_bank(extra_dirs: Sequence[Path] = (), *, include_builtin: bool = True) -> Bank:
    """The shipped bank merged with the user's directories, in file order."""
    dirs: list[Path] = ([BUILTIN_BANK_DIR] if include_builtin else []) + [Path(d) for d in extra_dirs]
    questions: list[Question] = []
    for directory in dirs:
        for path in bank_files(directory):
            questions.extend(_questions_in(path))
    return Bank(tuple(questions))


def _questions_in(path: Path) -> Iterable[Question]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    topic = document["topic"]
    for raw in document.get("questions") or []:
        yield _question(raw, topic, Origin(path, 0))


def _text(raw: dict) -> Text:
    return Text(zh=str(raw["zh"]), en=str(raw["en"]))


def _question(raw: dict, topic: str, origin: Origin) -> Question:
    return Question(
        id=raw["id"],
        topic=topic,
        difficulty=int(raw["difficulty"]),
        tags=tuple(raw.get("tags") or ()),
        question=_text(raw["question"]),
        answer=_text(raw["answer"]),
        key_points=TextList(zh=tuple(raw["key_points"]["zh"]), en=tuple(raw["key_points"]["en"])),
        sources=tuple(Source(doc=s["doc"], heading=s["heading"]) for s in raw["sources"]),
        choices=tuple(Choice(text=_text(c), correct=bool(c.get("correct", False))) for c in raw.get("choices") or ()),
        follow_ups=tuple(raw.get("follow_ups") or ()),
        related=tuple(raw.get("related") or ()),
        verifiers=tuple(raw.get("verifiers") or ()),
        caveats=tuple(
            Caveat(
                doc=c["doc"],
                claim=_text(c["claim"]),
                correction=_text(c["correction"]),
                evidence=tuple(c.get("evidence") or ()),
            )
            for c in raw.get("caveats") or ()
        ),
        origin=origin,
    )
