"""Multiple choice: pick with the digit keys (several when the question says so), enter checks.

Checking commits the answer through ``MultipleChoiceSession.answer``: the engine's recognition
rule rates it (a right pick counts as Hard, the smallest success; anything else as Again, a lapse
that makes the card weak), never the candidate's own rating. ``u`` undoes the latest answer.
Marks by shape (``questions.marks``): ◉/◌ for a single answer, ☑/☐ for "choose all that apply",
✓/✗ on the options once checked.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from questions.marks import FAILED, PASSED, choice, tick
from tui.screens.base import AppScreen, rating_saved, undo_done
from tui.widgets.footer import AppFooter
from tui.widgets.i18n import bilingual
from tui.widgets.long_list import replace_options
from tui.widgets.question_view import question_heading
from tui.widgets.rating_bar import RATING_LABELS
from tui.widgets.scrolling_text import ScrollingText
from tui.widgets.title_bar import TitleBar
from tui.widgets.wrapped import WrappedText, option_prompt

if TYPE_CHECKING:
    from textual.content import Content

    from questions.study.cram import CramFilter
    from questions.study.multiple_choice import ChoiceAnswer, ChoiceItem, ChoiceOption, MultipleChoiceSession
    from tui.context import StudyApp


class ChoiceScreen(AppScreen):
    CSS_PATH = "choice.tcss"
    BINDINGS = [
        # All priority, so that a fast "2 enter" is handled in the order typed (priority keys
        # skip the focused widget's queue) and the option list cannot take enter for itself.
        Binding("enter", "submit", "Check", priority=True, id="choice.submit"),
        Binding("enter", "next", "Next", priority=True, id="choice.next"),
        Binding("space", "toggle", "Select", show=False, priority=True, id="choice.toggle"),
        *(Binding(str(n), f"pick({n})", show=False, priority=True) for n in range(1, 10)),
        Binding("u", "undo", "Undo", id="choice.undo"),
        Binding("p", "prove", "Prove it", id="choice.prove"),
        # The feedback box shows the model answer's first lines; a long one reads whole here.
        Binding("a", "whole_answer", "Whole answer", id="choice.answer"),
    ]

    app: "StudyApp"

    def __init__(self, cram_filter: "CramFilter | None" = None, *, seed: int | None = None, limit: int | None = 20) -> None:
        super().__init__()
        self._filter = cram_filter
        self._seed = seed
        self._limit = limit
        self._session: "MultipleChoiceSession | None" = None
        self._picked: set[int] = set()
        self._answered: "ChoiceAnswer | None" = None  # committed, shown until enter moves on
        self._shown_at = time.monotonic()
        self._answers_correct: list[bool] = []  # per committed answer, in order (undo pops the last)
        # The shown question's model answer, parsed (and wrapped) once the question is drawn,
        # keyed by question and language: the check key then only adds the verdict above it.
        self._answer_ahead: "tuple[tuple[str, str], Content] | None" = None
        self._question_markup: str | None = None  # what #choice-question shows

    @property
    def session(self) -> "MultipleChoiceSession":
        if self._session is None:
            from questions.study.cram import CramFilter
            from questions.study.multiple_choice import MultipleChoiceSession

            self._session = MultipleChoiceSession(
                self.app.store,
                self.app.bank,
                self._filter or CramFilter(),
                self.app.study_settings(),
                seed=self._seed if self._seed is not None else self.app.seed,
                limit=self._limit,
                clock=self.app.clock,
            )
        return self._session

    @property
    def item(self) -> "ChoiceItem | None":
        """The question on screen: the one just answered while its result shows, else the session's next."""
        return self._answered.item if self._answered is not None else self.session.item

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="choice-status")
        yield WrappedText(id="choice-question")
        yield OptionList(id="choice-options")
        # The model answer, Chinese wrapped by character; a long one scrolls (a: shows it whole).
        yield ScrollingText(id="choice-feedback", classes="-hidden")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#choice-options", OptionList).focus()

    # --- drawing ------------------------------------------------------------

    def show_language(self) -> None:
        self._draw()

    def _draw(self) -> None:
        session, lang = self.session, self.app.language
        item = self.item
        remaining = session.remaining
        self.query_one("#choice-status", Static).update(
            f"[b]{self.tr('Multiple choice', '选择题')}[/b]   "
            + self.tr(f"{remaining} left", f"剩余 {remaining}")
            + "   "
            + self.tr(f"correct {self._correct_count}/{len(self._answers_correct)}", f"答对 {self._correct_count}/{len(self._answers_correct)}")
        )
        options = self.query_one("#choice-options", OptionList)
        feedback = self.query_one("#choice-feedback", ScrollingText)
        if item is None:
            self._show_question(self._finished_markup())
            options.add_class("-hidden")
            feedback.add_class("-hidden")
            self.refresh_bindings()
            return
        if item.multi_answer:
            hint = self.tr(
                "Choose all that apply (more than one is right): digits or space tick ☑, then enter.",
                "可多选（不止一项正确）：数字键或空格勾选 ☑，然后回车。",
            )
        else:
            hint = self.tr("Choose one (◉): a digit or click, then enter.", "单选（◉）：按数字键或点击，然后回车。")
        self._show_question(
            f"{question_heading(item.question, self.app.ui_lang)}\n[b]{bilingual(item.question.question, lang)}[/b]\n[dim]{hint}[/]"
        )
        options.remove_class("-hidden")
        # Wrapped by questions.wrapping, each language's lines hanging under its text (not under the marks).
        replace_options(options, [Option(option_prompt(self._option_markup(item, option)), id=str(option.number)) for option in item.options])
        answered = self._answered
        feedback.set_class(answered is None, "-hidden")
        if answered is not None:
            feedback.show(self._feedback_markup(answered), self._answer_content(answered.item))
        else:
            self.call_after_refresh(self._prepare_feedback)
        self.refresh_bindings()

    def _show_question(self, markup: str) -> None:
        # A pick or a check redraws the screen but leaves the question as it was: updating it
        # anyway parsed and wrapped it again and laid the screen out for it, on every such key.
        if markup != self._question_markup:
            self._question_markup = markup
            self.query_one("#choice-question", Static).update(markup)

    def _answer_content(self, item: "ChoiceItem") -> "Content":
        """The model answer the feedback box shows under the verdict, parsed (cached per question and language)."""
        from textual.content import Content

        key = (item.question.id, self.app.language)
        if self._answer_ahead is None or self._answer_ahead[0] != key:
            self._answer_ahead = (key, Content.from_markup(bilingual(item.question.answer, self.app.language)))
        return self._answer_ahead[1]

    def _prepare_feedback(self) -> None:
        """Once a question is drawn: its model answer parsed and wrapped at the feedback box's
        widths, so that checking only adds the verdict above it (parsing, converting the math
        and wrapping the answer took several ms of the check key, more the first time)."""
        item = self.item
        if item is None or self._answered is not None or not self.is_attached:
            return
        self.query_one("#choice-feedback", ScrollingText).prepare(self._answer_content(item))

    @property
    def _correct_count(self) -> int:
        return sum(self._answers_correct)

    def _option_markup(self, item: "ChoiceItem", option: "ChoiceOption") -> str:
        text = bilingual(option.text, self.app.language).replace("\n", "\n      ")
        answered = self._answered
        selected = answered.result.selected if answered is not None else self._picked
        chosen = option.number in selected
        box = tick(chosen) if item.multi_answer else choice(chosen)
        if chosen:
            box = f"[b $accent]{box}[/]"
        if answered is None:  # the column the ✓/✗ will take is kept, so checking moves nothing
            return f" {box} {option.number}. {text}"
        # After checking: ✓ on every right option, ✗ on a wrong pick; a right option left out says so.
        if option.correct:
            mark = f"[green]{PASSED}[/]"
            if not chosen:
                text += f"  [dim]{self.tr('(missed)', '（漏选）')}[/]"
        elif chosen:
            mark = f"[red]{FAILED}[/]"
        else:
            mark = " "
        return f"{mark}{box} {option.number}. {text}"

    def _feedback_markup(self, answered: "ChoiceAnswer") -> str:
        from questions.study.scheduler import format_interval

        result = answered.result
        if result.is_correct:
            verdict = f"[b green]{PASSED} {self.tr('Correct.', '正确。')}[/]"
        elif result.selected and not result.wrong:
            verdict = f"[b yellow]{FAILED} {self.tr('Partly: you missed some correct options.', '部分正确：漏选了正确选项。')}[/]"
        else:
            verdict = f"[b red]{FAILED} {self.tr('Not quite.', '不对。')}[/]"
        rating = int(result.recognition_rating)
        english, chinese, _variant = RATING_LABELS[rating]
        due = format_interval(answered.outcome.card.due - answered.outcome.record.reviewed_at)
        if result.is_correct:
            counted = self.tr(
                f"Saved as {rating} {english}: recognising is easier than recalling, so a right pick counts less than "
                f"a recalled answer. Next in {due}.",
                f"记为 {rating} {chinese}：认出答案比回忆容易，答对的分量低于独立答出。{due} 后再见。",
            )
        else:
            counted = self.tr(
                f"Saved as {rating} {english}: a lapse; the card is now weak and comes back in {due}.",
                f"记为 {rating} {chinese}：算作遗忘，这张卡片现在是薄弱卡片，{due} 后再出现。",
            )
        keys = self.tr("enter: next question · a: the whole answer · u: undo", "回车：下一题 · a：完整答案 · u：撤销")
        return f"{verdict}  [dim]{keys}[/]\n[dim]{counted}[/]"  # the model answer goes below it (_answer_content)

    def _finished_markup(self) -> str:
        session = self.session
        if not session.question_ids:
            return self.tr(
                "No multiple-choice questions match. Escape goes back.", "没有符合条件的选择题。按 Esc 返回。"
            )
        answered = len(self._answers_correct)
        return (
            f"[b]{self.tr('Done.', '完成。')}[/b] "
            + self.tr(
                f"{self._correct_count} of {answered} correct; every answer is saved. Escape goes back; u undoes the last.",
                f"答对 {self._correct_count}/{answered}，所有答案都已保存。按 Esc 返回；按 u 撤销上一题。",
            )
        )

    # --- actions ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self.item
        if action == "submit":
            return item is not None and self._answered is None
        if action in ("next", "whole_answer"):
            return self._answered is not None
        if action in ("toggle", "pick"):
            return item is not None and self._answered is None
        if action == "undo":
            return True if self.session.can_undo else None
        if action == "prove":
            return bool(item and item.question.verifiers)
        return True

    def action_pick(self, number: int) -> None:
        item = self.item
        if self._answered is not None or item is None or number > len(item.options):
            return
        if number in self._picked:
            self._picked.discard(number)
        elif item.multi_answer:
            self._picked.add(number)
        else:
            self._picked = {number}
        self.query_one("#choice-options", OptionList).highlighted = number - 1
        self._draw()

    def action_toggle(self) -> None:
        highlighted = self.query_one("#choice-options", OptionList).highlighted
        if highlighted is not None and self._answered is None:
            self.action_pick(highlighted + 1)

    @on(OptionList.OptionSelected, "#choice-options")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and self._answered is None:
            self.action_pick(int(event.option.id))

    def action_submit(self) -> None:
        if self._answered is not None:
            self.action_next()
            return
        if self.session.item is None:
            return
        if not self._picked:
            self.notify(self.tr("Pick an option first (1-9).", "请先选择一个选项（1-9）。"), timeout=3)
            return
        duration = timedelta(seconds=time.monotonic() - self._shown_at)
        picked = frozenset(self._picked)
        answers: list["ChoiceAnswer"] = []
        # Committed to the store (by the recognition rule) before the result shows.
        if not rating_saved(self, lambda: answers.append(self.session.answer(picked, duration))):
            return
        self._answered = answers[0]
        self._answers_correct.append(answers[0].result.is_correct)
        self._draw()

    def action_next(self) -> None:
        """Enter after checking: the answer is saved already; show the next question."""
        if self._answered is None:
            return
        self._answered, self._picked = None, set()
        self._shown_at = time.monotonic()
        self._draw()

    def action_undo(self) -> None:
        if not undo_done(self):
            return
        if self._answers_correct:
            self._answers_correct.pop()
        self._answered, self._picked = None, set()
        self._shown_at = time.monotonic()
        self._draw()
        self.notify(self.tr("Last answer undone.", "已撤销上一题的答案。"), timeout=2)

    def action_whole_answer(self) -> None:
        """After a pick: the question in full (answer, key points, caveats, evidence); esc comes back."""
        if self._answered is not None:
            from tui.screens.browse import QuestionDetailScreen

            self.app.push_screen(QuestionDetailScreen(self._answered.item.question))

    def action_prove(self) -> None:
        item = self.item
        if item is not None:
            self.app.action_prove(item.question.id)
