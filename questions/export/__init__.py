"""Study sheets: Markdown, self-contained HTML, PDF and an Anki deck.

``build_sheet`` orders a selection of the loaded bank (the same ``Bank`` the
app uses) and attaches verifier evidence; ``export_sheet`` writes one format
atomically, refusing to overwrite without ``force``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from questions.export.errors import ExportError
from questions.export.sheet import StudySheet, build_sheet

Format = Literal["md", "html", "pdf", "anki"]
FORMATS: tuple[Format, ...] = ("md", "html", "pdf", "anki")
EXTENSIONS: dict[str, str] = {"md": ".md", "html": ".html", "pdf": ".pdf", "anki": ".apkg"}


def export_sheet(sheet: StudySheet, fmt: Format, path: Path, *, force: bool = False, layout: str = "single") -> Path:
    """Write ``sheet`` as ``fmt`` to ``path``; returns the path written."""
    if fmt == "md":
        from questions.export.markdown import write_markdown

        return write_markdown(sheet, path, force=force)
    if fmt == "html":
        from questions.export.html import write_html

        return write_html(sheet, path, layout=layout, force=force)  # type: ignore[arg-type]
    if fmt == "pdf":
        from questions.export.pdf import write_pdf

        return write_pdf(sheet, path, layout=layout, force=force)  # type: ignore[arg-type]
    if fmt == "anki":
        from questions.export.anki import write_anki

        return write_anki(sheet, path, force=force)
    raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}.")


__all__ = ["EXTENSIONS", "FORMATS", "ExportError", "StudySheet", "build_sheet", "export_sheet"]
