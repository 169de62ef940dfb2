"""The study modes in a real terminal (tmux, 80×24): failures that count survive a restart (#13),
and the mock interview's checklist reads without colour (#14)."""

from __future__ import annotations

import os
import re
import shutil
import sys
import time

import pytest

from tests.tui.test_terminal import Terminal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (CI installs it)")


def environment(home) -> dict[str, str]:
    return {
        "TPREP_HOME": str(home),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }


def quit_app(terminal: Terminal) -> None:
    terminal.send("q")
    deadline = time.monotonic() + 10
    while terminal.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not terminal.alive(), "q did not quit:\n" + terminal.screen()


def squeeze(text: str) -> str:
    return " ".join(text.split())


def wrong_option(screen: str, bank):
    """The question on screen and the number of an option that is wrong, read off the screen."""
    from tui.widgets.mathtext import readable

    options = dict(re.findall(r"[◌☐] (\d)\. (.{12,30})", screen))
    assert options, "no options on screen:\n" + screen
    shown = squeeze(screen)
    for question in bank:
        if not question.choices or squeeze(readable(question.question.en))[:40] not in shown:
            continue
        for number, start in options.items():
            for choice in question.choices:
                if not choice.correct and squeeze(readable(choice.text.en)).startswith(squeeze(start)):
                    return question, number
    raise AssertionError("could not match the question on screen to the bank:\n" + screen)


def test_a_wrong_choice_survives_a_restart_as_due_weak_and_crammable(isolated_data_dir):
    from questions import load_bank
    from tui.widgets.mathtext import readable

    bank = load_bank()
    terminal = Terminal([sys.executable, "-m", "tui", "--lang", "en"], environment(isolated_data_dir))
    try:
        terminal.wait_for("Review due cards", "Due 0", "Weak 0")
        terminal.send("c")
        screen = terminal.wait_for("Multiple choice", "Choose")
        question, number = wrong_option(screen, bank)
        terminal.send(number, "Enter")
        terminal.wait_for("Not quite", "the card is now weak")
        quit_app(terminal)
    finally:
        terminal.close()

    terminal = Terminal([sys.executable, "-m", "tui", "--lang", "en"], environment(isolated_data_dir))
    start = squeeze(readable(question.question.en))[:30]
    try:
        terminal.wait_for("Due 1", "Weak 1")  # due again (a learning step of minutes) and weak
        terminal.send("s")
        shown = terminal.wait_for("Weak questions 1")
        assert start in squeeze(shown) or start[:20] in shown, shown
        terminal.send("Escape", "k")
        terminal.wait_for("weak cards only (1)")
        terminal.send("BTab", "BTab", "Space")  # from Start back to the weak checkbox, tick it
        terminal.wait_for("☑ weak cards only (1)")
        terminal.send("C-s")
        shown = terminal.wait_for("Cram", "1 left")
        assert start[:20] in shown, "cram weak-only offers the card:\n" + shown
        quit_app(terminal)
    finally:
        terminal.close()


def test_the_mock_checklist_reads_without_colour(isolated_data_dir):
    terminal = Terminal([sys.executable, "-m", "tui", "--lang", "en"], environment(isolated_data_dir))
    try:
        terminal.wait_for("Mock interview")
        terminal.send("m")
        terminal.wait_for("N× = how many questions")
        terminal.send("Enter")
        terminal.wait_for("Answer out loud")
        terminal.send("Space")
        terminal.wait_for("Key points you covered: 0/")
        terminal.send("1", "3")
        shown = terminal.wait_for("Key points you covered: 2/")  # capture-pane -p: no colour at all
        lines = shown.splitlines()
        assert any(re.search(r"☑ 1\. ", line) for line in lines), shown
        assert any(re.search(r"☐ 2\. ", line) for line in lines), shown
        assert any(re.search(r"☑ 3\. ", line) for line in lines), shown
        print(shown)  # the monochrome capture, for the record (pytest -s)
        quit_app(terminal)
    finally:
        terminal.close()
