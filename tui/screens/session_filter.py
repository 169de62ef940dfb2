"""Choose what to practise: topic, difficulty, evidence, weak cards only. Returns a CramFilter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Button, Checkbox, Label, Select, Static

from tui.screens.base import AppModal
from tui.widgets.footer import AppFooter
from tui.widgets.marked import TickBox
from tui.widgets.question_view import DIFFICULTY_STARS

if TYPE_CHECKING:
    from questions.study.cram import CramFilter
    from tui.context import StudyApp


CRAM_TITLE = ("Cram", "强化练习")
CRAM_EXPLANATION = (
    "Practise any slice of the bank. A right answer leaves your schedule alone; a failure (1 Again) "
    "counts as a lapse: the card comes back soon and is weak.",
    "练习题库的任意部分。答对不影响复习计划；答错（1 重来）算作遗忘：卡片很快再出现，并成为薄弱卡片。",
)


class SessionFilterScreen(AppModal):
    """``dismiss(CramFilter)`` on start, ``dismiss(None)`` on escape. Cram's, unless told otherwise."""

    CSS_PATH = "session_filter.tcss"
    BINDINGS = [Binding("ctrl+s", "start", "Start", id="filter.start")]

    app: "StudyApp"

    def __init__(self, title: tuple[str, str] = CRAM_TITLE, explanation: tuple[str, str] = CRAM_EXPLANATION) -> None:
        super().__init__()
        self._title = title
        self._explanation = explanation

    def compose(self) -> ComposeResult:
        from questions.topics import topic_order

        self._topics = sorted(self.app.bank.topics(), key=topic_order)
        with Vertical(id="filter-box"):
            yield Static(id="filter-explanation")
            with Grid(id="filter-grid"):
                yield Label(id="filter-label-topic")
                yield Select((), id="filter-topic")
                yield Label(id="filter-label-difficulty")
                yield Select([(DIFFICULTY_STARS[d], d) for d in (1, 2, 3)], id="filter-difficulty")
            with Horizontal(id="filter-options"):
                yield TickBox(id="filter-weak")
                yield TickBox(id="filter-verified")
            yield Button(id="filter-start", variant="primary")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#filter-start", Button).focus()

    def show_language(self) -> None:
        from questions.topics import topic_title

        self.query_one("#filter-box").border_title = self.tr(*self._title)
        self.query_one("#filter-explanation", Static).update(self.tr(*self._explanation))
        self.query_one("#filter-label-topic", Label).update(self.tr("Topic", "主题"))
        self.query_one("#filter-label-difficulty", Label).update(self.tr("Difficulty", "难度"))
        topic = self.query_one("#filter-topic", Select)
        chosen = topic.value
        topic.set_options([(topic_title(t, self.app.ui_lang), t) for t in self._topics])
        if chosen in self._topics:
            topic.value = chosen
        topic.prompt = self.tr("all topics", "全部主题")
        self.query_one("#filter-difficulty", Select).prompt = self.tr("any difficulty", "任意难度")
        self._label_checkboxes()
        self.query_one("#filter-start", Button).label = self.tr("Start (ctrl+s)", "开始 (ctrl+s)")

    def _label_checkboxes(self) -> None:
        # TickBox draws ☑/☐ itself; the weak count says what "weak only" would practise.
        count = self._weak_count()
        self.query_one("#filter-weak", Checkbox).label = self.tr(f"weak cards only ({count})", f"只练薄弱卡片（{count}）")
        self.query_one("#filter-verified", Checkbox).label = self.tr("with evidence only", "只练有验证的")

    def _weak_count(self) -> int:
        """How many questions are weak now: ``weak.weak_question_ids``, the one definition cram's filter uses."""
        if not hasattr(self, "_weak"):
            from questions.study.weak import weak_question_ids

            self._weak = len(weak_question_ids(self.app.store, self.app.bank, self.app.clock(), self.app.study_settings()))
        return self._weak

    def chosen_filter(self) -> "CramFilter":
        from questions.study.cram import CramFilter

        topic = self.query_one("#filter-topic", Select).value
        difficulty = self.query_one("#filter-difficulty", Select).value
        return CramFilter(
            topics=frozenset() if topic is Select.NULL else frozenset({topic}),
            difficulties=frozenset() if difficulty is Select.NULL else frozenset({difficulty}),
            verifier_backed=True if self.query_one("#filter-verified", Checkbox).value else None,
            weak_only=self.query_one("#filter-weak", Checkbox).value,
        )

    @on(Button.Pressed, "#filter-start")
    def _pressed(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        self.dismiss(self.chosen_filter())
