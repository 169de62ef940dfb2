"""Multiple choice: the answer is committed by the engine's recognition rule (#13 items 2, 5).

A wrong pick is an Again that moves the card's schedule as a lapse and makes it weak; a right
pick is a Hard (recognition counts less than recall); undo restores the card. Single-answer
questions show radio marks (◉/◌), multi-answer ones checkboxes (☑/☐) and "choose all that apply".
"""

from dataclasses import replace

from fsrs import Rating

from questions.marks import CHOSEN, FAILED, NOT_CHOSEN, PASSED, TICKED, UNTICKED
from questions.model import Bank, Choice, Text
from questions.study.review_record import ReviewMode
from questions.study.store import ProgressStore
from questions.study.weak import weak_question_ids
from tests.tui.factory import FIXED_NOW, fixture_bank, make_app, option_shown
from tui import paths
from tui.screens.choice import ChoiceScreen


def correct_and_wrong(screen: ChoiceScreen) -> tuple[int, int]:
    item = screen.session.item
    correct = next(o.number for o in item.options if o.correct)
    wrong = next(o.number for o in item.options if not o.correct)
    return correct, wrong


def option_text(screen: ChoiceScreen, number: int) -> str:
    """An option as a monochrome terminal shows it: the marks, no colour."""
    # Left-stripped: an unchecked option keeps the column its ✓/✗ will take.
    return option_shown(screen.query_one("#choice-options"), number - 1).lstrip(" ")


def stored_card(question_id: str):
    with ProgressStore.open(paths.store_path()) as store:
        return store.card(question_id)


async def test_single_answer_options_are_radio_marks(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert not screen.session.item.multi_answer
        assert option_text(screen, 1).startswith(NOT_CHOSEN) and UNTICKED not in option_text(screen, 1)
        await pilot.press("2")
        assert CHOSEN in option_text(screen, 2) and option_text(screen, 1).startswith(NOT_CHOSEN)
        assert "Choose one" in str(screen.query_one("#choice-question").render())


async def test_a_right_pick_is_saved_as_hard_by_the_recognition_rule(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ChoiceScreen)
        assert screen.session.remaining == 3  # fixture questions with choices
        question = screen.session.item.question
        correct, _wrong = correct_and_wrong(screen)
        await pilot.press(str(correct), "enter")
        # committed at once, before enter moves on: no self-rating
        assert [(r.question_id, r.rating, r.mode, r.scheduled) for r in reviews()] == [
            (question.id, Rating.Hard, ReviewMode.CHOICE, True)
        ]
        feedback = screen.query_one("#choice-feedback").content.plain
        assert f"{PASSED} Correct." in feedback and "Saved as 2 Hard" in feedback
        assert option_text(screen, correct).startswith(PASSED)
        await pilot.press("enter")
        assert screen.session.item.question.id != question.id
    assert len(reviews()) == 1


async def test_a_wrong_pick_is_a_lapse_the_card_is_weak_and_undo_restores_it(app, reviews):
    from questions.study.scheduler import StudyScheduler

    # The first fixture question, learnt before: in the Review state, due in days, not weak.
    bank = fixture_bank()
    with ProgressStore.open(paths.store_path()) as store:
        scheduler = StudyScheduler(app.study_settings())
        question_id = None
        for days in (6, 4):
            for question in bank:
                if question.choices:
                    question_id = question_id or question.id
            store.record_review(question_id, Rating.Good, scheduler=scheduler, reviewed_at=FIXED_NOW.replace(day=15 - days))
        learnt = store.card(question_id)
    assert learnt.due > FIXED_NOW
    assert question_id not in weak_question_ids(paths.store_path(), bank, FIXED_NOW, app.study_settings())

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        screen = app.screen
        while screen.session.item.question.id != question_id:
            correct, _ = correct_and_wrong(screen)
            await pilot.press(str(correct), "enter", "enter")
        _correct, wrong = correct_and_wrong(screen)
        await pilot.press(str(wrong), "enter")
        lapsed = stored_card(question_id)
        assert lapsed.lapses == learnt.lapses + 1 and lapsed.due < learnt.due, "the schedule moved as a lapse"
        assert question_id in weak_question_ids(paths.store_path(), bank, FIXED_NOW, app.study_settings())
        assert option_text(screen, wrong).startswith(FAILED)
        feedback = screen.query_one("#choice-feedback").content.plain
        assert f"{FAILED} Not quite." in feedback and "the card is now weak" in feedback
        await pilot.press("u")
        assert stored_card(question_id) == learnt, "undo restored the card"
        assert screen.session.item.question.id == question_id and screen._answered is None
        assert question_id not in weak_question_ids(paths.store_path(), bank, FIXED_NOW, app.study_settings())
    assert [r.rating for r in reviews() if r.question_id == question_id] == [Rating.Good, Rating.Good]


async def test_enter_without_a_pick_asks_for_one(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "enter")
        assert app.screen._answered is None
    assert reviews() == []


async def test_whole_session_then_undo(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        screen = app.screen
        for _ in range(3):
            correct, _ = correct_and_wrong(screen)
            await pilot.press(str(correct), "enter", "enter")
        assert screen.session.item is None
        assert "3 of 3 correct" in str(screen.query_one("#choice-question").render())
        await pilot.press("u")
        assert screen.session.item is not None
        assert "correct 2/2" in str(screen.query_one("#choice-status").render())
    assert len(reviews()) == 2


def multi_answer_bank() -> Bank:
    first = next(q for q in fixture_bank() if q.choices)
    choices = (
        Choice(Text(zh="对一", en="right one"), True),
        Choice(Text(zh="对二", en="right two"), True),
        Choice(Text(zh="错一", en="wrong one"), False),
        Choice(Text(zh="错二", en="wrong two"), False),
    )
    return Bank((replace(first, choices=choices),))


async def test_multi_answer_options_are_checkboxes_that_say_choose_all(reviews):
    for language, words in (("en", "Choose all that apply"), ("zh", "可多选")):
        app = make_app(language)
        app.bank = multi_answer_bank()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("c")
            screen = app.screen
            assert screen.session.item.multi_answer
            assert words in str(screen.query_one("#choice-question").render())
            numbers = [o.number for o in screen.session.item.options if o.correct]
            assert option_text(screen, numbers[0]).startswith(UNTICKED)
            await pilot.press(str(numbers[0]))
            assert TICKED in option_text(screen, numbers[0])
            if language == "en":
                await pilot.press("enter")  # one right option of two: missed one, so Again
                assert "(missed)" in option_text(screen, numbers[1])
                assert "Partly" in screen.query_one("#choice-feedback").content.plain
    assert [r.rating for r in reviews()] == [Rating.Again]


async def test_after_a_wrong_pick_cram_weak_only_offers_the_card(app, reviews):
    from textual.widgets import Checkbox

    from tui.screens.review import ReviewScreen
    from tui.screens.session_filter import SessionFilterScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        question_id = app.screen.session.item.question.id
        _correct, wrong = correct_and_wrong(app.screen)
        await pilot.press(str(wrong), "enter", "escape", "k")
        dialog = app.screen
        assert isinstance(dialog, SessionFilterScreen)
        weak = dialog.query_one("#filter-weak", Checkbox)
        assert "weak cards only (1)" in str(weak.label) and weak.render().plain.startswith(UNTICKED)  # drawn by shape
        weak.value = True
        await pilot.pause()
        assert weak.render().plain.startswith(TICKED)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.session.question_ids == (question_id,)


async def test_long_options_wrap_under_their_text_not_under_the_marks():
    """Each language's continuation lines hang under its text (#14), at the list's width, and again after a resize."""
    from questions import load_bank

    app = make_app("both", bank=load_bank())  # the shipped bank's options, long ones among them
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        screen = app.screen
        for size in ((120, 30), (80, 24)):  # wider, then narrower again: wrapped anew
            await pilot.resize_terminal(*size)
            await pilot.pause()
            width = screen.query_one("#choice-options").scrollable_content_region.width - 2
            wrapped = 0
            for number in range(1, len(screen.session.item.options) + 1):
                lines = option_text(screen, number).split("\n")
                assert all(len(line) <= width for line in lines), (size, lines)
                assert all(line.startswith("     ") for line in lines[1:]), lines  # under "◌ 1. "
                wrapped += len(lines) > 2  # more lines than its two languages
            # And as the list draws its rows: an option's first row starts with its mark, every
            # other row hangs under the text (no row of Textual's own wrapping at column 0).
            options = screen.query_one("#choice-options")
            rows = [options.render_line(y).text.rstrip() for y in range(options.scrollable_content_region.height)]
            assert all(not row or row.lstrip()[:1] in "◌◉☐☑✓✗" or row.startswith(" " * 6) for row in rows), rows
        assert wrapped, "at 80 columns some option is long enough to wrap"


async def test_a_shows_the_whole_answer_after_a_pick_and_escape_comes_back(app, reviews):
    from tui.screens.browse import QuestionDetailScreen
    from tui.widgets.question_view import QuestionView

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        screen = app.screen
        await pilot.press("a")  # nothing answered yet: no answer to show
        assert app.screen is screen
        item = screen.session.item
        _correct, wrong = correct_and_wrong(screen)
        await pilot.press(str(wrong), "enter")
        assert "a: the whole answer" in screen.query_one("#choice-feedback").content.plain
        await pilot.press("a")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, QuestionDetailScreen) and detail.question.id == item.question.id
        shown = detail.query_one(QuestionView).content.plain
        assert item.question.answer.en.split()[0] in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen._answered is not None  # the pick still shown, enter moves on
        assert [r.question_id for r in reviews()].count(item.question.id) == 1  # looking saved nothing more


async def test_the_model_answer_is_ready_before_the_check_key(app, monkeypatch):
    """Once a question is drawn its model answer is parsed and wrapped for the feedback box:
    checking wraps only the verdict above it, and the box shows the answer whole beneath."""
    import tui.widgets.scrolling_text as scrolling_text

    wrapped = []
    wrapped_lines = scrolling_text.wrapped_lines
    monkeypatch.setattr(scrolling_text, "wrapped_lines", lambda content, width: wrapped.append(content.plain) or wrapped_lines(content, width))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        answer = screen.session.item.question.answer.en
        correct, _wrong = correct_and_wrong(screen)
        await pilot.press(str(correct))
        await pilot.pause()
        wrapped.clear()
        await pilot.press("enter")
        await pilot.pause()
        feedback = screen.query_one("#choice-feedback").content.plain
        assert feedback.startswith(f"{PASSED} Correct.") and feedback.endswith("\n" + answer)
        assert wrapped and not any(answer in text for text in wrapped), "the answer was wrapped on the key"
