"""Mock interview: the follow-up chain in order, key points ticked, score and weak points, each answer saved."""

from questions.study.review_record import ReviewMode
from tui.screens.mock import MockInterviewScreen
from tui.widgets.question_view import QuestionView


def body(screen) -> str:
    return str(screen.query_one(QuestionView).query_one("#question-body").render())


async def test_interview_walks_the_follow_ups_and_scores(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        screen = app.screen
        assert isinstance(screen, MockInterviewScreen)
        # The start list offers the questions with follow-ups first; pick "What are Q, K and V?".
        starts = screen.query_one("#mock-starts")
        ids = [starts.get_option_at_index(i).id for i in range(starts.option_count)]
        await pilot.press(*["down"] * ids.index("attention-qkv-meaning"), "enter")
        assert screen._interview.plan == (
            "attention-qkv-meaning",
            "attention-scale-sqrt-dk",
            "attention-softmax-saturation",
        )
        assert "What are Q, K and V?" in body(screen)
        assert "question 1/3" in str(screen.query_one("#mock-status").render())
        await pilot.press("space", "1", "2", "3", "n")  # all three key points covered
        assert "Why are attention scores divided by" in body(screen)
        await pilot.press("space", "1", "n")  # one of four
        await pilot.press("s")  # skip the last
        assert screen.stage == "done"
        result = body(screen)
        # (3 + 1 + 0) of (3 + 4 + 3) key points
        assert "score 40% of key points" in result
        assert "Weak points" in result and "the Jacobian tends to 0" in result
    logged = reviews()
    assert [r.question_id for r in logged] == [
        "attention-qkv-meaning",
        "attention-scale-sqrt-dk",
        "attention-softmax-saturation",
    ]
    assert {r.mode for r in logged} == {ReviewMode.MOCK}
    assert logged[0].rating > logged[2].rating  # full coverage rates higher than a skip


async def test_random_start_is_a_question_with_follow_ups(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "r")
        screen = app.screen
        assert screen.stage == "ask"
        assert app.bank.get(screen._interview.plan[0]).follow_ups
