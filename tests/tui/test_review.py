"""Review: reveal, rate, the rating lands in the store; undo; typed answers; q keeps ratings."""

from fsrs import Rating

from questions.study.review_record import ReviewMode
from tui.screens.review import ReviewScreen
from tui.widgets.question_view import QuestionView


def body(screen) -> str:
    return str(screen.query_one(QuestionView).query_one("#question-body").render())


async def test_a_rating_lands_in_the_store(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        first = screen.question
        assert first.id == "attention-scale-sqrt-dk"  # new cards come in bank order
        assert "Key points" not in body(screen)
        await pilot.press("3")  # rating before reveal does nothing
        assert reviews() == []
        await pilot.press("space")
        assert "Key points" in body(screen) and "Where the documents go wrong" in body(screen)
        await pilot.press("3")
        assert screen.question.id != first.id
    logged = reviews()
    assert [(r.question_id, r.rating, r.mode) for r in logged] == [(first.id, Rating.Good, ReviewMode.REVIEW)]


async def test_undo_removes_the_rating_and_shows_the_card_again(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "space", "1")
        assert len(reviews()) == 1
        await pilot.press("u")
        assert reviews() == []
        assert app.screen.question.id == "attention-scale-sqrt-dk"
        assert app.screen.revealed


async def test_session_end_says_so(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        for _ in range(4):  # the fixture bank has four questions; Easy graduates each at once
            await pilot.press("space", "4")
        assert app.screen.question is None
        assert "Nothing left to review" in body(app.screen)
    assert len(reviews()) == 4


async def test_quit_right_after_rating_keeps_it(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "space", "2", "q")
    assert [r.rating for r in reviews()] == [Rating.Hard]


async def test_typed_answer_shows_key_point_coverage(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "t")
        await pilot.press(*"the variance grows linearly with d_k and after scaling the variance is 1")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert screen.revealed
        text = body(screen)
        assert "Key points covered 2/4" in text or "Key points covered 3/4" in text
        assert "✓" in text and "✗" in text


async def test_escape_leaves_the_typed_answer_field_first(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "t", "q")  # q types a letter here
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, ReviewScreen)


async def test_cram_a_topic_logs_without_touching_the_schedule(app, reviews):
    from textual.widgets import Select

    from tui.screens.session_filter import SessionFilterScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("k")
        assert isinstance(app.screen, SessionFilterScreen)
        app.screen.query_one("#filter-topic", Select).value = "masks"
        await pilot.press("ctrl+s")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.question.id == "masks-causal-purpose"
        await pilot.press("space", "1")  # Again: cram shows it once more at the end
        assert screen.question.id == "masks-causal-purpose"
        await pilot.press("space", "3")
        assert screen.question is None
    logged = reviews()
    assert [(r.rating, r.mode, r.scheduled) for r in logged] == [
        (Rating.Again, ReviewMode.CRAM, False),
        (Rating.Good, ReviewMode.CRAM, False),
    ]


async def test_a_rating_the_store_refuses_keeps_the_card(app, reviews, monkeypatch):
    from questions.study.errors import StoreError

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "space")
        screen = app.screen
        card = screen.question

        def refuse(*args, **kwargs):
            raise StoreError(app.store_path, "database is locked")

        with monkeypatch.context() as patch:  # only this patch is undone after, not TPREP_HOME's
            patch.setattr(screen.session, "rate", refuse)
            await pilot.press("3")
            assert screen.question is card and screen.revealed  # still there to rate again
        await pilot.press("3")
        assert screen.question is not card
    assert [r.question_id for r in reviews()] == [card.id]
