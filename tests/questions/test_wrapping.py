"""Line wrapping for the terminal (questions.wrapping): Chinese by character with the usual
punctuation rules, English by word, formulas kept whole, never wider than the width.

The rules are checked on every answer, key point and question of the shipped bank, in both
languages, at several widths, with definitions written here rather than taken from the wrapper
(and, for "no early wrap", a second UAX #14 implementation, uniseg, as the reference)."""

from __future__ import annotations

import unicodedata

import pytest
from rich.cells import cell_len

from questions import load_bank
from questions.mathtext import split_math
from questions.render import latex_to_unicode
from questions.wrapping import SHORT_FORMULA_SHARE, fill_text, wrap_text

# A line may not start with these (closing punctuation) nor end with the opening ones.
CLOSING = set("，。、：；！？）」』》〉】〕”’,.;:!?)]}")
OPENING = set("（「『《〈【〔“‘([{")
WIDTHS = (24, 41, 57, 80)


def rendered_with_formulas(paragraph: str) -> tuple[str, list[tuple[int, int]]]:
    shown, formulas, position = [], [], 0
    for span in split_math(paragraph):
        text = latex_to_unicode(span.text) if span.is_math else span.text
        if span.is_math:
            formulas.append((position, position + len(text)))
        shown.append(text)
        position += len(text)
    return "".join(shown), formulas


def break_offsets(rendered: str, lines: list[str]) -> list[int]:
    """Where in ``rendered`` each line but the last ends (the wrapper only drops spaces at breaks)."""
    offsets, position = [], 0
    for line in lines:
        while not rendered.startswith(line, position) and rendered[position] == " ":
            position += 1
        assert rendered.startswith(line, position), (line, rendered[position : position + 40])
        position += len(line)
        offsets.append(position)
    return offsets[:-1]


def is_ideograph(char: str) -> bool:
    return unicodedata.category(char) == "Lo" and unicodedata.east_asian_width(char) in ("W", "F")


def bank_paragraphs() -> list[tuple[str, str]]:
    paragraphs = []
    for question in load_bank():
        for lang in ("zh", "en"):
            texts = [question.answer.get(lang), *question.key_points.get(lang), question.question.get(lang)]
            for text in texts:
                paragraphs += [(f"{question.id} ({lang})", p) for p in text.split("\n") if p.strip()]
    return paragraphs


PARAGRAPHS = bank_paragraphs()


def test_the_bank_paragraphs_are_real_chinese_english_and_mixed_text():
    assert len(PARAGRAPHS) > 2000
    chinese = [p for _, p in PARAGRAPHS if sum(map(is_ideograph, p)) > len(p) / 3]
    mixed = [p for _, p in PARAGRAPHS if any(map(is_ideograph, p)) and "$" in p]
    english = [p for _, p in PARAGRAPHS if not any(map(is_ideograph, p))]
    assert len(chinese) > 500 and len(mixed) > 100 and len(english) > 500


@pytest.mark.parametrize("width", WIDTHS)
def test_bank_paragraphs_wrap_by_the_rules(width):
    problems = []
    for where, paragraph in PARAGRAPHS:
        problems += wrapping_problems(where, paragraph, wrap_text(paragraph, width), width)
    assert problems == []


def test_the_rules_catch_textuals_own_wrapping():
    """The checks are not vacuous: Textual's wrapping (spaces only, then a hard fold) breaks them."""
    from textual.content import Content

    found = []
    for where, paragraph in PARAGRAPHS[:400]:
        rendered, _ = rendered_with_formulas(paragraph)
        lines = [line.plain.rstrip(" ") for line in Content(rendered).wrap(41)]
        found += wrapping_problems(where, paragraph, [line for line in lines if line], 41)
    assert any("wrapped early" in problem for problem in found)
    assert any("is split" in problem for problem in found)
    assert any("starts with closing" in problem for problem in found)


def wrapping_problems(where: str, paragraph: str, lines: list[str], width: int) -> list[str]:
    problems = []
    rendered, formulas = rendered_with_formulas(paragraph)
    breaks = break_offsets(rendered, lines)
    for line in lines:
        if cell_len(line) > width:
            problems.append(f"{where}: wider than {width}: {line!r}")
    for before, after, offset in zip(lines, lines[1:], breaks):
        dropped = len(rendered[offset:]) - len(rendered[offset:].lstrip(" "))  # spaces dropped at the break
        if after[:1] in CLOSING:
            problems.append(f"{where}: a line starts with closing punctuation: {after[:12]!r}")
        if before[-1:] in OPENING:
            problems.append(f"{where}: a line ends with opening punctuation: {before[-12:]!r}")
        if is_ideograph(after[0]):
            early = _early_break(before, " " * dropped, after, width, offset, formulas)
            if early is not None:
                problems.append(f"{where}: wrapped early at {width}: {before!r} / {after[:10]!r}, could end {early!r}")
    for offset in breaks:
        left, right = rendered[offset - 1], rendered[offset]
        if left.isascii() and left.isalpha() and right.isascii() and right.isalpha():
            unit = _unbreakable_unit_around(rendered, offset)
            if cell_len(unit.rstrip(" ")) <= width:  # only what no rule lets break and is wider than a line is cut
                problems.append(f"{where}: the word {_word_around(rendered, offset)!r} is split at {width}")
        for start, end in formulas:
            if start < offset < end and end - start <= width * SHORT_FORMULA_SHARE:
                problems.append(f"{where}: the short formula {rendered[start:end]!r} is broken at {width}")
    return problems


def _early_break(before: str, gap: str, after: str, width: int, offset: int, formulas) -> str | None:
    """A later place to end the line ``before`` that fits and that the rules allow, if any.

    The rules come from a second, independent implementation of UAX #14: uniseg (pure Python,
    Unicode 16, far too slow for the app but fine as a reference here), plus ours: no break
    inside a short formula. One difference between the versions is left out: Unicode 15.1
    narrowed rule LB25 (numbers), so "万/|1.24" and "权重）|+ 4" may break under uniseg but not
    under the 15.0 rules the wrapper's library follows, which keep a slash or a closing bracket
    with a following digit or sign.
    """
    from uniseg.linebreak import line_break_boundaries

    if cell_len(before + gap + after[0]) > width:
        return None  # not even the next character fits: nothing later can
    tail = before[-8:]  # enough context for the rules, which look a few characters back
    context = tail + gap + after[:16]
    for boundary in line_break_boundaries(context):
        if boundary <= len(tail) + len(gap):
            continue
        candidate = before + context[len(tail) : boundary].rstrip(" ")
        if cell_len(candidate) > width:
            return None
        if context[boundary - 1] in "/)）]" and context[boundary : boundary + 1] in tuple("0123456789+-%"):
            continue  # LB25, see above
        position = offset - len(tail) + boundary  # in the rendered paragraph
        if not any(start < position < end and end - start <= width * SHORT_FORMULA_SHARE for start, end in formulas):
            return candidate[-12:]
    return None


def _unbreakable_unit_around(text: str, offset: int) -> str:
    """The stretch around ``offset`` that UAX #14 (uniseg, the reference) gives no break in."""
    from uniseg.linebreak import line_break_boundaries

    window_start = max(0, offset - 60)
    window = text[window_start : offset + 60]
    start = 0
    for boundary in line_break_boundaries(window):
        if window_start + boundary >= offset:
            return window[start:boundary]
        start = boundary
    return window[start:]


def _word_around(text: str, offset: int) -> str:
    start, end = offset, offset
    while start > 0 and text[start - 1].isascii() and (text[start - 1].isalnum() or text[start - 1] in "-_"):
        start -= 1
    while end < len(text) and text[end].isascii() and (text[end].isalnum() or text[end] in "-_"):
        end += 1
    return text[start:end]


def test_chinese_fills_each_line_and_keeps_punctuation_off_the_line_start():
    text = "注意力分数要除以根号下的维度，否则点积的方差会随维度增大，使得概率分布过于尖锐。"
    lines = wrap_text(text, 16)
    assert lines == ["注意力分数要除以", "根号下的维度，否", "则点积的方差会随", "维度增大，使得概", "率分布过于尖锐。"]
    # 14 cells hold 7 characters; "，" may not start the next line, so "七，" moves down together.
    assert wrap_text("一二三四五六七，八九十", 14) == ["一二三四五六", "七，八九十"]


def test_an_opening_bracket_or_quote_never_ends_a_line():
    for width in range(6, 20):
        for line in wrap_text("他说：“自注意力”（self-attention）是核心。", width)[:-1]:
            assert line[-1] not in OPENING, (width, line)


def test_quotes_between_chinese_characters_do_not_wrap_early():
    # Unicode 15.1 (LB19a): a break before an opening quote between Chinese characters.
    assert wrap_text("一二三四五“六七”八九", 10) == ["一二三四五", "“六七”八九"]
    assert wrap_text("一二“三四”五六七八", 12) == ["一二“三四”五", "六七八"]


def test_english_words_are_never_split():
    text = "Scaled dot-product attention divides the scores by the square root of the key dimension."
    for width in range(14, 40):
        lines = wrap_text(text, width)
        assert " ".join(lines).replace("dot- product", "dot-product") == text, width
        assert all(cell_len(line) <= width for line in lines)


def test_a_short_formula_stays_on_one_line():
    # "SA(PX)=P SA(X)" is 14 cells: never broken at widths of 28 and more (at most half the width).
    text = r"Permutation equivariance: $SA(PX)=P\,SA(X)$ for every permutation matrix $P$."
    for width in range(28, 60):
        lines = wrap_text(text, width)
        assert any("SA(PX)=P SA(X)" in line for line in lines), (width, lines)
    # The case of issue #14, where it broke inside the juxtaposition: "SA(PX)=P" / "SA(X)".
    assert not any(line.endswith("=P") for width in range(10, 60) for line in wrap_text(text, width))


def test_a_long_formula_breaks_after_a_relation_or_operator():
    text = r"With a temperature, $p_i=\frac{\exp(z_i/T)}{\sum_j\exp(z_j/T)}$ for every logit."
    # The formula (26 cells) is over half of 32, so it may break, but only after "=" outside brackets.
    assert wrap_text(text, 32) == ["With a temperature, pᵢ=", "exp(zᵢ/T)/(∑ⱼ exp(zⱼ/T)) for", "every logit."]
    # Wider than the whole line, it is cut inside its brackets too, after an operator or between factors.
    lines = wrap_text(text, 14)
    assert all(cell_len(line) <= 14 for line in lines)
    assert lines[2:4] == ["pᵢ=exp(zᵢ/T)/", "(∑ⱼ exp(zⱼ/T))"]


def test_indents_newlines_and_edge_cases():
    assert wrap_text("key point that wraps onto two lines", 20, initial_indent="• ", subsequent_indent="  ") == [
        "• key point that",
        "  wraps onto two",
        "  lines",
    ]
    assert wrap_text("first\n\nsecond", 20) == ["first", "", "second"]
    assert wrap_text("", 20) == [] and wrap_text("   ", 20) == []
    assert wrap_text("costs $5 and $10", 40) == ["costs $5 and $10"]
    assert wrap_text("$x$", 40, render_math=False) == ["$x$"]
    assert fill_text("一二三四", 4) == "一二\n三四"
    # Only what is wider than the whole line is cut, at character boundaries.
    assert wrap_text("supercalifragilistic word", 10) == ["supercalif", "ragilistic", "word"]
    with pytest.raises(ValueError):
        wrap_text("x", 0)


def test_wide_characters_count_two_cells():
    assert wrap_text("中文中文中文", 7) == ["中文中", "文中文"]
    assert all(cell_len(line) <= 7 for line in wrap_text("中文English混排，" * 5, 7))
