"""Snapshots of the screens whose marks tell a state by shape (#14), at 80×24 in both languages:
prove-it with a refuted document claim, the verifiers list (▸, ☐/☑, a run's mark), the export
dialog and the cram filter (☑/☐ options). Re-record with ``--snapshot-update`` after looking."""

import time

import pytest

from tests.tui.factory import make_app
from tests.tui.test_reading import cached_result

SCREENS = {
    "prove-claims": ["r", "p", "end"],  # the fixture's first card; its verifier's claims, scrolled to the end
    "verifiers-marked": ["v", "space", "down"],  # the first marked, the second current
    "export-dialog": ["e"],
    "cram-filter": ["k", "tab", "tab", "tab", "space"],  # "weak cards only" ticked
}


@pytest.fixture
def fixed_place(monkeypatch):
    # The export dialog shows the working folder; result dates are shown in local time.
    monkeypatch.chdir("/")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, fixed_place, screen, language):
    cached_result("sqrt-dk-variance")  # passed, so that prove-it runs nothing and the list shows ✓

    async def keys_then_settle(pilot):
        await pilot.app.workers.wait_for_complete()
        for key in SCREENS[screen]:
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.3)

    assert snap_compare(make_app(language), run_before=keys_then_settle, terminal_size=(80, 24))
