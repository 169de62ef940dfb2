"""The export dialog writes a study sheet in a worker and never overwrites without being asked."""

from textual.widgets import Checkbox, Input, Select

from tui.screens.export import ExportScreen
from tui.widgets.marked import InlineChoice


async def test_export_markdown_of_one_topic(app, tmp_path):
    target = tmp_path / "sheet.md"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#export-topic", Select).value = "masks"
        screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Wrote" in str(screen.query_one("#export-message").render())
        text = target.read_text(encoding="utf-8")
        assert "Why does the decoder need a causal mask?" in text and "因果掩码" not in text  # the app is in English
        assert "softmax" not in text  # only the chosen topic
        # A second export refuses to overwrite until asked.
        target.write_text("mine", encoding="utf-8")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert target.read_text(encoding="utf-8") == "mine"
        assert "Wrote" not in str(screen.query_one("#export-message").render())
        screen.query_one("#export-force", Checkbox).value = True
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "causal mask" in target.read_text(encoding="utf-8")


async def test_changing_the_format_changes_the_extension(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        screen = app.screen
        screen.query_one("#export-format", InlineChoice).value = "anki"
        await pilot.pause()
        assert screen.query_one("#export-path", Input).value.endswith("transformer-prep.apkg")


async def test_the_format_is_chosen_by_keys_and_shown_by_its_mark(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        screen = app.screen
        formats = screen.query_one("#export-format", InlineChoice)
        assert formats.has_focus  # the dialog's first field
        assert "◉ Markdown  ◌ HTML (offline)  ◌ PDF  ◌ Anki deck" in str(formats.render())
        await pilot.press("right")
        await pilot.pause()
        assert formats.value == "html" and "◌ Markdown  ◉ HTML (offline)" in str(formats.render())
        assert screen.query_one("#export-path", Input).value.endswith("transformer-prep.html")
        await pilot.press("left", "left")  # round to the last
        await pilot.pause()
        assert formats.value == "anki"
        await pilot.press("space")  # the next one, round to the first
        await pilot.pause()
        assert formats.value == "md" and screen.query_one("#export-path", Input).value.endswith("transformer-prep.md")
        await pilot.click(formats, offset=(2 + len("◉ Markdown  ◌ HTML (offline)  ◌ "), 1))  # on "PDF"
        await pilot.pause()
        assert formats.value == "pdf"


async def test_the_topic_list_follows_a_language_switched_while_open_and_keeps_the_choice(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        screen = app.screen
        topic = screen.query_one("#export-topic", Select)
        assert topic.value is Select.NULL and "all topics" in shown(topic)
        topic.value = "masks"
        await pilot.pause()
        assert "Masks" in shown(topic)
        await pilot.press("l")  # en -> both: still English labels
        await pilot.press("l")  # both -> zh
        await pilot.pause()
        assert app.language == "zh"
        assert topic.value == "masks" and "掩码" in shown(topic)
        topic.clear()
        await pilot.pause()
        assert "全部主题" in shown(topic)


def shown(select: Select) -> str:
    """The text in a Select's box."""
    return str(select.query_one("SelectCurrent #label").render())
