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
        text = str(screen.query_one(QuestionView).query_one("#question-body").render())
        for expected in ("Answer", "Key points", "Sources", "Transformer (55 numbered questions) — 解码器中的掩码", "masks-causal-purpose"):
            assert expected in text
        assert "003_272b2778acc6e0a6.txt" not in text  # documents by title, never by file name (#14)
        await pilot.press("escape")
        assert isinstance(app.screen, BrowseScreen)
