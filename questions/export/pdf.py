"""PDF study sheet: the HTML sheet laid out by WeasyPrint (an optional extra:
``pip install 'transformer-prep[pdf]'``). Text stays selectable; math is shown
as Unicode text because WeasyPrint does not lay out MathML."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from questions.export.errors import ExportError
from questions.export.html import Layout, render_html
from questions.export.sheet import StudySheet
from questions.export.writing import check_target, write_atomically


def cjk_font_available() -> bool:
    """Whether fontconfig knows a font with Chinese glyphs (unknown counts as yes)."""
    if shutil.which("fc-list") is None:
        return True
    listing = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(listing.stdout.strip())


def write_pdf(sheet: StudySheet, path: Path, *, layout: Layout = "single", force: bool = False) -> Path:
    check_target(path, force=force)  # fail before the slow layout, not after
    try:
        import logging

        from weasyprint import HTML

        # WeasyPrint logs every CSS property it ignores; none of that is news to the user.
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
    except (ImportError, OSError) as error:  # OSError: the Pango system library is missing
        raise ExportError(
            f"PDF export needs WeasyPrint and its system libraries ({error}); "
            "install them with: pip install 'transformer-prep[pdf]' (and Pango, e.g. apt-get install libpango-1.0-0)."
        ) from error
    document = render_html(sheet, layout=layout, math="unicode")
    return write_atomically(path, lambda temporary: HTML(string=document).write_pdf(temporary), force=force)
