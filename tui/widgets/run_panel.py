"""Runs verifiers in a thread worker with a progress bar; cancel stops between (and inside) verifiers.

torch and sympy are imported by the verifiers themselves, inside the worker
thread, so the UI keeps answering keys while a run is under way.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import ProgressBar, Static

from tui.widgets.i18n import UiLang, tr
from tui.widgets.markup import escape

if TYPE_CHECKING:
    from verifiers.result import Result
    from verifiers.runner import RunOutcome
    from verifiers.spec import Verifier


class RunPanel(Horizontal):
    DEFAULT_CSS = """
    RunPanel { height: 1; padding: 0 1; background: $boost; }
    RunPanel ProgressBar { width: auto; margin-right: 1; }
    RunPanel #run-label { width: 1fr; }
    """

    @dataclass
    class Started(Message):
        verifier_id: str

    @dataclass
    class Finished(Message):
        """One verifier finished; its result is already saved in the cache."""

        result: "Result"

    @dataclass
    class Done(Message):
        outcome: "RunOutcome | None"  # None: the run itself failed (``error`` says why)
        error: str | None = None

    def __init__(self, ui_lang: UiLang = "en", **kwargs) -> None:
        super().__init__(**kwargs)
        self.ui_lang: UiLang = ui_lang
        self._cancel: threading.Event | None = None

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=1, show_eta=False, id="run-progress")
        yield Static(id="run-label")

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def start(self, specs: Sequence["Verifier"], results_dir: Path) -> bool:
        """Run ``specs`` in order; False (and nothing started) when a run is already going."""
        if self.running or not specs:
            return False
        self._cancel = threading.Event()
        bar = self.query_one(ProgressBar)
        bar.update(total=len(specs), progress=0)
        self.query_one("#run-label", Static).update(tr(self.ui_lang, "starting…", "开始…"))
        self._run(tuple(specs), results_dir, self._cancel)
        return True

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.query_one("#run-label", Static).update(tr(self.ui_lang, "cancelling…", "正在取消…"))

    @work(thread=True, exclusive=True, group="verifier-run")
    def _run(self, specs: tuple["Verifier", ...], results_dir: Path, cancel: threading.Event) -> None:
        from verifiers.cache import ResultsCache
        from verifiers.runner import run_verifiers

        def progress(event) -> None:
            self.app.call_from_thread(self._progress, event)

        try:
            outcome = run_verifiers(specs, progress=progress, cancel=cancel, cache=ResultsCache(results_dir))
        except Exception as error:  # noqa: BLE001 - a broken run is reported in the app, never a crash
            self.app.call_from_thread(self._done, None, f"{type(error).__name__}: {error}")
            return
        self.app.call_from_thread(self._done, outcome, None)

    def _progress(self, event) -> None:
        label = self.query_one("#run-label", Static)
        if event.result is None:
            label.update(f"{event.index + 1}/{event.total} {event.verifier.id}")
            self.post_message(self.Started(event.verifier.id))
        else:
            self.query_one(ProgressBar).update(progress=event.index + 1)
            self.post_message(self.Finished(event.result))

    def _done(self, outcome: "RunOutcome | None", error: str | None) -> None:
        self._cancel = None
        label = self.query_one("#run-label", Static)
        if outcome is None:
            label.update(f"[red]{tr(self.ui_lang, 'run failed', '运行失败')}: {escape(error or '')}[/]")
        elif outcome.cancelled:
            label.update(tr(self.ui_lang, f"cancelled; {len(outcome.not_run)} not run", f"已取消；{len(outcome.not_run)} 个未运行"))
        else:
            from questions.marks import run_mark

            passed = sum(1 for r in outcome.results if r.passed)
            mark = run_mark("passed" if passed == len(outcome.results) else "failed")
            label.update(
                tr(self.ui_lang, f"{mark} done: {passed}/{len(outcome.results)} passed", f"{mark} 完成：{passed}/{len(outcome.results)} 通过")
            )
        self.post_message(self.Done(outcome, error))


class RunsVerifiers:
    """Mixin for a screen with a ``RunPanel``: start, cancel, collect results, report a broken run.

    The screen keeps ``results`` (verifier id -> latest result) and redraws in
    ``results_changed()`` each time one more verifier has finished.
    """

    results: dict[str, "Result"]

    def start_run(self, specs: Sequence["Verifier"]) -> None:
        panel = self.query_one(RunPanel)  # type: ignore[attr-defined]
        if panel.start(specs, self.app.results_dir):  # type: ignore[attr-defined]
            panel.remove_class("-hidden")
            self.refresh_bindings()  # type: ignore[attr-defined]

    @property
    def run_in_progress(self) -> bool:
        return self.query_one(RunPanel).running  # type: ignore[attr-defined]

    def action_cancel(self) -> None:
        self.query_one(RunPanel).cancel()  # type: ignore[attr-defined]

    def results_changed(self) -> None:
        """Redraw after a verifier finished (screens override)."""

    def on_run_panel_finished(self, event: RunPanel.Finished) -> None:
        self.results[event.result.verifier_id] = event.result
        self.results_changed()

    def on_run_panel_done(self, event: RunPanel.Done) -> None:
        if event.error:
            self.notify(event.error, severity="error", timeout=10, markup=False)  # type: ignore[attr-defined]
        self.refresh_bindings()  # type: ignore[attr-defined]
