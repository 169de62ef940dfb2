"""Settings: language, desired retention, daily new cards, theme, and the interview plan
(date, topics in scope, review-only days before it). Saved atomically on ctrl+s or on leaving.

Each value is checked here first and a bad one is refused with a message that names the field
as the form labels it ("New cards per day", "Interview date"), in the reader's language; the
saved settings stay as they were until the form is right. Saving a new plan applies
``apply_interview_cap`` once, so cards already scheduled past the interview move before it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from questions.marks import tick
from tui.screens.base import AppScreen
from tui.settings import DAILY_NEW_RANGE, FINAL_DAYS_RANGE, Settings, SettingsError
from tui.widgets.footer import AppFooter
from tui.widgets.long_list import replace_options
from tui.widgets.marked import InlineChoice
from tui.widgets.markup import escape
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from tui.context import StudyApp

LANGUAGE_CHOICES = (("中文", "zh"), ("English", "en"), ("中文 + English", "both"))
RETENTION_CHOICES = tuple((f"{value:.0%}", value) for value in (0.80, 0.85, 0.90, 0.93, 0.95, 0.97))


class SettingsScreen(AppScreen):
    CSS_PATH = "settings.tcss"
    # The first field has the focus from the start. Focused later (in on_mount), it came second to
    # Textual's own first pick, the scrolling box: focusing and then leaving the box restyled the
    # whole form twice, about a third of the time the screen took to open.
    AUTO_FOCUS = "#setting-language"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("space", "toggle_topic", "Tick", show=False, id="settings.toggle"),
    ]

    app: "StudyApp"

    def __init__(self) -> None:
        super().__init__()
        self._refused_once = False
        self._plan_topics: set[str] = set()  # the scope ticked in the form (filled from the settings in compose)

    def compose(self) -> ComposeResult:
        settings = self.app.settings
        self._plan_topics = set(settings.plan_topics)
        retention_choices = list(RETENTION_CHOICES)
        if settings.desired_retention not in dict((v, k) for k, v in retention_choices):
            retention_choices.append((f"{settings.desired_retention:.0%}", settings.desired_retention))
        yield TitleBar()
        with VerticalScroll(id="settings-box"):
            with Grid(id="settings-grid"):
                yield Label(id="label-language")
                yield InlineChoice(LANGUAGE_CHOICES, value=settings.language, id="setting-language")
                yield Label(id="label-retention")
                yield InlineChoice(retention_choices, value=settings.desired_retention, id="setting-retention")
                yield Label(id="label-new")
                yield Input(str(settings.daily_new_cards), type="integer", max_length=4, id="setting-new")
                yield Label(id="label-theme")
                yield Select(
                    [(name, name) for name in sorted(self.app.available_themes)],
                    value=settings.theme if settings.theme in self.app.available_themes else "textual-dark",
                    allow_blank=False,
                    id="setting-theme",
                )
                yield Label(id="label-date")
                yield Input(
                    "" if settings.interview_date is None else settings.interview_date.isoformat(),
                    max_length=10,
                    id="setting-date",
                )
                yield Label(id="label-final")
                yield Input(str(settings.plan_final_days), type="integer", max_length=3, id="setting-final")
            yield Static(id="settings-error", classes="-hidden")
            yield Label(id="label-topics")
            yield OptionList(id="setting-topics")
            yield Static(id="settings-explain")
            yield Button(id="settings-save", variant="primary")
        yield AppFooter()

    # --- drawing ------------------------------------------------------------

    def show_language(self) -> None:
        # The language may be switched (l) while the form is open: the form must show it, or
        # leaving (which saves the form) would switch it back.
        self.query_one("#setting-language", InlineChoice).value = self.app.language
        self.query_one("#settings-box").border_title = self.tr("Settings", "设置")
        self.query_one("#label-language", Label).update(self.tr("Language", "语言"))
        self.query_one("#label-retention", Label).update(self.tr("Desired retention", "目标记忆保持率"))
        self.query_one("#label-new", Label).update(self.tr("New cards per day", "每日新卡数"))
        self.query_one("#label-theme", Label).update(self.tr("Theme", "主题"))
        self.query_one("#label-date", Label).update(self.tr("Interview date", "面试日期"))
        self.query_one("#setting-date", Input).placeholder = self.tr("YYYY-MM-DD, empty: none", "YYYY-MM-DD，留空表示不设")
        self.query_one("#label-final", Label).update(self.tr("Review-only days", "考前只复习天数"))
        self.query_one("#label-topics", Label).update(
            self.tr(
                "Interview topics (space or enter ticks ☑; none ticked: the whole bank)",
                "面试范围（空格或回车勾选 ☑；都不勾选表示整个题库）",
            )
        )
        self.query_one("#settings-save", Button).label = self.tr("Save (ctrl+s)", "保存 (ctrl+s)")
        low_days, high_days = FINAL_DAYS_RANGE
        self.query_one("#settings-explain", Static).update(
            self.tr(
                "Retention: the chance you still recall a card when it comes due. Higher means more reviews.\n"
                f"New cards: {DAILY_NEW_RANGE[0]}–{DAILY_NEW_RANGE[1]} a day (0 reviews only what you have started).\n"
                "Interview date: no review is scheduled after it, and new questions are paced so that every "
                "question of the chosen topics is seen before the review-only days "
                f"({low_days}–{high_days}) that end at the interview.",
                "保持率：卡片到期时你仍记得的概率。越高复习越多。\n"
                f"新卡：每天 {DAILY_NEW_RANGE[0]}–{DAILY_NEW_RANGE[1]} 张（0 表示只复习已学过的）。\n"
                "面试日期：复习不会排到面试之后；新题按进度安排，使所选主题的每道题在考前只复习的"
                f"几天（{low_days}–{high_days} 天）之前都见过。",
            )
        )
        self._fill_topics()

    def _fill_topics(self) -> None:
        from questions.topics import topic_order, topic_title

        topics = self.query_one("#setting-topics", OptionList)
        replace_options(
            topics,
            [
                Option(f"{tick(topic in self._plan_topics)} {escape(topic_title(topic, self.app.ui_lang))}", id=topic)
                for topic in sorted(self.app.bank.topics(), key=topic_order)
            ],
        )

    # --- actions ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_topic":
            return self.query_one("#setting-topics", OptionList).has_focus
        return True

    def action_toggle_topic(self) -> None:
        topics = self.query_one("#setting-topics", OptionList)
        if topics.highlighted is not None:
            self._toggle(topics.get_option_at_index(topics.highlighted).id)

    @on(OptionList.OptionSelected, "#setting-topics")
    def _topic_chosen(self, event: OptionList.OptionSelected) -> None:
        self._toggle(event.option.id)

    def _toggle(self, topic: str | None) -> None:
        if topic is not None:
            self._plan_topics.symmetric_difference_update({topic})
            self._fill_topics()

    @on(InlineChoice.Changed, "#setting-language")
    def _language_changed(self, event: InlineChoice.Changed) -> None:
        # Language is worth seeing at once; the rest is saved on ctrl+s or when leaving.
        if event.value != self.app.language:
            self.app.update_settings(self.app.settings.with_changes(language=event.value))

    @on(Select.Changed, "#setting-theme")
    def _theme_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.app.theme = event.value  # preview; saved with the rest

    @on(Button.Pressed, "#settings-save")
    @on(Input.Submitted)
    def _save_requested(self) -> None:
        self.action_save()

    def _today(self) -> date:
        now = self.app.clock()
        return now.astimezone(self.app.day_timezone).date() if self.app.day_timezone else now.astimezone().date()

    def _whole_number(self, field_id: str, label: tuple[str, str], low: int, high: int) -> int:
        raw = self.query_one(field_id, Input).value.strip()
        english, chinese = label
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise FieldError(
                field_id,
                self.tr(
                    f"{english}: “{raw}” is not allowed; enter a whole number from {low} to {high}.",
                    f"{chinese}：不能填“{raw}”，请填 {low} 到 {high} 之间的整数。",
                ),
            )
        return value

    def _interview_date(self) -> date | None:
        raw = self.query_one("#setting-date", Input).value.strip()
        if not raw:
            return None  # cleared: no interview plan
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise FieldError(
                "#setting-date",
                self.tr(
                    f"Interview date: “{raw}” is not a date; write it as YYYY-MM-DD (e.g. 2026-03-12), or leave it empty for none.",
                    f"面试日期：“{raw}”不是日期；请写成 YYYY-MM-DD（例如 2026-03-12），或留空表示不设。",
                ),
            ) from None
        today = self._today()
        if day < today:
            raise FieldError(
                "#setting-date",
                self.tr(
                    f"Interview date: {day.isoformat()} is in the past (today is {today.isoformat()}); choose today or "
                    "a later day, or leave it empty for none.",
                    f"面试日期：{day.isoformat()} 已经过去（今天是 {today.isoformat()}）；请选今天或之后的日期，或留空表示不设。",
                ),
            )
        return day

    def _form_settings(self) -> "Settings":
        """The settings the form shows; ``FieldError`` names the field with a bad value as the form labels it."""
        daily_new = self._whole_number("#setting-new", ("New cards per day", "每日新卡数"), *DAILY_NEW_RANGE)
        interview_date = self._interview_date()
        final_days = self._whole_number("#setting-final", ("Review-only days", "考前只复习天数"), *FINAL_DAYS_RANGE)
        known = set(self.app.bank.topics())
        try:
            return self.app.settings.with_changes(
                language=self.query_one("#setting-language", InlineChoice).value,
                desired_retention=float(self.query_one("#setting-retention", InlineChoice).value),
                daily_new_cards=daily_new,
                theme=self.query_one("#setting-theme", Select).value,
                interview_date=interview_date,
                plan_topics=tuple(sorted(topic for topic in self._plan_topics if topic in known)),
                plan_final_days=final_days,
            )
        except SettingsError as error:  # checked above; kept so that nothing unforeseen is saved
            raise FieldError(None, self.tr(f"Not saved: {error}", f"未保存：{error}")) from None

    def _show_error(self, message: str | None) -> None:
        error = self.query_one("#settings-error", Static)
        error.set_class(message is None, "-hidden")
        error.update("" if message is None else f"✗ {escape(message)}")

    def action_save(self) -> bool:
        try:
            settings = self._form_settings()
        except FieldError as error:
            self._show_error(error.message)
            if error.field_id:
                self.query_one(error.field_id).focus()
            self.notify(error.message, severity="error", timeout=8, markup=False)
            return False
        self._show_error(None)
        old = self.app.settings
        if settings != old:
            self.app.update_settings(settings)
            plan_changed = (old.interview_date, old.plan_topics, old.plan_final_days) != (
                settings.interview_date, settings.plan_topics, settings.plan_final_days,
            )
            moved = self._apply_plan() if plan_changed and settings.interview_date is not None else 0
            if moved:
                self.notify(
                    self.tr(
                        f"Settings saved; {moved} card{'s' if moved != 1 else ''} now come{'s' if moved == 1 else ''} back before the interview.",
                        f"设置已保存；{moved} 张卡片已提前到面试之前复习。",
                    ),
                    timeout=4,
                )
            else:
                self.notify(self.tr("Settings saved.", "设置已保存。"), timeout=3)
        return True

    def _apply_plan(self) -> int:
        """Bring the cards scheduled past the interview before it (once; later reviews are capped as made)."""
        from questions.study.errors import StudyError
        from questions.study.readiness import apply_interview_cap

        try:
            return apply_interview_cap(self.app.store, self.app.study_settings())
        except StudyError as error:
            self.notify(
                self.tr(f"Saved, but the cards could not be moved: {error}", f"已保存，但卡片未能调整：{error}"),
                severity="error",
                timeout=10,
                markup=False,
            )
            return 0

    def action_back(self) -> None:
        # Leaving saves what was changed; a bad value keeps the screen open, once.
        if self.action_save() or self._refused_once:
            if self.app.settings.theme in self.app.available_themes:
                self.app.theme = self.app.settings.theme  # drop an unsaved theme preview
            super().action_back()
            return
        self._refused_once = True
        self.notify(
            self.tr("Fix the value, or press escape again to leave without saving it.", "请修正该值，或再按一次 Esc 放弃修改并离开。"),
            severity="warning",
            timeout=6,
        )


class FieldError(Exception):
    """A form field with a value that cannot be saved; ``message`` says which, as the form labels it."""

    def __init__(self, field_id: str | None, message: str) -> None:
        super().__init__(message)
        self.field_id = field_id
        self.message = message
