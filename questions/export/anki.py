"""Anki deck (.apkg) through genanki.

Re-importing a newer export updates the cards instead of duplicating them:
the deck and note-type ids are fixed, and each note's GUID is derived from the
question id alone, so edits to the text keep the same note.
Math uses MathJax delimiters ``\\(...\\)`` and ``\\[...\\]``; all bank text is
HTML-escaped.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from questions.documents import document_title
from questions.export.evidence import claim_lines, run_date, status_mark, text_of
from questions.export.sheet import StudySheet
from questions.export.writing import write_atomically
from questions.mathtext import split_math
from questions.model import Question, Text

# Fixed forever: changing them makes Anki treat the next import as a new deck/note type.
DECK_ID = 1_724_860_031
MODEL_ID = 1_724_860_032
FIELDS = ("Question", "Answer", "KeyPoints", "Caveats", "Evidence", "Source", "Id")

CARD_CSS = """
.card { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 18px;
        text-align: left; color: #1f2328; background: #fff; line-height: 1.5; }
.second { color: #5b6470; }
.label { font-weight: 600; color: #0b5cad; margin-top: .6em; }
.caveat { background: #fff8e6; border-left: 3px solid #d4a72c; padding: .2em .5em; }
.evidence { background: #f3f8ff; border-left: 3px solid #0b5cad; padding: .2em .5em; }
.id { color: #8b949e; font-size: 12px; }
.document, .verdict { color: #5b6470; }
.verdict { font-style: italic; }
"""

_BACK = """{{FrontSide}}<hr id="answer">
<div class="label">Answer · 答案</div>{{Answer}}
<div class="label">Key points · 要点</div>{{KeyPoints}}
{{#Caveats}}<div class="label">Caveats · 文档勘误</div>{{Caveats}}{{/Caveats}}
{{#Evidence}}<div class="label">Evidence · 验证证据</div>{{Evidence}}{{/Evidence}}
<div class="label">Sources and references · 出处与参考文献</div>{{Source}}
<div class="id">{{Id}}</div>"""


def note_guid(question_id: str) -> str:
    import genanki

    return genanki.guid_for("transformer-prep", question_id)


def anki_text(text: str) -> str:
    """Escaped HTML with math in MathJax delimiters."""
    out = []
    for span in split_math(text):
        if span.is_math:
            latex = escape(span.text, quote=False)
            out.append(f"\\[{latex}\\]" if span.display else f"\\({latex}\\)")
        else:
            out.append(escape(span.text).replace("\n", "<br>"))
    return "".join(out)


def write_anki(sheet: StudySheet, path: Path, *, force: bool = False) -> Path:
    import genanki

    model = genanki.Model(
        MODEL_ID,
        "Transformer Prep",
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Recall", "qfmt": "{{Question}}", "afmt": _BACK}],
        css=CARD_CSS,
        sort_field_index=FIELDS.index("Id"),
    )
    deck = genanki.Deck(DECK_ID, "Transformer Prep")
    for question in sheet.questions:
        deck.add_note(
            genanki.Note(
                model=model,
                fields=_fields(sheet, question),
                guid=note_guid(question.id),
                tags=[f"topic::{question.topic}", f"difficulty::{question.difficulty}"]
                + [f"tag::{tag}" for tag in question.tags],
            )
        )
    package = genanki.Package(deck)
    return write_atomically(path, lambda temporary: package.write_to_file(str(temporary)), force=force)


def _both(sheet: StudySheet, text: Text) -> str:
    return "".join(
        f'<div class="{"second" if index else "first"}">{anki_text(text.get(lang))}</div>'
        for index, lang in enumerate(sheet.langs)
    )


def _fields(sheet: StudySheet, question: Question) -> list[str]:
    key_points = "".join(
        "<ul>" + "".join(f"<li>{anki_text(p)}</li>" for p in question.key_points.get(lang)) + "</ul>"
        for lang in sheet.langs
    )
    caveats = "".join(
        f'<div class="caveat"><div class="document">{escape(document_title(c.doc, sheet.langs[0]))}</div>'
        + "".join(
            f"<div>“{anki_text(c.claim.get(lang))}” → {anki_text(c.correction.get(lang))}</div>" for lang in sheet.langs
        )
        + "</div>"
        for c in question.caveats
    )
    evidence = ""
    if sheet.with_evidence:
        for verifier_id, result in sheet.results_for(question):
            if result is None:
                continue
            lang = sheet.langs[0]
            claims = "".join(
                f"<li>{claim.mark.glyph} {anki_text(claim.statement)}"
                + (f' <span class="verdict">({escape(claim.words)})</span>' if claim.words else "")
                + f" — {escape(claim.measured)}</li>"
                for claim in claim_lines(result, lang)
            )
            evidence += (
                f'<div class="evidence">{status_mark(result)} <code>{escape(verifier_id)}</code> '
                f"({escape(run_date(result))}): {anki_text(text_of(result.get('summary'), lang))}<ul>{claims}</ul></div>"
            )
    # Sources and references share the Source field: the note type's fields stay as they were,
    # so a re-import updates earlier decks in place.
    from questions.export.html import html_reference

    sources = "<br>".join(
        [f"{escape(document_title(s.doc, sheet.langs[0]))} — {anki_text(s.heading)}" for s in question.sources]
        + [html_reference(reference) for reference in question.references]
    )
    return [
        _both(sheet, question.question),
        _both(sheet, question.answer),
        key_points,
        caveats,
        evidence,
        sources,
        escape(question.id),
    ]
