"""Stats: review heatmap, retention, due forecast, mastery by topic, streak and time."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from tui.screens.base import AppScreen
from tui.widgets.bars import mastery_bar
from tui.widgets.footer import AppFooter

if TYPE_CHECKING:
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

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats-scroll"):
            yield Static(id="stats-text")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#stats-scroll").focus()

    def show_language(self) -> None:
        from tui.widgets.summary import study_stats

        self.query_one("#stats-text", Static).update(self._markup(study_stats(self.app)))

    def _markup(self, stats: "StudyStats") -> str:
        from questions.topics import topic_order, topic_title

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
            f"[b $accent]{tr('Reviews in the last year', '近一年的复习')}[/]",
            *heatmap_lines(stats.reviews_per_day),
            "",
            f"[b $accent]{tr('Due in the next 30 days', '未来 30 天到期')}[/]  "
            f"[dim]{tr('today', '今天')} {stats.due_forecast[0].count if stats.due_forecast else 0}, "
            f"{tr('peak', '最多')} {max((d.count for d in stats.due_forecast), default=0)}[/]",
            "  " + sparkline([d.count for d in stats.due_forecast]),
            "",
            f"[b $accent]{tr('Mastery by topic', '各主题掌握度')}[/]  [dim]{tr('mean recall probability of studied cards', '已学卡片的平均回忆概率')}[/]",
        ]
        for mastery in sorted(stats.topic_mastery, key=lambda m: topic_order(m.topic)):
            title = topic_title(mastery.topic, self.app.ui_lang)
            lines.append(mastery_bar(title, mastery.studied_retrievability, mastery.studied, mastery.questions, title_width=24))
        return "\n".join(lines)
