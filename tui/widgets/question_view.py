"""A question, and (once revealed) everything the bank knows about it, in the chosen language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from questions.marks import FAILED, PASSED
from tui.widgets.i18n import bilingual, bilingual_items, tr
from tui.widgets.markup import escape
from tui.widgets.scrolling_text import ScrollingText

if TYPE_CHECKING:
    from questions.model import Bank, Question

DIFFICULTY_STARS = {1: "★☆☆", 2: "★★☆", 3: "★★★"}


def question_heading(question: "Question", ui_lang: str) -> str:
    """The one-line context above a question: topic, difficulty, tags, evidence."""
    from questions.topics import topic_title

    parts = [escape(topic_title(question.topic, ui_lang)), DIFFICULTY_STARS.get(question.difficulty, "")]
    if question.tags:
        parts.append(escape(" ".join(f"#{tag}" for tag in question.tags)))
    if question.verifiers:
        parts.append(tr(ui_lang, f"[green]{PASSED} verified[/] (p)", f"[green]{PASSED} 有验证[/] (p)"))
    return "[dim]" + "  ·  ".join(parts) + "[/]"


def question_markup(
    question: "Question",
    language: str,
    ui_lang: str,
    *,
    reveal: bool,
    bank: "Bank | None" = None,
    show_key_points: bool = True,
    after_question: str | None = None,
) -> str:
    """The question, then (when ``reveal``) answer, key points, caveats, evidence, follow-ups,
    sources (documents by title) and references."""
    from questions.documents import document_title, source_label

    lines = [question_heading(question, ui_lang), "", f"[b]{bilingual(question.question, language)}[/b]"]
    if after_question:
        lines += ["", after_question]
    if not reveal:
        return "\n".join(lines)
    lines += ["", f"[b $accent]{tr(ui_lang, 'Answer', '答案')}[/]", bilingual(question.answer, language)]
    if show_key_points:
        lines += ["", f"[b $accent]{tr(ui_lang, 'Key points', '要点')}[/]"]
        for number, item in enumerate(bilingual_items(question.key_points, language), start=1):
            lines.append(f"{number}. " + item.replace("\n", "\n   "))
    if question.caveats:
        lines += ["", f"[b $warning]{tr(ui_lang, 'Where the documents go wrong', '文档中的错误')}[/]"]
        for caveat in question.caveats:
            claim = bilingual(caveat.claim, language).replace("\n", "\n   ")
            correction = bilingual(caveat.correction, language).replace("\n", "\n   ")
            lines.append(f"[dim]{escape(document_title(caveat.doc, ui_lang))}[/]")
            lines.append(f" {FAILED} {claim}")
            lines.append(f" {PASSED} {correction}")
            if caveat.evidence:
                lines.append(f"   [dim]{tr(ui_lang, 'evidence', '证据')}: {escape(', '.join(caveat.evidence))}[/]")
    if question.verifiers:
        lines += [
            "",
            f"[b $accent]{tr(ui_lang, 'Evidence', '证据')}[/] "
            f"{escape(', '.join(question.verifiers))}  [dim]{tr(ui_lang, 'press p to prove it', '按 p 查看证明')}[/]",
        ]
    if question.follow_ups and bank is not None:
        lines += ["", f"[b $accent]{tr(ui_lang, 'Follow-ups (追问)', '追问')}[/]"]
        for follow_up in question.follow_ups:
            if follow_up in bank:
                text = bilingual(bank.get(follow_up).question, language).replace("\n", "\n  ")
                lines.append(f"→ {text}")
    if question.sources:
        lines += ["", f"[b $accent]{tr(ui_lang, 'Sources', '出处')}[/]"]
        for source in question.sources:
            lines.append(f"· {escape(source_label(source, ui_lang))}")
    if question.references:
        lines += ["", f"[b $accent]{tr(ui_lang, 'References', '参考文献')}[/]"]
        for reference in question.references:
            lines.append(f"· {escape(reference.citation())}")
    lines.append(f"[dim]id: {escape(question.id)}[/]")
    return "\n".join(lines)


class QuestionView(ScrollingText):
    """Scrollable question detail, drawn a line at a time; ``show()`` redraws it."""

    DEFAULT_CSS = """
    /* The scrollbar's column is kept even while the text fits, so revealing a long answer does not
       narrow the view and wrap everything a second time on the key. */
    QuestionView { overflow-y: scroll; }
    """
