"""A typed answer's key-point coverage as markup, for the review screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.markup import escape

from tui.widgets.i18n import bilingual, tr

if TYPE_CHECKING:
    from questions.model import Question
    from questions.study.answer_check import AnswerCheck


def coverage_markup(check: "AnswerCheck", typed: str, language: str, ui_lang: str) -> str:
    """What the user typed, then each key point ✓ covered / ✗ missed, and the suggested rating."""
    from tui.widgets.rating_bar import RATING_LABELS

    rating = int(check.suggested_rating)
    english, chinese, _variant = RATING_LABELS[rating]
    lines = [
        f"[b $accent]{tr(ui_lang, 'Your answer', '你的答案')}[/]",
        escape(typed),
        "",
        f"[b $accent]{tr(ui_lang, 'Key points covered', '覆盖的要点')}[/] "
        f"{len(check.covered)}/{len(check.points)}  "
        f"[dim]{tr(ui_lang, f'suggested: {rating} {english}', f'建议评分：{rating} {chinese}')}[/]",
    ]
    if check.keyword_list:  # say why naming the right terms earned nothing
        lines.append(f"[dim]{tr(ui_lang, 'A list of terms states no claim: answer in sentences.', '只列关键词不算作答：请用句子说明它们的关系。')}[/]")
    for point in check.points:
        mark = "[green]✓[/]" if point.covered else "[red]✗[/]"
        lines.append(f"{mark} " + bilingual(point.text, language).replace("\n", "\n  "))
    return "\n".join(lines)


def check_answer(question: "Question", typed: str) -> "AnswerCheck":
    """Score ``typed`` against the key points (slow the first time: jieba loads its dictionary)."""
    from questions.study.answer_check import check_typed_answer

    return check_typed_answer(question, typed)
