"""What the screens do that keeps keys quick and state right, seen through what they show: the
footer following each key, Browse kept with its search, screens opened afresh, screens left
freed, one-pass truncation, the frame rate. (Timings live in bench/startup.py, never in tests.)"""

import gc
import os
import subprocess
import sys
import weakref

from rich.cells import cell_len
from textual.widgets import Checkbox, Input, Select

from tui.screens.browse import BrowseScreen
from tui.screens.home import HomeScreen
from tui.widgets.bars import truncate_cells
from tui.widgets.marked import InlineChoice

from tests.tui.factory import footer_keys


async def test_reveal_swaps_the_footer_keys_and_a_language_switch_relabels_them(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert {"space Reveal", "t Type"} <= set(footer_keys(app))
        await pilot.press("space")
        await pilot.pause()
        shown = footer_keys(app)
        assert [key for key in shown if key[0] in "1234"] == ["1 Again", "2 Hard", "3 Good", "4 Easy"]
        assert "space Reveal" not in shown
        await pilot.press("l", "l")  # English -> both -> Chinese
        await pilot.pause()
        assert [key for key in footer_keys(app) if key[0] in "1234"] == ["1 重来", "2 困难", "3 良好", "4 简单"]
        await pilot.press("3")  # the next card: back to reveal and type
        await pilot.pause()
        shown = footer_keys(app)
        assert {"space 显示答案", "t 输入答案"} <= set(shown) and not [key for key in shown if key[0] in "1234"]


async def test_typing_a_search_leaves_the_footer_as_it_was(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        before = footer_keys(app)
        await pilot.press(*"soft")
        await pilot.pause()
        assert footer_keys(app) == before


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
        assert "esc 返回" in footer_keys(app)


async def test_a_search_left_pending_by_escape_is_not_run_on_the_way_out_but_shown_on_return(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        browse = app.screen
        browse.query_one("#browse-query", Input).value = "softmax"
        await pilot.press("escape")  # at once: before the pause in typing that redraws the results
        assert isinstance(app.screen, HomeScreen)
        await pilot.pause(0.3)  # past the typing pause (0.12 s)
        assert "4 of 4 questions" in str(browse.query_one("#browse-count").render())  # not redrawn unseen
        await pilot.press("b")
        await pilot.pause()
        assert app.screen is browse
        assert "2 of 4 questions" in str(browse.query_one("#browse-count").render())


async def test_browse_shown_again_after_a_theme_change_has_the_new_theme(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        browse = app.screen
        dark_background = browse.styles.background
        await pilot.press("escape")
        app.theme = "textual-light"  # e.g. from Settings, while Browse is away
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert app.screen is browse
        assert browse.styles.background != dark_background
        assert browse.styles.background == app.screen_stack[-2].styles.background  # home, styled while shown


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


async def test_every_screen_home_opens_by_a_key_is_shown_by_it_and_left_by_escape(app):
    from tui.screens.choice import ChoiceScreen
    from tui.screens.export import ExportScreen
    from tui.screens.mock import MockInterviewScreen
    from tui.screens.review import ReviewScreen
    from tui.screens.session_filter import SessionFilterScreen
    from tui.screens.settings import SettingsScreen
    from tui.screens.stats import StatsScreen
    from tui.screens.verifiers import VerifiersScreen

    opened_by = {
        "r": ReviewScreen, "c": ChoiceScreen, "k": SessionFilterScreen, "m": MockInterviewScreen, "b": BrowseScreen,
        "s": StatsScreen, "v": VerifiersScreen, "comma": SettingsScreen, "e": ExportScreen,
    }  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        for key, screen_class in opened_by.items():
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen) is screen_class, key
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen), key


async def test_a_review_opened_after_ratings_shows_the_queue_as_it_is_now(app):
    from questions.study.review_session import ReviewSession

    def fresh_counts():
        return ReviewSession(app.store, app.bank, app.study_settings(), clock=app.clock).counts

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "space", "3", "escape", "r")  # r again at once
        await pilot.pause()
        assert app.screen.session.counts == fresh_counts()
        await pilot.press("escape", "c", "1", "enter", "enter", "escape", "r")  # a rating in multiple choice
        await pilot.pause()
        assert app.screen.session.counts == fresh_counts()


async def test_a_review_opened_again_starts_clean(app):
    from tui.widgets.question_view import QuestionView
    from tui.widgets.rating_bar import RatingBar

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "space", "3", "t", *"attention", "escape")  # typing, then leave the field
        await pilot.press("end", "escape")  # and the review, scrolled down
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("r")
        await pilot.pause()
        review = app.screen
        assert not review.revealed and review.query_one(RatingBar).has_class("-hidden")
        typed = review.query_one("#review-typed", Input)
        assert typed.value == "" and typed.has_class("-hidden")
        assert review.query_one(QuestionView).scroll_y == 0 and review.query_one(QuestionView).has_focus
        keys = footer_keys(app)
        assert "space Reveal" in keys and "t Type" in keys and "1 Again" not in keys


async def test_crams_filter_comes_back_cleared(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("k")
        dialog = app.screen
        dialog.query_one("#filter-topic", Select).value = "masks"
        dialog.query_one("#filter-weak", Checkbox).value = True
        await pilot.press("escape", "k")
        await pilot.pause()
        assert app.screen.query_one("#filter-topic", Select).value is Select.NULL
        assert app.screen.query_one("#filter-weak", Checkbox).value is False


async def test_settings_follow_a_language_switched_while_open_and_keep_it_on_leaving(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("comma")
        await pilot.pause()
        settings = app.screen
        before = app.language
        app.action_cycle_language()  # l, from wherever the focus is
        switched = app.language
        assert switched != before
        await pilot.pause()
        assert settings.query_one("#setting-language", InlineChoice).value == switched
        await pilot.press("escape")  # leaving saves the form
        await pilot.pause()
        assert app.language == switched and app.settings.language == switched


async def test_verifiers_opened_after_a_run_show_its_result(app):
    from tui.screens.prove import ProveItScreen
    from tui.screens.verifiers import VerifiersScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "p")  # prove it: runs the question's verifier and saves its result
        assert isinstance(app.screen, ProveItScreen)
        ran = {spec.id for spec in app.screen.specs}
        await app.workers.wait_for_complete()
        await pilot.press("escape", "escape", "v")
        await pilot.pause()
        assert isinstance(app.screen, VerifiersScreen)
        assert ran and ran <= set(app.screen.results)


async def test_the_answer_shown_on_reveal_follows_the_language_switched_before_it(app):
    from textual.content import Content

    from tui.widgets.question_view import QuestionView, question_markup

    def expected(screen) -> str:
        return Content.from_markup(
            question_markup(screen.question, app.language, app.ui_lang, reveal=True, bank=app.bank)
        ).plain

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        await pilot.press("space")
        await pilot.pause()
        body = screen.query_one(QuestionView)
        assert body.content.plain == expected(screen)
        await pilot.press("3", "l", "l")  # the next card, then English -> both -> Chinese while it waits
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert body.content.plain == expected(screen) and "答案" in body.content.plain


async def test_screens_left_are_freed_with_their_title_bars(app):
    """Each visit builds its screen anew, so a screen left must not stay in memory: nothing of the
    app (a watcher of its language or title, a timer) may hold on to it or its title bar."""
    from tui.widgets.title_bar import TitleBar

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        left = []
        for key in ("r", "c", "m", "s", "v", "comma"):
            await pilot.press(key)
            await pilot.pause()
            left += [(key, weakref.ref(app.screen)), (f"{key} title", weakref.ref(app.screen.query_one(TitleBar)))]
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("l")  # a language switch reaches only the screens still there
        await pilot.pause(1.2)  # a timer cancelled on leaving (mock's clock) lets go within its period
        gc.collect()
        assert [name for name, node in left if node() is not None] == []


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


def live_strips() -> int:
    """Textual lines (``Strip``) alive now. Compared by type, not ``isinstance``: the heap holds
    torch's lazy modules once other tests imported it, and asking those for their class warns."""
    from textual.strip import Strip

    gc.collect()
    return sum(type(thing) is Strip for thing in gc.get_objects())


async def test_screens_left_let_go_of_what_they_drew(app):
    """Textual 8.2.8 keeps the render cache of removed widgets alive (Textualize/textual#6665):
    every visit to a screen added the lines it drew to the heap for good (1,491 more live lines per
    round of these five screens), which made each full garbage collection, landing on some key,
    longer. A screen left for good empties its widgets' caches first."""
    async with app.run_test(size=(80, 24)) as pilot:
        counts = []
        for _ in range(3):
            for key in ("comma", "d", "v", "s", "question_mark"):
                await pilot.press(key)
                await pilot.pause()
                await pilot.press("escape")
                await pilot.pause()
            counts.append(live_strips())
    growth = [later - earlier for earlier, later in zip(counts, counts[1:])]
    assert max(growth) < 400, growth  # 124 with the caches emptied, 1,491 without


async def test_a_kept_screen_lets_go_of_what_it_drew_while_away(app):
    """Browse is kept installed when left (it keeps the search), but what its widgets drew is not
    kept: it is restyled and drawn afresh when shown again anyway, and those lines (~370 with the
    objects Textual caches beside each; 287 more live lines after this trip, now 94) would be walked
    by every full garbage collection."""
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        at_home = live_strips()
        await pilot.press("b", "s", "o", "f", "t", "escape", "escape")
        await pilot.pause()
        assert app.is_screen_installed("browse") and app.screen is app.screen_stack[-1]
        after_browse = live_strips()
        await pilot.press("b")
        await pilot.pause()
        assert app.screen.query_one("#browse-query").value == "soft"  # kept: the search is still there
    assert after_browse - at_home < 150, (at_home, after_browse)
