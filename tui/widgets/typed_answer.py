"""A typed answer's key-point check as markup, for the review screen: a suggestion to confirm.

Every key point is listed with the tick the checker proposes (☑ / ☐, from
``questions.marks``: told by shape, not colour), its verdict in words ("looks
covered", "not found", ...) and the sentence it rests on. The candidate flips
any tick with its letter (``FLIP_KEYS``) and confirms with enter; the rating
is ``AnswerCheck.rating_for(ticked)``, never the checker's alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from questions.marks import tick
from tui.widgets.i18n import bilingual, tr
from tui.widgets.markup import escape

if TYPE_CHECKING:
    from questions.study.answer_check import AnswerCheck

# Letters that flip a key point's tick: the digits 1-4 are ratings on the review screen.
FLIP_KEYS = "abcdefgh"


def flip_keys_label(count: int) -> str:
    """``a–e`` for five points (the keys the hint and the footer name)."""
    count = max(1, min(count, len(FLIP_KEYS)))
    return FLIP_KEYS[0] if count == 1 else f"{FLIP_KEYS[0]}–{FLIP_KEYS[count - 1]}"


def coverage_markup(check: "AnswerCheck", typed: str, ticked: Iterable[int], language: str, ui_lang: str) -> str:
    """What the user typed, then each key point with its tick, verdict and evidence, and the rating the ticks give."""
    from tui.widgets.rating_bar import RATING_LABELS

    ticked = frozenset(ticked)
    lang = "zh" if ui_lang == "zh" else "en"
    rating = int(check.rating_for(ticked))
    english, chinese, _variant = RATING_LABELS[rating]
    keys = flip_keys_label(len(check.points))
    lines = [
        f"[b $accent]{tr(ui_lang, 'Your answer', '你的答案')}[/]",
        escape(typed),
        "",
        f"[b $accent]{tr(ui_lang, 'Key points: the checker proposes, you decide', '要点：检查器给出建议，由你决定')}[/]",
        "[dim]"
        + tr(
            ui_lang,
            f"☑ ticked = you covered it, ☐ = not. Press {keys} to flip a tick, enter to confirm the rating.",
            f"☑ 已勾选 = 答到了，☐ = 没答到。按 {keys} 切换勾选，回车确认评分。",
        )
        + "[/]",
    ]
    proposed = len(check.proposed_ticks)
    lines.append(  # above the list, so that it stays in view while ticks are flipped
        f"[b]{tr(ui_lang, 'Rating from your ticks: ', '按你的勾选评分：')}{len(ticked)}/{len(check.points)} → {rating} "
        f"{tr(ui_lang, english, chinese)}[/]  "
        f"[dim]{tr(ui_lang, f'(the checker proposed {proposed}/{len(check.points)})', f'（检查器建议 {proposed}/{len(check.points)}）')}[/]"
    )
    if check.keyword_list:  # say why naming the right terms earned nothing
        lines.append(f"[dim]{tr(ui_lang, 'A list of terms states no claim: answer in sentences.', '只列关键词不算作答：请用句子说明它们的关系。')}[/]")
    for point in check.points:
        key = FLIP_KEYS[point.index] if point.index < len(FLIP_KEYS) else " "
        on = point.index in ticked
        mark = f"[b $success]{tick(True)}[/]" if on else tick(False)
        changed = ""
        if on != point.covered:
            changed = " [dim]" + tr(ui_lang, "(you changed this)", "（你改过）") + "[/]"
        text = bilingual(point.text, language).replace("\n", "\n       ")  # under the text of "a ☑ 1. "
        lines.append(f"[b]{key}[/] {mark} {point.index + 1}. {text}{changed}")
        lines.append(f"       [dim]{tr(ui_lang, 'checker: ', '检查器：')}{escape(point.reason(lang))}[/]")
    return "\n".join(lines)


def check_answer(question, typed: str) -> "AnswerCheck":
    """Score ``typed`` against the key points (slow the first time: jieba loads its dictionary)."""
    from questions.study.answer_check import check_typed_answer

    return check_typed_answer(question, typed)
