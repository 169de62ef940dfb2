"""Drills: write a piece of a Transformer by hand; tprep checks it and schedules it like a card.

The list shows the due drills first. A drill is started (its stub written into the workspace,
never over the candidate's file), edited in ``$VISUAL``/``$EDITOR`` with the app suspended, and
checked by ``check_drill`` in a thread worker: the candidate's code runs in a child process with
time, memory and output limits, so an endless loop or a crash there is stopped by the sandbox,
and cancel kills it at once. The worker reports by posting messages, which never blocks it, and
the app never imports torch. Results show inline, check by check; the reference solution only
after the candidate asks and confirms.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.screens.base import AppScreen
from tui.widgets.bars import one_line_each
from tui.widgets.evidence import pick
from tui.widgets.footer import AppFooter
from tui.widgets.markup import escape
from tui.widgets.title_bar import TitleBar
from tui.widgets.wrapped import WrappedText, wrap_content

if TYPE_CHECKING:
    from textual.widget import Widget
    from textual.widgets import ProgressBar

    from questions.study.drill_schedule import DrillStatus
    from tui.context import StudyApp
    from tui.drills import DrillRow
    from verifiers.drills.result import CheckResult, DrillResult
    from verifiers.drills.sandbox import DrillProgress
    from verifiers.drills.spec import Drill

# Due drills first (to be written again now), then new ones in curriculum order, then the
# passed ones by the day they come back.
STATE_ORDER = {"due": 0, "new": 1, "passed": 2}

# A check's outcome by shape as well as colour (and always with its word beside it).
OUTCOME_MARKS = {
    "passed": "[green]✓[/]",
    "failed": "[red]✗[/]",
    "raised": "[red]✗[/]",
    "timed-out": "[red]✗[/]",
    "crashed": "[red]✗[/]",
    "not-implemented": "[yellow]○[/]",
    "not-run": "[dim]·[/]",
}
RUNNING_MARK = "[b $accent]▸[/]"
WAITING_MARK = "[dim]·[/]"


def state_mark(status: "DrillStatus") -> str:
    """✓ passed (not due yet), ✗ due after a failed check, ↻ due again after a pass, ○ new."""
    if status.state == "passed":
        return "[green]✓[/]"
    if status.state == "due":
        return "[yellow]↻[/]" if status.last_passed else "[red]✗[/]"
    return "[dim]○[/]"


def ordered(rows: list["DrillRow"]) -> list["DrillRow"]:
    def key(row: "DrillRow") -> tuple[int, float]:
        comes_back = row.status.due.timestamp() if row.status.state == "passed" and row.status.due else 0.0
        return STATE_ORDER.get(row.status.state, len(STATE_ORDER)), comes_back

    return sorted(rows, key=key)  # stable: curriculum order within each group


def home_relative(path: Path) -> str:
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


@dataclass
class LiveCheck:
    """The check under way: where it is, and each check's result as it arrives."""

    drill: "Drill"
    cancel: threading.Event
    started: float = field(default_factory=time.monotonic)
    phase: str = "starting"  # verifiers.drills.sandbox.Phase's value
    current: int | None = None  # the check in flight
    results: dict[int, "CheckResult"] = field(default_factory=dict)
    cancelling: bool = False


class DrillsScreen(AppScreen):
    CSS_PATH = "drills.tcss"
    BINDINGS = [
        Binding("s", "start", "Start", id="drills.start"),
        Binding("e", "edit", "Edit", id="drills.edit"),
        Binding("c", "check", "Check code", id="drills.check"),
        Binding("x", "cancel", "Cancel", id="drills.cancel"),
        Binding("h", "hint", "Hint", id="drills.hint"),
        Binding("r", "solution", "Solution", id="drills.solution"),
        # The list keeps the focus; these page through the drill's detail (a failed check's
        # counterexample and hint, the solution) without leaving it.
        Binding("pagedown", "page_detail(1)", "Page down", show=False, priority=True, id="drills.page_down"),
        Binding("pageup", "page_detail(-1)", "Page up", show=False, priority=True, id="drills.page_up"),
    ]

    app: "StudyApp"

    @dataclass
    class CheckProgress(Message):
        drill_id: str
        event: "DrillProgress"

    @dataclass
    class CheckFinished(Message):
        drill_id: str
        result: "DrillResult | None"  # None: cancelled, or the checker could not run (``error``)
        status: "DrillStatus | None" = None  # the new schedule, when the check was recorded
        error: str | None = None  # the check could not run
        record_error: str | None = None  # it ran, but could not be recorded

    def __init__(self) -> None:
        super().__init__()
        self.rows: list["DrillRow"] | None = None  # None: they could not be read (``load_error``)
        self.load_error: str | None = None
        self.selected_id: str | None = None  # the highlighted drill, followed when the list is re-sorted
        self.hints_shown: dict[str, int] = {}
        self.solutions_shown: set[str] = set()
        self.live: LiveCheck | None = None
        self._parsed: LRUCache[str, Content] = LRUCache(64)  # markup -> its Content (``_parse``)
        self._filling = False  # the list is being refilled (``_fill_list``): its highlight moves on its own
        self._checks_markup: list[str] = []  # the lines of #drills-checks, as drawn
        self._check_starts: list[int] = []  # the line of each check there

    def compose(self) -> ComposeResult:
        self._read_rows()
        yield TitleBar()
        yield Static(id="drills-status")
        # The list and the detail side by side in the screen's grid (drills.tcss), not in a
        # container: a container draws every line of its area under its children too, and
        # Textual keeps those lines (277 of them, ~2,800 objects) while the screen is shown.
        yield OptionList(id="drills-list", classes="-long" if self._list_overflows() else "")
        # The drill's own words, bilingual, are WrappedText: Chinese wraps by character at the
        # pane's width (a plain Static breaks only at spaces). What the code printed and the
        # reference solution are code, kept as they are. Each keeps the next and the previous
        # drill's text wrapped ahead (``_prepare_neighbours``).
        with VerticalScroll(id="drills-detail"):
            yield WrappedText(id="drills-head", ahead=2)
            yield WrappedText(id="drills-task", ahead=2)
            yield WrappedText(id="drills-hints", ahead=2)  # by the task: a hint asked for shows where one reads
            # The summary and every check (its line, then what it tests and, when it did not
            # pass, what went wrong) in one widget: a widget per part was 11 more widgets to
            # build, style and lay out on every opening of the screen.
            yield WrappedText(id="drills-checks", ahead=2)
            yield Static(id="drills-output")
            yield WrappedText(id="drills-questions", ahead=2)
            yield Static(id="drills-solution")
        yield AppFooter()

    def on_mount(self) -> None:
        listing = self.query_one("#drills-list", OptionList)
        listing.focus()
        # The detail follows a key's move at once, from the list's own change of highlight: then
        # the list's repaint and the detail's new layout are drawn in one frame. Drawn on the
        # list's OptionHighlighted message instead, they were two (the list first, alone, then
        # the detail a frame or two later: ~20 ms of each step down the list).
        self.watch(listing, "highlighted", self._highlight_changed, init=False)
        if self.load_error is not None:
            self.notify(
                self.tr(f"Could not read your drill progress: {self.load_error}", f"无法读取练习进度：{self.load_error}"),
                severity="error",
                timeout=15,
                markup=False,
            )

    def _list_overflows(self) -> bool:
        """Whether the drills (two lines each) take more lines than the terminal has, and so
        certainly more than the list: its scrollbar is then there from the first layout (tcss),
        not added by a second one once the list's length is known."""
        return 2 * len(self.rows or ()) > self.app.size.height

    def on_resize(self) -> None:
        self.query_one("#drills-list", OptionList).set_class(self._list_overflows(), "-long")

    def _read_rows(self) -> None:
        """The drills with their status and last check: the registry (no torch), the app's open
        progress store and the cached results, read as the review screen reads its queue."""
        from tui.drills import drill_rows

        try:
            self.rows = ordered(drill_rows(self.app.store, now=self.app.clock(), settings=self.app.study_settings()))
        except Exception as error:  # noqa: BLE001 - a store the user must fix is a message, not a crash
            if not isinstance(getattr(error, "exit_code", None), int):
                raise
            self.load_error = str(error)

    # --- drawing ------------------------------------------------------------

    def show_language(self) -> None:
        if self.rows is None:
            self.query_one("#drills-status", Static).update(f"[b]{self.tr('Drills', '编码练习')}[/b]")
            self.query_one("#drills-head", Static).update(
                escape(self.tr(f"Could not read your drill progress: {self.load_error}", f"无法读取练习进度：{self.load_error}"))
            )
            return
        self._fill_list()
        self._draw_detail()
        self.call_after_refresh(self._prepare_neighbours)  # once the screen is drawn

    def _fill_list(self) -> None:
        from tui.drills import status_text

        rows = self.rows or []
        listing = self.query_one("#drills-list", OptionList)
        language, ui = self.app.language, self.app.ui_lang
        # What fits beside the mark: the list's content width (inside its border and padding) less
        # its scrollbar and the mark.
        width = max(16, (listing.size.width or 30) - 2 - 2)

        def option(row: "DrillRow") -> Option:
            title = one_line_each(row.drill.title, language, width, indent=2)
            status = status_text(row.status, ui, self.app.day_timezone)
            last = "" if row.status.state == "passed" else self._last_counts(row.last_result)  # a pass says it all
            return Option(
                Content.assemble(Content.from_markup(state_mark(row.status)), " ", title, "\n  ", (f"{status}{' · ' + last if last else ''}", "dim")),
                id=row.drill.id,
            )

        self._filling = True
        try:
            listing.clear_options()
            listing.add_options([option(row) for row in rows])
            if rows:
                ids = [row.drill.id for row in rows]
                if self.selected_id not in ids:
                    self.selected_id = ids[0]
                listing.highlighted = ids.index(self.selected_id)
        finally:
            self._filling = False
        counts = {state: sum(1 for row in rows if row.status.state == state) for state in STATE_ORDER}
        self.query_one("#drills-status", Static).update(
            f"[b]{self.tr('Drills', '编码练习')}[/b]   "
            + self.tr(
                f"[red]✗[/]/[yellow]↻[/] {counts['due']} due · [dim]○[/] {counts['new']} new · [green]✓[/] {counts['passed']} passed",
                f"[red]✗[/]/[yellow]↻[/] {counts['due']} 到期 · [dim]○[/] {counts['new']} 新 · [green]✓[/] {counts['passed']} 已通过",
            )
        )

    def _last_counts(self, result: "DrillResult | None") -> str:
        if result is None:
            return ""
        if result.problem is not None:
            return self.tr("file unusable", "文件无法使用")
        if not result.attempted:
            return self.tr("not written yet", "尚未实现")
        return f"{result.passed_count}/{len(result.checks)}"

    def _highlighted_row(self) -> "DrillRow | None":
        return None if self.selected_id is None else self._row(self.selected_id)

    def _row(self, drill_id: str) -> "DrillRow | None":
        return next((row for row in self.rows or () if row.drill.id == drill_id), None)

    def _draw_detail(self) -> None:
        row = self._highlighted_row()
        if row is None:
            return
        self.query_one("#drills-head", Static).update(self._parse(self._head_markup(row)))
        self.query_one("#drills-task", Static).update(self._parse(self._task_markup(row)))
        self._draw_checks()
        self._draw_hints()
        self._draw_questions()
        self._draw_solution()
        self.refresh_bindings()

    def _parse(self, markup: str) -> Content:
        """The markup parsed, the same object for the same markup while it is among the last
        ones drawn or prepared: a part of the detail shown again, or prepared ahead
        (``_prepare_neighbours``), is then neither parsed nor wrapped again (WrappedText keeps
        its wrapping per text object)."""
        content = self._parsed.get(markup)
        if content is None:
            content = self._parsed[markup] = Content.from_markup(markup)
        return content

    def _task_markup(self, row: "DrillRow") -> str:
        return f"[b $accent]{self.tr('Task', '任务')}[/]\n{pick(row.drill.task, self.app.language)}"

    def _head_markup(self, row: "DrillRow") -> str:
        from tui.drills import last_result_text, status_text

        ui, zone = self.app.ui_lang, self.app.day_timezone
        drill = row.drill
        status = f"{state_mark(row.status)} {escape(status_text(row.status, ui, zone))}"
        last = last_result_text(row, ui, zone)
        if last != "-":
            status += f" · {self.tr('last check: ', '上次检查：')}{escape(last)}"
        lines = [
            f"[b]{pick(drill.title, self.app.language)}[/b]",
            f"[dim]{escape(drill.id)} · {self.tr('write', '编写')}[/] [b]{escape(drill.signature)}[/b]",
            status,
        ]
        if row.file_exists:
            lines.append(f"{self.tr('your file: ', '你的文件：')}{escape(home_relative(row.path))}")
        else:
            lines.append(
                self.tr(
                    f"[dim]Not started: [b]s[/b] writes {escape(drill.file_name)} into your drill folder, [b]e[/b] opens it.[/]",
                    f"[dim]尚未开始：按 [b]s[/b] 把 {escape(drill.file_name)} 写入练习文件夹，按 [b]e[/b] 打开它。[/]",
                )
            )
        return "\n".join(lines)

    def _draw_questions(self) -> None:
        row = self._highlighted_row()
        if row is None:
            return
        self.query_one("#drills-questions", Static).update(self._parse(self._questions_markup(row)))

    def _questions_markup(self, row: "DrillRow") -> str:
        """The bank questions the drill practises (an id alone when this bank lacks it)."""
        drill = row.drill
        lines = [f"[b $accent]{self.tr('The questions it practises', '对应的题目')}[/]"]
        for question_id in drill.questions:
            try:
                text = pick(self.app.bank.get(question_id).question, self.app.language)
            except KeyError:  # a bank without it (the user's own)
                text = escape(question_id)
            lines.append(f"· {text}".replace("\n", "\n  "))
        return "\n".join(lines)

    def _draw_checks(self) -> None:
        """The checks of the highlighted drill, each with its outcome (the live run's, or the last
        check's) and, when it did not pass, what went wrong; then what the code printed."""
        from tui.drills import output_excerpt

        row = self._highlighted_row()
        if row is None:
            return
        lines, self._check_starts = self._checks_lines(row)
        self._checks_markup = lines
        self.query_one("#drills-checks", WrappedText).update(self._parse("\n".join(lines)))

        result = None if self._live_for(row) is not None else row.last_result
        output = self.query_one("#drills-output", Static)
        shown, more = output_excerpt(result) if result is not None else ([], False)
        output.display = bool(shown)
        if shown:
            printed = self.tr(f"[b]Your code printed {result.output_bytes} bytes:[/b]", f"[b]你的代码输出了 {result.output_bytes} 字节：[/b]")
            output.update("\n".join([printed, *(f"[dim]>[/] {escape(line)}" for line in shown), *(["[dim]> …[/]"] if more else [])]))

    def _live_for(self, row: "DrillRow") -> LiveCheck | None:
        return self.live if self.live is not None and self.live.drill.id == row.drill.id else None

    def _checks_lines(self, row: "DrillRow") -> tuple[list[str], list[int]]:
        """The markup lines of #drills-checks for ``row``, and the line of each check there."""
        from tui.drills import local_time, problem_detail_lines

        drill, language = row.drill, self.app.language
        live = self._live_for(row)
        result = None if live is not None else row.last_result
        summary = [f"[b $accent]{self.tr('What the checks test', '检查内容')}[/]"]
        if live is not None:
            summary.append(f"{RUNNING_MARK} {self._phase_text(live)}")
        elif result is not None:
            mark = "[green]✓[/]" if result.passed else "[red]✗[/]"
            summary.append(f"{mark} [b]{pick(result.summary, language)}[/b]")
            summary.append(
                f"  [dim]{self.tr('checked', '检查于')} {local_time(result.started_at, self.app.day_timezone)}"
                f" · {result.elapsed_s:.1f} s[/]"
            )
            if result.problem is not None:
                summary += [f"  {escape(line)}" for line in problem_detail_lines(result.problem)]
        by_id = {check.check_id: check for check in result.checks} if result is not None else {}
        lines = summary
        starts = []
        for index, check in enumerate(drill.checks):
            if live is not None:
                outcome = live.results.get(index)
                running = outcome is None and live.current == index
            else:
                outcome, running = by_id.get(check.id), False
            lines.append("")  # a blank line before each check
            starts.append(len(lines))
            lines.append(self._check_line(index, check.id, outcome, running))
            body = "\n".join([pick(check.statement, language), *(self._details_markup(outcome) if outcome else [])])
            lines += ["  " + line for line in body.split("\n")]  # under the check's line, wrapped there
        return lines, starts

    def _check_line(self, index: int, check_id: str, outcome: "CheckResult | None", running: bool) -> str:
        from tui.drills import outcome_word

        number = f"{index + 1}. [b]{escape(check_id)}[/b]"
        if running:
            return f"{RUNNING_MARK} {number} — {self.tr('running…', '运行中…')}"
        if outcome is None:
            return f"{WAITING_MARK} {number}"
        word = outcome_word(outcome.outcome, self.app.ui_lang)
        return f"{OUTCOME_MARKS.get(outcome.outcome.value, '?')} {number} — {escape(word)} [dim]({outcome.elapsed_s:.2f} s)[/]"

    def _details_markup(self, outcome: "CheckResult") -> list[str]:
        from tui.drills import check_details

        lines = []
        colon = self.tr(": ", "：")
        for detail in check_details(outcome, self.app.ui_lang):
            if detail.kind == "statement":  # shown under every check already
                continue
            text = pick(detail.text, self.app.language) if detail.bilingual else escape(detail.text)  # type: ignore[arg-type]
            if detail.kind == "traceback":
                lines.append(f"[dim]|[/] {text}")
            elif detail.kind == "hint":
                lines.append(f"[b $warning]{escape(detail.label)}{colon}[/]{text}")
            elif detail.label:
                lines.append(f"[dim]{escape(detail.label)}{colon}[/]{text}")
            else:
                lines.append(f"[b]{text}[/b]")
        return lines

    def _phase_text(self, live: LiveCheck) -> str:
        if live.cancelling:
            return self.tr("cancelling…", "正在取消…")
        if live.phase == "starting":
            return self.tr("starting the checker (importing torch)…", "正在启动检查进程（导入 torch）…")
        if live.phase == "loading":
            return self.tr("loading your file…", "正在载入你的文件…")
        done, total = len(live.results), len(live.drill.checks)
        return self.tr(f"checking: {done} of {total} done…", f"检查中：已完成 {done}/{total}…")

    def _draw_hints(self) -> None:
        row = self._highlighted_row()
        if row is None:
            return
        self.query_one("#drills-hints", Static).update(self._parse(self._hints_markup(row)))

    def _hints_markup(self, row: "DrillRow") -> str:
        drill = row.drill
        shown = self.hints_shown.get(drill.id, 0)
        lines = [f"[b $accent]{self.tr('Hints', '提示')}[/]"]
        for number, hint in enumerate(drill.hints[:shown], start=1):
            lines.append(f"{number}. {pick(hint, self.app.language)}".replace("\n", "\n   "))
        left = len(drill.hints) - shown
        if left:
            lines.append(
                self.tr(
                    f"[dim]{left} {'hint' if left == 1 else 'hints'} left: [b]h[/b] shows the next one.[/]",
                    f"[dim]还有 {left} 条提示：按 [b]h[/b] 查看下一条。[/]",
                )
            )
        else:
            lines.append(
                self.tr(
                    "[dim]No more hints. [b]r[/b] shows the reference solution (it asks first).[/]",
                    "[dim]没有更多提示了。按 [b]r[/b] 查看参考答案（会先确认）。[/]",
                )
            )
        return "\n".join(lines)

    def _draw_solution(self) -> None:
        row = self._highlighted_row()
        solution = self.query_one("#drills-solution", Static)
        if row is None or row.drill.id not in self.solutions_shown:
            solution.display = False
            solution.update("")
            return
        from textual.highlight import highlight

        title = Content.from_markup(f"[b $accent]{self.tr('Reference solution', '参考答案')}[/]\n")
        solution.update(title + highlight(row.drill.reference_source(), language="python"))
        solution.display = True

    def _highlight_changed(self, index: int | None) -> None:
        if index is not None and not self._filling:
            self._select(self.query_one("#drills-list", OptionList).get_option_at_index(index).id)

    @on(OptionList.OptionHighlighted, "#drills-list")
    def _highlight_moved(self, event: OptionList.OptionHighlighted) -> None:
        self._select(event.option.id)  # (a key's move was drawn already, by ``_highlight_changed``)

    def _select(self, drill_id: str | None) -> None:
        if drill_id == self.selected_id:  # the list was refilled around the same drill
            return
        self.selected_id = drill_id
        self._draw_detail()
        self.query_one("#drills-detail", VerticalScroll).scroll_home(animate=False)
        self.call_after_refresh(self._prepare_neighbours)  # once this drill is on screen

    def _prepare_neighbours(self) -> None:
        """Parse and wrap the detail of the drills above and below the highlighted one, at the
        pane's width, so that the key that moves to one redraws it with no parsing or wrapping
        (a third of that key's work). A part already prepared, or unchanged, costs a look-up."""
        rows = self.rows or []
        index = next((i for i, row in enumerate(rows) if row.drill.id == self.selected_id), None)
        if index is None:
            return
        parts = [self.query_one(selector, WrappedText) for selector in ("#drills-head", "#drills-task", "#drills-hints", "#drills-checks", "#drills-questions")]
        for row in rows[index + 1 : index + 2] + rows[max(0, index - 1) : index]:
            markup = [self._head_markup(row), self._task_markup(row), self._hints_markup(row), "\n".join(self._checks_lines(row)[0]), self._questions_markup(row)]
            for part, text in zip(parts, markup):
                part.prepare(self._parse(text))

    # --- keys ---------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        running = self.live is not None
        if action in ("check", "edit"):
            if running:
                return False  # the footer shows cancel instead
            return self._highlighted_row() is not None or None
        if action == "cancel":
            return running
        if action in ("start", "solution"):
            return self._highlighted_row() is not None or None
        if action == "hint":
            row = self._highlighted_row()
            return (row is not None and self.hints_shown.get(row.drill.id, 0) < len(row.drill.hints)) or None
        return True

    def action_page_detail(self, direction: int) -> None:
        detail = self.query_one("#drills-detail", VerticalScroll)
        if direction > 0:
            detail.scroll_page_down(animate=False)
        else:
            detail.scroll_page_up(animate=False)

    def action_start(self) -> None:
        row = self._highlighted_row()
        if row is not None:
            self._start(row)

    def _start(self, row: "DrillRow") -> bool:
        """Write the stub unless the candidate's file is there; False if it could not be written."""
        from tui.drills import DrillUsageError, start_drill

        try:
            outcome = start_drill(row.drill, row.path.parent)
        except DrillUsageError as error:
            self.notify(self.tr(f"Could not write the stub: {error}", f"无法写入桩文件：{error}"), severity="error", timeout=10, markup=False)
            return False
        where = home_relative(outcome.path)
        if outcome.written:
            self.notify(
                self.tr(f"Wrote the stub to {where}: e edits it, c checks it.", f"已把桩文件写到 {where}：按 e 编辑，按 c 检查。"),
                timeout=6,
                markup=False,
            )
        else:
            self.notify(
                self.tr(f"{where} is already there; it was kept as it is.", f"{where} 已存在，保持原样未改动。"),
                timeout=6,
                markup=False,
            )
        self._draw_detail()
        return True

    def action_edit(self) -> None:
        from tui.drills import editor_command

        row = self._highlighted_row()
        if row is None or self.live is not None:
            return
        if not row.file_exists and not self._start(row):
            return
        where = home_relative(row.path)
        try:
            command = editor_command(row.path)
        except ValueError as error:
            self.notify(self.tr(f"Cannot read $VISUAL/$EDITOR: {error}", f"无法解析 $VISUAL/$EDITOR：{error}"), severity="error", markup=False)
            return
        if command is None:
            self.notify(
                self.tr(
                    f"Set $EDITOR to open files from here (e.g. export EDITOR=vim), or edit {where} in another window and press c.",
                    f"请设置 $EDITOR 以便从这里打开文件（例如 export EDITOR=vim），或在另一个窗口中编辑 {where} 后按 c。",
                ),
                severity="warning",
                timeout=12,
                markup=False,
            )
            return
        try:
            with self.app.suspend():  # the editor gets the terminal; the app comes back when it exits
                finished = subprocess.run(command, check=False)
        except SuspendNotSupported:
            self.notify(
                self.tr(
                    f"This terminal cannot hand the screen to an editor: edit {where} in another window, then press c.",
                    f"当前终端无法切换到编辑器：请在另一个窗口中编辑 {where}，然后按 c。",
                ),
                severity="warning",
                timeout=12,
                markup=False,
            )
            return
        except OSError as error:
            self.notify(
                self.tr(f"Cannot run the editor {command[0]}: {error}", f"无法运行编辑器 {command[0]}：{error}"),
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        if finished.returncode != 0:
            self.notify(
                self.tr(f"The editor exited with status {finished.returncode}.", f"编辑器以状态 {finished.returncode} 退出。"),
                severity="warning",
                markup=False,
            )
        self._draw_detail()

    async def action_check(self) -> None:
        from tui.drills import workspace_file

        row = self._highlighted_row()
        if row is None or self.live is not None:
            return
        if not row.file_exists:
            self.notify(
                self.tr("No file yet: s writes the stub, e opens it in your editor.", "还没有文件：按 s 写入桩文件，按 e 在编辑器中打开。"),
                severity="warning",
                markup=False,
            )
            return
        self.live = LiveCheck(row.drill, threading.Event())
        await self._show_run_bar(total=len(row.drill.checks))
        self._show_run_label()
        self._check_in_worker(row.drill, workspace_file(row.drill, row.path.parent), self.live.cancel)
        self._draw_checks()
        self.refresh_bindings()

    async def _show_run_bar(self, total: int) -> None:
        """The progress line above the footer, made with the first check (most visits check
        nothing), and kept to show how the last check went."""
        from textual.widgets import ProgressBar

        if not self.query("#drills-run"):
            await self.mount(
                Horizontal(ProgressBar(total=total, show_eta=False, id="drills-progress"), Static(id="drills-run-label"), id="drills-run"),
                before=self.query_one(AppFooter),
            )
        self._progress_bar().update(total=total, progress=0)

    def _progress_bar(self) -> "ProgressBar":
        from textual.widgets import ProgressBar

        return self.query_one("#drills-progress", ProgressBar)

    @work(thread=True, exclusive=True, group="drill-check", exit_on_error=False)
    def _check_in_worker(self, drill: "Drill", path: Path, cancel: threading.Event) -> None:
        from tui.drills import save_check
        from verifiers.drills.sandbox import check_drill

        def progress(event: "DrillProgress") -> None:
            self.post_message(self.CheckProgress(drill.id, event))

        try:
            result = check_drill(drill, path, progress=progress, cancel=cancel)
        except Exception as error:  # noqa: BLE001 - a checker that breaks is reported in the app, never a crash
            self.post_message(self.CheckFinished(drill.id, None, error=f"{type(error).__name__}: {error}"))
            return
        if result is None:  # cancelled: nothing to record
            self.post_message(self.CheckFinished(drill.id, None))
            return
        try:
            status = save_check(result, self.app.store, settings=self.app.study_settings(), now=self.app.clock())
        except Exception as error:  # noqa: BLE001 - a store the user must fix; the result is still shown
            self.post_message(self.CheckFinished(drill.id, result, record_error=f"{type(error).__name__}: {error}"))
            return
        self.post_message(self.CheckFinished(drill.id, result, status))

    @on(CheckProgress)
    def _check_progressed(self, message: CheckProgress) -> None:
        live = self.live
        if live is None or live.drill.id != message.drill_id:
            return
        event = message.event
        live.phase = event.phase.value
        if event.phase.value == "checking":
            if event.result is None:
                live.current = event.index
            else:
                live.results[event.index] = event.result
                self._progress_bar().update(progress=len(live.results))
        self._show_run_label()
        if self._showing(live.drill.id):
            self._draw_checks()

    def _show_run_label(self) -> None:
        live = self.live
        if live is None:
            return
        text = self._phase_text(live)
        if live.phase == "checking" and live.current is not None and live.current not in live.results and not live.cancelling:
            check = live.drill.checks[live.current]
            text = self.tr(
                f"check {live.current + 1}/{len(live.drill.checks)}: {check.id}…",
                f"检查 {live.current + 1}/{len(live.drill.checks)}：{check.id}…",
            )
        label = f"{escape(live.drill.id)}: {escape(text)}"
        if not live.cancelling:
            label += self.tr("  [dim](x cancels)[/]", "  [dim]（x 取消）[/]")
        self.query_one("#drills-run-label", Static).update(label)

    @on(CheckFinished)
    def _check_finished(self, message: CheckFinished) -> None:
        from tui.drills import schedule_text

        live, self.live = self.live, None
        elapsed = time.monotonic() - live.started if live is not None else 0.0
        label = self.query_one("#drills-run-label", Static)
        drill_id = escape(message.drill_id)
        if message.result is None:
            if message.error is not None:
                label.update(f"{drill_id}: [red]{self.tr('the check could not run', '检查无法运行')}[/]")
                self.notify(message.error, severity="error", timeout=15, markup=False)
            else:
                label.update(f"{drill_id}: {self.tr('cancelled; nothing was recorded.', '已取消，未记录。')}")
        else:
            result = message.result
            row = self._row(message.drill_id)
            if row is not None and self.rows is not None:
                updated = replace(row, status=message.status or row.status, last_result=result)
                self.rows = ordered([updated if r is row else r for r in self.rows])
                self._fill_list()
            words = pick(result.summary, "zh" if self.app.ui_lang == "zh" else "en")
            if message.status is not None:
                words += " " + escape(schedule_text(message.status, self.app.ui_lang, self.app.day_timezone))
            elif message.record_error is None and result.problem is None and not result.attempted:
                words += " " + self.tr("Not recorded: nothing is written yet.", "未记录：还没有实现任何内容。")
            label.update(f"{drill_id}: {words} [dim]({elapsed:.1f} s)[/]")
            if message.record_error is not None:
                self.notify(
                    self.tr(f"The check was NOT recorded: {message.record_error}", f"检查结果未记入进度：{message.record_error}"),
                    severity="error",
                    timeout=15,
                    markup=False,
                )
        if message.result is not None:
            self._progress_bar().update(progress=len(message.result.checks))
        self._draw_detail()
        if self._showing(message.drill_id) and message.result is not None:
            self._scroll_to_first_failure(message.result)

    def _scroll_to_first_failure(self, result: "DrillResult") -> None:
        """After a check: the first check that did not pass at the top, else the summary."""
        failed = [index for index, check in enumerate(result.checks) if not check.passed]
        if failed and result.problem is None and failed[0] < len(self._check_starts):
            self.call_after_refresh(self._scroll_to_check, failed[0])
            return
        self._scroll_to(self.query_one("#drills-checks"))

    def _scroll_to_check(self, index: int) -> None:
        """Bring check ``index``'s line to the top of the detail: its row in the checks' text as
        wrapped at the widget's width, below the widget's top."""
        checks = self.query_one("#drills-checks", WrappedText)
        before = Content.from_markup("\n".join(self._checks_markup[: self._check_starts[index]]))
        rows = wrap_content(before, checks.content_size.width).plain.count("\n") + 1
        region = checks.virtual_region
        self.query_one("#drills-detail", VerticalScroll).scroll_to_region(
            Region(region.x, region.y + rows, region.width, 1), animate=False, top=True
        )

    def _scroll_to(self, target: "str | Widget") -> None:
        """Bring a part of the detail to the top, once the text just put in it is laid out."""

        def scroll() -> None:
            widget = self.query_one(target) if isinstance(target, str) else target
            self.query_one("#drills-detail", VerticalScroll).scroll_to_widget(widget, animate=False, top=True)

        self.call_after_refresh(scroll)

    def _showing(self, drill_id: str) -> bool:
        row = self._highlighted_row()
        return row is not None and row.drill.id == drill_id

    def action_cancel(self) -> None:
        if self.live is not None and not self.live.cancelling:
            self.live.cancelling = True
            self.live.cancel.set()  # the sandbox kills the child's process group within ~50 ms
            self._show_run_label()
            if self._showing(self.live.drill.id):
                self._draw_checks()

    def action_hint(self) -> None:
        row = self._highlighted_row()
        if row is None:
            return
        shown = self.hints_shown.get(row.drill.id, 0)
        if shown < len(row.drill.hints):
            self.hints_shown[row.drill.id] = shown + 1
            self._draw_hints()
            self.refresh_bindings()
            hints = self.query_one("#drills-hints", WrappedText)
            self._scroll_to_grown(hints)
            # Once laid out, make sure (a no-op when the scroll above already showed it all).
            self.call_after_refresh(hints.scroll_visible, animate=False)

    def _scroll_to_grown(self, part: WrappedText) -> None:
        """Scroll the detail now to where ``part``, its text just changed, will be in full once
        laid out, as ``scroll_visible`` would then: nothing above it changed, so it starts where
        it does now, and it will be as tall as its new text at its width. The next frame then
        shows it where it ends up; scrolled only after that layout, it took two more frames."""
        region = part.virtual_region_with_margin
        if not region or not part.content_size.width:
            return
        grown = part.height_at(part.content_size.width) - part.content_size.height
        self.query_one("#drills-detail", VerticalScroll).scroll_to_region(
            Region(region.x, region.y, region.width, region.height + grown),
            spacing=part.dock_gutter,
            animate=False,
            immediate=True,
        )

    def action_solution(self) -> None:
        from tui.screens.confirm import ConfirmScreen

        row = self._highlighted_row()
        if row is None:
            return
        drill_id = row.drill.id
        if drill_id in self.solutions_shown:
            self._scroll_to("#drills-solution")
            return
        hints_left = len(row.drill.hints) - self.hints_shown.get(drill_id, 0)

        def answered(show: bool | None) -> None:
            if show and self._row(drill_id) is not None:
                self.solutions_shown.add(drill_id)
                self._draw_solution()
                if self._showing(drill_id):
                    # Called as the dialog closes, before this screen is shown and laid out again.
                    self.call_after_refresh(self._scroll_to, "#drills-solution")

        self.app.push_screen(
            ConfirmScreen(
                title=("Reference solution", "参考答案"),
                question=(
                    f"Show the reference solution of “{row.drill.title.en}”? Writing it yourself is the practice"
                    + (f"; {hints_left} hint(s) are still unread (h)." if hints_left else ".")
                    + " Seeing it does not change your schedule: only your own code's checks do.",
                    f"显示“{row.drill.title.zh}”的参考答案吗？自己写出来才是练习"
                    + (f"；还有 {hints_left} 条提示没看（h）。" if hints_left else "。")
                    + "查看答案不会改变复习安排：只有你自己代码的检查结果才会。",
                ),
                yes=("Show it", "显示"),
                no=("Not yet", "先不看"),
            ),
            answered,
        )

    def action_back(self) -> None:
        self._stop_check()  # a check nobody watches should not keep the CPU busy
        super().action_back()

    def on_unmount(self) -> None:
        self._stop_check()  # the app quits: the sandbox's child goes with it

    def _stop_check(self) -> None:
        if self.live is not None:
            self.live.cancel.set()
