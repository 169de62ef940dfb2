"""Every format from the real shipped bank, through `tprep export`."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from html.parser import HTMLParser

import pytest

from questions import load_bank
from tui.cli import main


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def test_markdown_has_every_question_and_topic(bank, tmp_path, capsys):
    out = tmp_path / "sheet.md"
    assert main(["export", "--format", "md", "--out", str(out)]) == 0
    assert f"({len(bank)} questions" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert len(re.findall(r"^### \d+\. ", text, flags=re.MULTILINE)) == len(bank)
    for question in bank:
        assert f"`{question.id}`" in text


def test_html_from_the_real_bank_parses_without_scripts(bank, tmp_path):
    out = tmp_path / "sheet.html"
    assert main(["export", "--format", "html", "--out", str(out), "--layout", "two-column"]) == 0
    document = out.read_text(encoding="utf-8")

    class Collector(HTMLParser):
        tags: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

    collector = Collector()
    collector.feed(document)
    assert "script" not in collector.tags
    assert collector.tags.count("article") == len(bank)
    assert "math" in collector.tags  # answers' LaTeX became MathML


def test_filters_select_and_language_applies(bank, tmp_path, capsys):
    out = tmp_path / "attention.md"
    assert main(["export", "--format", "md", "--topic", "attention", "--difficulty", "1", "--difficulty", "2",
                 "--lang", "en", "--out", str(out)]) == 0
    expected = [q for q in bank.by_topic("attention") if q.difficulty in (1, 2)]
    assert f"({len(expected)} questions, md, en)" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert "Answer" in text and "答案" not in text


def test_anki_deck_holds_the_whole_bank_with_unique_guids(bank, tmp_path):
    out = tmp_path / "deck.apkg"
    assert main(["export", "--format", "anki", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        (tmp_path / "c.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as connection:
        guids = [row[0] for row in connection.execute("SELECT guid FROM notes")]
    assert len(guids) == len(bank) == len(set(guids))


def test_weak_selection_empty_for_a_new_user_is_a_clear_error(tmp_path, capsys):
    assert main(["export", "--format", "md", "--weak", "--out", str(tmp_path / "weak.md")]) == 2
    assert "selection is empty" in capsys.readouterr().err
    assert not (tmp_path / "weak.md").exists()


def test_unknown_topic_lists_the_known_ones(bank, capsys):
    assert main(["export", "--format", "md", "--topic", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown topic nope" in err and "attention" in err


def test_existing_file_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "sheet.md"
    out.write_text("mine", encoding="utf-8")
    assert main(["export", "--format", "md", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "mine"
