"""Browse: search in either language, filters, the full detail of a question."""

from textual.widgets import Checkbox, Select

from tui.screens.browse import BrowseScreen, QuestionDetailScreen
from tui.widgets.question_view import QuestionView


def listed(screen: BrowseScreen) -> list[str]:
    results = screen.query_one("#browse-results")
    return [results.get_option_at_index(i).id for i in range(results.option_count)]


async def test_search_in_english_and_chinese(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        assert len(listed(screen)) == 4
        await pilot.press(*"softmax")
        await pilot.pause(0.3)  # results follow once typing pauses
        assert set(listed(screen)) == {"attention-softmax-saturation", "attention-scale-sqrt-dk"}
        assert "2 of 4 questions" in str(screen.query_one("#browse-count").render())
        await pilot.press("ctrl+r")
        assert len(listed(screen)) == 4
        await pilot.press(*"掩码")
        await pilot.pause(0.3)
        assert listed(screen) == ["masks-causal-purpose"]


async def test_filters_combine(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        screen = app.screen
        screen.query_one("#browse-topic", Select).value = "attention"
        await pilot.pause()
        assert set(listed(screen)) == {"attention-scale-sqrt-dk", "attention-softmax-saturation", "attention-qkv-meaning"}
        screen.query_one("#browse-verified", Checkbox).value = True
        await pilot.pause()
        assert set(listed(screen)) == {"attention-scale-sqrt-dk", "attention-softmax-saturation"}
        screen.query_one("#browse-difficulty", Select).value = 3
        await pilot.pause()
        assert listed(screen) == ["attention-softmax-saturation"]
        screen.query_one("#browse-doc", Select).value = "003_272b2778acc6e0a6.txt"
        await pilot.pause()
        assert listed(screen) == []
        await pilot.press("ctrl+r")
        assert len(listed(screen)) == 4


async def test_enter_opens_the_full_detail(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b", *"causal", "enter", "enter")
        screen = app.screen
        assert isinstance(screen, QuestionDetailScreen)
        text = "\n".join(line.plain for line in screen.query_one(QuestionView).lines)
        for expected in ("Answer", "Key points", "Sources", "Transformer (55 numbered questions) — 解码器中的掩码", "masks-causal-purpose"):
            assert expected in text
        assert "003_272b2778acc6e0a6.txt" not in text  # documents by title, never by file name (#14)
        await pilot.press("escape")
        assert isinstance(app.screen, BrowseScreen)


async def test_the_whole_bank_listed_makes_the_text_of_the_rows_shown_only(monkeypatch):
    """Each row's text (cut to fit, math rendered) is made when the row is first drawn: opening
    Browse on the whole bank makes a screenful of them, scrolling makes the rest."""
    import tui.screens.browse as browse
    from questions import load_bank
    from tests.tui.factory import make_app

    made = []
    real = browse.one_line_each
    monkeypatch.setattr(browse, "one_line_each", lambda text, *rest, **named: made.append(text) or real(text, *rest, **named))
    bank = load_bank()
    app = make_app("en", bank=bank)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert listed(screen) == [question.id for question in bank]  # every question is listed
        assert 0 < len(made) < 40  # but only the rows on screen were made
        last = list(bank)[-1]
        assert last.question not in made
        await pilot.press("down", "end")
        await pilot.pause()
        assert last.question in made
        results = screen.query_one("#browse-results")
        first = list(bank)[0].question.en.split()[0]
        assert first in str(results.get_option_at_index(0).prompt)  # the prompt reads as its text


async def test_the_first_search_finds_its_index_ready(monkeypatch):
    """Browse, once shown, builds (or loads) the search index off the UI thread: the key that
    submits the first search of a session does not wait for it."""
    from questions import load_bank, search
    from tests.tui.factory import FIXTURE_BANK, make_app

    app = make_app(bank=load_bank([FIXTURE_BANK], include_builtin=False))  # never searched yet
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await app.workers.wait_for_complete()

        def built_on_search(question):
            raise AssertionError(f"{question.id}: the index was built by the search")

        monkeypatch.setattr(search, "_fields", built_on_search)
        await pilot.press(*"softmax", "enter")
        assert set(listed(app.screen)) == {"attention-softmax-saturation", "attention-scale-sqrt-dk"}
