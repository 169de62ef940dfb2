"""Math in bank text as readable Unicode for the terminal (``$\\sqrt{d_k}$`` -> ``√dₖ``).

The conversion itself lives in ``questions.render``; this is the app's one
entry to it, cached because screens re-render the same answers on every
language switch. A short formula comes back with its spaces made no-break
spaces, so that wrapping (``tui.widgets.wrapped``, by the Unicode rules, which
never break at a no-break space) keeps it on one line, as ``questions.wrapping``
keeps short formulas whole; a longer one may still break at its spaces.
"""

from __future__ import annotations

from functools import lru_cache

# A formula this many cells wide or less is kept on one line: half of the narrowest text column
# the app lays bank text in at 80 columns (as questions.wrapping.SHORT_FORMULA_SHARE keeps).
GLUED_FORMULA_CELLS = 32
NO_BREAK_SPACE = "\u00a0"


@lru_cache(maxsize=4096)
def readable(text: str) -> str:
    if "$" not in text and "\\" not in text:
        return text  # nothing to convert: skip importing the renderer
    from rich.cells import cell_len

    from questions.mathtext import split_math
    from questions.render import latex_to_unicode

    if "$" not in text:
        return text
    pieces = []
    for span in split_math(text):
        if not span.is_math:
            pieces.append(span.text)
            continue
        shown = latex_to_unicode(span.text)
        if cell_len(shown) <= GLUED_FORMULA_CELLS:
            shown = shown.replace(" ", NO_BREAK_SPACE)
        pieces.append(shown)
    return "".join(pieces)
