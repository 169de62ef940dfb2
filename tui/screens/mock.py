"""Mock interview: a question, then the interviewer's follow-ups (追问), timed, self-checked, scored.

Each answer is committed as it is given through ``MockInterview`` (built with the app's store
and scheduler): a weak answer (under half the key points, or skipped) is an Again that moves
the card's schedule as a lapse and makes it weak; ``u`` undoes the latest answer. The key-point
checklist marks each point ☑ or ☐ (``questions.marks``), readable without colour.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from questions.marks import tick
from tui.screens.base import AppScreen, rating_saved
from tui.widgets.bars import lines_each, one_line_each
from tui.widgets.footer import AppFooter
from tui.widgets.i18n import bilingual
from tui.widgets.long_list import LazyPrompt, LongOptionList, replace_options
from tui.widgets.question_view import QuestionView, question_heading
from tui.widgets.title_bar import TitleBar
from tui.widgets.wrapped import option_prompt

if TYPE_CHECKING:
    from questions.model import Question
    from questions.study.mock_interview import MockInterview, MockStep
    from tui.context import StudyApp


def _clock_text(elapsed: timedelta) -> str:
    seconds = int(elapsed.total_seconds())
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class MockInterviewScreen(AppScreen):
    """Pick where to start, answer aloud, tick the key points you covered, see the score."""

    CSS_PATH = "mock.tcss"
    BINDINGS = [
        Binding("r", "random_start", "Random", id="mock.random"),
        Binding("space", "reveal", "Reveal", id="mock.reveal"),
        Binding("space", "toggle_point", "Tick", show=False, id="mock.toggle"),
        *(Binding(str(n), f"tick({n})", show=False) for n in range(1, 10)),
        Binding("n", "next", "Next", id="mock.next"),
        Binding("s", "skip", "Skip", id="mock.skip"),
        Binding("u", "undo", "Undo", id="mock.undo"),
        Binding("p", "prove", "Prove it", id="mock.prove"),
    ]

    # "pick": choosing the first question; "ask": question shown; "check": ticking key points; "done"
    stage: reactive[str] = reactive("pick", init=False)

    app: "StudyApp"

    def __init__(self, start_id: str | None = None, *, seed: int | None = None) -> None:
        super().__init__()
        self._interview: "MockInterview | None" = None
        self._start_id = start_id
        self._seed = seed
        self._covered: set[int] = set()  # key points ticked for the current question
        self._last_step: "MockStep | None" = None  # the answer just saved, said in the status line

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="mock-status")
        yield Static(id="mock-legend")
        yield LongOptionList(id="mock-starts")
        yield QuestionView(classes="-hidden")
        yield OptionList(id="mock-points", classes="-hidden")
        yield AppFooter()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick_clock)
        if self._start_id is not None:
            self._start(self._start_id)
        else:
            self.query_one("#mock-starts", OptionList).focus()

    # --- drawing ------------------------------------------------------------

    def show_language(self) -> None:
        self.query_one("#mock-legend", Static).update(
            "[dim]"
            + self.tr(
                "N× = how many questions that interview asks: the question and its follow-ups (追问), "
                "one after another.",
                "N× = 这场面试共问几道题：所选的题目加上它的追问，依次提问。",
            )
            + "[/]"
        )
        self._fill_starts()
        self._draw()

    def _chain_starts(self) -> list["Question"]:
        """Questions that open a follow-up chain first (the interesting interviews), then the rest."""
        bank = self.app.bank
        with_chain = [q for q in bank if q.follow_ups]
        return with_chain + [q for q in bank if not q.follow_ups]

    def _fill_starts(self) -> None:
        from questions.study.mock_interview import follow_up_chain

        starts = self.query_one("#mock-starts", LongOptionList)
        width = max(20, (starts.size.width or self.app.size.width) - 6 - 5)  # less border, padding, scrollbar, "12× "

        language = self.app.language

        def prompt(question: "Question") -> Content:
            length = len(follow_up_chain(self.app.bank, question.id))
            text = one_line_each(question.question, language, width, indent=5)
            return Content.assemble((f"{length:>2}×", "dim"), " ", text)

        def option(question: "Question") -> Option:
            # Made when shown: the list holds every question.
            return Option(LazyPrompt(lambda: prompt(question), lines=lines_each(language), width=width + 5), id=question.id)

        starts.fill(self._chain_starts(), option, highlighted=starts.highlighted or 0)

    def _draw(self) -> None:
        interview = self._interview
        stage = self.stage
        self.query_one("#mock-starts").set_class(stage != "pick", "-hidden")
        self.query_one("#mock-legend").set_class(stage != "pick", "-hidden")
        self.query_one(QuestionView).set_class(stage == "pick", "-hidden")
        self.query_one("#mock-points").set_class(stage != "check", "-hidden")
        self._tick_clock()
        view = self.query_one(QuestionView)
        if stage == "pick":
            pass
        elif stage == "done" and interview is not None:
            view.show(self._result_markup())
        elif interview is not None and interview.current is not None:
            question = interview.current
            lines = [question_heading(question, self.app.ui_lang), "", f"[b]{bilingual(question.question, self.app.language)}[/b]"]
            if stage == "ask":
                lines += ["", "[dim]" + self.tr(
                    "Answer out loud as in the interview, then space shows the key points to tick.",
                    "像面试一样说出你的回答，然后按空格显示要点并勾选。",
                ) + "[/]"]
            else:
                lines += ["", f"[b $accent]{self.tr('Model answer', '参考答案')}[/]", bilingual(question.answer, self.app.language)]
            view.show("\n".join(lines), scroll_home=stage == "ask")
            if stage == "check":
                self._fill_points(question)
        self.refresh_bindings()

    def _fill_points(self, question: "Question") -> None:
        """The checklist: ☑ a point the candidate covered, ☐ one not (the mark, not a colour, says
        which); each point wrapped at the list's width whenever it is laid out (option_prompt)."""
        points = self.query_one("#mock-points", OptionList)
        options = []
        for index, text in enumerate(question.key_points.pairs()):
            on = index in self._covered
            mark = f"[b $success]{tick(True)}[/]" if on else tick(False)
            words = bilingual(text, self.app.language).replace("\n", "\n     ")
            options.append(Option(option_prompt(f"{mark} {index + 1}. {words}"), id=str(index)))
        replace_options(points, options)
        covered, total = len(self._covered), len(options)
        points.border_title = self.tr(
            f"Key points you covered: {covered}/{total} ☑ (1-9 / space ticks, n saves)",
            f"你答到的要点：{covered}/{total} ☑（1-9 / 空格勾选，n 保存）",
        )

    def _tick_clock(self) -> None:
        interview = self._interview
        status = f"[b]{self.tr('Mock interview', '模拟面试')}[/b]   "
        if interview is None:
            status += self.tr("choose the first question (enter), or r for a random one", "选择第一道题（回车），或按 r 随机")
        elif self.stage == "done":
            result = interview.result()
            status += self.tr(f"score {result.score:.0f}%", f"得分 {result.score:.0f}%")
        else:
            elapsed = interview.elapsed
            over = elapsed > interview.time_limit
            clock = f"⏱ {_clock_text(elapsed)} / {_clock_text(interview.time_limit)}"
            status += self.tr(f"question {interview.position}/{len(interview.plan)}", f"第 {interview.position}/{len(interview.plan)} 题")
            status += f"   [{'red' if over else 'green'}]{clock}[/]"
            if self._last_step is not None:
                status += "   [dim]" + self._saved_words(self._last_step) + "[/]"
        self.query_one("#mock-status", Static).update(status)

    def _result_markup(self) -> str:
        assert self._interview is not None
        result = self._interview.result()
        lines = [
            f"[b]{self.tr('Interview over', '面试结束')}[/b]   "
            + self.tr(f"score [b]{result.score:.0f}%[/b] of key points", f"要点得分 [b]{result.score:.0f}%[/b]")
            + f"   ⏱ {_clock_text(result.total_time)}",
            "",
        ]
        for number, step in enumerate(result.steps, start=1):
            status = self.tr("skipped", "跳过") if step.skipped else f"{len(step.covered)}/{len(step.question.key_points)}"
            late = f" [red]{self.tr('over time', '超时')}[/]" if step.over_time else ""
            question = bilingual(step.question.question, self.app.language).replace("\n", "\n      ")
            lines.append(f"{number}. [b]{status}[/b] ⏱ {_clock_text(step.elapsed)}{late}  [dim]{self._saved_words(step)}[/]\n   {question}")
        if result.weak_points:
            lines += ["", f"[b $warning]{self.tr('Weak points (☐ not covered): study these', '薄弱点（☐ 没答到）：重点复习')}[/]"]
            for point in result.weak_points:
                lines.append(f"{tick(False)} " + bilingual(point.text, self.app.language).replace("\n", "\n  "))
        else:
            lines += ["", f"[green]{self.tr('Every key point covered.', '所有要点都答到了。')}[/]"]
        lines += ["", "[dim]" + self.tr(
            "Each answer was saved as a review as it was given; a weak one (under half the points, or skipped) "
            "counts as Again: the card lapses, comes back soon and is weak. u undoes the last; escape goes back.",
            "每道题答完即保存为一次复习；答得弱（不到一半要点或跳过）记为“重来”：卡片算作遗忘，很快再出现，并成为薄弱卡片。"
            "按 u 撤销上一题；按 Esc 返回。",
        ) + "[/]"]
        return "\n".join(lines)

    def _saved_words(self, step: "MockStep") -> str:
        """How an answer was saved: "saved as 1 Again (a lapse)"."""
        from fsrs import Rating

        from tui.widgets.rating_bar import RATING_LABELS

        rating = int(step.suggested_rating)
        english, chinese, _variant = RATING_LABELS[rating]
        if step.suggested_rating == Rating.Again:
            return self.tr(f"saved as {rating} {english} (a lapse: weak)", f"记为 {rating} {chinese}（遗忘：薄弱）")
        return self.tr(f"saved as {rating} {english}", f"记为 {rating} {chinese}")

    # --- actions ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        stage = self.stage
        if action == "random_start":
            return stage == "pick"
        if action == "reveal":
            return stage == "ask"
        if action in ("next", "tick", "toggle_point"):
            return stage == "check"
        if action == "skip":
            return stage in ("ask", "check")
        if action == "undo":
            return True if self._interview is not None and self._interview.can_undo else None
        if action == "prove":
            current = self._interview.current if self._interview else None
            return stage in ("ask", "check") and bool(current and current.verifiers)
        return True

    @on(OptionList.OptionSelected, "#mock-starts")
    def _start_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._start(event.option.id)

    def action_random_start(self) -> None:
        starts = self._chain_starts()
        if starts:
            chains = [q for q in starts if q.follow_ups] or starts
            seed = self._seed if self._seed is not None else self.app.seed
            self._start(random.Random(seed).choice(chains).id)

    def _start(self, start_id: str) -> None:
        from questions.study.mock_interview import MockInterview
        from questions.study.scheduler import StudyScheduler

        # With the store: each answer is committed as it is given (a weak one as a lapse), undo reverts it.
        self._interview = MockInterview(
            self.app.bank,
            start_id,
            store=self.app.store,
            scheduler=StudyScheduler(self.app.study_settings()),
            wall_clock=self.app.clock,
        )
        self._covered, self._last_step = set(), None
        self.stage = "ask"
        self.query_one(QuestionView).focus()

    def watch_stage(self) -> None:
        self._draw()

    def action_reveal(self) -> None:
        if self.stage == "ask":
            self._covered = set()
            self.stage = "check"
            points = self.query_one("#mock-points", OptionList)
            points.highlighted = 0
            points.focus()

    def action_tick(self, number: int) -> None:
        interview = self._interview
        question = interview.current if interview is not None else None
        if self.stage != "check" or question is None or number > len(question.key_points):
            return
        self._covered.symmetric_difference_update({number - 1})
        self._fill_points(question)

    @on(OptionList.OptionSelected, "#mock-points")
    def _point_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:  # enter or a click on a point ticks it
            self.action_tick(int(event.option.id) + 1)

    def action_toggle_point(self) -> None:
        highlighted = self.query_one("#mock-points", OptionList).highlighted
        if highlighted is not None:
            self.action_tick(highlighted + 1)

    def action_next(self) -> None:
        if self.stage == "check" and self._interview is not None:
            covered = frozenset(self._covered)
            self._record(lambda: self._interview.answer(covered))

    def action_skip(self) -> None:
        if self.stage in ("ask", "check") and self._interview is not None:
            self._record(self._interview.skip)

    def _record(self, close: "Callable[[], MockStep]") -> None:
        """Close the question: ``MockInterview`` commits it at once (mode 'mock'; a weak answer as a
        lapse), so quitting mid-interview loses nothing. A refused write keeps the question on screen."""
        steps: list["MockStep"] = []
        if not rating_saved(self, lambda: steps.append(close())):
            return
        assert self._interview is not None
        self._last_step = steps[0]
        self._covered = set()
        self.stage = "done" if self._interview.finished else "ask"
        if self.stage == "ask":
            self._draw()  # same stage, new question
        self.query_one(QuestionView).focus()

    def action_undo(self) -> None:
        """Revert the latest answer (log row and card): its question is asked again."""
        interview = self._interview
        if interview is None:
            return
        from questions.study.errors import UndoError

        try:
            interview.undo()
        except UndoError as error:
            self.notify(str(error), severity="warning", timeout=6, markup=False)
            return
        self._covered, self._last_step = set(), None
        was = self.stage
        self.stage = "ask"
        if was == "ask":
            self._draw()
        self.query_one(QuestionView).focus()
        self.notify(self.tr("Last answer undone.", "已撤销上一题的答案。"), timeout=2)

    def action_prove(self) -> None:
        current = self._interview.current if self._interview else None
        if current is not None:
            self.app.action_prove(current.id)
