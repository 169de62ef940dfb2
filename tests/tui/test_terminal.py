"""The real thing: ``tprep`` in a real terminal (tmux), keys sent, screen read, a rating persisted."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (CI installs it)")


class Terminal:
    """One tmux session running a command at 80×24."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.name = f"tprep-test-{uuid.uuid4().hex[:8]}"
        environment = " ".join(f"{key}={value}" for key, value in env.items())
        shell_command = f"env {environment} {' '.join(command)}"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", "80", "-y", "24", shell_command],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True, check=False
        ).stdout

    def wait_for(self, *texts: str, timeout: float = 30.0) -> str:
        """The screen once every one of ``texts`` is on it (a frame may be captured half drawn)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if all(text in shown for text in texts):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{texts!r} never all appeared; the screen shows:\n{self.screen()}")

    def send(self, *keys: str) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.15)

    def alive(self) -> bool:
        return subprocess.run(["tmux", "has-session", "-t", self.name], capture_output=True).returncode == 0

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def test_rate_a_card_in_a_real_terminal_and_quit(isolated_data_dir):
    env = {
        "TPREP_HOME": str(isolated_data_dir),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    terminal = Terminal([sys.executable, "-m", "tui", "--lang", "en"], env)
    try:
        terminal.wait_for("Transformer Prep", "Review due cards", "Mastery by topic", "questions in the bank")
        terminal.send("r")
        terminal.wait_for("Answer in your head")
        terminal.send("Space")
        # the rating bar appears once the answer is revealed; "Key points" may sit below the
        # fold of an 80x24 screen when the bank's first card has a long answer
        terminal.wait_for("3 Good")
        terminal.send("3")
        terminal.wait_for("done 1")
        terminal.send("q")
        deadline = time.monotonic() + 10
        while terminal.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not terminal.alive(), "q did not quit:\n" + terminal.screen()
    finally:
        terminal.close()

    from fsrs import Rating

    from questions.study.store import ProgressStore

    with ProgressStore.open(isolated_data_dir / "progress.sqlite3") as store:
        logged = store.reviews()
    assert [record.rating for record in logged] == [Rating.Good]


@pytest.mark.slow
def test_a_drill_edited_in_the_editor_with_the_app_suspended_then_checked(isolated_data_dir, tmp_path):
    """``e`` hands the terminal to $EDITOR (here a script that says so on the screen, then writes
    the reference solution into the file), the app comes back when it exits, and ``c`` checks it."""
    import shlex

    from verifiers.drills.registry import default_drills

    softmax = default_drills().get("softmax")
    reference = tmp_path / "solution.py"
    reference.write_text(softmax.reference_source(), encoding="utf-8")
    editor = f"sh -c 'echo EDITOR HAS THE TERMINAL; sleep 1; cat \"$0\" > \"$1\"' {shlex.quote(str(reference))}"
    env = {
        "TPREP_HOME": str(isolated_data_dir),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join(sys.path),
        "EDITOR": shlex.quote(editor),
    }
    terminal = Terminal([sys.executable, "-m", "tui", "--lang", "en"], env)
    try:
        terminal.wait_for("Coding drills")
        terminal.send("d")
        terminal.wait_for("Numerically stable softmax", "Not started")
        terminal.send("e")  # no file yet: the stub is written first, then the editor opens it
        shown = terminal.wait_for("EDITOR HAS THE TERMINAL")
        assert "Numerically stable softmax" not in shown  # the app gave the screen up
        terminal.wait_for("Numerically stable softmax", "your file:")  # and took it back
        assert (isolated_data_dir / "drills" / "softmax.py").read_text(encoding="utf-8") == softmax.reference_source()
        terminal.send("c")
        terminal.wait_for("All 3 checks passed", timeout=120)
        terminal.send("q")
        deadline = time.monotonic() + 10
        while terminal.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not terminal.alive(), "q did not quit:\n" + terminal.screen()
    finally:
        terminal.close()
