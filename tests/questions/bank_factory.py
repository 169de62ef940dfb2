"""Small, valid bank files for tests that need a bank of their own.

``write_question_file`` writes one topic file; ``question_yaml`` is one question
in the schema of docs/bank-schema.md, with just enough to pass the linter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

SEED = "000_b1566269e68ea388.txt"


def question_yaml(
    qid: str,
    *,
    follow_ups: Iterable[str] = (),
    verifiers: Iterable[str] = (),
    choices: bool = False,
    difficulty: int = 2,
    source: str | None = "1. 时代背景：为什么需要 Transformer？",
) -> str:
    lines = [
        f"  - id: {qid}",
        f"    difficulty: {difficulty}",
        "    tags: [basics]",
        f"    question: {{zh: '问题 {qid}', en: 'Question {qid}'}}",
        "    answer: {zh: 答案, en: Answer}",
        "    key_points: {zh: [一, 二, 三], en: [one, two, three]}",
    ]
    if follow_ups:
        lines.append(f"    follow_ups: [{', '.join(follow_ups)}]")
    if verifiers:
        lines.append(f"    verifiers: [{', '.join(verifiers)}]")
    if choices:
        lines.append("    choices:")
        lines.append("      - {zh: 对, en: right, correct: true}")
        lines.extend(f"      - {{zh: 错{n}, en: wrong {n}}}" for n in range(3))
    if source is not None:
        lines.append(f"    sources: [{{doc: {SEED}, heading: '{source}'}}]")
    return "\n".join(lines) + "\n"


def write_question_file(directory: Path, topic: str, questions: Iterable[str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{topic}.yaml"
    path.write_text(f"topic: {topic}\nquestions:\n" + "".join(questions), encoding="utf-8")
    return path
