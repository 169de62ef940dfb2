"""Seed documents by name (questions.documents): each title comes from the document's own first
heading, is unique, and is what readers see instead of the file name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from questions.documents import SEED_DOCUMENT_TITLES, document_title, source_label
from questions.model import Source
from questions.schema import SEED_DOCUMENTS

SEEDS = Path(__file__).parent / "seeds"  # a verbatim copy of shared/seeds/


def first_heading(path: Path) -> str:
    """The front matter's ``title:`` when the document has front matter, else its first ``# `` line."""
    text = path.read_text(encoding="utf-8")
    front_matter = re.match(r"\s*---\n(.*?)\n---\n", text, re.DOTALL)
    if front_matter:
        title = re.search(r"^title:\s*(.+)$", front_matter.group(1), re.MULTILINE)
        if title:
            return title.group(1).strip()
    return next(line[2:].strip() for line in text.splitlines() if line.startswith("# "))


def test_every_seed_document_has_a_title():
    assert set(SEED_DOCUMENT_TITLES) == set(SEED_DOCUMENTS)


@pytest.mark.parametrize("doc", SEED_DOCUMENTS)
def test_the_title_comes_from_the_documents_own_first_heading(doc):
    document = SEED_DOCUMENT_TITLES[doc]
    assert document.heading == first_heading(SEEDS / doc)
    for lang in ("zh", "en"):
        title = document_title(doc, lang)
        assert document.heading.replace(" ", "").lower() in title.replace(" ", "").lower()
        assert not title.endswith(".txt") and "_" not in title


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_titles_tell_the_documents_apart(lang):
    titles = [document_title(doc, lang) for doc in SEED_DOCUMENTS]
    assert len(set(titles)) == len(titles)


def test_a_document_of_a_users_own_bank_keeps_its_file_name():
    assert document_title("my-notes.md", "en") == "my-notes.md"


def test_a_source_reads_title_then_heading():
    source = Source(doc="002_f51c8fc0c724f297.txt", heading="Transformer 为什么要除以根号 dk")
    assert source_label(source, "zh") == "Transformer 面试突击 — Transformer 为什么要除以根号 dk"
