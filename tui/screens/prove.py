"""'p' on a question: the evidence for its answer. Cached results at once (with their date), a run on demand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from tui.screens.base import AppModal
from tui.widgets.evidence import result_markup
from tui.widgets.footer import AppFooter
from tui.widgets.i18n import bilingual
from tui.widgets.run_panel import RunPanel, RunsVerifiers

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
                yield Static(id="prove-text")
            yield RunPanel(self.app.ui_lang, classes="-hidden")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#prove-scroll").focus()
        if any(spec.id not in self.results for spec in self.specs):
            self.action_run()  # nothing cached for some of them: start at once, in the background

    def show_language(self) -> None:
        self.query_one(RunPanel).ui_lang = self.app.ui_lang
        self.query_one("#prove-box").border_title = self.tr("Prove it — escape closes", "证明 — Esc 关闭")
        lines = [f"[b]{bilingual(self.question.question, self.app.language)}[/b]", ""]
        for spec in self.specs:
            lines.append("─" * 40)
            lines.append(result_markup(spec, self.results.get(spec.id), self.app.language, self.app.ui_lang))
        for verifier_id in self.missing:
            lines.append(self.tr(f"[red]Verifier {verifier_id} is not installed.[/]", f"[red]验证器 {verifier_id} 未安装。[/]"))
        self.query_one("#prove-text", Static).update("\n".join(lines))
        self.refresh_bindings()

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
        with_plots = [result for result in self.results.values() if result.has_figures]
        if with_plots:
            from tui.screens.plots import PlotsScreen

            self.app.push_screen(PlotsScreen(with_plots[0]))

    def action_dismiss_modal(self) -> None:
        self.query_one(RunPanel).cancel()
        super().action_dismiss_modal()
