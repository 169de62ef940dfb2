"""Small pieces of the app: cell-width padding for Chinese, bars, heatmap, tables, bilingual text."""

import re
from datetime import date, timedelta

import pytest
from rich.cells import cell_len

from questions.model import Text
from questions.study.stats import DayCount
from tui.screens.stats import heatmap_lines, sparkline
from tui.widgets.bars import bar, one_line_each, pad_cells, topic_columns, topic_line, truncate_cells
from tui.widgets.evidence import table_lines
from tui.widgets.i18n import bilingual


def test_pad_cells_counts_chinese_as_two_columns():
    assert cell_len(pad_cells("注意力机制", 16)) == 16
    assert cell_len(pad_cells("层结构：FFN、残差与归一化", 16)) == 16
    assert pad_cells("层结构：FFN、残差与归一化", 16).rstrip().endswith("…")
    assert truncate_cells("short", 10) == "short"
    assert cell_len(truncate_cells("中" * 20, 9)) <= 9


def test_topic_lines_line_up_whatever_the_script():
    def plain(markup: str) -> str:
        return re.sub(r"\[/?[a-z ]*\]", "", markup)

    english = topic_line("Attention", 0.5, 3, 10, title_width=16, bar_width=12)
    chinese = topic_line("注意力机制", 0.5, 3, 10, title_width=16, bar_width=12)
    assert "[red]" in english  # half remembered is shown as weak (the percentage says it too)
    assert cell_len(plain(english)) == cell_len(plain(chinese)) == 16 + 1 + 12 + 1 + 4 + 1 + 5
    assert "  0%" in topic_line("Masks", 0.0, 0, 4, title_width=16)  # never studied: mastery 0, not a blank
    planned = topic_line("Masks", 0.25, 1, 4, title_width=16, readiness=0.1)
    assert " 25%   10%" in plain(planned)


def test_a_long_topic_name_wraps_whole_or_is_cut_only_when_asked():
    name = "Layers: FFN, residuals and normalisation"
    title_width, bar_width = topic_columns(44, len(name), planned=False)  # the home panel at 80 columns
    assert title_width < len(name) and bar_width == 6
    wrapped = topic_line(name, 0.0, 0, 18, title_width=title_width, bar_width=bar_width, wrap=True)
    assert wrapped.split("\n")[0] == name
    assert "…" in topic_line(name, 0.0, 0, 18, title_width=title_width, bar_width=bar_width)
    assert topic_columns(84, len(name), planned=True)[0] == len(name)  # at 120 columns it fits whole


def test_bar_fills_in_eighths():
    assert bar(0.0, 4) == "····"
    assert bar(1.0, 4) == "████"
    assert bar(0.5, 4) == "██··"
    assert bar(0.53, 4)[2] in "▏▎▍▌▋▊▉"


def test_one_line_each_cuts_both_languages_to_fit():
    text = Text(zh="为什么" * 30, en="why " * 40)
    both = one_line_each(text, "both", 30, indent=4)
    first, second = both.plain.split("\n")
    assert cell_len(first) <= 30 and first.endswith("…")
    assert second.startswith("    why") and cell_len(second) <= 34
    assert [(both.plain[span.start : span.end], span.style) for span in both.spans] == [(second.lstrip(), "dim")]  # English dimmed
    assert "\n" not in one_line_each(text, "zh", 30, indent=4).plain
    assert one_line_each(Text(zh="[b]不是标记", en="x"), "zh", 30, indent=4).plain == "[b]不是标记"  # bank text is never markup


def test_bilingual_escapes_markup_and_orders_chinese_first():
    text = Text(zh="列表 [a]", en="list [a]")
    assert bilingual(text, "zh") == "列表 \\[a]"
    assert bilingual(text, "both").startswith("列表") and "[dim]list" in bilingual(text, "both")


def test_heatmap_puts_today_in_the_last_column():
    today = date(2026, 11, 22)  # a Sunday
    days = tuple(DayCount(today - timedelta(days=offset), 0) for offset in range(364, -1, -1))
    days = days[:-1] + (DayCount(today, 5),)
    rows = heatmap_lines(days)
    assert len(rows) == 8  # month letters + one row per weekday
    assert rows[7].startswith("S ") and rows[7].endswith("[/]") and "■" in rows[7].split("·")[-1]
    assert "■" not in "".join(rows[1:7])


def test_sparkline_scales_to_the_peak():
    assert sparkline([0, 4, 8]).endswith("▄█")
    assert "▁" in sparkline([0, 0])


def test_table_columns_are_aligned():
    lines = table_lines(("d_k", "Var"), ((4, 3.95712), (256, 255.6)))
    assert lines[1] == "4    3.957" and lines[2] == "256  255.6"


def test_a_lazy_prompt_knows_its_height_without_making_its_text_until_it_is_narrower():
    from textual.content import Content

    from tui.widgets.long_list import LazyPrompt

    made = []
    prompt = LazyPrompt(lambda: made.append(1) or Content("attention scores"), lines=1, width=16)
    assert prompt.get_height({}, 40) == 1 and made == []  # wide enough: as promised, nothing made
    assert prompt.get_height({}, 9) == 2 and made == [1]  # narrower than it was cut for: measured
    assert str(prompt) == "attention scores" and made == [1]  # made once


def test_escape_keeps_a_cut_bracket_from_opening_a_tag():
    # The stats screen's weak list cuts question text to the width: "x=[0.503,…" cut to "x=[…" is
    # left as it is by textual.markup.escape, and the next "[/]" of the screen then fails to parse.
    from textual.markup import escape as textual_escape
    from textual.markup import to_content

    from tui.widgets.markup import escape

    cut = truncate_cells("Quantise x=[0.503,-1.27,0.0249] and bound the rounding error.", 13)
    assert cut.endswith("x=[…")
    with pytest.raises(Exception):
        to_content(f"  {textual_escape(cut)}\n[dim]legend[/]")
    assert to_content(f"  {escape(cut)}\n[dim]legend[/]").plain == f"  {cut}\nlegend"



@pytest.mark.parametrize(("width", "expected"), [
    (80, " ⭘" + " " * 29 + "Transformer Prep" + " " * 33),  # where Textual's Header puts them (snapshots)
    (47, " ⭘" + " " * 12 + "Transformer Prep" + " " * 17),
    (30, " ⭘" + " " * 6 + "Transformer…" + " " * 10),  # too long for its 12 columns: cut with an ellipsis
])
async def test_the_title_bar_draws_where_textuals_header_did(width, expected):
    """The icon in the first 8 columns and the title centred between them and the clock's 10
    columns, as Textual's Header lays them out."""
    from textual.app import App, ComposeResult

    from tui.widgets.title_bar import TitleBar

    class Bar(App):
        TITLE = "Transformer Prep"

        def compose(self) -> ComposeResult:
            yield TitleBar()

    app = Bar()
    async with app.run_test(size=(width, 5)) as pilot:
        await pilot.pause()
        line = app.query_one(TitleBar).render()
    assert line == expected and cell_len(line) == width


def scrolling_text_app(text: str):
    from textual.app import App, ComposeResult

    from tui.widgets.scrolling_text import ScrollingText

    class Pane(App):
        def compose(self) -> ComposeResult:
            yield ScrollingText(text)

    return Pane()


def rows_shown(app) -> list[str]:
    """The pane's rows as drawn on the screen, spaces at the ends stripped."""
    from tui.widgets.scrolling_text import ScrollingText

    pane = app.query_one(ScrollingText)
    return [pane.render_line(y).text.strip() for y in range(pane.scrollable_content_region.height)]


async def test_scrolling_text_renders_only_the_lines_in_view(monkeypatch):
    """Three hundred lines of evidence: only the rows the pane shows are rendered, and the last
    line is there once scrolled to the end."""
    from textual.visual import Visual

    from tui.widgets.scrolling_text import ScrollingText

    rendered = []
    to_strips = Visual.to_strips
    monkeypatch.setattr(Visual, "to_strips", classmethod(lambda cls, widget, *args, **kwargs: (
        rendered.append(widget) if isinstance(widget, ScrollingText) else None) or to_strips(widget, *args, **kwargs)))
    app = scrolling_text_app("\n".join(f"line {number}" for number in range(300)))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        pane = app.query_one(ScrollingText)
        assert len(pane.lines) == 300 and pane.virtual_size.height == 300
        assert 0 < len(rendered) <= 2 * 20, f"{len(rendered)} lines rendered for a pane 20 rows high"
        assert rows_shown(app)[0] == "line 0"
        await pilot.press("end")
        await pilot.pause()
        assert rows_shown(app)[-1] == "line 299"


async def test_the_scrollbar_learns_a_new_texts_length_as_it_is_shown():
    """Textual hands a scroll view's scrollbar its new length only in the layout after the change,
    and draws it a frame after that: a new screen's text was on screen two frames before its
    thumb was right. The pane tells its scrollbar at once, in the key that shows the text."""
    from tui.widgets.scrolling_text import ScrollingText

    app = scrolling_text_app("\n".join(f"line {number}" for number in range(30)))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        pane = app.query_one(ScrollingText)
        assert pane.vertical_scrollbar.window_virtual_size == 30
        pane.show("\n".join(f"row {number}" for number in range(120)))  # no pause: no layout yet
        assert pane.vertical_scrollbar.window_virtual_size == 120


async def test_scrolling_text_wraps_chinese_by_character_at_its_width_and_again_on_resize():
    from tui.widgets.scrolling_text import ScrollingText

    text = "[b]答案[/b]\n" + "缩放点积注意力除以根号维度，使点积的方差保持为一，避免软最大值饱和。" * 4
    app = scrolling_text_app(text)
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        pane = app.query_one(ScrollingText)
        width = pane.text_width
        assert width == 40 - 2  # less the padding either side (the text fits: no scrollbar)
        body = [line.plain for line in pane.lines[1:]]
        assert "".join(body) == text.split("\n")[1]  # every character, in order, none added
        assert all(cell_len(line) in (width, width - 1) for line in body[:-1])  # filled, by character
        assert pane.lines[0].markup == "[b]答案[/b]"  # the style kept through wrapping
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert pane.text_width == 60 - 2 and max(cell_len(line.plain) for line in pane.lines) > width


async def test_scrolling_text_draws_a_mouse_selection():
    """Drag over two rows of a scrolled pane: the app draws the selection and copies its text."""
    from tui.widgets.scrolling_text import ScrollingText

    app = scrolling_text_app("\n".join(f"line {number} 注意力{number}" for number in range(100)))
    async with app.run_test(size=(40, 10)) as pilot:
        pane = app.query_one(ScrollingText)
        await pilot.pause()  # laid out: its lines known
        pane.scroll_to(y=50, animate=False)
        await pilot.pause()
        assert pane.render_line(0).text.strip() == "line 50 注意力50"
        await pilot.mouse_down(pane, offset=(1 + 5, 0))  # the padding, then "line "
        await pilot.hover(pane, offset=(1 + 12, 1))  # "line 51 " and 注意 (two cells each)
        await pilot.mouse_up(pane, offset=(1 + 12, 1))
        await pilot.pause()
        assert app.screen.get_selected_text() == "50 注意力50\nline 51 注意力"
        segments = [segment for segment in pane.render_line(0) if segment.text.strip()]
        assert [segment.text for segment in segments] == ["line ", "50 注意力50"]
        assert segments[0].style.bgcolor != segments[1].style.bgcolor, "the selection is drawn"


def feedback_box_app():
    """A pane as the multiple-choice feedback box is: as high as its text, at most 7 rows."""
    from textual.app import App, ComposeResult

    from tui.widgets.scrolling_text import ScrollingText

    class Box(App):
        CSS = "ScrollingText { height: auto; max-height: 7; overflow-y: auto; } .-hidden { display: none; }"

        def compose(self) -> ComposeResult:
            yield ScrollingText()

    return Box()


async def show_a_text_longer_than_the_box(pilot, pane) -> None:
    pane.show("\n".join(f"long line {number}" for number in range(12)))
    await pilot.pause()
    assert pane.show_vertical_scrollbar


async def test_a_text_that_fits_loses_the_scrollbar_a_longer_one_brought():
    """height: auto, max-height 7: after a long text, one that fits the box at the full width is
    shown whole, with no scrollbar (as it is when shown first)."""
    from tui.widgets.scrolling_text import ScrollingText

    app = feedback_box_app()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(ScrollingText)
        await show_a_text_longer_than_the_box(pilot, pane)
        fits = "\n".join(["word word word word word word word wo"] * 5)  # 37 cells: fits 38, not 36
        pane.show(fits)
        await pilot.pause()
        await pilot.pause()
        assert not pane.show_vertical_scrollbar and pane.size.height == 5
        assert [line.plain for line in pane.lines] == fits.split("\n")


async def test_a_pane_shown_before_it_has_a_width_wraps_only_at_the_widths_it_is_laid_out_at(monkeypatch):
    """The multiple-choice feedback box: hidden, given a long text, then unhidden. Its text is
    wrapped at the width it gets (and that less a scrollbar), never at the width a scrollbar
    would free in a pane that has none yet."""
    import tui.widgets.scrolling_text as scrolling_text
    from tui.widgets.scrolling_text import ScrollingText

    widths = []
    wrapped_lines = scrolling_text.wrapped_lines
    monkeypatch.setattr(scrolling_text, "wrapped_lines", lambda content, width: widths.append(width) or wrapped_lines(content, width))
    app = feedback_box_app()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(ScrollingText)
        await show_a_text_longer_than_the_box(pilot, pane)
        pane.add_class("-hidden")
        await pilot.pause()
        widths.clear()
        pane.show("缩放点积注意力除以根号维度，使点积的方差保持为一。" * 8)
        pane.remove_class("-hidden")
        await pilot.pause()
        await pilot.pause()
        assert widths and min(widths) >= 40 - 2 - 2, f"wrapped at {widths}"
        assert pane.show_vertical_scrollbar and all(cell_len(line.plain) <= pane.text_width for line in pane.lines)


async def test_a_text_longer_than_the_box_is_drawn_beside_its_scrollbar_from_the_first_frame():
    """The multiple-choice check: the hidden feedback box gets a long text and is unhidden. The
    layout that gives it its width settles its scrollbar, so no row is ever drawn at the full
    width (to be wrapped again a frame later, once Textual brought the scrollbar)."""
    from tui.widgets.scrolling_text import ScrollingText

    app = feedback_box_app()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(ScrollingText)
        pane.add_class("-hidden")
        await pilot.pause()
        drawn = []
        render_line = pane.render_line
        pane.render_line = lambda y: drawn.append(render_line(y).text.rstrip()) or render_line(y)
        pane.show("缩放点积注意力除以根号维度，使点积的方差保持为一。" * 8)
        pane.remove_class("-hidden")
        await pilot.pause()
        await pilot.pause()
        assert pane.show_vertical_scrollbar and pane.text_width == 40 - 2 - 2
        assert drawn and all(cell_len(row) <= pane.text_width for row in drawn), f"rows drawn: {drawn}"


async def test_no_row_is_drawn_from_lines_wrapped_for_another_width():
    """A resize draws the rows at the new width in its first frame: no row is a cut-off line."""
    from tui.widgets.scrolling_text import ScrollingText

    app = scrolling_text_app("缩放点积注意力除以根号维度，使点积的方差保持为一，避免软最大值饱和。" * 6)
    async with app.run_test(size=(80, 20)) as pilot:
        pane = app.query_one(ScrollingText)
        await pilot.pause()
        drawn = []
        render_line = pane.render_line
        pane.render_line = lambda y: drawn.append(render_line(y).text.rstrip()) or render_line(y)
        await pilot.resize_terminal(50, 20)
        await pilot.pause()
        text = "".join(drawn[: len(pane.lines)])
        assert drawn and all(cell_len(row) <= 48 for row in drawn)
        assert text == "".join(line.plain for line in pane.lines), "every character drawn, once"


async def test_scrolling_text_redraws_its_lines_in_a_new_theme():
    """The rendered lines are cached: a theme change (Settings) must draw them in its colours."""
    from tui.widgets.scrolling_text import ScrollingText

    app = scrolling_text_app("[b $accent]Accent[/] plain")
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        pane = app.query_one(ScrollingText)

        def colours():
            return [(segment.text, segment.style.color) for segment in pane.render_line(0) if segment.text.strip()]

        before = colours()
        app.theme = "nord" if app.theme != "nord" else "textual-dark"
        await pilot.pause()
        after = colours()
        assert [text for text, _ in after] == [text for text, _ in before]
        assert all(old != new for (_, old), (_, new) in zip(before, after))


async def test_a_tab_drops_no_characters():
    """cell_len counts a tab as no cells, Textual draws it to the next 8-column stop: a line that
    seemed to fit was cut at the row's end, and the rest of it never drawn."""
    from tui.widgets.scrolling_text import ScrollingText

    app = scrolling_text_app("x\t" + "y" * 34 + "\nnext")
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        pane = app.query_one(ScrollingText)
        drawn = "".join(pane.render_line(y).text for y in range(pane.size.height))
        assert drawn.count("y") == 34 and "next" in drawn


def test_bank_text_shown_as_markup_keeps_every_bracketed_token():
    """"[MASK]", "[CLS]" and "[SEP]" are words of the BERT answers, not markup: every answer and
    option of the shipped bank shows all its characters (Textual's own escape lost these)."""
    from textual.content import Content

    from questions.loader import load_bank
    from tui.widgets.mathtext import readable

    bracketed = 0
    for question in load_bank():
        texts = [question.answer, question.question, *(option.text for option in question.choices)]
        for text in texts:
            for lang in ("zh", "en"):
                original = readable(text.get(lang))
                bracketed += "[" in original
                assert Content.from_markup(bilingual(text, lang)).plain == original, (question.id, lang)
    assert bracketed > 50  # the check saw the tokens it is about
    assert Content.from_markup(bilingual(Text(zh="换成 [MASK]", en="becomes [MASK]"), "en")).plain == "becomes [MASK]"
