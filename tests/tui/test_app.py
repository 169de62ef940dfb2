"""The app as a whole: language switch, help, sizes, a bad user bank, settings screen (start-up imports: tests/test_import_hygiene.py)."""

import json

import pytest

from questions.errors import BankError
from tui import paths
from tui.app import load_app_bank
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen
from tui.screens.problems import BankProblemsScreen
from tui.screens.settings import SettingsScreen
from tui.screens.too_small import TooSmallScreen
from tui.settings import load_settings

from tests.tui.factory import fixture_bank, footer_keys, make_app


def footer_text(app) -> str:
    return " ".join(footer_keys(app))


async def test_home_shows_counts_and_every_mode(app):
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await app.workers.wait_for_complete()  # the numbers are read in a worker after the first paint
        await pilot.pause()
        today = str(app.screen.query_one("#home-today").render())
        assert "Due 0" in today and "New 4" in today and "4 questions in the bank" in today
        modes = app.screen.query_one("#home-modes")
        assert [modes.get_option_at_index(i).id for i in range(modes.option_count)] == [
            "review", "cram", "choice", "mock", "drills", "browse", "verifiers", "stats", "settings", "export",
        ]
        assert "Attention" in str(app.screen.query_one("#home-mastery-text").render())


async def test_language_switch_relabels_and_is_saved(app):
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Review" in footer_text(app)
        await pilot.press("l")  # en -> both
        assert app.language == "both"
        await pilot.press("l", "l")  # -> zh -> en
        assert app.language == "en"
        await pilot.press("l", "l")  # -> both -> zh
        assert app.language == "zh"
        assert "复习" in footer_text(app) and "Review" not in footer_text(app)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "到期" in str(app.screen.query_one("#home-today").render())
        await pilot.press("b")
        results = app.screen.query_one("#browse-results")
        assert "为什么注意力分数" in str(results.get_option_at_index(0).prompt)
        assert "Why are" not in str(results.get_option_at_index(0).prompt)
    assert load_settings(paths.settings_path()).settings.language == "zh"


async def test_help_lists_the_keys_of_the_screen_below(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        assert "Reveal" in text and "Undo" in text and "Prove it" in text and "q quits" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_too_small_terminal_says_so_until_resized(app):
    async with app.run_test(size=(60, 20)) as pilot:
        assert isinstance(app.screen, TooSmallScreen)
        assert "Terminal too small: 60×20" in str(app.screen.query_one("#too-small-message").render())
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


BAD_BANK = "topic: mine\nquestions:\n  - id: Bad Id\n"


def test_a_bad_user_bank_falls_back_to_the_builtin_one(tmp_path, monkeypatch):
    import questions

    real_load_bank = questions.load_bank

    def load_bank(extra_dirs=(), **kwargs):
        # The fixture bank stands in for the built-in one, which other work may be changing.
        if extra_dirs:
            return real_load_bank(extra_dirs, include_builtin=False)
        return fixture_bank()

    monkeypatch.setattr(questions, "load_bank", load_bank)
    (tmp_path / "mine.yaml").write_text(BAD_BANK, encoding="utf-8")
    bank, error = load_app_bank([tmp_path])
    assert isinstance(error, BankError) and error.problems
    assert bank is fixture_bank()


async def test_bank_problems_screen_lists_file_and_line(tmp_path):
    from questions import load_bank

    (tmp_path / "mine.yaml").write_text(BAD_BANK, encoding="utf-8")
    with pytest.raises(BankError) as raised:
        load_bank([tmp_path], include_builtin=False)
    error = raised.value
    app = make_app(bank_error=error)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, BankProblemsScreen)
        problems = app.screen.query_one("#problems-list")
        first = str(problems.get_option_at_index(0).prompt)
        assert "mine.yaml:3" in first
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)


async def test_settings_screen_saves(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("comma")
        assert isinstance(app.screen, SettingsScreen)
        new_cards = app.screen.query_one("#setting-new")
        new_cards.value = "5"
        await pilot.press("ctrl+s")
        assert app.settings.daily_new_cards == 5
        new_cards.value = "9999"
        await pilot.press("ctrl+s")
        assert app.settings.daily_new_cards == 5  # refused, with a message
    saved = json.loads(paths.settings_path().read_text(encoding="utf-8"))
    assert saved["daily_new_cards"] == 5


async def test_shrinking_the_terminal_shows_the_notice(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.resize_terminal(70, 24)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"


def test_a_corrupt_store_is_reported_and_left_alone_without_a_terminal(tmp_path, monkeypatch):
    from questions.study.errors import CorruptStoreError
    from tui.app import open_store_or_offer_reset

    store = tmp_path / "progress.sqlite3"
    store.write_bytes(b"this is not sqlite" * 100)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CorruptStoreError):
        open_store_or_offer_reset(store)
    assert store.read_bytes() == b"this is not sqlite" * 100


def test_a_corrupt_store_is_moved_aside_when_the_user_agrees(tmp_path, monkeypatch, capsys):
    from tui.app import open_store_or_offer_reset

    store = tmp_path / "progress.sqlite3"
    store.write_bytes(b"this is not sqlite" * 100)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    open_store_or_offer_reset(store)
    backups = [p for p in tmp_path.iterdir() if p.name.endswith(".bak")]
    assert len(backups) == 1 and backups[0].read_bytes() == b"this is not sqlite" * 100
    assert "moved to" in capsys.readouterr().err


@pytest.mark.parametrize("keys", [["question_mark"], ["v"], ["b", "escape", "s"], ["m"], ["c"], ["e", "escape"]])
async def test_q_quits_from_anywhere(app, keys):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_leaving_settings_saves_and_a_bad_value_holds_once(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("comma")
        new_cards = app.screen.query_one("#setting-new")
        new_cards.value = "12"
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        assert app.settings.daily_new_cards == 12
        await pilot.press("comma")
        app.screen.query_one("#setting-new").value = "lots"
        await pilot.press("escape")
        assert isinstance(app.screen, SettingsScreen)  # held, with a message
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        assert app.settings.daily_new_cards == 12
    assert json.loads(paths.settings_path().read_text(encoding="utf-8"))["daily_new_cards"] == 12


async def test_problem_lines_with_brackets_are_shown_verbatim():
    lines = ["mine.yaml:7: q-1: key_points.en[2]: [bold] is not markup"]
    app = make_app()
    async with app.run_test(size=(80, 24)):
        app.push_screen(BankProblemsScreen(lines, ""))
        await app.workers.wait_for_complete()
        from textual.content import Content

        prompt = app.screen.query_one("#problems-list").get_option_at_index(0).prompt
        shown = Content.from_markup(prompt).plain  # what the terminal shows
        assert shown == lines[0]


def test_the_app_loads_an_unchanged_bank_from_the_cache_of_validated_banks(isolated_data_dir):
    from tui.app import load_app_bank

    first, error = load_app_bank([])
    assert error is None
    cached = list((isolated_data_dir / "cache").glob("bank-*.pickle"))
    assert len(cached) == 1  # written by the first load
    second, _ = load_app_bank([])
    assert second.ids == first.ids and second.get(first.ids[0]) == first.get(first.ids[0])
