"""The shipped bank answers every question the five seed documents ask, and
every citation in it can be found in its document.

Forward: each prompt listed in ``seed_headings`` is the ``sources`` heading of
some question. Reverse: each ``sources`` heading is a (normalised) line of its
document, or a contiguous part of one. The documents are kept in this
repository (``tests/questions/seeds/``, copied verbatim from the project's
``shared/seeds/``) so these checks always run; ``$TPREP_SEEDS`` points them at
another copy.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pytest

from questions.lint import lint_dirs
from questions.schema import SEED_DOCUMENTS, normalise_heading
from tests.questions.seed_headings import QUESTION_HEADINGS, TOPIC_HEADINGS

SEEDS_DIR = Path(os.environ.get("TPREP_SEEDS", Path(__file__).resolve().parent / "seeds"))


def test_the_seed_documents_are_all_here():
    assert sorted(p.name for p in SEEDS_DIR.glob("*.txt")) == sorted(SEED_DOCUMENTS)


@lru_cache(maxsize=1)
def shipped_sources() -> dict[str, list[tuple[str, str]]]:
    """doc -> [(heading, question id)] over the shipped bank, as far as it parses."""
    cited: dict[str, list[tuple[str, str]]] = {doc: [] for doc in SEED_DOCUMENTS}
    for question in lint_dirs([]).questions:
        for source in question.sources:
            cited.setdefault(source.doc, []).append((source.heading, question.id))
    return cited


@lru_cache(maxsize=None)
def document_lines(doc: str) -> tuple[str, ...]:
    text = (SEEDS_DIR / doc).read_text(encoding="utf-8")
    return tuple(line for line in (normalise_heading(raw) for raw in text.splitlines()) if line)


def cites(source_heading: str, prompt: str) -> bool:
    """Whether a source heading cites this prompt: the same text, the whole line
    around it, or at least half of it (the question part of a long line)."""
    source_heading = normalise_heading(source_heading)
    if source_heading == prompt or prompt in source_heading:
        return True
    return source_heading in prompt and 2 * len(source_heading) >= len(prompt)


def uncited(listed: dict[str, tuple[str, ...]], doc: str) -> list[str]:
    headings = [heading for heading, _ in shipped_sources().get(doc, [])]
    return [prompt for prompt in listed.get(doc, ()) if not any(cites(h, prompt) for h in headings)]


def test_normalise_heading_strips_markup_but_keeps_the_text():
    assert normalise_heading("## 1. Transformer模型的核心思想是什么？") == "1. Transformer模型的核心思想是什么？"
    assert normalise_heading("## **为什么 self-attention 可以堆叠多层，有什么作用？**") == (
        "为什么 self-attention 可以堆叠多层，有什么作用？"
    )
    assert normalise_heading("- 为什么用 **LayerNorm** 而不是 **BatchNorm**？  ") == "为什么用 LayerNorm 而不是 BatchNorm？"
    assert normalise_heading("  - 面试追问：Pre-LN 与 Post-LN 的区别？") == "面试追问：Pre-LN 与 Post-LN 的区别？"
    assert normalise_heading("#### 4. 不做 **Padding Mask** 会怎样？") == "4. 不做 Padding Mask 会怎样？"
    # Inner spacing, numbering and full-width punctuation are the document's own.
    assert normalise_heading("Q5: 为什么注意力计算要除以  $\\sqrt{d_k}$ ?") == "Q5: 为什么注意力计算要除以  $\\sqrt{d_k}$ ?"
    # Single asterisks (italics) are not list bullets unless followed by a space.
    assert normalise_heading("### *Longformer / BigBird 是怎么做的？*") == "*Longformer / BigBird 是怎么做的？*"
    assert normalise_heading("* 条目") == "条目"


def test_cites_accepts_the_line_or_its_question_part_only():
    line = "面试官视角: 你能一句话总结 Transformer 最大的贡献吗？"
    assert cites(line, line)
    assert cites("你能一句话总结 Transformer 最大的贡献吗？", line)
    assert cites("### " + line, line)
    assert not cites("Transformer", line)  # a fragment this short cites nothing in particular
    assert not cites("为什么需要“多头”？", "“多头”是如何工作的？")


def test_every_listed_document_is_a_seed_document():
    assert set(QUESTION_HEADINGS) == set(SEED_DOCUMENTS)
    assert set(TOPIC_HEADINGS) <= set(SEED_DOCUMENTS)
    for listed in (QUESTION_HEADINGS, TOPIC_HEADINGS):
        for doc, prompts in listed.items():
            assert len(prompts) == len(set(prompts)), f"{doc}: a prompt is listed twice"


@pytest.mark.parametrize("doc", SEED_DOCUMENTS)
def test_every_listed_prompt_is_in_its_document(doc):
    lines = document_lines(doc)
    listed = QUESTION_HEADINGS[doc] + TOPIC_HEADINGS.get(doc, ())
    missing = [prompt for prompt in listed if not any(prompt == line or prompt in line for line in lines)]
    assert not missing, f"{doc}: listed prompts not found in the document: {missing}"


@pytest.mark.parametrize("doc", SEED_DOCUMENTS)
def test_every_question_the_document_asks_is_in_the_bank(doc):
    missing = uncited(QUESTION_HEADINGS, doc)
    assert not missing, (
        f"{doc}: {len(missing)} of {len(QUESTION_HEADINGS[doc])} questions have no question citing them "
        f"(sources: {{doc: {doc}, heading: <the prompt>}}):\n  " + "\n  ".join(missing)
    )


@pytest.mark.parametrize("doc", sorted(TOPIC_HEADINGS))
def test_every_prose_topic_of_the_document_is_in_the_bank(doc):
    missing = uncited(TOPIC_HEADINGS, doc)
    assert not missing, f"{doc}: prose sections no question cites:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("doc", SEED_DOCUMENTS)
def test_every_citation_can_be_found_in_its_document(doc):
    lines = document_lines(doc)
    unfound = [
        f"{question_id}: {heading!r}"
        for heading, question_id in shipped_sources().get(doc, [])
        if not any(normalise_heading(heading) in line for line in lines)
    ]
    assert not unfound, (
        f"{doc}: these sources name no line of the document (copy the heading from the file; "
        "see docs/bank-schema.md, 'Citing a source'):\n  " + "\n  ".join(unfound)
    )
