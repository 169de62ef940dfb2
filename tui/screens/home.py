"""The first screen: today's numbers, mastery per topic, and the way into every mode.

Mastery is the engine's (``forecast.mastery``: predicted recall a week ahead, unseen
questions 0) with its one-line legend; the weak count is ``weak``'s. With an interview date
set, readiness on the day per topic, its trend over the last weeks and the plan's pacing
(and, when behind, how many questions will still be unseen) come from ``readiness.plan_report``.
Topic names get the width the figures leave; a name that still does not fit wraps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.screens.base import FollowsLanguage
from tui.widgets.bars import topic_line
from tui.widgets.footer import AppFooter
from tui.widgets.markup import escape
from tui.widgets.title_bar import TitleBar

from rich.cells import cell_len

from tui.widgets.bars import topic_columns, topic_header
from tui.widgets.summary import trend_text
from tui.widgets.long_list import replace_options

if TYPE_CHECKING:
    from tui.context import StudyApp
    from tui.widgets.summary import HomeSummary

# (option id / screen name, key, English label, Chinese label)
MODES: tuple[tuple[str, str, str, str], ...] = (
    ("review", "r", "Review due cards", "复习到期卡片"),
    ("cram", "k", "Cram weak cards, a topic", "强化练习：薄弱卡片或主题"),
    ("choice", "c", "Multiple choice", "选择题"),
    ("mock", "m", "Mock interview", "模拟面试"),
    ("drills", "d", "Coding drills", "编码练习"),
    ("browse", "b", "Browse and search", "浏览与搜索"),
    ("verifiers", "v", "Verifiers: the evidence", "验证器：证据"),
    ("stats", "s", "Stats", "统计"),
    ("settings", "comma", "Settings", "设置"),
    ("export", "e", "Export study sheets", "导出学习资料"),
)


class HomeScreen(FollowsLanguage, Screen):
    CSS_PATH = "home.tcss"
    # The study menu has the focus from the start; the grid fills its cells in DOM order, so the
    # mastery panel comes before it in the DOM (tab still goes back and forth between the two).
    AUTO_FOCUS = "#home-modes"
    BINDINGS = [
        Binding("r", "open('review')", "Review", id="home.review"),
        Binding("c", "open('choice')", "Choice", id="home.choice"),
        Binding("m", "open('mock')", "Mock", id="home.mock"),
        Binding("b", "open('browse')", "Browse", id="home.browse"),
        Binding("v", "open('verifiers')", "Verify", id="home.verifiers"),
        Binding("s", "open('stats')", "Stats", id="home.stats"),
        # Shown in the menu with their keys (and in help); the footer has no room for them at 80 columns.
        Binding("k", "open('cram')", "Cram", show=False, id="home.cram"),
        Binding("comma", "open('settings')", "Settings", key_display=",", show=False, id="home.settings"),
        Binding("e", "open('export')", "Export", show=False, id="home.export"),
        Binding("d", "open('drills')", "Drills", show=False, id="home.drills"),
    ]

    app: "StudyApp"
    _summary: "HomeSummary | None" = None  # until the worker has read the numbers

    def compose(self) -> ComposeResult:
        yield TitleBar()
        # Laid out by the screen's grid (home.tcss), not in nested containers: a container draws
        # every line of its own area, under its children too, and Textual keeps those lines with
        # their cut pieces (~300 of them, ~3,000 objects, for the two that were here) for as long
        # as the screen lives, which for home is the whole session.
        yield Static(id="home-today")  # left, over the menu
        with VerticalScroll(id="home-mastery"):  # right, both rows
            yield Static(id="home-mastery-text")
        yield OptionList(id="home-modes")
        yield AppFooter()

    def on_screen_resume(self) -> None:
        # Shown first, or back from a session whose ratings changed the numbers. Read them after
        # the next paint: a worker started before it would compete with it for the GIL.
        self.call_after_refresh(self._load_summary)

    @work(thread=True, exclusive=True, group="home-summary")
    def _load_summary(self) -> None:
        # Off the UI thread: the first screen is drawn (and answers keys) before the
        # study engine is imported and the review log is read.
        from tui.widgets.summary import home_summary

        try:
            summary = home_summary(self.app)
        except Exception as error:  # noqa: BLE001 - a store the user must fix is a message, not a crash
            if not isinstance(getattr(error, "exit_code", None), int):
                raise
            self.app.call_from_thread(self.notify, str(error), severity="error", timeout=15, markup=False)
            return
        self.app.call_from_thread(self._summary_loaded, summary)

    def _summary_loaded(self, summary: "HomeSummary") -> None:
        self._summary = summary
        self._show_summary()

    def show_language(self) -> None:
        modes = self.query_one("#home-modes", OptionList)
        replace_options(
            modes,
            [
                Option(f"[b]{',' if key == 'comma' else key}[/b]  {self.tr(english, chinese)}", id=name)
                for name, key, english, chinese in MODES
            ],
        )
        modes.border_title = self.tr("Study", "学习")
        self._show_summary()

    def on_resize(self) -> None:
        self._show_summary()  # the topic names take the width there is

    def _show_summary(self) -> None:
        today = self.query_one("#home-today", Static)
        today.border_title = self.tr("Today", "今天")
        panel = self.query_one("#home-mastery")
        panel.border_title = self.tr("Mastery by topic", "各主题掌握度")
        summary = self._summary
        if summary is None:
            today.update(self.tr("Reading your progress…", "正在读取学习进度…"))
            return
        streak_days = self.tr(f"{summary.streak} day{'s' if summary.streak != 1 else ''}", f"{summary.streak} 天")
        today.update(
            f"{self.tr('Due', '到期')} [b]{summary.due}[/b]  {self.tr('New', '新卡')} [b]{summary.new}[/b]  "
            f"{self.tr('Weak', '薄弱')} [b]{summary.weak}[/b]\n"
            f"{self.tr('Streak', '连续')} [b]{streak_days}[/b]   "
            f"{self.tr('Reviewed', '已复习')} [b]{summary.reviewed_today}[/b]\n"
            f"[dim]{self.tr(f'{summary.questions} questions in the bank', f'题库共 {summary.questions} 道题')}[/]"
        )
        self.query_one("#home-mastery-text", Static).update(self._mastery_markup(summary))

    def _mastery_markup(self, summary: "HomeSummary") -> str:
        lang = self.app.ui_lang
        # The panel's inner width: the terminal less the left column, the border, the padding and the scrollbar.
        width = max(30, self.app.size.width - 32 - 2 - 2 - 2)
        forecast = summary.mastery_forecast
        report = summary.plan
        plan = report.plan if report is not None else None
        lines = [
            f"[b]{self.tr('Mastery', '掌握度')} {forecast.recall:.0%}[/b]  "
            f"[dim]{self.tr(f'{forecast.seen} of {forecast.questions} seen', f'已学 {forecast.seen}/{forecast.questions} 道')}[/]",
            f"[dim]{escape(forecast.legend(lang))}[/]",
        ]
        if report is not None and plan is not None:
            readiness = report.readiness
            lines += [
                "",
                f"[b]{escape(self._readiness_title(readiness))} {readiness.recall:.0%}[/b]  "
                f"[dim]{self.tr('trend', '趋势')}[/] {escape(trend_text(report))}",
            ]
            if report.pacing is not None:
                colour = "$warning" if report.pacing.behind else "$text"
                lines.append(f"[{colour}]{escape(report.pacing.summary(lang))}[/]")
        topics = summary.topics(lang)
        title_width, bar_width = topic_columns(width, max((cell_len(t.title) for t in topics), default=8), plan is not None)
        lines += ["", self._topic_header(title_width, bar_width, plan is not None)]
        for line in topics:
            lines.append(
                topic_line(
                    line.title, line.mastery, line.studied, line.questions,
                    title_width=title_width, bar_width=bar_width, readiness=line.readiness, wrap=True,
                )
            )
        if not summary.mastery:
            lines.append(self.tr("No questions loaded.", "没有加载题目。"))
        return "\n".join(lines)

    def _readiness_title(self, readiness) -> str:
        at = readiness.at
        return self.tr(f"Readiness on {at.day} {at:%b}", f"面试当天（{at.month}月{at.day}日）备考度")

    def _topic_header(self, title_width: int, bar_width: int, planned: bool) -> str:
        """Column names over the topic lines (as ``topic_line`` lays them out)."""
        return topic_header(self.app.ui_lang, title_width, bar_width, planned)

    @on(OptionList.OptionSelected, "#home-modes")
    def _mode_chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_open(event.option.id or "")

    def action_open(self, name: str) -> None:
        if name == "cram":
            self._ask_for_cram()
        else:
            self.app.open_screen(name)

    def _ask_for_cram(self) -> None:
        from tui.screens.session_filter import SessionFilterScreen

        def start(cram_filter) -> None:
            if cram_filter is None:
                return
            from questions.study.cram import CramSession
            from tui.screens.review import ReviewScreen

            session = CramSession(
                self.app.store, self.app.bank, cram_filter, self.app.study_settings(), seed=self.app.seed, clock=self.app.clock
            )
            if not session.question_ids:
                self.notify(self.tr("No questions match; loosen the filter.", "没有符合条件的题目，请放宽筛选。"), severity="warning")
                return
            self.app.push_screen(ReviewScreen(session, title=("Cram", "强化")))

        self.app.push_screen(SessionFilterScreen(), start)
