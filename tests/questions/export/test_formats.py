"""Each export format's content, escaping and structure, on a small bank built in code."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from questions.export import ExportError, build_sheet, export_sheet
from questions.export.anki import FIELDS, note_guid
from questions.export.html import render_html
from questions.export.markdown import render_markdown
from questions.model import Bank, Text
from tests.questions.export.conftest import HOSTILE


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def parse_html(document: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(document)
    collector.close()
    return collector


def test_markdown_groups_by_topic_and_shows_every_part(small_bank, sqrt_dk_result):
    text = render_markdown(build_sheet(small_bank, "both", {"sqrt-dk-variance": sqrt_dk_result}))
    # Topics in curriculum order: attention before layers, whatever the bank order.
    assert text.index("## 注意力机制 · Attention") < text.index("## 层结构")
    assert "Why divide by $\\sqrt{d_k}$? (attention-scale)" in text
    assert "缩放后方差为 1" in text and "unit variance after scaling" in text
    assert "the document's claim" in text and "the correct statement" in text
    assert "`000_b1566269e68ea388.txt`" in text
    assert "✓ `sqrt-dk-variance` (2026-11-22)" in text
    assert "MC 63.8 for d_k=64" in text


def test_markdown_in_one_language_leaves_the_other_out(small_bank):
    text = render_markdown(build_sheet(small_bank, "en"))
    assert "Why divide" in text and "为什么要除以" not in text and "Answer" in text and "答案" not in text


def test_hostile_text_is_escaped_in_markdown_and_html(small_bank):
    sheet = build_sheet(small_bank, "both")
    markdown = render_markdown(sheet)
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    html = render_html(sheet)
    assert "script" not in parse_html(html).tags
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_html_is_self_contained_with_mathml_and_svg(small_bank, sqrt_dk_result):
    html = render_html(build_sheet(small_bank, "both", {"sqrt-dk-variance": sqrt_dk_result}))
    tags = parse_html(html).tags
    assert "script" not in tags and "link" not in tags
    assert "math" in tags and "svg" in tags and "polyline" in tags
    assert "http://" not in html.replace("http://www.w3.org/", "") and "https://" not in html
    # The legend's series name is escaped inside the SVG too.
    assert "unscaled &lt;b&gt;" in html


def test_html_two_column_layout_is_a_body_class(small_bank):
    assert '<body class="two-column">' in render_html(build_sheet(small_bank, "en"), layout="two-column")


def test_evidence_section_only_with_evidence(small_bank, sqrt_dk_result):
    assert "Evidence" not in render_markdown(build_sheet(small_bank, "en"))
    with_results = render_markdown(build_sheet(small_bank, "en", {"other": sqrt_dk_result}))
    # A backing verifier that never ran is named with the command that runs it.
    assert "`sqrt-dk-variance`: not run yet (`tprep verify sqrt-dk-variance`)" in with_results


def read_collection(path: Path) -> list[tuple[str, str, str]]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert "collection.anki2" in names
        data = archive.read("collection.anki2")
    db_path = path.with_suffix(".anki2")
    db_path.write_bytes(data)
    with sqlite3.connect(db_path) as connection:
        return connection.execute("SELECT guid, flds, tags FROM notes ORDER BY guid").fetchall()


def test_anki_notes_match_selection_with_stable_guids(small_bank, tmp_path):
    sheet = build_sheet(small_bank, "both")
    first = read_collection(export_sheet(sheet, "anki", tmp_path / "a.apkg"))
    assert len(first) == len(small_bank)
    assert {guid for guid, _, _ in first} == {note_guid(q.id) for q in small_bank}

    edited_question = replace(small_bank.get("attention-scale"), answer=Text(zh="改过的答案", en="an edited answer"))
    edited = Bank(tuple(edited_question if q.id == "attention-scale" else q for q in small_bank))
    second = read_collection(export_sheet(build_sheet(edited, "both"), "anki", tmp_path / "b.apkg"))
    assert [guid for guid, _, _ in second] == [guid for guid, _, _ in first]
    assert any("an edited answer" in fields for _, fields, _ in second)


def test_anki_fields_escape_html_and_use_mathjax(small_bank, tmp_path):
    notes = read_collection(export_sheet(build_sheet(small_bank, "both"), "anki", tmp_path / "deck.apkg"))
    all_fields = "\x1f".join(fields for _, fields, _ in notes)
    assert "<script>" not in all_fields and "&lt;script&gt;" in all_fields
    assert "\\(\\sqrt{d_k}\\)" in all_fields
    # Sources quote the document's heading verbatim; everything else is MathJax.
    assert not any("$" in field for _, fields, _ in notes for index, field in enumerate(fields.split("\x1f")) if index != FIELDS.index("Source"))
    tags = " ".join(tag for _, _, tag in notes)
    assert "topic::attention" in tags and "difficulty::2" in tags


def test_pdf_text_is_selectable_with_math_as_unicode(small_bank, tmp_path):
    import pypdf

    path = export_sheet(build_sheet(small_bank, "both"), "pdf", tmp_path / "sheet.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    assert "Why divide by" in text
    assert "√" in text  # math as readable Unicode, not LaTeX source
    assert "缩放后方差为" in text  # with the shipped font, whatever the machine has


def fontconfig_without_chinese(tmp_path: Path) -> dict[str, str]:
    """An environment whose fontconfig knows only DejaVu (on every machine of this kind): Latin
    glyphs, no Chinese. For a child process: Pango reads the font configuration once per process."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def test_pdf_shows_chinese_on_a_machine_without_a_chinese_font(tmp_path):
    import pypdf

    out = tmp_path / "s.pdf"
    command = [sys.executable, "-m", "tui", "export", "--format", "pdf", "--topic", "attention", "--out", str(out)]
    finished = subprocess.run(command, env=fontconfig_without_chinese(tmp_path), capture_output=True, text=True, timeout=240)
    assert finished.returncode == 0, finished.stderr
    assert "no font with Chinese glyphs" not in finished.stderr
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    assert "注意力机制" in text and "Attention" in text  # both languages drawn, and both copyable


def test_every_character_of_the_shipped_bank_has_a_glyph_in_the_shipped_font():
    from fontTools.ttLib import TTFont

    from questions.export.fonts.make_subset import characters_we_use
    from questions.export.pdf import BUNDLED_CJK_FONT

    covered = {chr(code) for code in TTFont(BUNDLED_CJK_FONT).getBestCmap()}
    chinese = {c for c in characters_we_use() if "\u3400" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"}
    missing = "".join(sorted(chinese - covered))
    assert not missing, f"not in the shipped font: {missing}; run python -m questions.export.fonts.make_subset (see its docstring)"


def test_pdf_export_warns_when_no_font_has_chinese_glyphs(tmp_path, monkeypatch, capsys):
    # The shipped font gone (a broken install) and fontconfig knowing no Chinese font.
    from tui.cli import main

    monkeypatch.setattr("questions.export.pdf.BUNDLED_CJK_FONT", tmp_path / "gone.woff2")
    monkeypatch.setenv("FONTCONFIG_FILE", fontconfig_without_chinese(tmp_path)["FONTCONFIG_FILE"])
    out = tmp_path / "s.pdf"
    assert main(["export", "--format", "pdf", "--topic", "masks", "--out", str(out)]) == 0
    assert "no font with Chinese glyphs" in capsys.readouterr().err
    assert out.read_bytes().startswith(b"%PDF")


def test_existing_file_is_kept_without_force(small_bank, tmp_path):
    target = tmp_path / "sheet.md"
    target.write_text("my notes", encoding="utf-8")
    with pytest.raises(ExportError, match="--force"):
        export_sheet(build_sheet(small_bank, "en"), "md", target)
    assert target.read_text(encoding="utf-8") == "my notes"
    export_sheet(build_sheet(small_bank, "en"), "md", target, force=True)
    assert "Why divide" in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.md"]  # no temporary files left behind


def test_failed_write_leaves_target_and_no_temporary(small_bank, tmp_path, monkeypatch):
    target = tmp_path / "sheet.html"
    target.write_text("old", encoding="utf-8")

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("questions.export.html.render_html", explode)
    with pytest.raises(RuntimeError):
        export_sheet(build_sheet(small_bank, "en"), "html", target, force=True)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.html"]


def test_missing_folder_and_directory_targets_are_refused(small_bank, tmp_path):
    sheet = build_sheet(small_bank, "en")
    with pytest.raises(ExportError, match="does not exist"):
        export_sheet(sheet, "md", tmp_path / "nope" / "sheet.md")
    with pytest.raises(ExportError, match="is a directory"):
        export_sheet(sheet, "md", tmp_path)


def test_empty_selection_is_refused():
    with pytest.raises(ExportError, match="selection is empty"):
        build_sheet([], "en")


def test_html_draws_a_verifiers_evidence_once_and_links_to_it(small_bank, sqrt_dk_result):
    # Two questions of the small bank cite sqrt-dk-variance: one full block, one link to it.
    html = render_html(build_sheet(small_bank, "en", {"sqrt-dk-variance": sqrt_dk_result}))
    assert html.count("<svg") == 1
    assert html.count("MC 63.8 for d_k=64") == 1
    assert 'full evidence at question <a href="#q-attention-scale">1</a>' in html
