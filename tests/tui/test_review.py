"""Review: reveal, rate, the rating lands in the store; undo; typed answers; q keeps ratings."""

from fsrs import Rating

from questions.study.review_record import ReviewMode
from questions.marks import TICKED, UNTICKED
from tui.screens.review import ReviewScreen
from tui.widgets.question_view import QuestionView


def body(screen) -> str:
    return "\n".join(line.plain for line in screen.query_one(QuestionView).lines)


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


def plain(screen) -> str:
    """The view as a monochrome terminal shows it: marks and words, no colour."""
    from textual.content import Content

    return Content.from_markup(body(screen)).plain


async def type_and_check(app, pilot, answer: str) -> None:
    await pilot.press("r", "t")
    await pilot.press(*answer)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_typed_answer_lists_every_key_point_with_the_proposed_tick_and_why(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_check(app, pilot, "the variance grows linearly with d_k and after scaling the variance is 1")
        screen = app.screen
        assert screen.revealed
        check = screen._typed[1]
        text = plain(screen)
        assert "Checking your answer" not in text, "the notice is gone once the result shows"
        assert 0 < len(check.proposed_ticks) < len(check.points)
        for point in check.points:  # every point: its letter, the proposed tick by shape, the reason in words
            mark = TICKED if point.covered else UNTICKED
            assert f"{'abcdefgh'[point.index]} {mark} {point.index + 1}." in text
            assert " ".join(point.reason("en").split()) in " ".join(text.split())  # wrapped to the view's width
        assert "looks covered" in text and "not found" in text
        rating = check.rating_for(check.proposed_ticks)
        assert f"→ {int(rating)} " in text


async def test_flipping_a_tick_changes_the_rating_and_enter_saves_it(app, reviews):
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_check(app, pilot, "the variance grows linearly with d_k and after scaling the variance is 1")
        screen = app.screen
        question = screen.question
        check = screen._typed[1]
        proposed = check.rating_for(check.proposed_ticks)
        await pilot.press("1", "2", "3", "4")  # digits do not rate a checked typed answer: the ticks do
        assert reviews() == [] and screen.question is question
        missed = [p.index for p in check.points if not p.covered]
        for index in missed:
            await pilot.press("abcdefgh"[index])
        assert screen._ticked == set(range(len(check.points)))
        assert f"a {TICKED}" in plain(screen) and "(you changed this)" in plain(screen)
        everything = check.rating_for(range(len(check.points)))
        assert everything > proposed, "ticking every point raises the rating"
        assert f"→ {int(everything)} " in plain(screen)
        await pilot.press("a")  # and back off again
        assert f"a {UNTICKED}" in plain(screen)
        await pilot.press("a")
        await pilot.press("enter")
        assert screen.question is not question
    assert [(r.question_id, r.rating, r.mode) for r in reviews()] == [(question.id, everything, ReviewMode.TYPED)]


async def test_the_checking_notice_shows_until_the_result_does(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "t", *"softmax saturates")
        screen = app.screen
        screen._check_typed = lambda question, typed: None  # the check never comes back
        await pilot.press("enter")
        await pilot.pause()
        assert "Checking your answer…" in plain(screen)
        from tui.widgets.typed_answer import check_answer

        screen._show_typed_check(screen.question, "softmax saturates", check_answer(screen.question, "softmax saturates"))
        await pilot.pause()
        assert "Checking your answer…" not in plain(screen)


async def test_escape_leaves_the_typed_answer_field_first(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "t", "q")  # q types a letter here
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, ReviewScreen)


async def test_cram_a_topic_a_failure_moves_the_schedule_a_success_does_not(app, reviews):
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
        (Rating.Again, ReviewMode.CRAM, True),  # a failure moves the schedule as a lapse
        (Rating.Good, ReviewMode.CRAM, False),  # a success in cram leaves it alone
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
