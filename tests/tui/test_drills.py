"""The Drills screen: the list with statuses, start (never clobbering), hints, the solution only
after confirming, checks run in a worker with results inline and recorded, cancel of a hanging
check while the app keeps answering keys, and the editor (a real terminal: tests/tui/test_terminal.py)."""

from __future__ import annotations

import time

import pytest

from questions.study import ProgressStore
from tui import paths
from tui.screens.confirm import ConfirmScreen
from tui.screens.drills import DrillsScreen
from verifiers.drills.registry import default_drills

from tests.tui.factory import footer_keys, make_app, seed_drill_history

SOFTMAX = default_drills().get("softmax")
NO_MAX = "import torch\n\n\ndef softmax(x, dim=-1):\n    e = torch.exp(x)\n    return e / e.sum(dim=dim, keepdim=True)\n"
HANGS = "def softmax(x, dim=-1):\n    while True:\n        pass\n"


def workspace_file(name: str = "softmax.py"):
    return paths.drill_workspace_dir() / name


async def open_drills(app, pilot) -> DrillsScreen:
    await app.workers.wait_for_complete()  # home's numbers
    await pilot.press("d")
    screen = app.screen
    assert isinstance(screen, DrillsScreen)
    await app.workers.wait_for_complete()  # the list is read in a worker
    await pilot.pause()
    return screen


async def finish_check(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()  # the worker's last message


def option_texts(screen) -> list[str]:
    from textual.content import Content

    listing = screen.query_one("#drills-list")
    return [Content.from_markup(str(listing.get_option_at_index(i).prompt)).plain for i in range(listing.option_count)]


def shown(screen, selector: str) -> str:
    """The text of the shown widgets, as set (before WrappedText cuts it to the pane's width)."""
    return "\n".join(str(widget.visual) for widget in screen.query(selector) if widget.display)


def recorded(drill_id: str = "softmax") -> list:
    if not paths.store_path().exists():
        return []
    with ProgressStore.open(paths.store_path()) as store:
        return store.reviews(question_id=f"drill:{drill_id}")


async def test_the_list_shows_each_drills_status_by_shape_due_first():
    app = make_app()
    seed_drill_history(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drills(app, pilot)
        options = option_texts(screen)
        assert len(options) == len(default_drills())
        # softmax failed an hour ago: due, first, marked ✗ with its last result
        assert options[0].startswith("✗ Numerically stable softmax") and "due · 2/3" in options[0]
        # the causal mask passed yesterday: last, ✓, with the day it comes back
        assert options[-1].startswith("✓ Causal") and "passed, next 2026-01-1" in options[-1]
        assert all(option.startswith("○ ") and "new" in option for option in options[1:-1])
        status = str(screen.query_one("#drills-status").render())
        assert "1 due" in status and f"{len(options) - 2} new" in status and "1 passed" in status
        head = shown(screen, "#drills-head")
        assert "softmax(x, dim=-1)" in head and "last check: failed 2/3 · 2026-01-15 08:00" in head
        checks = shown(screen, "#drills-checks")
        assert "✗ 2. large-logits — FAILED" in checks and "largest error: inf at index (0, 0)" in checks
        assert "got: float32 (2, 3) [[nan, 0, 0]" in checks  # brackets shown as they are
        assert "hint: exp(1e4) overflows" in checks and "✓ 1. matches-torch — passed" in checks
        assert footer_keys(app)[:7] == ["esc Back", "s Start", "e Edit", "c Check code", "h Hint", "r Solution", "q Quit"]

        await pilot.press("l", "l")  # en -> both -> zh
        assert app.language == "zh"
        options = option_texts(screen)
        assert options[0].startswith("✗ 数值稳定的 softmax") and "到期" in options[0]
        assert "提示：exp(1e4) 会溢出成 inf" in shown(screen, "#drills-checks")
        assert "检查代码" in " ".join(footer_keys(app))


async def test_start_writes_the_stub_and_never_overwrites_the_candidates_file():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drills(app, pilot)
        assert "Not started" in shown(screen, "#drills-head")
        await pilot.press("s")
        assert workspace_file().read_text(encoding="utf-8") == SOFTMAX.stub_source()
        assert "your file:" in shown(screen, "#drills-head")
        workspace_file().write_text("# my work in progress\n", encoding="utf-8")
        await pilot.press("s")
        assert workspace_file().read_text(encoding="utf-8") == "# my work in progress\n"
        assert list(workspace_file().parent.glob("*.bak")) == []


async def test_a_step_down_the_list_shows_the_next_drill_wrapped_ahead_of_the_key(monkeypatch):
    import tui.widgets.wrapped as wrapped

    app = make_app("zh")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drills(app, pilot)
        listing = screen.query_one("#drills-list")
        following = listing.get_option_at_index(listing.highlighted + 1).id
        wrapping = wrapped.wrap_content_fits
        calls = []
        monkeypatch.setattr(wrapped, "wrap_content_fits", lambda content, width: calls.append(content) or wrapping(content, width))
        await pilot.press("down")
        assert screen.selected_id == following
        assert default_drills().get(following).signature in shown(screen, "#drills-head")
        # The texts shown were wrapped before the key (the one after them is wrapped once they are shown).
        parts = screen.query("#drills-detail WrappedText")
        assert len(parts) == 5 and not any(content is part.visual for content in calls for part in parts)
        await pilot.press("h")  # a hint, below the task: scrolled into view as it is shown
        hints, detail = screen.query_one("#drills-hints"), screen.query_one("#drills-detail")
        assert default_drills().get(following).hints[0].zh in shown(screen, "#drills-hints")
        assert detail.scroll_y > 0 and hints.region.bottom <= detail.region.bottom


async def test_hints_one_at_a_time_and_the_solution_only_after_confirming():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drills(app, pilot)
        assert SOFTMAX.hints[0].en not in shown(screen, "#drills-hints")
        await pilot.press("h")
        hints = shown(screen, "#drills-hints")
        assert SOFTMAX.hints[0].en in hints and SOFTMAX.hints[1].en not in hints
        await pilot.press(*["h"] * len(SOFTMAX.hints))
        assert all(hint.en in shown(screen, "#drills-hints") for hint in SOFTMAX.hints)
        assert "No more hints" in shown(screen, "#drills-hints")

        solution = screen.query_one("#drills-solution")
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # not yet
        assert app.screen is screen and not solution.display
        await pilot.press("r", "escape")  # escape is no too
        assert app.screen is screen and not solution.display
        await pilot.press("r", "enter")  # "Not yet" has the focus: enter alone never reveals it
        assert app.screen is screen and not solution.display
        await pilot.press("r", "y")
        await pilot.pause()
        assert app.screen is screen and solution.display
        assert "def softmax(x: torch.Tensor, dim: int = -1)" in str(solution.render())
        detail = screen.query_one("#drills-detail")
        assert detail.scroll_y > 0 and solution.region.y < detail.region.bottom  # scrolled into view
        await pilot.press("down")  # the next drill's solution stays hidden
        assert not solution.display
        assert recorded() == []  # seeing the solution is not a check


async def test_a_syntax_error_is_shown_with_its_line_and_not_recorded():
    app = make_app()
    workspace_file().parent.mkdir(parents=True)
    workspace_file().write_text("import torch\ndef softmax(x, dim=-1)\n    return x\n", encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drills(app, pilot)
        await pilot.press("c")
        await finish_check(app, pilot)
        checks = shown(screen, "#drills-checks")
        assert "The file could not be used (line 2): SyntaxError" in checks and "^" in checks
        assert "new · file unusable" in option_texts(screen)[0]
        assert recorded() == []


@pytest.mark.slow
async def test_check_a_failing_file_then_a_passing_one_results_inline_and_recorded():
    app = make_app()
    workspace_file().parent.mkdir(parents=True)
    workspace_file().write_text(NO_MAX, encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drills(app, pilot)
        await pilot.press("c")
        assert screen.live is not None
        assert "x Cancel" in footer_keys(app) and "c Check code" not in footer_keys(app)
        await finish_check(app, pilot)
        assert screen.live is None
        checks = shown(screen, "#drills-checks")
        assert "2 of 3 checks passed." in checks and "✗ 2. large-logits — FAILED" in checks
        assert "input x: float32 (4, 3)" in checks and "largest error: inf" in checks
        assert "hint: exp(1e4) overflows" in checks
        await pilot.pause()  # the detail scrolls once the new text is laid out
        detail, drawn = screen.query_one("#drills-detail"), screen.query_one("#drills-checks")
        rows = drawn.wrapped(drawn.content_size.width).plain.split("\n")
        assert rows[int(detail.scroll_y) - drawn.virtual_region.y].startswith("✗ 2. large-logits")  # the first failure on top
        assert "stays due until it passes" in str(screen.query_one("#drills-run-label").render())
        assert options_first(screen).startswith("✗ Numerically stable softmax")
        assert [review.rating.name for review in recorded()] == ["Again"]

        workspace_file().write_text(SOFTMAX.reference_source(), encoding="utf-8")
        await pilot.press("c")
        await finish_check(app, pilot)
        assert "All 3 checks passed." in shown(screen, "#drills-checks")
        assert "comes back on 2026-01-" in str(screen.query_one("#drills-run-label").render())
        # passed drills go to the end of the list; the highlight follows the drill
        assert option_texts(screen)[-1].startswith("✓ Numerically stable softmax")
        assert screen.selected_id == "softmax" and "✓ passed, next" in shown(screen, "#drills-head")
        assert [review.rating.name for review in recorded()] == ["Again", "Good"]


def options_first(screen) -> str:
    return option_texts(screen)[0]


@pytest.mark.slow
async def test_a_hanging_check_is_cancelled_at_once_and_the_app_keeps_answering():
    app = make_app()
    workspace_file().parent.mkdir(parents=True)
    workspace_file().write_text(HANGS, encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_drills(app, pilot)
        await pilot.press("c")
        deadline = time.monotonic() + 120  # the checker imports torch first: slow on a busy machine
        while not (screen.live and screen.live.current == 0) and time.monotonic() < deadline:
            await pilot.pause(0.1)
        assert screen.live is not None and screen.live.current == 0, "the first check never started"
        assert "1. matches-torch — running" in shown(screen, "#drills-checks")

        # While the candidate's code spins, the screen answers keys.
        await pilot.press("down")
        assert screen.selected_id == "scaled-dot-product-attention"
        assert "scaled_dot_product_attention(q, k, v, mask=None)" in shown(screen, "#drills-head")
        await pilot.press("up", "h")
        assert SOFTMAX.hints[0].en in shown(screen, "#drills-hints")

        await pilot.press("x")
        cancelled_at = time.monotonic()
        while screen.live is not None and time.monotonic() < cancelled_at + 5:
            await pilot.pause(0.05)
        assert screen.live is None, "cancel did not stop the check"
        assert "cancelled; nothing was recorded" in str(screen.query_one("#drills-run-label").render())
        assert "c Check code" in footer_keys(app)
    assert recorded() == [] and not (paths.drill_results_dir() / "softmax.json").exists()


async def test_without_a_terminal_to_hand_over_the_editor_is_not_run_and_the_user_is_told(monkeypatch, tmp_path):
    marker = tmp_path / "editor-ran"
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"touch {marker}")
    app = make_app()
    notes: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:  # headless: the app cannot be suspended
        await open_drills(app, pilot)
        monkeypatch.setattr(app, "notify", lambda message, **options: notes.append(message))
        await pilot.press("e")
    assert workspace_file().read_text(encoding="utf-8") == SOFTMAX.stub_source()  # started first
    assert not marker.exists()
    assert any("edit ~/" in note or "in another window" in note for note in notes)


async def test_without_an_editor_set_the_user_is_told_how_to_set_one(monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    app = make_app()
    notes: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await open_drills(app, pilot)
        monkeypatch.setattr(app, "notify", lambda message, **options: notes.append(message))
        await pilot.press("e")
    assert any("export EDITOR=" in note for note in notes)


def test_the_editor_command_prefers_visual_and_splits_like_a_shell(monkeypatch, tmp_path):
    from tui.drills import editor_command

    target = tmp_path / "my drills" / "softmax.py"
    monkeypatch.setenv("EDITOR", "vi")
    monkeypatch.setenv("VISUAL", "code --wait")
    assert editor_command(target) == ["code", "--wait", str(target)]
    monkeypatch.delenv("VISUAL")
    assert editor_command(target) == ["vi", str(target)]
    monkeypatch.setenv("EDITOR", "  ")
    assert editor_command(target) is None
    monkeypatch.setenv("EDITOR", "vi 'unclosed")
    with pytest.raises(ValueError):
        editor_command(target)
