"""Mock interview: the follow-up chain in order, key points ticked, score and weak points, each answer saved."""

from questions.study.review_record import ReviewMode
from tui.screens.mock import MockInterviewScreen
from tui.widgets.question_view import QuestionView

from tests.tui.factory import option_shown


def body(screen) -> str:
    return "\n".join(line.plain for line in screen.query_one(QuestionView).lines)


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


def points_plain(screen) -> list[str]:
    """The checklist as a monochrome terminal shows it."""
    points = screen.query_one("#mock-points")
    return [option_shown(points, i) for i in range(points.option_count)]


async def test_checklist_ticks_are_told_by_shape(app):
    from questions.marks import TICKED, UNTICKED

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        screen = app.screen
        assert "N× = how many questions" in str(screen.query_one("#mock-legend").render())
        await pilot.press("enter", "space")
        assert all(line.startswith(UNTICKED) for line in points_plain(screen))
        await pilot.press("2")
        lines = points_plain(screen)
        assert lines[1].startswith(f"{TICKED} 2.") and lines[0].startswith(f"{UNTICKED} 1.")
        await pilot.press("space")  # space ticks the highlighted point (the first)
        assert points_plain(screen)[0].startswith(TICKED)


async def test_a_weak_mock_answer_is_a_lapse_and_undo_restores_it(app, reviews):
    from fsrs import Rating, State

    from questions.study.scheduler import StudyScheduler
    from questions.study.store import ProgressStore
    from questions.study.weak import weak_question_ids
    from tests.tui.factory import FIXED_NOW, fixture_bank
    from tui import paths

    question_id = "attention-qkv-meaning"
    with ProgressStore.open(paths.store_path()) as store:
        scheduler = StudyScheduler(app.study_settings())
        for day in (9, 11):
            store.record_review(question_id, Rating.Good, scheduler=scheduler, reviewed_at=FIXED_NOW.replace(day=day))
        learnt = store.card(question_id)
    assert learnt.state == State.Review and learnt.due > FIXED_NOW

    def card():
        with ProgressStore.open(paths.store_path()) as store:
            return store.card(question_id)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        screen = app.screen
        starts = screen.query_one("#mock-starts")
        ids = [starts.get_option_at_index(i).id for i in range(starts.option_count)]
        await pilot.press(*["down"] * ids.index(question_id), "enter")
        await pilot.press("space", "1", "n")  # one key point of three: a weak answer
        lapsed = card()
        assert lapsed.lapses == learnt.lapses + 1 and lapsed.due < learnt.due, "the schedule moved as a lapse"
        assert question_id in weak_question_ids(paths.store_path(), fixture_bank(), FIXED_NOW, app.study_settings())
        assert "saved as 1 Again (a lapse: weak)" in str(screen.query_one("#mock-status").render())
        await pilot.press("u")
        assert card() == learnt, "undo restored the card"
        assert screen._interview.current.id == question_id and screen.stage == "ask"
        assert question_id not in weak_question_ids(paths.store_path(), fixture_bank(), FIXED_NOW, app.study_settings())
    assert [r.rating for r in reviews()] == [Rating.Good, Rating.Good]


async def test_long_key_points_wrap_under_their_text_not_under_the_tick():
    """The checklist wraps each point by questions.wrapping, hanging under its text (#14)."""
    from questions import load_bank
    from tests.tui.factory import make_app

    app = make_app("both", bank=load_bank())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "enter", "space")
        await pilot.pause()
        from rich.cells import cell_len

        points = app.screen.query_one("#mock-points")
        width = points.scrollable_content_region.width - 2  # each option's padding
        every = [line for index in range(points.option_count) for line in option_shown(points, index).split("\n")]
        assert all(cell_len(line) <= width for line in every), "wrapped by us, so Textual never wraps a line at column 0"
        lines = [
            line
            for index in range(points.option_count)
            for line in option_shown(points, index).split("\n")[1:]
        ]
        assert lines, "some key point is long enough to wrap, or has a second language"
        assert all(line.startswith("     ") for line in lines), lines  # under "☐ 1. "
