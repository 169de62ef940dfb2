"""'p' on a question: the evidence for its answer. Cached results at once (with their date), a run on demand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll

from tui.screens.base import AppModal
from tui.widgets.evidence import result_markup
from tui.widgets.footer import AppFooter
from tui.widgets.i18n import bilingual
from tui.widgets.run_panel import RunPanel, RunsVerifiers
from tui.widgets.wrapped import WrappedText

if TYPE_CHECKING:
    from questions.model import Question
    from verifiers.result import Result
    from tui.context import StudyApp


class ProveItScreen(RunsVerifiers, AppModal):
    CSS_PATH = "prove.tcss"
    BINDINGS = [
        Binding("r", "run", "Run", id="prove.run"),
        Binding("c", "cancel", "Cancel", id="prove.cancel"),
        Binding("g", "plots", "Plots", id="prove.plots"),
    ]

    app: "StudyApp"

    def __init__(self, question: "Question") -> None:
        super().__init__()
        self.question = question
        self.results: dict[str, "Result"] = {}
        self.missing: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        from tui.screens.verifiers import load_registry_and_cache

        registry, cached = load_registry_and_cache(self.app.results_dir)
        self.specs = tuple(registry.get(v) for v in self.question.verifiers if v in registry)
        self.missing = tuple(v for v in self.question.verifiers if v not in registry)
        self.results = {spec.id: cached[spec.id] for spec in self.specs if spec.id in cached}
        with Vertical(id="prove-box"):
            with VerticalScroll(id="prove-scroll"):
                # One block per verifier, so that g can tell which one is in view.
                with Vertical(id="prove-text"):
                    yield WrappedText(id="prove-question")
                    for index, _spec in enumerate(self.specs):
                        yield WrappedText(id=f"prove-verifier-{index}", classes="prove-verifier")
                    yield WrappedText(id="prove-missing")
            yield RunPanel(self.app.ui_lang, classes="-hidden")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#prove-scroll").focus()
        if any(spec.id not in self.results for spec in self.specs):
            self.action_run()  # nothing cached for some of them: start at once, in the background

    def show_language(self) -> None:
        self.query_one(RunPanel).ui_lang = self.app.ui_lang
        self.query_one("#prove-box").border_title = self.tr("Prove it — escape closes", "证明 — Esc 关闭")
        self.query_one("#prove-question", WrappedText).update(f"[b]{bilingual(self.question.question, self.app.language)}[/b]\n")
        for index, spec in enumerate(self.specs):
            markup = result_markup(spec, self.results.get(spec.id), self.app.language, self.app.ui_lang)
            self.query_one(f"#prove-verifier-{index}", WrappedText).update("─" * 40 + "\n" + markup)
        missing = [
            self.tr(f"[red]Verifier {verifier_id} is not installed.[/]", f"[red]验证器 {verifier_id} 未安装。[/]")
            for verifier_id in self.missing
        ]
        self.query_one("#prove-missing", WrappedText).update("\n".join(missing))
        self.refresh_bindings()

    def text(self) -> str:
        """Everything the dialog shows, as plain text (for tests and a reader's copy)."""
        return "\n".join(str(block.render()) for block in self.query(WrappedText))

    def verifier_in_view(self) -> int | None:
        """The index of the verifier whose block takes up most of the visible rows (None: no verifiers)."""
        scroll = self.query_one("#prove-scroll", VerticalScroll)
        top, height = scroll.scroll_y, scroll.scrollable_content_region.height
        best, best_rows = None, -1
        for index in range(len(self.specs)):
            region = self.query_one(f"#prove-verifier-{index}", WrappedText).virtual_region
            rows = min(region.bottom, top + height) - max(region.y, top)
            if rows > best_rows:
                best, best_rows = index, rows
        return best

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        running = self.run_in_progress
        if action == "run":
            return None if running else True
        if action == "cancel":
            return running
        if action == "plots":
            return any(result.has_figures for result in self.results.values())
        return True

    def action_run(self) -> None:
        self.start_run(self.specs)

    def results_changed(self) -> None:
        self.show_language()

    def action_plots(self) -> None:
        """The plots of the verifier in view; if it has none, of the nearest one that has."""
        in_view = self.verifier_in_view()
        if in_view is None:
            return
        with_plots = [
            index
            for index, spec in enumerate(self.specs)
            if spec.id in self.results and self.results[spec.id].has_figures
        ]
        if with_plots:
            from tui.screens.plots import PlotsScreen

            nearest = min(with_plots, key=lambda index: (abs(index - in_view), index))
            self.app.push_screen(PlotsScreen(self.results[self.specs[nearest].id]))

    def action_dismiss_modal(self) -> None:
        self.query_one(RunPanel).cancel()
        super().action_dismiss_modal()
