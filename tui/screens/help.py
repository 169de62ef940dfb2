"""'?' anywhere: what the keys do on the screen underneath, and across the app."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.screens.base import AppModal
from tui.widgets.i18n import BINDING_ZH


class HelpScreen(AppModal):
    CSS_PATH = "help.tcss"

    def __init__(self, underneath: Screen) -> None:
        super().__init__()
        self.underneath = underneath

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(id="help-text")

    def show_language(self) -> None:
        self.query_one("#help-box").border_title = self.tr("Help — escape closes", "帮助 — Esc 关闭")
        self.query_one("#help-text", Static).update(self._text())

    def _our_bindings(self) -> list[Binding]:
        """The keys this app defines for the screen below and globally (not Textual's own)."""
        found: list[Binding] = []
        for node in (self.underneath, self.app):
            for cls in type(node).__mro__:
                if cls.__module__.startswith("tui.") and "BINDINGS" in cls.__dict__:
                    found.extend(Binding.make_bindings(cls.__dict__["BINDINGS"]))
        return found

    def _describe(self, description: str) -> str:
        return BINDING_ZH.get(description, description) if self.app.ui_lang == "zh" else description

    def _text(self) -> str:
        lines = [f"[b]{self.tr('Keys on this screen', '本页按键')}[/b]"]
        seen: set[str] = set()
        for binding in self._our_bindings():
            if not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            shown = binding.key_display or self.app.get_key_display(binding)
            lines.append(f"  [b]{shown:>8}[/b]  {self._describe(binding.description)}")
        lines += [
            "",
            f"[b]{self.tr('Everywhere', '全局')}[/b]",
            self.tr(
                "  q quits at any time: every rating is saved the moment you give it.\n"
                "  In a text field, q types a q: press escape to leave the field first (ctrl+q always quits).\n"
                "  l switches the language: 中文 → English → both.\n"
                "  ↑ ↓ PgUp PgDn scroll a long answer; tab moves between fields.\n"
                "  The mouse works too: click buttons, rows and options.",
                "  q 随时退出：每次评分在给出时即已保存。\n"
                "  在输入框中 q 是输入字母：先按 Esc 离开输入框（ctrl+q 总能退出）。\n"
                "  l 切换语言：中文 → English → 双语。\n"
                "  ↑ ↓ PgUp PgDn 滚动长答案；tab 在输入项之间切换。\n"
                "  也可以用鼠标点击按钮、行和选项。",
            ),
            "",
            f"[b]{self.tr('Ratings', '评分')}[/b]",
            self.tr(
                "  1 Again: forgot it.  2 Hard: recalled with effort.\n"
                "  3 Good: recalled.    4 Easy: instant and complete.",
                "  1 重来：忘了。  2 困难：费力想起。\n  3 良好：想起来了。  4 简单：立刻完整答出。",
            ),
        ]
        return "\n".join(lines)
