"""Spaced-repetition review: question, reveal (space), rate 1-4, optional typed answer, undo.

A typed answer (``t``) is checked against the key points off the UI thread; the review then
lists every key point with the tick the checker proposes and why. The candidate flips ticks
with the letters a-h (the digits are ratings), and enter saves the rating that follows from
the confirmed ticks (``AnswerCheck.rating_for``), logged as a typed review.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Input, Static

from tui.screens.base import AppScreen, rating_saved, undo_done
from tui.widgets.footer import AppFooter
from tui.widgets.question_view import QuestionView, question_markup
from tui.widgets.rating_bar import RatingBar
from tui.widgets.title_bar import TitleBar
from tui.widgets.typed_answer import FLIP_KEYS

if TYPE_CHECKING:
    from textual.content import Content

    from questions.model import Question
    from questions.study.answer_check import AnswerCheck
    from questions.study.session import StudySession
    from tui.context import StudyApp


class ReviewScreen(AppScreen):
    """Today's queue (or, via ``make_session``, any rated session such as cram)."""

    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("space", "reveal", "Reveal", key_display="space", id="review.reveal"),
        Binding("t", "type_answer", "Type", id="review.type"),
        Binding("1", "rate(1)", "Again", id="review.again"),
        Binding("2", "rate(2)", "Hard", id="review.hard"),
        Binding("3", "rate(3)", "Good", id="review.good"),
        Binding("4", "rate(4)", "Easy", id="review.easy"),
        Binding("u", "undo", "Undo", id="review.undo"),
        Binding("p", "prove", "Prove it", id="review.prove"),
        # After a typed answer is checked: flip a key point's tick, then confirm the rating the ticks give.
        Binding(FLIP_KEYS[0], "flip(0)", "Flip tick", key_display=f"{FLIP_KEYS[0]}-{FLIP_KEYS[-1]}", id="review.flip"),
        *(Binding(key, f"flip({index})", show=False) for index, key in enumerate(FLIP_KEYS) if index),
        Binding("enter", "confirm", "Confirm", id="review.confirm"),
    ]

    revealed: reactive[bool] = reactive(False, init=False)

    app: "StudyApp"

    def __init__(self, session: "StudySession | None" = None, *, title: tuple[str, str] = ("Review", "复习")) -> None:
        super().__init__()
        self._session = session  # None: today's review queue, read from the store when first needed
        self._title = title
        self._shown_at = time.monotonic()
        self._typed: "tuple[str, AnswerCheck] | None" = None  # the typed answer and its key-point check
        self._ticked: set[int] = set()  # key points the candidate says the typed answer covers
        self._checking = False  # a typed answer is being checked (its notice shows until the result does)
        self._suggested: int | None = None
        # The current card's answer, parsed while the question waits for space (see _prepare_reveal).
        self._answer_ahead: "tuple[tuple[str, str, str], Content] | None" = None

    @property
    def session(self) -> "StudySession":
        if self._session is None:
            from questions.study.review_session import ReviewSession

            self._session = ReviewSession(self.app.store, self.app.bank, self.app.study_settings(), clock=self.app.clock)
        return self._session

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="review-status")
        yield QuestionView()
        yield Input(id="review-typed", classes="-hidden")
        yield RatingBar(classes="-hidden")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one(QuestionView).focus()

    @property
    def question(self) -> "Question | None":
        return self.session.current

    # --- drawing ------------------------------------------------------------

    def show_language(self) -> None:
        self.query_one("#review-typed", Input).placeholder = self.tr(
            "Type your answer, enter checks it against the key points (escape leaves)",
            "输入你的答案，回车对照要点检查（Esc 离开）",
        )
        self._draw(scroll_home=False)

    def _draw(self, *, scroll_home: bool = True) -> None:
        question = self.question
        view = self.query_one(QuestionView)
        rating_bar = self.query_one(RatingBar)
        self._draw_status()
        if question is None:
            view.show(self._finished_markup())
            rating_bar.add_class("-hidden")
            self.query_one("#review-typed", Input).add_class("-hidden")
            self.refresh_bindings()
            return
        typed_report = None
        if self._typed is not None:
            from tui.widgets.typed_answer import coverage_markup

            typed, check = self._typed
            typed_report = coverage_markup(check, typed, self._ticked, self.app.language, self.app.ui_lang)
            self._suggested = int(check.rating_for(self._ticked))
        elif self._checking:
            typed_report = "[dim]" + self.tr("Checking your answer…", "正在检查你的答案…") + "[/]"
        ahead = self._answer_ahead
        if self.revealed and typed_report is None and ahead is not None and ahead[0] == self._answer_key(question):
            view.show(ahead[1], scroll_home=scroll_home)
        else:
            markup = question_markup(
                question, self.app.language, self.app.ui_lang, reveal=self.revealed, bank=self.app.bank,
                after_question=typed_report, show_key_points=self._typed is None,  # the checklist lists them
            )
            if not self.revealed:
                markup += "\n\n[dim]" + self.tr(
                    "Answer in your head (or press t to type), then space to reveal.",
                    "先在心里作答（或按 t 输入），再按空格显示答案。",
                ) + "[/]"
                self.call_after_refresh(self._prepare_reveal)
            view.show(markup, scroll_home=scroll_home)
        rating_bar.set_class(not self.revealed, "-hidden")
        if self.revealed:
            intervals = {int(rating): interval for rating, interval in self.session.preview().items()}
            rating_bar.show(self.app.ui_lang, intervals, self._suggested)
        self.refresh_bindings()

    def _answer_key(self, question: "Question") -> tuple[str, str, str]:
        return question.id, self.app.language, self.app.ui_lang

    def _prepare_reveal(self) -> None:
        """Build and parse the answer once the question is drawn, so space only swaps it in.

        Parsing an answer's markup is the largest part of a reveal's own work (several ms the
        first time); done here, after the frame, it is off the key's path.
        """
        from textual.content import Content

        question = self.question
        if question is None or self.revealed or self._typed is not None:
            return
        key = self._answer_key(question)
        if self._answer_ahead is None or self._answer_ahead[0] != key:
            markup = question_markup(question, self.app.language, self.app.ui_lang, reveal=True, bank=self.app.bank)
            self._answer_ahead = (key, Content.from_markup(markup))
            # Wrapped ahead too, at the present width: the reveal then only swaps the lines in.
            self.query_one(QuestionView).prepare(self._answer_ahead[1])

    def _draw_status(self) -> None:
        english, chinese = self._title
        parts = [f"[b]{self.tr(english, chinese)}[/b]"]
        counts = getattr(self.session, "counts", None)
        if counts is not None:
            parts.append(
                f"[$primary]{self.tr('new', '新')} {counts.new}[/]  "
                f"[$warning]{self.tr('learning', '学习中')} {counts.learning}[/]  "
                f"[$success]{self.tr('due', '到期')} {counts.due}[/]"
            )
        remaining = getattr(self.session, "remaining", None)
        if remaining is not None:
            parts.append(self.tr(f"{remaining} left", f"剩余 {remaining}"))
        parts.append(self.tr(f"done {self.session.reviewed}", f"已完成 {self.session.reviewed}"))
        self.query_one("#review-status", Static).update("   ".join(parts))

    def _finished_markup(self) -> str:
        reviewed = self.session.reviewed
        lines = [
            f"[b]{self.tr('Nothing left to review right now.', '现在没有需要复习的卡片了。')}[/b]",
            "",
            self.tr(f"You rated {reviewed} card{'s' if reviewed != 1 else ''} in this session; every rating is saved.",
                    f"本次共评分 {reviewed} 张卡片，所有评分都已保存。"),
        ]
        next_due = getattr(self.session, "next_learning_due", None)
        if next_due is not None:
            local = next_due.astimezone(self.app.day_timezone) if self.app.day_timezone else next_due.astimezone()
            lines.append(self.tr(f"A card you are learning comes back at {local:%H:%M}.", f"学习中的卡片将在 {local:%H:%M} 再次出现。"))
        lines += [
            "",
            self.tr(
                "Escape goes back; u undoes the last rating. More practice: cram (k) or multiple choice (c) from home.",
                "按 Esc 返回；按 u 撤销上一次评分。想多练习：回到首页选强化练习 (k) 或选择题 (c)。",
            ),
        ]
        return "\n".join(lines)

    # --- actions ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        finished = self.question is None
        if action in ("reveal", "type_answer"):
            return not finished and not self.revealed
        if action == "rate":  # after a typed answer the rating follows from the ticks (enter)
            return not finished and self.revealed and self._typed is None
        if action in ("flip", "confirm"):
            if finished or self._typed is None:
                return False
            return action == "confirm" or int(parameters[0]) < len(self._typed[1].points)  # type: ignore[call-overload]
        if action == "undo":
            return True if self.session.can_undo else None
        if action == "prove":
            return not finished and bool(self.question and self.question.verifiers)
        return True

    def action_reveal(self) -> None:
        if self.question is not None and not self.revealed:
            self.revealed = True

    def watch_revealed(self) -> None:
        self._draw(scroll_home=False)
        if self.revealed:
            self.query_one(QuestionView).focus()

    def action_rate(self, rating: int) -> None:
        if self.question is None or not self.revealed:
            return
        from fsrs import Rating

        duration = timedelta(seconds=time.monotonic() - self._shown_at)
        # Committed to the store before we move on.
        if rating_saved(self, lambda: self.session.rate(Rating(rating), duration)):
            self._next_card()

    def action_flip(self, index: int) -> None:
        """Flip the tick of key point ``index`` (the candidate disagrees with the checker)."""
        if self._typed is None or index >= len(self._typed[1].points):
            return
        self._ticked.symmetric_difference_update({index})
        self._draw(scroll_home=False)

    def action_confirm(self) -> None:
        """Save the rating that follows from the confirmed ticks, logged as a typed answer."""
        if self.question is None or self._typed is None:
            return
        from questions.study.review_record import ReviewMode

        rating = self._typed[1].rating_for(self._ticked)
        duration = timedelta(seconds=time.monotonic() - self._shown_at)
        # Logged as typed in a review; a cram session keeps its own mode (crammed answers stay told apart).
        mode = ReviewMode.TYPED if self.session.mode is ReviewMode.REVIEW else None
        if rating_saved(self, lambda: self.session.rate(rating, duration, mode=mode)):
            self._next_card()

    @on(RatingBar.Rated)
    def _rated_by_click(self, event: RatingBar.Rated) -> None:
        if self._typed is not None:
            self.notify(
                self.tr("Your ticks give the rating: flip them (a-h), then enter.", "评分由你的勾选决定：先切换勾选（a-h），再按回车。"),
                timeout=4,
            )
            return
        self.action_rate(event.rating)

    def action_undo(self) -> None:
        if not undo_done(self):
            return
        self._typed, self._suggested, self._checking = None, None, False
        self._ticked = set()
        self.set_reactive(ReviewScreen.revealed, True)
        self._shown_at = time.monotonic()
        self._draw()
        self.notify(self.tr("Last rating undone.", "已撤销上一次评分。"), timeout=2)

    def _next_card(self) -> None:
        self._typed, self._suggested, self._checking = None, None, False
        self._ticked = set()
        self._shown_at = time.monotonic()
        typed = self.query_one("#review-typed", Input)
        typed.value = ""
        typed.add_class("-hidden")
        self.set_reactive(ReviewScreen.revealed, False)
        self._draw()
        self.query_one(QuestionView).focus()

    def action_prove(self) -> None:
        if self.question is not None:
            self.app.action_prove(self.question.id)

    def action_type_answer(self) -> None:
        typed = self.query_one("#review-typed", Input)
        typed.remove_class("-hidden")
        typed.focus()

    @on(Input.Submitted, "#review-typed")
    def _typed_answer(self, event: Input.Submitted) -> None:
        question = self.question
        if question is None or not event.value.strip():
            return
        event.input.add_class("-hidden")
        self.query_one(QuestionView).focus()
        self._checking = True  # "Checking your answer…" shows in the view until the result replaces it
        self._draw(scroll_home=False)
        self._check_typed(question, event.value)

    @work(thread=True, exclusive=True, group="typed-answer")
    def _check_typed(self, question: "Question", typed: str) -> None:
        # Off the UI thread: segmenting Chinese loads jieba's dictionary the first time (about a second).
        from tui.widgets.typed_answer import check_answer

        check = check_answer(question, typed)
        self.app.call_from_thread(self._show_typed_check, question, typed, check)

    def _show_typed_check(self, question: "Question", typed: str, check: "AnswerCheck") -> None:
        if self.question is not question:  # rated or undone meanwhile
            return
        self._typed = (typed, check)
        self._ticked = set(check.proposed_ticks)
        self._checking = False
        self._suggested = int(check.suggested_rating)
        if self.revealed:
            self._draw(scroll_home=False)
        else:
            self.revealed = True

    def action_back(self) -> None:
        typed = self.query_one("#review-typed", Input)
        if typed.has_focus:  # escape leaves the text field first
            typed.add_class("-hidden")
            self.query_one(QuestionView).focus()
            return
        super().action_back()
