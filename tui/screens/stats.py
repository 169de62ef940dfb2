"""Stats: review heatmap, retention, due forecast, mastery by topic, weak questions, readiness, streak and time.

Every figure about the candidate is the engine's: mastery ``forecast.mastery`` with its legend,
the weak list ``weak.weak_ids``, readiness on the interview day, its trend and the pacing
``readiness.plan_report`` (read in a worker: the trend replays the review log week by week).
Topic names are shown in full (they fit at 80 columns here; home may wrap them).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.screens.base import AppScreen
from rich.cells import cell_len

from tui.widgets.bars import topic_columns, topic_header, topic_line, truncate_cells
from tui.widgets.footer import AppFooter
from tui.widgets.markup import escape
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from questions.study.readiness import PlanReport
    from questions.study.stats import DayCount, StudyStats
    from tui.context import StudyApp

HEAT_LEVELS = ("[dim]·[/]", "[#0e4429]■[/]", "[#006d32]■[/]", "[#26a641]■[/]", "[#39d353]■[/]")
SPARKS = " ▁▂▃▄▅▆▇█"


def _duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def heatmap_lines(days: tuple["DayCount", ...], weeks: int = 53) -> list[str]:
    """A GitHub-style grid: one column per week, Monday on top; today is the last cell."""
    shown = days[-(weeks * 7 - (6 - days[-1].day.weekday())) :] if days else ()
    peak = max((d.count for d in shown), default=0)
    grid = [[" "] * weeks for _ in range(7)]
    months = [" "] * weeks
    if shown:
        first_monday = shown[0].day - timedelta(days=shown[0].day.weekday())
        for entry in shown:
            column = (entry.day - first_monday).days // 7
            if not 0 <= column < weeks:
                continue
            level = 0 if entry.count == 0 else 1 + min(3, (entry.count * 4 - 1) // max(peak, 1))
            grid[entry.day.weekday()][column] = HEAT_LEVELS[level]
            if entry.day.day <= 7 and entry.day.weekday() == 0:
                months[column] = "JFMAMJJASOND"[entry.day.month - 1]
    labels = ("M", " ", "W", " ", "F", " ", "S")
    return ["  " + "".join(months)] + [f"{labels[row]} " + "".join(grid[row]) for row in range(7)]


def sparkline(counts: list[int]) -> str:
    peak = max(counts, default=0)
    if peak == 0:
        return "[dim]" + "▁" * len(counts) + "[/]"
    return "".join(SPARKS[max(1, round(c / peak * 8))] if c else "[dim]·[/]" for c in counts)


class StatsScreen(AppScreen):
    CSS_PATH = "stats.tcss"

    app: "StudyApp"
    _stats: "StudyStats | None" = None
    _plan: "PlanReport | None" = None  # read in a worker when an interview date is set

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="stats-scroll"):
            yield Static(id="stats-text")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#stats-scroll").focus()

    def show_language(self) -> None:
        from tui.widgets.summary import study_stats

        if self._stats is None:
            self._stats = study_stats(self.app)
            if self.app.settings.interview_date is not None:
                self._load_plan()
        self.query_one("#stats-text", Static).update(self._markup(self._stats))

    @work(thread=True, exclusive=True, group="stats-plan")
    def _load_plan(self) -> None:
        from tui.widgets.summary import plan_summary

        report = plan_summary(self.app)
        self.app.call_from_thread(self._plan_loaded, report)

    def _plan_loaded(self, report: "PlanReport | None") -> None:
        self._plan = report
        if self._stats is not None:
            self.query_one("#stats-text", Static).update(self._markup(self._stats))

    def _markup(self, stats: "StudyStats") -> str:
        tr = self.tr
        recent, overall = stats.retention, stats.retention_all_time

        def rate(retention) -> str:
            return "–" if retention.rate is None else f"{retention.rate:.0%} ({retention.passed}/{retention.total})"

        streak = tr(
            f"{stats.current_streak} day{'s' if stats.current_streak != 1 else ''} (best {stats.longest_streak})",
            f"{stats.current_streak} 天（最长 {stats.longest_streak}）",
        )
        lines = [
            f"[b]{tr('Streak', '连续学习')}[/b] {streak}"
            f"   [b]{tr('Today', '今天')}[/b] {stats.reviews_today} · {_duration(stats.time_today)}"
            f"   [b]{tr('Total', '累计')}[/b] {stats.reviews_total} · {_duration(stats.time_total)}",
            f"[b]{tr('Retention', '保持率')}[/b] {tr('30 days', '近 30 天')} {rate(recent)}   {tr('all time', '全部')} {rate(overall)}"
            f"   [dim]{tr('target', '目标')} {self.app.settings.desired_retention:.0%}[/]",
            f"[b]{tr('Cards', '卡片')}[/b] {tr('new', '新')} {stats.new_cards} · {tr('learning', '学习中')} {stats.learning_cards}"
            f" · {tr('review', '复习')} {stats.review_cards}",
            "",
            *self._weak_lines(stats),  # what to work on first, before the history
            "",
            f"[b $accent]{tr('Reviews in the last year', '近一年的复习')}[/]",
            *heatmap_lines(stats.reviews_per_day),
            "",
            f"[b $accent]{tr('Due in the next 30 days', '未来 30 天到期')}[/]  "
            f"[dim]{tr('today', '今天')} {stats.due_forecast[0].count if stats.due_forecast else 0}, "
            f"{tr('peak', '最多')} {max((d.count for d in stats.due_forecast), default=0)}[/]",
            "  " + sparkline([d.count for d in stats.due_forecast]),
            "",
            *self._mastery_lines(stats),
        ]
        return "\n".join(lines)

    def _mastery_lines(self, stats: "StudyStats") -> list[str]:
        from tui.widgets.summary import topic_lines, trend_text

        tr, lang = self.tr, self.app.ui_lang
        forecast = stats.mastery_forecast
        report = self._plan
        planned = report is not None and report.plan is not None
        width = max(40, self.app.size.width - 2 - 2)  # less the padding and the scrollbar
        lines = [
            f"[b $accent]{tr('Mastery by topic', '各主题掌握度')}[/]  [b]{forecast.recall:.0%}[/b] "
            f"[dim]{tr(f'overall, {forecast.seen} of {forecast.questions} seen', f'总体，已学 {forecast.seen}/{forecast.questions} 道')}[/]",
            f"[dim]{escape(forecast.legend(lang))}[/]",
        ]
        if report is not None and planned:
            readiness = report.readiness
            at = readiness.at
            lines += [
                f"[b]{tr(f'Readiness on {at.day} {at:%b}', f'面试当天（{at.month}月{at.day}日）备考度')} {readiness.recall:.0%}[/b]  "
                f"[dim]{tr('trend over the last weeks', '近几周趋势')}[/] {escape(trend_text(report))}",
                f"[dim]{escape(readiness.legend(lang))}[/]",
            ]
            if report.pacing is not None:
                colour = "$warning" if report.pacing.behind else "$text"
                lines.append(f"[{colour}]{escape(report.pacing.summary(lang))}[/]")
        elif self.app.settings.interview_date is not None:
            lines.append(f"[dim]{tr('Reading the readiness forecast…', '正在计算备考度…')}[/]")
        topics = topic_lines(stats.topic_mastery, report, lang)
        title_width, bar_width = topic_columns(width, max((cell_len(t.title) for t in topics), default=8), planned)
        lines.append(topic_header(lang, title_width, bar_width, planned))
        for line in topics:
            lines.append(
                topic_line(
                    line.title, line.mastery, line.studied, line.questions,
                    title_width=title_width, bar_width=bar_width, readiness=line.readiness, wrap=True,
                )
            )
        return lines

    def _weak_lines(self, stats: "StudyStats") -> list[str]:
        """The weak questions (``weak.weak_ids``), one line each."""
        from tui.widgets.mathtext import readable

        tr, lang = self.tr, self.app.ui_lang
        width = max(40, self.app.size.width - 2 - 2)
        weak = stats.weak_question_ids
        lines = [
            f"[b $accent]{tr('Weak questions', '薄弱题目')}[/] [b]{len(weak)}[/b]  "
            f"[dim]{tr('last answer wrong, lapsed, or recall now low; cram them with k, weak only', '最近一次答错、遗忘过或现在回忆概率低；在首页按 k 选“只练薄弱卡片”')}[/]",
        ]
        for question_id in weak:
            question = self.app.bank.get(question_id)
            text = " ".join(readable(question.question.get(lang)).split())
            lines.append(f"  {escape(truncate_cells(text, width - 2))}")
        return lines
