"""The app reads well for every candidate (#14): Chinese wrapped by character at the widget's
width, state told by the shape of a mark, documents by title, references, and the small points
(g plots the verifier in view, Down from the search reaches the results, the export dialog's
overwrite message speaks of the dialog)."""

from __future__ import annotations

import re
from dataclasses import replace

from rich.cells import cell_len

from questions.marks import CURRENT_ROW, TICKED, UNTICKED
from questions.model import Reference
from tests.tui.factory import fixture_bank, footer_keys, make_app
from tui import paths
from tui.screens.browse import BrowseScreen, QuestionDetailScreen
from tui.screens.prove import ProveItScreen
from tui.widgets.mathtext import readable
from tui.widgets.question_view import QuestionView

CLOSING = "，。、：；！？）」』”’"
# What must stay with the first character of a line: an English word (or number, or formula
# glued with no-break spaces) or one character, and the closing punctuation after it.
_FIRST_UNIT = re.compile(r"(?:[A-Za-z0-9_.'’()\-/\u00a0+=·√ₖ±]+|.)[" + CLOSING + "]*")


def body_lines(screen) -> list[str]:
    return "\n".join(line.plain for line in screen.query_one(QuestionView).lines).split("\n")


def cached_result(verifier_id: str, *, with_plot: bool = False):
    """A passed result of a shipped verifier, every claim as expected, saved where the app reads it."""
    from verifiers.cache import ResultsCache
    from verifiers.registry import default_registry
    from verifiers.result import Bilingual, ClaimVerdict, Plot, Result, Series, Status

    spec = default_registry().get(verifier_id)
    claims = tuple(
        ClaimVerdict(claim.id, claim.statement, claim.expected, claim.expected, measured=f"measured {claim.id}")
        for claim in spec.claims
    )
    plots = ()
    if with_plot:
        label = Bilingual(zh="x", en="x")
        plots = (Plot("curve", Bilingual(zh=f"{verifier_id} 曲线", en=f"{verifier_id} curve"), label, label, (Series("s", (0.0, 1.0), (0.0, 1.0)),)),)
    result = Result(
        verifier_id, spec.kind, Status.PASSED, Bilingual(zh="通过", en="passed"), claims=claims, plots=plots,
        started_at="2026-01-15T08:00:00+00:00", elapsed_s=0.5,
    )
    ResultsCache(paths.results_dir()).save(result)
    return spec, result


def assert_filled(lines: list[str], width: int) -> None:
    """No line of Chinese wraps early: the next line's first unit would not have fitted."""
    for line, following in zip(lines, lines[1:]):
        assert cell_len(line) <= width, line
        text = following.lstrip(" ")
        assert not text or text[0] not in CLOSING, f"a line starts with closing punctuation: {following!r}"
        if not text or not line.strip():
            continue
        unit = _FIRST_UNIT.match(text).group(0)
        gap = 1 if line.rstrip() != line or text[0].isascii() and line[-1:].isascii() else 0
        assert cell_len(line.rstrip()) + gap + cell_len(unit) > width, f"{line!r} wrapped early: {unit!r} fits"


async def test_a_chinese_answer_wraps_by_character_with_no_line_shorter_than_it_needs():
    app = make_app("zh")
    question = fixture_bank().get("attention-scale-sqrt-dk")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(QuestionDetailScreen(question))
        await pilot.pause()
        view = app.screen.query_one(QuestionView)
        width = view.text_width
        lines = body_lines(app.screen)
        answer = readable(question.answer.zh)
        assert cell_len(answer) > width, "the fixture's answer must need wrapping"
        start = lines.index("答案") + 1
        end = lines.index("", start)
        paragraph = lines[start:end]
        assert len(paragraph) >= 2
        assert "".join(paragraph).replace(" ", "") == answer.replace(" ", "")  # the text itself, all of it
        assert_filled(paragraph, width)

        # Narrower: wrapped again at the new width, still filled.
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        wider = view.text_width
        assert wider > width
        lines = body_lines(app.screen)
        start = lines.index("答案") + 1
        paragraph = lines[start : lines.index("", start)]
        assert max(cell_len(line) for line in paragraph) > width  # uses the new room
        assert_filled(paragraph, wider)


async def test_the_model_answer_after_a_choice_wraps_by_character_too():
    """A checked choice shows the question's model answer; in Chinese it is wrapped by character at
    the feedback's width, as every other bank text is (Textual alone breaks only at spaces)."""
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        screen = app.screen
        while cell_len(readable(screen.session.item.question.answer.zh)) <= 80:  # to one whose answer needs wrapping
            correct = next(option.number for option in screen.session.item.options if option.correct)
            await pilot.press(str(correct), "enter", "enter")
        item = screen.session.item
        wrong = next(option.number for option in item.options if not option.correct)
        await pilot.press(str(wrong), "enter")
        await pilot.pause()
        feedback = screen.query_one("#choice-feedback")
        width = feedback.text_width
        answer = readable(item.question.answer.zh).replace(" ", "")
        # The lines the widget gives Textual to draw, after the verdict and what was saved: already
        # cut to the width, so Textual never wraps them again at its spaces.
        lines = [line.plain for line in feedback.lines][2:]
        assert len(lines) >= 2 and "".join(lines).replace(" ", "") == answer
        assert max(cell_len(line) for line in lines) <= width
        assert_filled(lines, width)


async def test_a_model_answer_longer_than_the_feedback_box_scrolls_and_no_line_is_cut():
    """The feedback box holds 7 rows: a longer model answer brings a scrollbar (there is more), is
    wrapped again for the column the scrollbar takes, and every row drawn is a whole line."""
    from questions import load_bank

    app = make_app("zh", bank=load_bank([]))  # the shipped bank: its answers run to many lines
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        screen = app.screen
        while cell_len(readable(screen.session.item.question.answer.zh)) <= 80 * 5:  # to an answer longer than the box
            correct = next(option.number for option in screen.session.item.options if option.correct)
            await pilot.press(str(correct), "enter", "enter")
        item = screen.session.item
        await pilot.press(str(next(option.number for option in item.options if not option.correct)), "enter")
        await pilot.pause()
        feedback = screen.query_one("#choice-feedback")
        assert feedback.show_vertical_scrollbar and feedback.size.height == 7
        # The screen's width less the padding either side and the scrollbar's columns.
        assert feedback.text_width == 80 - 2 - feedback.styles.scrollbar_size_vertical
        assert max(cell_len(line.plain) for line in feedback.lines) <= feedback.text_width
        drawn = [feedback.render_line(y).text.rstrip() for y in range(feedback.size.height)]
        assert drawn == [line.plain.rstrip() for line in feedback.lines[: len(drawn)]]
        answer = readable(item.question.answer.zh).replace(" ", "")
        assert "".join(line.plain for line in feedback.lines[2:]).replace(" ", "") == answer
        feedback.scroll_end(animate=False)  # the rest is there to scroll to
        await pilot.pause()
        assert feedback.render_line(feedback.size.height - 1).text.rstrip() == feedback.lines[-1].plain.rstrip()


async def test_a_drills_task_in_chinese_wraps_by_character():
    """The drill's own words (its task, hints, checks) wrap by character at the pane's width."""
    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        task = app.screen.query_one("#drills-task")
        width = task.content_size.width
        lines = str(task.render()).split("\n")[1:]  # after the heading
        assert len(lines) >= 3 and max(cell_len(line) for line in lines) <= width
        assert_filled(lines, width)


async def test_a_refuted_document_claim_is_marked_as_such_never_a_green_tick():
    spec, _result = cached_result("sqrt-dk-variance")
    wrong = next(claim for claim in spec.claims if not claim.expected)
    right = next(claim for claim in spec.claims if claim.expected)
    app = make_app("en")
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(ProveItScreen(fixture_bank().get("attention-scale-sqrt-dk")))
        await pilot.pause()
        lines = app.screen.text().split("\n")
        wrong_line = next(line for line in lines if readable(wrong.statement.en)[:30] in line)
        right_line = next(line for line in lines if readable(right.statement.en)[:30] in line)
        joined = " ".join(line.strip() for line in lines)  # the words may wrap onto the next line
        assert wrong_line.startswith("✗ ") and "at 1 [document's claim — refuted, as expected]" in joined
        assert right_line.startswith("✓ ") and "refuted" not in right_line
        assert "✓ PASSED" in app.screen.text()


async def test_a_claim_not_as_expected_has_a_mark_of_its_own():
    from tui.widgets.evidence import claim_line

    assert claim_line(True, False, "s", "en").startswith("[b red]![/]")
    assert claim_line(False, True, "s", "en").startswith("[b red]![/]")
    assert claim_line(True, None, "s", "en").startswith("[b red]?[/]")
    assert "文档的说法——被推翻，符合预期" in claim_line(False, False, "s", "zh")


async def test_sources_and_caveats_name_documents_by_title_and_references_are_shown():
    question = fixture_bank().get("attention-scale-sqrt-dk")
    paper = Reference("Attention Is All You Need", "Vaswani et al.", 2017, arxiv="1706.03762")
    question = replace(question, references=(paper,))
    for language, title, caveat_title, heading in (
        ("en", "Transformer (完全版), the complete guide", "Transformer 面试突击 (interview crash course)", "References"),
        ("zh", "Transformer (完全版)", "Transformer 面试突击", "参考文献"),
    ):
        app = make_app(language)
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(QuestionDetailScreen(question))
            await pilot.pause()
            text = " ".join(line.strip() for line in body_lines(app.screen))  # as read, across wrapped lines
            assert f"· {title} — Q5: 为什么注意力计算要除以 √d_k?" in text
            assert caveat_title in text
            assert ".txt" not in text  # never a file name
            assert heading in text
            assert "· Vaswani et al. (2017). Attention Is All You Need. arXiv:1706.03762" in text


async def test_the_document_filter_lists_titles():
    from textual.widgets import OptionList, Select

    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        select = app.screen.query_one("#browse-doc", Select)
        labels = [str(option.prompt) for option in select.query_one(OptionList).options]  # its drop-down
        assert "Transformer (55 numbered questions)" in labels
        assert not any(label.endswith(".txt") for label in labels)
        select.value = "003_272b2778acc6e0a6.txt"  # the value is still the file the bank cites
        await pilot.pause(0.2)
        assert app.screen.query_one("#browse-count").render().plain.startswith("1 of")


async def test_g_shows_the_plots_of_the_verifier_in_view():
    from tui.screens.plots import PlotsScreen

    cached_result("sqrt-dk-variance", with_plot=True)
    cached_result("softmax-saturation", with_plot=True)
    question = replace(fixture_bank().get("attention-scale-sqrt-dk"), verifiers=("sqrt-dk-variance", "softmax-saturation"))
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ProveItScreen(question))
        await pilot.pause()
        prove = app.screen
        assert prove.verifier_in_view() == 0
        await pilot.press("g")
        assert isinstance(app.screen, PlotsScreen) and app.screen.result.verifier_id == "sqrt-dk-variance"
        await pilot.press("escape")
        await pilot.press("end")  # the second verifier fills the view
        await pilot.pause()
        assert prove.verifier_in_view() == 1
        await pilot.press("g")
        assert isinstance(app.screen, PlotsScreen) and app.screen.result.verifier_id == "softmax-saturation"


async def test_down_in_the_search_box_moves_to_the_results():
    from textual.widgets import Input, OptionList

    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b", *"attention")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, BrowseScreen) and screen.query_one("#browse-query", Input).has_focus
        await pilot.press("down")
        results = screen.query_one("#browse-results", OptionList)
        assert results.has_focus and results.highlighted == 0
        await pilot.press("down")  # and Down then moves through them
        assert results.highlighted == 1


async def test_the_current_row_and_ticks_show_by_shape():
    from textual.widgets import Checkbox

    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b", "down")
        await pilot.pause()
        results = app.screen.query_one("#browse-results")
        first = results.render_line(0).text
        second = results.render_line(1).text
        assert first.startswith(CURRENT_ROW) and not second.startswith(CURRENT_ROW)
        await pilot.press("down")
        assert results.render_line(1).text.startswith(CURRENT_ROW) and not results.render_line(0).text.startswith(CURRENT_ROW)
        verified = app.screen.query_one("#browse-verified", Checkbox)
        assert str(verified.render()).startswith(UNTICKED)
        verified.value = True
        await pilot.pause()
        assert str(verified.render()).startswith(TICKED)

        await pilot.press("escape", "escape", "v")  # the verifiers list: ▸, ☐/☑, and the run's mark
        await pilot.pause()
        listing = app.screen.query_one("#verifiers-list")
        assert listing.render_line(0).text.startswith(f"{CURRENT_ROW}{UNTICKED} - ")  # not run yet
        await pilot.press("space")
        assert listing.render_line(0).text.startswith(f"{CURRENT_ROW}{TICKED} - ")
        assert "s Run marked" in footer_keys(app)


async def test_the_export_dialog_says_what_to_do_in_the_dialog_when_the_file_exists(tmp_path):
    from textual.widgets import Checkbox, Input

    target = tmp_path / "sheet.md"
    for language, tick_words in (("en", "overwrite an existing file"), ("zh", "覆盖已有文件")):
        target.write_text("mine", encoding="utf-8")
        app = make_app(language)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("e")
            await pilot.pause()
            dialog = app.screen
            dialog.query_one("#export-path", Input).value = str(target)
            await pilot.press("ctrl+s")
            await pilot.pause()
            message = str(dialog.query_one("#export-message").render())
            assert "--force" not in message and "--out" not in message
            assert tick_words in message
            assert target.read_text(encoding="utf-8") == "mine"
            overwrite = dialog.query_one("#export-force", Checkbox)
            assert str(overwrite.render()).startswith(UNTICKED)
            overwrite.value = True
            await pilot.pause()
            assert str(overwrite.render()).startswith(TICKED)
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert target.read_text(encoding="utf-8") != "mine"


async def test_an_answer_prepared_ahead_is_shown_without_wrapping_it_again(monkeypatch):
    from textual.content import Content

    import tui.widgets.scrolling_text as scrolling_text
    from tui.widgets.question_view import question_markup

    app = make_app("zh")
    question = fixture_bank().get("attention-scale-sqrt-dk")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(QuestionDetailScreen(question))
        await pilot.pause()
        view = app.screen.query_one(QuestionView)
        answer = Content.from_markup(question_markup(question, "zh", "zh", reveal=True, bank=app.bank) + "\n\n" + "是" * 200)
        view.prepare(answer)
        calls = []
        monkeypatch.setattr(scrolling_text, "wrapped_lines", lambda *args: calls.append(args) or (_ for _ in ()).throw(AssertionError("wrapped again")))
        view.show(answer)
        await pilot.pause()
        assert not calls
        assert body_lines(app.screen)[-1] == "是" * (len(body_lines(app.screen)[-1]))  # shown, wrapped
        assert len(body_lines(app.screen)[-2]) == view.text_width // 2
