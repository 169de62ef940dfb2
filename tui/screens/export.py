"""Export dialog: write a study sheet (Markdown, HTML, PDF, Anki) in a worker, evidence optional."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from tui.screens.base import AppModal
from tui.widgets.footer import AppFooter
from tui.widgets.marked import InlineChoice, TickBox
from tui.widgets.markup import escape

if TYPE_CHECKING:
    from tui.context import StudyApp

FORMAT_NAMES = (("Markdown", "md"), ("HTML (offline)", "html"), ("PDF", "pdf"), ("Anki deck", "anki"))


class ExportScreen(AppModal):
    CSS_PATH = "export.tcss"
    BINDINGS = [Binding("ctrl+s", "export", "Export", id="export.run")]

    app: "StudyApp"

    def compose(self) -> ComposeResult:
        from questions.topics import topic_order

        self._topics = sorted(self.app.bank.topics(), key=topic_order)
        with Vertical(id="export-box"):
            with Grid(id="export-grid"):
                yield Label(id="export-label-format")
                yield InlineChoice(FORMAT_NAMES, value="md", id="export-format")
                yield Label(id="export-label-topic")
                yield Select(self._topic_options(), prompt=self.tr("all topics", "全部主题"), id="export-topic")
                yield Label(id="export-label-path")
                yield Input(str(Path.cwd() / "transformer-prep.md"), id="export-path")
            with Horizontal(id="export-options"):
                yield TickBox(id="export-evidence", value=True)
                yield TickBox(id="export-force", value=False)
            yield Static(id="export-message")
            yield Button(id="export-button", variant="primary")
        yield AppFooter()

    def _topic_options(self) -> list[tuple[str, str]]:
        """The topic list's options in the current language (remembered: ``show_language``)."""
        from questions.topics import topic_title

        self._topics_lang = self.app.ui_lang
        return [(topic_title(t, self.app.ui_lang), t) for t in self._topics]

    def show_language(self) -> None:
        self.query_one("#export-box").border_title = self.tr("Export a study sheet", "导出学习资料")
        self.query_one("#export-label-format", Label).update(self.tr("Format", "格式"))
        self.query_one("#export-label-topic", Label).update(self.tr("Topic", "主题"))
        self.query_one("#export-label-path", Label).update(self.tr("File", "文件"))
        topic = self.query_one("#export-topic", Select)
        if self._topics_lang != self.app.ui_lang:  # made in compose in the language of the time
            chosen = topic.value
            topic.set_options(self._topic_options())
            if chosen in self._topics:
                topic.value = chosen
            topic.prompt = self.tr("all topics", "全部主题")
        self.query_one("#export-evidence", Checkbox).label = self.tr("with verifier evidence", "附上验证证据")
        self.query_one("#export-force", Checkbox).label = self.tr("overwrite an existing file", "覆盖已有文件")
        self.query_one("#export-button", Button).label = self.tr("Export (ctrl+s)", "导出 (ctrl+s)")
        names = {"zh": "中文", "en": "English", "both": "中文 + English"}
        self.query_one("#export-message", Static).update(
            self.tr(f"Language: {names[self.app.language]} (l switches)", f"语言：{names[self.app.language]}（按 l 切换）")
        )

    @on(InlineChoice.Changed, "#export-format")
    def _format_changed(self, event: InlineChoice.Changed) -> None:
        from questions.export import EXTENSIONS

        path_input = self.query_one("#export-path", Input)
        path = Path(path_input.value.strip() or "transformer-prep")
        path_input.value = str(path.with_suffix(EXTENSIONS[str(event.value)]))

    @on(Button.Pressed, "#export-button")
    def _pressed(self) -> None:
        self.action_export()

    def action_export(self) -> None:
        raw_path = self.query_one("#export-path", Input).value.strip()
        if not raw_path:
            self.notify(self.tr("Give a file to write.", "请填写要写入的文件。"), severity="error")
            return
        path = Path(raw_path).expanduser()
        force = self.query_one("#export-force", Checkbox).value
        problem = self.target_problem(path, force=force)
        if problem is not None:
            self.query_one("#export-message", Static).update(f"[red]{escape(problem)}[/]")
            return
        topic = self.query_one("#export-topic", Select).value
        questions = [q for q in self.app.bank if topic is Select.NULL or q.topic == topic]
        self.query_one("#export-button", Button).disabled = True
        self.query_one("#export-message", Static).update(self.tr("Writing…", "正在写入…"))
        self._write(
            questions,
            str(self.query_one("#export-format", InlineChoice).value),
            path,
            self.query_one("#export-evidence", Checkbox).value,
            force,
        )

    def target_problem(self, path: Path, *, force: bool) -> str | None:
        """Why ``path`` cannot be written, in the dialog's terms (the exporter's own messages speak
        of the command line's --force and --out), or None. The exporter checks again when writing."""
        import os

        overwrite = self.tr("overwrite an existing file", "覆盖已有文件")
        if path.is_dir():
            return self.tr(
                f"{path} is a folder: add a file name to it in the File field.",
                f"{path} 是一个文件夹：请在“文件”一栏加上文件名。",
            )
        if path.exists() and not force:
            return self.tr(
                f"{path} already exists: tick “{overwrite}” to replace it, or change the file name.",
                f"{path} 已存在：勾选“{overwrite}”以替换它，或修改文件名。",
            )
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            return self.tr(
                f"The folder {folder} does not exist: change the File field to a folder that does.",
                f"文件夹 {folder} 不存在：请在“文件”一栏改用已有的文件夹。",
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            return self.tr(
                f"No permission to write in {folder}: change the File field to another folder.",
                f"没有写入 {folder} 的权限：请在“文件”一栏改用其他文件夹。",
            )
        return None

    @work(thread=True, exclusive=True, group="export")
    def _write(self, questions, fmt: str, path: Path, with_evidence: bool, force: bool) -> None:
        # PDF rendering takes seconds: never on the UI thread.
        from questions.export import build_sheet, export_sheet

        try:
            evidence = {}
            if with_evidence:
                from tui.screens.verifiers import load_registry_and_cache

                _registry, cached = load_registry_and_cache(self.app.results_dir)
                evidence = {verifier_id: result.to_dict() for verifier_id, result in cached.items()}
            sheet = build_sheet(questions, self.app.language, evidence)  # type: ignore[arg-type]
            if fmt == "pdf" and self.app.language != "en":
                from questions.export.pdf import cjk_font_available

                if not cjk_font_available():
                    self.app.call_from_thread(
                        self.notify,
                        self.tr(
                            "No font with Chinese glyphs is installed: Chinese will not show in the PDF "
                            "(install one, e.g. fonts-noto-cjk, or switch to English with l).",
                            "没有安装中文字体：PDF 中的中文将无法显示（请安装如 fonts-noto-cjk，或按 l 切换到英文）。",
                        ),
                        severity="warning",
                        timeout=12,
                    )
            written = export_sheet(sheet, fmt, path, force=force)  # type: ignore[arg-type]
        except Exception as error:  # noqa: BLE001 - shown to the user; their file is never half-written
            if isinstance(getattr(error, "exit_code", None), int):  # the exporter refused: say it in the dialog's terms
                message = self.target_problem(path, force=force) or str(error)
            else:
                message = f"{type(error).__name__}: {error}"
            self.app.call_from_thread(self._finished, None, message)
            return
        self.app.call_from_thread(self._finished, written, None)

    def _finished(self, written: Path | None, error: str | None) -> None:
        self.query_one("#export-button", Button).disabled = False
        message = self.query_one("#export-message", Static)
        if written is not None:
            message.update(self.tr(f"[green]Wrote {escape(str(written))}[/]", f"[green]已写入 {escape(str(written))}[/]"))
            self.notify(self.tr(f"Wrote {written}", f"已写入 {written}"), timeout=5, markup=False)
        else:
            message.update(f"[red]{escape(error or '')}[/]")
