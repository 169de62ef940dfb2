"""Snapshots of the main screens at 80×24, in English and in Chinese.

The fixture bank, the fixed clock and the fixed seeds (``factory.make_app``)
keep them stable; run ``pytest tests/tui --snapshot-update`` after a deliberate
change to the look of a screen, and review the diff in the report.
"""

import pytest

from tests.tui.factory import make_app, seed_drill_history

SCREENS = {
    "home": [],
    "review-question": ["r"],
    "review-answer": ["r", "space"],
    "choice-checked": ["c", "1", "enter"],
    # a typed answer checked: every key point with the proposed tick and why; b flips the second
    "review-typed": ["r", "t", *"the variance grows with d_k so we divide by its square root", "enter", "b"],
    "mock-question": ["m", "enter"],
    "mock-checklist": ["m", "enter", "space", "1", "3"],  # ☑ 1, ☐ 2, ☑ 3
    "browse-search": ["b", *"softmax"],
    "detail": ["b", *"causal", "enter", "enter"],
    "stats": ["r", "space", "3", "escape", "s"],
    "settings": ["comma"],
    "help": ["question_mark"],
    "drills": ["d"],  # softmax failed an hour ago, the causal mask passed yesterday (seed_drill_history)
    "drills-failed-check": ["d", "pagedown"],  # the failed check inline: counterexample and hint
}
# What a screen's snapshot needs on disk before the app starts.
SETUP = {"drills": seed_drill_history, "drills-failed-check": seed_drill_history}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, screen, language):
    async def keys_then_settle(pilot):
        # Workers (the home screen's numbers) finish before the picture is taken, however busy the machine.
        await pilot.app.workers.wait_for_complete()
        for key in SCREENS[screen]:
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.3)  # longer than the browse screen's search debounce

    app = make_app(language)
    if screen in SETUP:
        SETUP[screen](app)
    assert snap_compare(app, run_before=keys_then_settle, terminal_size=(80, 24))
