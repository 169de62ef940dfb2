"""A key pressed the moment the app is up must not race the start-up worker's imports.

Home's worker imports the study engine and every screen after the first paint; a key that
opens a screen imports them too, on the UI thread. Run unserialised, the two imports of
``questions.study`` broke each other (``KeyError: 'questions.study'``, about one start in
three). Each start needs those modules not imported yet, so the starts run in a child
process that forgets them between starts, leaving this process's modules alone.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import asyncio, json, sys

    from tests.tui.factory import make_app
    from tui.app import SCREENS_BY_NAME

    LAZY = tuple(f"tui.screens.{module}" for module, _class in SCREENS_BY_NAME.values()) + (
        "questions.study", "tui.widgets.summary", "tui.widgets.typed_answer", "tui.screens.session_filter",
        "tui.screens.help", "tui.screens.prove",
    )

    def forget_lazy_modules():
        for name in list(sys.modules):
            if name.startswith(LAZY):
                del sys.modules[name]

    async def start_and_press(key):
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(key)  # no wait for the worker: straight after the first paint
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            return type(app.screen).__name__

    shown = []
    for start in range(int(sys.argv[1])):
        forget_lazy_modules()
        shown.append(asyncio.run(start_and_press(sys.argv[2])))
    print(json.dumps(shown))
    """
)


def press_right_after_start(key: str, starts: int, tmp_path: Path) -> tuple[list[str], str]:
    env = {"TPREP_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(starts), key], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    lines = done.stdout.strip().splitlines()
    return (json.loads(lines[-1]) if done.returncode == 0 and lines else []), done.stderr[-3000:]


def test_review_opened_straight_after_start_up_never_crashes(tmp_path):
    shown, errors = press_right_after_start("r", 12, tmp_path)
    assert "KeyError" not in errors and "Traceback" not in errors, errors
    assert shown == ["ReviewScreen"] * 12, errors


def test_help_and_cram_filter_straight_after_start_up(tmp_path):
    for key, screen in (("question_mark", "HelpScreen"), ("k", "SessionFilterScreen")):
        shown, errors = press_right_after_start(key, 3, tmp_path)
        assert shown == [screen] * 3, errors
