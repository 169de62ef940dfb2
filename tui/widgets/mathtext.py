"""Math in bank text as readable Unicode for the terminal (``$\\sqrt{d_k}$`` -> ``√d_k``).

The conversion itself lives in ``questions.render``; this is the app's one
entry to it, cached because screens re-render the same answers on every
language switch.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def readable(text: str) -> str:
    if "$" not in text and "\\" not in text:
        return text  # nothing to convert: skip importing the renderer
    from questions.render import render_math

    return render_math(text)
