"""Verifiers: every claim's evidence; run one, the marked ones or all, in a worker, with cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from questions.marks import tick
from tui.screens.base import AppScreen
from tui.widgets.evidence import NOT_RUN, result_markup, status_mark
from tui.widgets.footer import AppFooter
from tui.widgets.marked import CurrentRowMark, current_row_css
from tui.widgets.run_panel import RunPanel, RunsVerifiers
from tui.widgets.scrolling_text import ScrollingText
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from verifiers.result import Result
    from verifiers.spec import Verifier
    from tui.context import StudyApp


def load_registry_and_cache(results_dir):
    """The shipped verifiers and their latest cached results (cheap: no sympy or torch)."""
    import warnings

    from verifiers.cache import CacheWarning, ResultsCache
    from verifiers.registry import default_registry

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CacheWarning)  # an unreadable cached result just reads as "not run"
        return default_registry(), ResultsCache(results_dir).load_all()


LIST_TEXT_WIDTH = 34 - 2 - 2 - 1  # verifiers.tcss's width, less the border, the scrollbar and the ▸


class VerifierList(CurrentRowMark, OptionList):
    """The verifiers, one a row: ▸ the current one, ☑/☐ marked for a run or not, then the mark of
    its latest run. Enter runs the highlighted one, space marks it (in the order keys come)."""

    DEFAULT_CSS = current_row_css("VerifierList")

    BINDINGS = [
        Binding("enter", "screen.run_highlighted", "Run"),
        Binding("space", "toggle_mark", "Mark", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.marked: set[str] = set()
        self._rows: dict[str, str] = {}  # verifier id -> the marks of its run and kind

    def show_rows(self, rows: list[tuple[str, str]]) -> None:
        """(verifier id, marks markup, 3 cells wide) for each verifier, in order; the highlight and
        the ticks stay."""
        highlighted = self.highlighted
        self._rows = dict(rows)
        self.marked &= set(self._rows)
        self.clear_options()
        self.add_options([Option(self._prompt(verifier_id), id=verifier_id) for verifier_id, _marks in rows])
        self.highlighted = highlighted if highlighted is not None else 0

    def _prompt(self, verifier_id: str) -> str:
        """``☐ ✓ Σ id``, a long id wrapped after a hyphen and kept under itself."""
        from questions.wrapping import wrap_text

        # The options' width, less their ▸ cell; before the first layout, what the CSS gives
        # (34 columns less the border and the scrollbar).
        width = (self.scrollable_content_region.width or LIST_TEXT_WIDTH + 1) - 1
        indent = " " * 6
        lines = wrap_text(verifier_id, width, initial_indent=indent, subsequent_indent=indent, render_math=False)
        return f"{tick(verifier_id in self.marked)} {self._rows[verifier_id]} " + "\n".join(lines)[len(indent) :]

    def action_toggle_mark(self) -> None:
        if self.highlighted is None:
            return
        verifier_id = self.get_option_at_index(self.highlighted).id
        if verifier_id is None:
            return
        self.marked ^= {verifier_id}
        self.replace_option_prompt_at_index(self.highlighted, self._prompt(verifier_id))
        self.screen.refresh_bindings()

    @property
    def selected(self) -> list[str]:
        """The marked verifiers' ids, in list order."""
        return [verifier_id for verifier_id in self._rows if verifier_id in self.marked]


class VerifiersScreen(RunsVerifiers, AppScreen):
    CSS_PATH = "verifiers.tcss"
    BINDINGS = [
        Binding("enter", "run_highlighted", "Run", id="verifiers.run"),
        Binding("s", "run_marked", "Run marked", id="verifiers.run_marked"),
        Binding("a", "run_all", "Run all", id="verifiers.run_all"),
        Binding("c", "cancel", "Cancel", id="verifiers.cancel"),
        Binding("g", "plots", "Plots", id="verifiers.plots"),
    ]

    app: "StudyApp"

    def __init__(self) -> None:
        super().__init__()
        self.results: dict[str, "Result"] = {}

    def compose(self) -> ComposeResult:
        registry, self.results = load_registry_and_cache(self.app.results_dir)
        self.specs: tuple["Verifier", ...] = tuple(registry)
        self.registry_problems = registry.problems
        yield TitleBar()
        yield Static(id="verifiers-status")
        # The list and the detail side by side in the screen's grid (verifiers.tcss), not in a
        # container, which Textual would draw under them and keep (as on home and Drills). The
        # detail runs to pages of evidence: a ScrollingText renders only the lines in view.
        yield VerifierList(id="verifiers-list")
        yield ScrollingText(id="verifiers-detail")
        yield RunPanel(self.app.ui_lang, classes="-hidden")
        yield AppFooter()

    def on_mount(self) -> None:
        listing = self.query_one("#verifiers-list", VerifierList)
        listing.focus()
        # The detail follows the highlight from the list's own change of it, in the same call:
        # the list's repaint and the new detail are then drawn in one frame. On the list's
        # OptionHighlighted message instead, the list was drawn alone first and the detail a
        # frame or two later (as on Drills).
        self.watch(listing, "highlighted", self._highlight_moved, init=False)
        if self.registry_problems:
            self.notify("\n".join(self.registry_problems), severity="warning", timeout=10, markup=False)

    # --- drawing ------------------------------------------------------------

    def show_language(self) -> None:
        self.query_one(RunPanel).ui_lang = self.app.ui_lang
        self._fill_list()
        self._draw_detail()

    def _fill_list(self) -> None:
        from questions.marks import run_mark

        self.query_one("#verifiers-list", VerifierList).show_rows(
            [(spec.id, f"{status_mark(self.results.get(spec.id))} {'Σ' if spec.kind == 'symbolic' else '∿'}") for spec in self.specs]
        )
        counts = {"passed": 0, "failed": 0, "error": 0}
        for spec in self.specs:
            if spec.id in self.results:
                counts[self.results[spec.id].status.value] += 1
        not_run = len(self.specs) - sum(counts.values())
        symbolic = sum(1 for spec in self.specs if spec.kind == "symbolic")
        self.query_one("#verifiers-status", Static).update(
            f"[b]{self.tr('Verifiers', '验证器')}[/b]   "
            + self.tr(
                f"{symbolic} Σ symbolic · {len(self.specs) - symbolic} ∿ experiments   ",
                f"{symbolic} Σ 符号推导 · {len(self.specs) - symbolic} ∿ 实验   ",
            )
            + f"[green]{run_mark('passed')} {counts['passed']}[/]  [red]{run_mark('failed')} {counts['failed']}[/]  "
            + f"[red]{run_mark('error')} {counts['error']}[/]  "
            + self.tr(f"{NOT_RUN} {not_run} not run", f"{NOT_RUN} {not_run} 未运行")
        )

    def _highlighted_spec(self) -> "Verifier | None":
        listing = self.query_one("#verifiers-list", VerifierList)
        if listing.highlighted is None or not self.specs:
            return None
        return self.specs[listing.highlighted]

    def _draw_detail(self) -> None:
        spec = self._highlighted_spec()
        detail = self.query_one("#verifiers-detail", ScrollingText)
        if spec is None:
            detail.show(self.tr("No verifiers found.", "没有找到验证器。"), scroll_home=False)
        else:
            detail.show(result_markup(spec, self.results.get(spec.id), self.app.language, self.app.ui_lang), scroll_home=False)
        self.refresh_bindings()

    def _highlight_moved(self, index: int | None) -> None:
        if index is None:  # the list is being refilled (``show_rows``)
            return
        self._draw_detail()
        self.query_one("#verifiers-detail", ScrollingText).scroll_home(animate=False)

    # --- running ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        running = self.run_in_progress
        if action in ("run_highlighted", "run_marked", "run_all"):
            if running:
                return False  # hidden while a run is going: the footer shows cancel instead
            if action == "run_marked" and not self.query_one("#verifiers-list", VerifierList).selected:
                return None
            return True
        if action == "cancel":
            return running
        if action == "plots":
            spec = self._highlighted_spec()
            result = self.results.get(spec.id) if spec else None
            return bool(result and result.has_figures)
        return True

    def action_run_highlighted(self) -> None:
        spec = self._highlighted_spec()
        if spec is not None:
            self.start_run([spec])

    def action_run_marked(self) -> None:
        marked = set(self.query_one("#verifiers-list", VerifierList).selected)
        self.start_run([spec for spec in self.specs if spec.id in marked])

    def action_run_all(self) -> None:
        self.start_run(list(self.specs))

    def results_changed(self) -> None:
        self._fill_list()
        self._draw_detail()

    def action_plots(self) -> None:
        spec = self._highlighted_spec()
        result: "Result | None" = self.results.get(spec.id) if spec else None
        if result is not None and result.has_figures:
            from tui.screens.plots import PlotsScreen

            self.app.push_screen(PlotsScreen(result))

    def action_back(self) -> None:
        self.query_one(RunPanel).cancel()  # a run nobody watches should not keep the CPU busy
        super().action_back()
