"""Multiple choice: pick, check, accept the suggested rating; it is logged as 'choice'."""

from fsrs import Rating

from questions.study.review_record import ReviewMode
from tui.screens.choice import ChoiceScreen


def correct_and_wrong(screen: ChoiceScreen) -> tuple[int, int]:
    item = screen.session.item
    correct = next(o.number for o in item.options if o.correct)
    wrong = next(o.number for o in item.options if not o.correct)
    return correct, wrong


async def test_correct_answer_is_rated_good(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ChoiceScreen)
        assert screen.session.remaining == 3  # fixture questions with choices
        question = screen.session.item.question
        correct, _wrong = correct_and_wrong(screen)
        await pilot.press(str(correct), "enter")
        feedback = str(screen.query_one("#choice-feedback").render())
        assert "Correct." in feedback and "enter accepts 3 Good" in feedback
        await pilot.press("enter")
        assert screen.session.item.question.id != question.id
    assert [(r.question_id, r.rating, r.mode) for r in reviews()] == [(question.id, Rating.Good, ReviewMode.CHOICE)]


async def test_wrong_answer_suggests_again_and_a_digit_overrides(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        screen = app.screen
        _correct, wrong = correct_and_wrong(screen)
        await pilot.press(str(wrong), "enter")
        assert "Not quite." in str(screen.query_one("#choice-feedback").render())
        assert "✗" in str(screen.query_one("#choice-options").get_option_at_index(wrong - 1).prompt)
        await pilot.press("2")  # the user overrides the suggested Again with Hard
    assert [r.rating for r in reviews()] == [Rating.Hard]


async def test_enter_without_a_pick_asks_for_one(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "enter")
        assert app.screen._result is None
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
