"""Mock interview: a question, then the interviewer's follow-ups (追问), timed, self-checked, scored."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Header, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from tui.screens.base import AppScreen, rating_saved
from tui.widgets.bars import one_line_each
from tui.widgets.footer import AppFooter
from tui.widgets.i18n import bilingual
from tui.widgets.long_list import LongOptionList
from tui.widgets.question_view import QuestionView, question_heading

if TYPE_CHECKING:
    from questions.model import Question
    from questions.study.mock_interview import MockInterview
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
        *(Binding(str(n), f"tick({n})", show=False) for n in range(1, 10)),
        Binding("n", "next", "Next", id="mock.next"),
        Binding("s", "skip", "Skip", id="mock.skip"),
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

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="mock-status")
        yield LongOptionList(id="mock-starts")
        yield QuestionView(classes="-hidden")
        yield SelectionList(id="mock-points", classes="-hidden")
        yield AppFooter()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick_clock)
        if self._start_id is not None:
            self._start(self._start_id)
        else:
            self.query_one("#mock-starts", OptionList).focus()

    # --- drawing ------------------------------------------------------------

    def show_language(self) -> None:
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

        def option(question: "Question") -> Option:
            length = len(follow_up_chain(self.app.bank, question.id))
            text = one_line_each(question.question, self.app.language, width, indent=5)
            return Option(f"[dim]{length:>2}×[/] {text}", id=question.id)

        starts.fill(self._chain_starts(), option, highlighted=starts.highlighted or 0)

    def _draw(self) -> None:
        interview = self._interview
        stage = self.stage
        self.query_one("#mock-starts").set_class(stage != "pick", "-hidden")
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
        points = self.query_one("#mock-points", SelectionList)
        chosen = set(points.selected)
        points.clear_options()
        points.add_options(
            [
                (f"{index + 1}. " + bilingual(text, self.app.language).replace("\n", " / "), index, index in chosen)
                for index, text in enumerate(question.key_points.pairs())
            ]
        )
        points.border_title = self.tr("Key points you covered (1-9 / space ticks)", "你答到的要点（1-9 / 空格勾选）")

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
            lines.append(f"{number}. [b]{status}[/b] ⏱ {_clock_text(step.elapsed)}{late}\n   {question}")
        if result.weak_points:
            lines += ["", f"[b $warning]{self.tr('Weak points: study these', '薄弱点：重点复习')}[/]"]
            for point in result.weak_points:
                lines.append("✗ " + bilingual(point.text, self.app.language).replace("\n", "\n  "))
        else:
            lines += ["", f"[green]{self.tr('Every key point covered.', '所有要点都答到了。')}[/]"]
        lines += ["", "[dim]" + self.tr(
            "Each answer was saved as a review with its suggested rating. Escape goes back.",
            "每道题都已按建议评分保存为一次复习。按 Esc 返回。",
        ) + "[/]"]
        return "\n".join(lines)

    # --- actions ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        stage = self.stage
        if action == "random_start":
            return stage == "pick"
        if action == "reveal":
            return stage == "ask"
        if action in ("next", "tick"):
            return stage == "check"
        if action == "skip":
            return stage in ("ask", "check")
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

        self._interview = MockInterview(self.app.bank, start_id)
        self.stage = "ask"
        self.query_one(QuestionView).focus()

    def watch_stage(self) -> None:
        self._draw()

    def action_reveal(self) -> None:
        if self.stage == "ask":
            self.query_one("#mock-points", SelectionList).deselect_all()
            self.stage = "check"
            self.query_one("#mock-points", SelectionList).focus()

    def action_tick(self, number: int) -> None:
        points = self.query_one("#mock-points", SelectionList)
        if number <= points.option_count:
            points.toggle(number - 1)

    def action_next(self) -> None:
        if self.stage == "check" and self._interview is not None:
            covered = self.query_one("#mock-points", SelectionList).selected
            self._record(self._interview.answer(covered))

    def action_skip(self) -> None:
        if self.stage in ("ask", "check") and self._interview is not None:
            self._record(self._interview.skip())

    def _record(self, step) -> None:
        """Save the answer at once (mode 'mock'), so quitting mid-interview loses nothing."""
        from questions.study.review_record import ReviewMode
        from questions.study.scheduler import StudyScheduler

        rating_saved(
            self,
            lambda: self.app.store.record_review(
                step.question.id,
                step.suggested_rating,
                scheduler=StudyScheduler(self.app.study_settings()),
                reviewed_at=self.app.clock(),
                duration=step.elapsed,
                mode=ReviewMode.MOCK,
            ),
        )  # the interview goes on either way; its score still counts this answer
        assert self._interview is not None
        self.stage = "done" if self._interview.finished else "ask"
        if self.stage == "ask":
            self._draw()  # same stage, new question
        self.query_one(QuestionView).focus()

    def action_prove(self) -> None:
        current = self._interview.current if self._interview else None
        if current is not None:
            self.app.action_prove(current.id)
