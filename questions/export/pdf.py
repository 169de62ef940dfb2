"""PDF study sheet: the HTML sheet laid out by WeasyPrint (an optional extra:
``pip install 'transformer-prep[pdf]'``). Text stays selectable; math is shown
as Unicode text because WeasyPrint does not lay out MathML.

Chinese needs a font with its glyphs, which many machines lack: the export ships one
(``fonts/``: Noto Sans CJK SC cut down to GB2312 and the bank's characters, under the SIL Open
Font License) and names it after any installed Chinese font. Without it, each Chinese character
had no glyph, and WeasyPrint then encoded the whole font's text so that even the English could
not be copied out of the PDF.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from questions.export.errors import ExportError
from questions.export.html import BUNDLED_CJK_FAMILY, Layout, render_html
from questions.export.sheet import StudySheet
from questions.export.writing import check_target, write_atomically


# The shipped font; the sheet's CSS knows it as BUNDLED_CJK_FAMILY (questions/export/html.py).
BUNDLED_CJK_FONT = Path(__file__).parent / "fonts" / "NotoSansCJKsc-Regular-GB2312.woff2"


def cjk_font_available() -> bool:
    """Whether the PDF can show Chinese: the shipped font is there, or fontconfig knows a font
    with Chinese glyphs (unknown counts as yes)."""
    if BUNDLED_CJK_FONT.is_file() or shutil.which("fc-list") is None:
        return True
    listing = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(listing.stdout.strip())


def write_pdf(sheet: StudySheet, path: Path, *, layout: Layout = "single", force: bool = False) -> Path:
    check_target(path, force=force)  # fail before the slow layout, not after
    try:
        import logging

        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        # WeasyPrint logs every CSS property it ignores; none of that is news to the user.
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
    except (ImportError, OSError) as error:  # OSError: the Pango system library is missing
        raise ExportError(
            f"PDF export needs WeasyPrint and its system libraries ({error}); "
            "install them with: pip install 'transformer-prep[pdf]' (and Pango, e.g. apt-get install libpango-1.0-0)."
        ) from error
    document = render_html(sheet, layout=layout, math="unicode")
    fonts = FontConfiguration()
    stylesheets = []
    if BUNDLED_CJK_FONT.is_file():
        face = f'@font-face {{ font-family: "{BUNDLED_CJK_FAMILY}"; src: url("{BUNDLED_CJK_FONT.as_uri()}"); }}'
        stylesheets.append(CSS(string=face, font_config=fonts))
    return write_atomically(
        path,
        lambda temporary: HTML(string=document).write_pdf(temporary, stylesheets=stylesheets, font_config=fonts),
        force=force,
    )
