"""Verifiers and "prove it": a symbolic run in a worker, its evidence shown and cached."""

import json

from tui import paths
from tui.screens.prove import ProveItScreen
from tui.screens.verifiers import VerifiersScreen
from tui.widgets.scrolling_text import ScrollingText

from tests.tui.factory import footer_keys


async def wait_for_run(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_run_one_symbolic_verifier(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        screen = app.screen
        assert isinstance(screen, VerifiersScreen)
        ids = [spec.id for spec in screen.specs]
        assert "sqrt-dk-variance" in ids
        await pilot.press(*["down"] * ids.index("sqrt-dk-variance"))
        detail = screen.query_one("#verifiers-detail", ScrollingText)
        assert "Not run yet" in detail.content.plain
        await pilot.press("enter")
        await wait_for_run(app, pilot)
        text = detail.content.plain
        assert "PASSED" in text and "Claims" in text and "Derivation" in text
        assert "✓" in text
        assert "✓ 1" in str(screen.query_one("#verifiers-status").render())
    cached = json.loads((paths.results_dir() / "sqrt-dk-variance.json").read_text(encoding="utf-8"))
    assert cached["status"] == "passed"


async def test_the_detail_follows_the_highlight_in_the_same_call(app):
    """A step through the list redraws the detail as the highlight moves, so that both are drawn
    in the key's first frame (on the list's OptionHighlighted message, the list was drawn alone
    first), and the new detail starts at its top."""
    from tui.screens.verifiers import VerifierList

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        screen = app.screen
        listing = screen.query_one(VerifierList)
        detail = screen.query_one("#verifiers-detail", ScrollingText)
        detail.scroll_end(animate=False, immediate=True)
        listing.highlighted = 3  # no pause: the detail is redrawn within this assignment
        assert screen.specs[3].id in detail.content.plain
        assert screen.specs[2].id not in detail.content.plain
        await pilot.press("down")
        assert screen.specs[4].id in detail.content.plain
        await pilot.pause()
        assert detail.scroll_offset.y == 0


async def test_prove_it_shows_cached_evidence_without_running(app):
    async with app.run_test(size=(80, 24)) as pilot:
        # First visit: nothing cached, so the verifier runs in the background.
        await pilot.press("r", "p")
        assert isinstance(app.screen, ProveItScreen)
        await wait_for_run(app, pilot)
        assert "PASSED" in app.screen.text()
        await pilot.press("escape")
        # Second visit: the cached result is shown at once, with its date, and nothing runs.
        await pilot.press("p")
        screen = app.screen
        assert isinstance(screen, ProveItScreen)
        assert not screen.query_one("RunPanel").running
        text = screen.text()
        assert "PASSED" in text and "run 20" in text  # "run YYYY-MM-DD HH:MM"


async def test_p_without_verifiers_says_so(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b", *"QKV", "enter", "enter", "p")
        assert not isinstance(app.screen, ProveItScreen)


async def test_plots_of_a_result(app):
    from tui.screens.plots import PlotsScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        screen = app.screen
        ids = [spec.id for spec in screen.specs]
        await pilot.press(*["down"] * ids.index("sqrt-dk-variance"), "enter")
        await wait_for_run(app, pilot)
        result = screen.results["sqrt-dk-variance"]
        assert result.plots, "sqrt-dk-variance records its variance series"
        await pilot.press("g")
        plots = app.screen
        assert isinstance(plots, PlotsScreen)
        assert plots.query_one("#plots-box").border_title == f"sqrt-dk-variance  1/{len(result.plots)}"
        await pilot.press("right")
        assert plots.index == (1 % len(result.plots))
        await pilot.press("escape")
        assert app.screen is screen


async def test_run_all_can_be_cancelled(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        screen = app.screen
        await pilot.press("a")
        assert screen.run_in_progress
        await pilot.pause()  # the footer follows the bindings after the next refresh
        assert "c Cancel" in footer_keys(app)
        await pilot.press("c")
        await wait_for_run(app, pilot)
        assert not screen.run_in_progress
        assert "cancelled" in str(screen.query_one("#run-label").render())
        assert len(screen.results) < len(screen.specs)  # the rest never ran
