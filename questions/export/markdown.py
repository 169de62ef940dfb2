"""Markdown study sheet: grouped by topic; question, answer, key points,
caveats, evidence, sources; math kept as ``$...$``.

Bank text is escaped so that HTML in it (``<script>``, ``<b>``) shows as text
in any Markdown viewer instead of being interpreted.
"""

from __future__ import annotations

from pathlib import Path

from questions.export.evidence import claim_lines, run_date, status_mark, text_of
from questions.documents import document_title
from questions.export.sheet import StudySheet
from questions.export.writing import write_atomically
from questions.mathtext import split_math
from questions.model import Question, Reference, Text

_MARKDOWN_SPECIAL = str.maketrans({"<": "&lt;", ">": "&gt;", "&": "&amp;"})


def md_text(text: str) -> str:
    """Escape HTML in prose; keep math as ``$...$`` with ``<``/``>`` spelled as LaTeX."""
    out = []
    for span in split_math(text):
        if span.is_math:
            latex = span.text.replace("<", r"\lt ").replace(">", r"\gt ")
            out.append(f"$${latex}$$" if span.display else f"${latex}$")
        else:
            out.append(span.text.translate(_MARKDOWN_SPECIAL))
    return "".join(out)


def render_markdown(sheet: StudySheet) -> str:
    lines = [f"# {sheet.label('title')}", ""]
    lines.append(
        f"_{sheet.label('generated')} {sheet.generated_at:%Y-%m-%d} · {len(sheet.questions)} {sheet.label('questions')}_"
    )
    lines.append("")
    lines.append(f"## {sheet.label('contents')}")
    lines.append("")
    for topic, questions in sheet.sections():
        lines.append(f"- {sheet.topic_heading(topic)} ({len(questions)})")
    lines.append("")
    number = 0
    for topic, questions in sheet.sections():
        lines += [f"## {sheet.topic_heading(topic)}", ""]
        for question in questions:
            number += 1
            lines += _question(sheet, number, question)
    return "\n".join(lines).rstrip() + "\n"


def _each_lang(sheet: StudySheet, text: Text) -> list[str]:
    return [md_text(text.get(lang)) for lang in sheet.langs]


def _question(sheet: StudySheet, number: int, question: Question) -> list[str]:
    titles = _each_lang(sheet, question.question)
    lines = [f"### {number}. {titles[0]}"]
    lines += [f"*{title}*" for title in titles[1:]]
    lines.append("")
    meta = [f"`{question.id}`", f"{sheet.label('difficulty')} {'★' * question.difficulty}"]
    if question.tags:
        meta.append(f"{sheet.label('tags')}: " + ", ".join(md_text(tag) for tag in question.tags))
    lines += [" · ".join(meta), ""]

    lines += [f"**{sheet.label('answer')}**", ""]
    for answer in _each_lang(sheet, question.answer):
        lines += [answer, ""]

    lines += [f"**{sheet.label('key_points')}**", ""]
    for lang in sheet.langs:
        lines += [f"- {md_text(point)}" for point in question.key_points.get(lang)]
        lines.append("")

    if question.caveats:
        lines += [f"**{sheet.label('caveats')}**", ""]
        for caveat in question.caveats:
            for lang in sheet.langs:
                document = md_text(document_title(caveat.doc, lang))
                lines.append(f"- {document}: “{md_text(caveat.claim.get(lang))}” → {md_text(caveat.correction.get(lang))}")
        lines.append("")

    if question.verifiers and sheet.with_evidence:
        lines += [f"**{sheet.label('evidence')}**", ""]
        for verifier_id, result in sheet.results_for(question):
            if result is None:
                lines.append(f"- `{verifier_id}`: {sheet.label('not_run')} (`tprep verify {verifier_id}`)")
                continue
            summary = " / ".join(md_text(text_of(result.get("summary"), lang)) for lang in sheet.langs)
            lines.append(f"- {status_mark(result)} `{verifier_id}` ({run_date(result)}): {summary}")
            for lang in sheet.langs:
                for claim in claim_lines(result, lang):
                    words = f" *({claim.words})*" if claim.words else ""
                    lines.append(f"  - {claim.mark.glyph} {md_text(claim.statement)}{words} — {md_text(claim.measured)}")
        lines.append("")

    if question.follow_ups:
        lines += [f"{sheet.label('follow_ups')}: " + ", ".join(f"`{qid}`" for qid in question.follow_ups), ""]

    if question.sources:
        lines += [f"**{sheet.label('sources')}**", ""]
        lang = sheet.langs[0]
        lines += [f"- {md_text(document_title(s.doc, lang))} — {md_text(s.heading)}" for s in question.sources]
        lines.append("")
    if question.references:
        lines += [f"**{sheet.label('references')}**", ""]
        lines += [f"- {md_reference(reference)}" for reference in question.references]
        lines.append("")
    return lines


def md_reference(reference: Reference) -> str:
    """'Authors (year). [Title](link). arXiv:id', the title linked to where the work can be read."""
    title = md_text(reference.title).replace("[", "\\[").replace("]", "\\]")
    linked = f"[{title}]({reference.link})" if reference.link else title
    where = f" arXiv:{reference.arxiv}" if reference.arxiv else ""
    return f"{md_text(reference.authors)} ({reference.year}). {linked}.{where}"


def write_markdown(sheet: StudySheet, path: Path, *, force: bool = False) -> Path:
    text = render_markdown(sheet)
    return write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"), force=force)
