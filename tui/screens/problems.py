"""The user's bank (``--bank DIR``) has problems: list them, then continue on the built-in bank."""

from __future__ import annotations

from typing import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, OptionList, Static

from tui.screens.base import AppModal
from tui.widgets.footer import AppFooter
from tui.widgets.marked import CurrentRowMark, current_row_css
from tui.widgets.markup import escape


class ProblemList(CurrentRowMark, OptionList):
    """The problems, one a row; ▸ marks the current one besides its highlight."""

    DEFAULT_CSS = current_row_css("ProblemList")


class BankProblemsScreen(AppModal):
    """Every problem, file:line first, so the user can fix them in an editor afterwards."""

    CSS_PATH = "problems.tcss"
    BINDINGS = [
        Binding("enter", "continue", "Continue", id="continue", priority=True),
        Binding("escape", "continue", "Continue", show=False),
    ]

    def __init__(self, problems: Sequence[str], summary: str) -> None:
        super().__init__()
        self.problems = list(problems)
        self.summary = summary

    @classmethod
    def for_error(cls, error: Exception) -> "BankProblemsScreen":
        """From the loader's error: its ``problems`` (file:line each) when it has them, else its lines."""
        problems = getattr(error, "problems", None)
        if problems:
            lines = [problem.format() if hasattr(problem, "format") else str(problem) for problem in problems]
            summary = getattr(error, "summary", None) or ""  # the title already gives the count
        else:
            head, *lines = str(error).splitlines() or [type(error).__name__]
            summary = head
        return cls(lines or [summary], summary)

    def compose(self) -> ComposeResult:
        with Vertical(id="problems-box"):
            yield Static(id="problems-summary")
            yield ProblemList(*(escape(problem) for problem in self.problems), id="problems-list")
            with Horizontal(id="problems-buttons"):
                yield Button(id="problems-continue", variant="primary")
        yield AppFooter()

    def show_language(self) -> None:
        count = len(self.problems)
        self.query_one("#problems-box").border_title = self.tr(
            f"Your question bank has {count} problem{'s' if count != 1 else ''}",
            f"你的题库有 {count} 个问题",
        )
        explanation = self.tr(
            "Your files were not loaded and have not been changed. "
            "Fix the lines below, check with 'tprep bank lint DIR', and restart.",
            "你的文件没有加载，也没有被修改。修正下列各行，用 'tprep bank lint DIR' 检查后重启。",
        )
        self.query_one("#problems-summary", Static).update(
            f"{escape(self.summary)}\n{explanation}" if self.summary else explanation
        )
        self.query_one("#problems-continue", Button).label = self.tr(
            "Continue with the built-in bank", "使用内置题库继续"
        )

    def on_button_pressed(self) -> None:
        self.action_continue()

    def action_continue(self) -> None:
        self.dismiss(None)
