"""Prove-it read in a real terminal (tmux) with its colours stripped (``capture-pane -p``, no ``-e``,
and ``NO_COLOR`` set): a document's claim refuted as expected and a claim that holds differ by
their marks and words alone (#14)."""

from __future__ import annotations

import os
import shutil
import sys
import time

import pytest

from tests.tui.test_reading import cached_result
from tests.tui.test_terminal import Terminal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (CI installs it)")


def test_prove_it_tells_a_refuted_claim_from_a_holding_one_without_colour(isolated_data_dir):
    # Cached results (every claim as expected), so that prove-it shows them at once and runs nothing.
    spec, _ = cached_result("sqrt-dk-variance")
    cached_result("softmax-saturation")
    cached_result("sqrt-dk-attention-entropy")
    env = {
        "TPREP_HOME": str(isolated_data_dir),
        "TERM": "xterm-256color",
        "NO_COLOR": "1",
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    terminal = Terminal([sys.executable, "-m", "tui", "--lang", "en"], env)
    try:
        terminal.wait_for("Transformer Prep", "Review due cards")
        terminal.send("b")
        terminal.wait_for("questions · enter opens")
        for key in "Why is attention divided by":
            terminal.send("Space" if key == " " else key)
        terminal.wait_for("Why is attention divided by √dₖ? Derive it.")
        terminal.send("Down", "Enter")  # Down from the search reaches the results; enter opens the first
        terminal.wait_for("Answer", "p Prove it")
        terminal.send("p")
        terminal.wait_for("Prove it", "sqrt-dk-variance")
        shown = terminal.screen()
        deadline = time.monotonic() + 30
        while not all(text in shown for text in ("Var(q·k/√d_k) = 1", "Dividing by d_k instead", "refuted, as expected]")):
            assert time.monotonic() < deadline, "the claims never came into view:\n" + shown
            terminal.send("Down")
            shown = terminal.screen()
        lines = [line.strip(" │") for line in shown.splitlines()]
        refuted = next(index for index, line in enumerate(lines) if "Dividing by d_k instead" in line)
        holds = next(line for line in lines if "Var(q·k/√d_k) = 1" in line)
        # By shape and words alone: ✗ and "refuted, as expected" beside the false statement,
        # ✓ and no such words beside the true one.
        assert lines[refuted].startswith("✗ "), shown
        assert "refuted, as expected]" in " ".join(lines[refuted : refuted + 2]), shown
        assert holds.startswith("✓ ") and "refuted" not in holds, shown
        assert "\x1b[" not in shown  # nothing but text
        assert "Run" in shown and "Cancel" not in shown  # cached results shown; nothing ran
    finally:
        terminal.close()
