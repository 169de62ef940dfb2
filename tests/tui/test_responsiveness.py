"""What keeps keys fast without changing what they do: a footer relabelled in place, Browse kept
for reuse and not restyled needlessly, one-pass truncation, the frame rate. (Timings live in
bench/startup.py, never in tests.)"""

import os
import subprocess
import sys

from rich.cells import cell_len
from textual.widgets import Input

from tui.screens.browse import BrowseScreen
from tui.screens.home import HomeScreen
from tui.widgets.bars import truncate_cells
from tui.widgets.footer import AppFooter


def footer_keys(app) -> list[tuple[str, str, bool]]:
    return [(key.key, key.description, key.has_class("-disabled")) for key in app.screen.query_one(AppFooter).visible_keys()]


async def test_reveal_relabels_the_footer_keys_it_already_has(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()  # home's start-up imports done (see the report on import races)
        await pilot.press("r")
        await pilot.pause()
        before = app.screen.query_one(AppFooter).visible_keys()
        assert {"space", "t"} <= {key for key, _description, _disabled in footer_keys(app)}
        await pilot.press("space")
        await pilot.pause()
        after = app.screen.query_one(AppFooter).visible_keys()
        shown = footer_keys(app)
        ratings = [(key, description) for key, description, _x in shown if key in "1234"]
        assert ratings == [("1", "Again"), ("2", "Hard"), ("3", "Good"), ("4", "Easy")]
        assert "space" not in [key for key, _d, _x in shown]
        assert after[: len(before)] == before[: len(after)]  # the same widgets, relabelled
        assert all(key.has_class("-compact") for key in after)
        await pilot.press("l", "l")  # English -> both -> Chinese
        await pilot.pause()
        assert [d for k, d, _x in footer_keys(app) if k in "1234"] == ["重来", "困难", "良好", "简单"]
        await pilot.press("3")  # the next card: back to reveal and type
        await pilot.pause()
        shown = {key: description for key, description, _x in footer_keys(app)}
        assert (shown.get("space"), shown.get("t"), shown.get("1")) == ("显示答案", "输入答案", None)


async def test_the_footer_keys_are_built_with_the_screen_and_relabelled_on_the_key_itself(app):
    from textual.widgets._footer import FooterKey

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        footer = app.screen.query_one(AppFooter)
        pool = list(footer.query_children(FooterKey))
        assert len(pool) > len(footer.visible_keys())  # spare keys wait hidden for the ratings
        app.screen.action_reveal()  # no pause: the footer follows before the next layout
        assert [key.key for key in footer.visible_keys() if key.key in "1234"] == ["1", "2", "3", "4"]
        await pilot.press("3", "space", "1")
        await pilot.pause()
        assert list(footer.query_children(FooterKey)) == pool  # nothing mounted or removed


async def test_a_key_that_changes_no_binding_leaves_the_footer_alone(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        before = app.screen.query_one(AppFooter).visible_keys()
        await pilot.press(*"soft")
        await pilot.pause()
        assert app.screen.query_one(AppFooter).visible_keys() == before


async def test_browse_is_kept_with_its_search_and_follows_the_language_when_shown_again(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        browse = app.screen
        assert isinstance(browse, BrowseScreen)
        await pilot.press(*"softmax")
        await pilot.pause(0.3)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("l", "l")  # to Chinese while Browse is away
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert app.screen is browse
        assert browse.query_one("#browse-query", Input).value == "softmax"
        assert "2 / 4 道题" in str(browse.query_one("#browse-count").render())
        assert browse.query_one("#browse-query", Input).placeholder.startswith("搜索")


def test_truncation_matches_cutting_character_by_character():
    def reference(text: str, width: int) -> str:
        if cell_len(text) <= width:
            return text
        cut = ""
        for character in text:
            if cell_len(cut + character) > width - 1:
                break
            cut += character
        return cut + "…"

    for text in ("abcdef", "中文字符串", "a中b文c", "Q·K 的缩放 √d_k", "x"):
        for width in range(1, 12):
            assert truncate_cells(text, width) == reference(text, width), (text, width)


async def settled(app, pilot) -> None:
    """Home's work done: progress read, modules imported, screens prepared."""
    from tui.screens.home import PREPARE_AGAIN_AFTER_S

    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause(PREPARE_AGAIN_AFTER_S + 0.1)


async def test_browse_and_review_are_built_while_home_waits_and_shown_by_their_keys(app):
    from textual.widgets import OptionList

    from tui.screens.review import ReviewScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        browse = app.get_screen("browse")
        assert browse.query_one("#browse-results", OptionList).option_count == len(app.bank)  # filled off screen
        prepared = app.prepared("review")
        assert isinstance(prepared, ReviewScreen) and prepared.question is not None
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is prepared
        await pilot.press("escape", "b")
        await pilot.pause()
        assert app.screen is browse


async def test_review_opened_right_after_rating_is_never_one_built_before_the_rating(app):
    from questions.study.review_session import ReviewSession

    def fresh_counts():
        return ReviewSession(app.store, app.bank, app.study_settings(), clock=app.clock).counts

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")  # before home's start-up work is done: it finishes under the review
        await settled(app, pilot)
        assert app.prepared("review") is None  # none built while home is not shown: it would go stale
        await pilot.press("space", "3", "escape", "r")  # r again before home has prepared another
        await pilot.pause()
        assert app.screen.session.counts == fresh_counts()
        await pilot.press("space", "1", "escape")
        await settled(app, pilot)  # home prepares a review now; it must include the "again"
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.session.counts == fresh_counts()


async def test_a_review_built_ahead_shows_the_language_chosen_after_it_was_built(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        await pilot.press("l", "l")  # English -> both -> Chinese, while the review waits off screen
        await pilot.press("r")
        await pilot.pause()
        shown = {key: description for key, description, _x in footer_keys(app)}
        assert shown.get("space") == "显示答案"
        assert "复习" in str(app.screen.query_one("#review-status").render())


async def test_a_review_built_ahead_is_renewed_once_anything_was_rated_since(app):
    from datetime import timedelta

    from fsrs import Rating

    from questions.study.review_session import ReviewSession

    def fresh():
        return ReviewSession(app.store, app.bank, app.study_settings(), clock=app.clock)

    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        prepared = app.prepared("review")
        session_built_ahead = prepared.session
        elsewhere = fresh()  # another mode (or another tprep) rates while home waits
        rated = elsewhere.current.id
        elsewhere.rate(Rating.Good, timedelta(seconds=5))
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is prepared and app.screen.session is not session_built_ahead  # renewed on the key
        assert app.screen.session.counts == fresh().counts
        assert app.screen.question.id != rated
        await pilot.press("escape")
        await settled(app, pilot)
        kept = app.prepared("review")
        await pilot.press("b", "escape")  # nothing rated: the same prepared review is kept
        await settled(app, pilot)
        assert app.prepared("review") is kept


async def test_browse_built_ahead_is_laid_out_at_the_terminal_size_before_its_key(app):
    from textual.widgets import OptionList

    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        browse = app.get_screen("browse")
        assert browse not in app.screen_stack
        results = browse.query_one("#browse-results", OptionList)
        assert browse.size == app.size and results.size.width > 0
        # Every result line measured off screen, at the width the list will be shown at.
        assert len(results._line_cache.heights) == len(app.bank)
        await pilot.press("b")
        await pilot.pause()
        assert app.screen is browse and len(results._line_cache.heights) == len(app.bank)


async def test_a_search_left_pending_by_escape_is_shown_later_not_run_on_the_way_out(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        browse = app.screen
        browse.query_one("#browse-query", Input).value = "softmax"
        await pilot.press("escape")  # at once: before the pause in typing that redraws the results
        assert isinstance(app.screen, HomeScreen)
        await pilot.pause(0.3)  # past the typing pause (0.12 s), before home catches up (0.5 s on)
        assert "4 of 4 questions" in str(browse.query_one("#browse-count").render())  # not redrawn on leaving
        await settled(app, pilot)  # home, idle, catches Browse up
        assert "2 of 4 questions" in str(browse.query_one("#browse-count").render())


async def test_a_search_left_pending_is_shown_on_coming_back_before_home_caught_up(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        browse = app.screen
        browse.query_one("#browse-query", Input).value = "softmax"
        await pilot.press("escape", "b")
        await pilot.pause()
        assert app.screen is browse
        assert "2 of 4 questions" in str(browse.query_one("#browse-count").render())


async def test_home_prepares_screens_only_while_it_is_shown(app):
    shown_at_preparation = []
    prepare = app.prepare_screens

    def recording_prepare(home):
        shown_at_preparation.append(type(app.screen).__name__)
        prepare(home)

    app.prepare_screens = recording_prepare
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        await pilot.press("b", "escape")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("b")  # left before the half second is up: that visit's preparation is off
        from tui.screens.home import PREPARE_AGAIN_AFTER_S

        await pilot.pause(PREPARE_AGAIN_AFTER_S + 0.2)
        assert isinstance(app.screen, BrowseScreen)
        assert shown_at_preparation and set(shown_at_preparation) == {"HomeScreen"}


async def test_the_answer_parsed_ahead_is_the_answer_space_would_build_and_follows_the_language(app):
    from textual.content import Content
    from textual.widgets import Static

    from tui.widgets.question_view import question_markup

    def expected(screen) -> str:
        return Content.from_markup(
            question_markup(screen.question, app.language, app.ui_lang, reveal=True, bank=app.bank)
        ).plain

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert screen._answer_ahead is not None and screen._answer_ahead[0][0] == screen.question.id
        await pilot.press("space")
        await pilot.pause()
        body = screen.query_one("#question-body", Static)
        assert body.visual.plain == expected(screen)
        await pilot.press("3", "l", "l")  # the next card, then English -> both -> Chinese while it waits
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert body.visual.plain == expected(screen) and "答案" in body.visual.plain


async def test_a_kept_screen_is_restyled_on_return_only_when_the_theme_or_css_changed(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        browse = app.get_screen("browse")
        restyles = []
        update_node_styles = browse.update_node_styles
        browse.update_node_styles = lambda *args, **kwargs: (restyles.append(1), update_node_styles(*args, **kwargs))[1]
        await pilot.press("b")
        await pilot.pause()
        assert app.screen is browse and restyles == []  # styled when built; nothing changed since

        await pilot.press("escape")
        dark_background = browse.styles.background
        app.theme = "textual-light"  # e.g. from Settings, while Browse is away
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert restyles == [1]
        assert browse.styles.background != dark_background
        home = app.screen_stack[-2]
        assert isinstance(home, HomeScreen)  # shown while the theme changed, so styled for it
        assert browse.styles.background == home.styles.background


def test_the_app_draws_at_120_fps_and_scrolls_without_animation_unless_the_user_said_otherwise():
    probe = (
        "import tui.app, textual.constants as c, textual.screen as s;"
        "print(c.MAX_FPS, round(1 / s.UPDATE_PERIOD), tui.app.TPrepApp(tui.app.load_app_bank([])[0]).animation_level)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("TEXTUAL_")}

    def probed(**overrides: str) -> list[str]:
        run = subprocess.run([sys.executable, "-c", probe], env={**env, **overrides}, capture_output=True, text=True, check=True)
        return run.stdout.split()

    assert probed() == ["120", "120", "none"]
    assert probed(TEXTUAL_FPS="30", TEXTUAL_ANIMATIONS="full") == ["30", "30", "full"]


async def test_every_screen_home_opens_by_a_key_is_built_ahead_and_shown_by_it(app):
    from tui.app import PREPARED_SCREENS

    keys = {
        "review": "r", "choice": "c", "cram": "k", "mock": "m", "stats": "s", "verifiers": "v", "settings": "comma",
        "export": "e",
    }
    assert set(keys) == set(PREPARED_SCREENS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        for name, key in keys.items():
            prepared = app.prepared(name)
            assert prepared is not None and prepared.is_attached and prepared not in app.screen_stack
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is prepared, name
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)


async def test_settings_built_ahead_show_the_language_switched_since_and_keep_it_on_leaving(app):
    from textual.widgets import Select

    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        prepared = app.prepared("settings")
        before = app.language
        await pilot.press("l")  # while Settings waits off screen, built with the language before
        switched = app.language
        assert switched != before
        await pilot.press("comma")
        await pilot.pause()
        assert app.screen is prepared
        assert prepared.query_one("#setting-language", Select).value == switched
        await pilot.press("escape")  # leaving saves the form
        await pilot.pause()
        assert app.language == switched and app.settings.language == switched


async def test_verifiers_built_ahead_are_not_used_once_a_result_was_saved_since(app):
    from tui.screens.prove import ProveItScreen
    from tui.screens.verifiers import VerifiersScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        prepared = app.prepared("verifiers")
        assert prepared is not None and not prepared.results
        await pilot.press("r", "p")  # prove it: runs the question's verifier and saves its result
        assert isinstance(app.screen, ProveItScreen)
        ran = {spec.id for spec in app.screen.specs}
        await app.workers.wait_for_complete()
        await pilot.press("escape", "escape", "v")  # at once: before home prepares again
        await pilot.pause()
        assert isinstance(app.screen, VerifiersScreen) and app.screen is not prepared
        assert ran and ran <= set(app.screen.results)


async def test_screens_used_are_kept_and_renewed_or_else_freed(app, monkeypatch):
    import weakref

    from textual.widgets import Header

    import tui.app
    from tui.screens.mock import MockInterviewScreen

    # The app frees garbage in a full collection after a few screens built or renewed, once no
    # key has come for a while; sooner here (2: one round home renews, but not so many that the
    # collection is forced at once, before the screen just left is unreachable).
    monkeypatch.setattr(tui.app, "SCREENS_BEFORE_FULL_COLLECTION", 2)
    monkeypatch.setattr(tui.app, "IDLE_BEFORE_FULL_COLLECTION_S", 1.5)  # the shortest that is sure to free it
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        review, choice, mock = app.prepared("review"), app.prepared("choice"), app.prepared("mock")
        review_session, choice_session = review.session, choice.session
        left = [weakref.ref(mock), weakref.ref(mock.query_one(Header))]  # the header watches the app's title
        del mock
        await pilot.press("r", "space", "3", "escape")  # the review is used; the rating outdates choice
        await pilot.press("m", "escape")  # an interview cannot be renewed: it is freed and built anew
        for _ in range(60):  # home renews review and choice, builds a mock, collects the garbage
            await pilot.pause(0.1)
            if all(ref() is None for ref in left) and review.session is not review_session:
                break
        assert app.prepared("review") is review and review.session is not review_session
        assert app.prepared("choice") is choice and choice.session is not choice_session
        assert [ref() for ref in left] == [None, None]
        assert isinstance(app.prepared("mock"), MockInterviewScreen)


async def test_a_review_kept_from_the_last_session_starts_clean(app):
    from textual.widgets import Input

    from tui.widgets.question_view import QuestionView
    from tui.widgets.rating_bar import RatingBar

    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        await pilot.press("r", "space", "3", "t", *"attention", "escape")  # typing, then leave the field
        review = app.screen
        await pilot.press("end", "escape")  # and the review, scrolled down
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("r")  # at once, before home renews it: the key does
        await pilot.pause()
        assert app.screen is review and not review.revealed
        assert review.query_one(RatingBar).has_class("-hidden")
        typed = review.query_one("#review-typed", Input)
        assert typed.value == "" and typed.has_class("-hidden")
        assert review.query_one(QuestionView).scroll_y == 0 and review.query_one(QuestionView).has_focus
        keys = [key for key, _description, _disabled in footer_keys(app)]
        assert "space" in keys and "t" in keys and "1" not in keys


async def test_crams_filter_is_kept_and_comes_back_cleared(app):
    from textual.widgets import Checkbox, Select

    from tui.screens.session_filter import SessionFilterScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        await pilot.press("k")
        dialog = app.screen
        assert isinstance(dialog, SessionFilterScreen) and dialog is app.get_screen("cram")
        dialog.query_one("#filter-topic", Select).value = "masks"
        dialog.query_one("#filter-weak", Checkbox).value = True
        await pilot.press("escape", "k")  # at once: the key renews it
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.query_one("#filter-topic", Select).value is Select.NULL
        assert dialog.query_one("#filter-weak", Checkbox).value is False


async def test_without_a_pause_the_whole_heap_is_still_collected_in_time(app, monkeypatch):
    import gc

    import tui.app

    full_collections = []
    unfreeze = gc.unfreeze
    monkeypatch.setattr(gc, "unfreeze", lambda: (full_collections.append(1), unfreeze())[1])
    monkeypatch.setattr(tui.app, "SCREENS_BEFORE_FULL_COLLECTION", 2)
    monkeypatch.setattr(tui.app, "IDLE_BEFORE_FULL_COLLECTION_S", 3600.0)  # a pause that never comes
    monkeypatch.setattr(tui.app, "SHORT_IDLE_BEFORE_FULL_COLLECTION_S", 3600.0)
    async def collected_within(seconds: float) -> bool:
        for _ in range(int(seconds * 10)):
            if full_collections:
                return True
            await pilot.pause(0.1)
        return False

    async with app.run_test(size=(80, 24)) as pilot:
        assert await collected_within(5)  # start-up builds 8 screens: as many as forces a collection
        full_collections.clear()
        await pilot.press("r", "space", "3", "escape")  # home renews review, choice and stats: 3
        await pilot.pause(1.5)
        assert not full_collections
        await pilot.press("r", "space", "3", "escape")  # 6
        await pilot.pause(1.5)
        await pilot.press("r", "space", "3", "escape")  # 9: forced
        assert await collected_within(5)
