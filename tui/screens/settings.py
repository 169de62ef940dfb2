"""Settings: language, desired retention, daily new cards, theme. Saved at once, atomically."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.widgets import Button, Header, Input, Label, Select, Static

from tui.screens.base import AppScreen
from tui.settings import DAILY_NEW_RANGE, Settings, SettingsError
from tui.widgets.footer import AppFooter

if TYPE_CHECKING:
    from tui.context import StudyApp

LANGUAGE_CHOICES = (("中文", "zh"), ("English", "en"), ("中文 + English", "both"))
RETENTION_CHOICES = tuple((f"{value:.0%}", value) for value in (0.80, 0.85, 0.90, 0.93, 0.95, 0.97))


class SettingsScreen(AppScreen):
    CSS_PATH = "settings.tcss"
    BINDINGS = [Binding("ctrl+s", "save", "Save", id="settings.save")]

    app: "StudyApp"

    def __init__(self) -> None:
        super().__init__()
        self._refused_once = False

    def compose(self) -> ComposeResult:
        settings = self.app.settings
        retention_choices = list(RETENTION_CHOICES)
        if settings.desired_retention not in dict((v, k) for k, v in retention_choices):
            retention_choices.append((f"{settings.desired_retention:.0%}", settings.desired_retention))
        yield Header()
        with Vertical(id="settings-box"):
            with Grid(id="settings-grid"):
                yield Label(id="label-language")
                yield Select(LANGUAGE_CHOICES, value=settings.language, allow_blank=False, id="setting-language")
                yield Label(id="label-retention")
                yield Select(retention_choices, value=settings.desired_retention, allow_blank=False, id="setting-retention")
                yield Label(id="label-new")
                yield Input(str(settings.daily_new_cards), type="integer", max_length=3, id="setting-new")
                yield Label(id="label-theme")
                yield Select(
                    [(name, name) for name in sorted(self.app.available_themes)],
                    value=settings.theme if settings.theme in self.app.available_themes else "textual-dark",
                    allow_blank=False,
                    id="setting-theme",
                )
            yield Static(id="settings-explain")
            yield Button(id="settings-save", variant="primary")
        yield AppFooter()

    def show_language(self) -> None:
        # The language may be switched (l) while the form is open: the form must show it, or
        # leaving (which saves the form) would switch it back.
        self.query_one("#setting-language", Select).value = self.app.language
        self.query_one("#settings-box").border_title = self.tr("Settings", "设置")
        self.query_one("#label-language", Label).update(self.tr("Language", "语言"))
        self.query_one("#label-retention", Label).update(self.tr("Desired retention", "目标记忆保持率"))
        self.query_one("#label-new", Label).update(self.tr("New cards per day", "每日新卡数"))
        self.query_one("#label-theme", Label).update(self.tr("Theme", "主题"))
        self.query_one("#settings-save", Button).label = self.tr("Save (ctrl+s)", "保存 (ctrl+s)")
        self.query_one("#settings-explain", Static).update(
            self.tr(
                "Retention: the chance you still recall a card when it comes due. Higher means more reviews.\n"
                f"New cards: {DAILY_NEW_RANGE[0]}–{DAILY_NEW_RANGE[1]} a day (0 reviews only what you have started).",
                "保持率：卡片到期时你仍记得的概率。越高复习越多。\n"
                f"新卡：每天 {DAILY_NEW_RANGE[0]}–{DAILY_NEW_RANGE[1]} 张（0 表示只复习已学过的）。",
            )
        )

    @on(Select.Changed, "#setting-language")
    def _language_changed(self, event: Select.Changed) -> None:
        # Language is worth seeing at once; the rest is saved on ctrl+s or when leaving.
        if event.value != self.app.language:
            self.app.update_settings(self.app.settings.with_changes(language=event.value))

    @on(Select.Changed, "#setting-theme")
    def _theme_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.app.theme = event.value  # preview; saved with the rest

    @on(Button.Pressed, "#settings-save")
    @on(Input.Submitted, "#setting-new")
    def _save_requested(self) -> None:
        self.action_save()

    def _form_settings(self) -> "Settings":
        """The settings the form shows; SettingsError names a field with a bad value."""
        raw_new = self.query_one("#setting-new", Input).value.strip()
        try:
            daily_new = int(raw_new)
        except ValueError:
            raise SettingsError(
                self.tr(f"New cards per day must be a whole number, not {raw_new!r}.", f"每日新卡数必须是整数，而不是 {raw_new!r}。")
            ) from None
        return self.app.settings.with_changes(
            language=self.query_one("#setting-language", Select).value,
            desired_retention=float(self.query_one("#setting-retention", Select).value),
            daily_new_cards=daily_new,
            theme=self.query_one("#setting-theme", Select).value,
        )

    def action_save(self) -> bool:
        try:
            settings = self._form_settings()
        except SettingsError as error:
            self.query_one("#setting-new", Input).focus()
            self.notify(str(error), severity="error", timeout=6, markup=False)
            return False
        if settings != self.app.settings:
            self.app.update_settings(settings)
            self.notify(self.tr("Settings saved.", "设置已保存。"), timeout=3)
        return True

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
