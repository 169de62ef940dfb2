"""Multiple choice: pick with the digit keys (several when the question says so), enter checks."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from tui.screens.base import AppScreen, rating_saved, undo_done
from tui.widgets.footer import AppFooter
from tui.widgets.i18n import bilingual
from tui.widgets.question_view import question_heading
from tui.widgets.rating_bar import RATING_LABELS, RatingBar

if TYPE_CHECKING:
    from questions.study.cram import CramFilter
    from questions.study.multiple_choice import ChoiceResult, MultipleChoiceSession
    from tui.context import StudyApp


class ChoiceScreen(AppScreen):
    CSS_PATH = "choice.tcss"
    BINDINGS = [
        # All priority, so that a fast "2 enter" is handled in the order typed (priority keys
        # skip the focused widget's queue) and the option list cannot take enter for itself.
        Binding("enter", "submit", "Check", priority=True, id="choice.submit"),
        Binding("enter", "accept", "Next", priority=True, id="choice.accept"),
        Binding("space", "toggle", "Select", show=False, priority=True, id="choice.toggle"),
        *(Binding(str(n), f"pick({n})", show=False, priority=True) for n in range(1, 10)),
        Binding("u", "undo", "Undo", id="choice.undo"),
        Binding("p", "prove", "Prove it", id="choice.prove"),
    ]

    app: "StudyApp"

    def __init__(self, cram_filter: "CramFilter | None" = None, *, seed: int | None = None, limit: int | None = 20) -> None:
        super().__init__()
        self._filter = cram_filter
        self._seed = seed
        self._limit = limit
        self._session: "MultipleChoiceSession | None" = None
        self._picked: set[int] = set()
        self._result: "ChoiceResult | None" = None
        self._shown_at = time.monotonic()
        self._answers_correct: list[bool] = []  # per rated question, in order (undo pops the last)

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

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="choice-status")
        yield Static(id="choice-question")
        yield OptionList(id="choice-options")
        yield Static(id="choice-feedback", classes="-hidden")
        yield RatingBar(classes="-hidden")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#choice-options", OptionList).focus()

    # --- drawing ------------------------------------------------------------

    def show_language(self) -> None:
        self._draw()

    def _draw(self) -> None:
        session, lang = self.session, self.app.language
        item = session.item
        self.query_one("#choice-status", Static).update(
            f"[b]{self.tr('Multiple choice', '选择题')}[/b]   "
            + self.tr(f"{session.remaining} left", f"剩余 {session.remaining}")
            + "   "
            + self.tr(f"correct {self._correct_count}/{session.reviewed}", f"答对 {self._correct_count}/{session.reviewed}")
        )
        options = self.query_one("#choice-options", OptionList)
        feedback = self.query_one("#choice-feedback", Static)
        rating_bar = self.query_one(RatingBar)
        if item is None:
            self.query_one("#choice-question", Static).update(self._finished_markup())
            options.add_class("-hidden")
            feedback.add_class("-hidden")
            rating_bar.add_class("-hidden")
            self.refresh_bindings()
            return
        hint = (
            self.tr("Select all that apply, then enter.", "选出所有正确项，然后回车。")
            if item.multi_answer
            else self.tr("Pick one (digit or click), then enter.", "选一项（数字键或点击），然后回车。")
        )
        self.query_one("#choice-question", Static).update(
            f"{question_heading(item.question, self.app.ui_lang)}\n[b]{bilingual(item.question.question, lang)}[/b]\n[dim]{hint}[/]"
        )
        highlighted = options.highlighted
        options.remove_class("-hidden")
        options.clear_options()
        options.add_options([Option(self._option_markup(option), id=str(option.number)) for option in item.options])
        options.highlighted = highlighted if highlighted is not None and highlighted < len(item.options) else 0
        result = self._result
        feedback.set_class(result is None, "-hidden")
        rating_bar.set_class(result is None, "-hidden")
        if result is not None:
            feedback.update(self._feedback_markup(result))
            intervals = {int(rating): interval for rating, interval in session.preview().items()}
            rating_bar.show(self.app.ui_lang, intervals, int(result.suggested_rating))
        self.refresh_bindings()

    @property
    def _correct_count(self) -> int:
        return sum(self._answers_correct)

    def _option_markup(self, option) -> str:
        text = bilingual(option.text, self.app.language).replace("\n", "\n      ")
        result = self._result
        if result is None:
            box = "[b $accent]■[/]" if option.number in self._picked else "□"
            return f"{box} {option.number}. {text}"
        if option.correct:
            mark = "[green]✓[/]"
        elif option.number in result.selected:
            mark = "[red]✗[/]"
        else:
            mark = " "
        picked = "■" if option.number in result.selected else "□"
        return f"{mark}{picked} {option.number}. {text}"

    def _feedback_markup(self, result: "ChoiceResult") -> str:
        item = self.session.item
        assert item is not None
        if result.is_correct:
            verdict = f"[b green]{self.tr('Correct.', '正确。')}[/]"
        elif result.selected and not result.wrong:
            verdict = f"[b yellow]{self.tr('Partly: you missed some correct options.', '部分正确：漏选了正确选项。')}[/]"
        else:
            verdict = f"[b red]{self.tr('Not quite.', '不对。')}[/]"
        suggested = int(result.suggested_rating)
        english, chinese, _variant = RATING_LABELS[suggested]
        accept = self.tr(f"enter accepts {suggested} {english}, or press 1-4", f"回车接受 {suggested} {chinese}，或按 1-4")
        answer = bilingual(item.question.answer, self.app.language)
        return f"{verdict}  [dim]{accept}[/]\n{answer}"

    def _finished_markup(self) -> str:
        session = self.session
        if not session.question_ids:
            return self.tr(
                "No multiple-choice questions match. Escape goes back.", "没有符合条件的选择题。按 Esc 返回。"
            )
        return (
            f"[b]{self.tr('Done.', '完成。')}[/b] "
            + self.tr(
                f"{self._correct_count} of {session.reviewed} correct; every rating is saved. Escape goes back.",
                f"答对 {self._correct_count}/{session.reviewed}，所有评分都已保存。按 Esc 返回。",
            )
        )

    # --- actions ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self.session.item
        if action == "submit":
            return item is not None and self._result is None
        if action == "accept":
            return item is not None and self._result is not None
        if action in ("toggle", "pick"):
            return item is not None
        if action == "undo":
            return True if self.session.can_undo and self._result is None else None
        if action == "prove":
            return bool(item and item.question.verifiers)
        return True

    def action_pick(self, number: int) -> None:
        if self._result is not None:  # after checking, the digits are ratings
            if number <= 4:
                self.action_rate(number)
            return
        item = self.session.item
        if item is None or number > len(item.options):
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
        if highlighted is not None and self._result is None:
            self.action_pick(highlighted + 1)

    @on(OptionList.OptionSelected, "#choice-options")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and self._result is None:
            self.action_pick(int(event.option.id))

    def action_accept(self) -> None:
        """Enter after checking: take the suggested rating and go on."""
        if self._result is not None:
            self.action_rate(int(self._result.suggested_rating))

    def action_submit(self) -> None:
        if self._result is not None:
            self.action_accept()
            return
        if not self._picked:
            self.notify(self.tr("Pick an option first (1-9).", "请先选择一个选项（1-9）。"), timeout=3)
            return
        duration = timedelta(seconds=time.monotonic() - self._shown_at)
        self._result = self.session.grade(self._picked, duration)
        self._draw()

    def action_rate(self, rating: int) -> None:
        if self._result is None:
            return
        from fsrs import Rating

        result = self._result
        if not rating_saved(self, lambda: self.session.rate(Rating(rating), result.duration)):
            return  # committed before the next question, or the question stays
        self._answers_correct.append(result.is_correct)
        self._picked, self._result = set(), None
        self._shown_at = time.monotonic()
        self._draw()

    @on(RatingBar.Rated)
    def _rated_by_click(self, event: RatingBar.Rated) -> None:
        self.action_rate(event.rating)

    def action_undo(self) -> None:
        if not undo_done(self):
            return
        if self._answers_correct:
            self._answers_correct.pop()
        self._picked, self._result = set(), None
        self._draw()

    def action_prove(self) -> None:
        item = self.session.item
        if item is not None:
            self.app.action_prove(item.question.id)
