"""What "math reads like math in the terminal" means, as a check the bank, verifier and drill tests share.

``rendering_problems(latex)`` renders one math span with ``questions.render`` and lists what
is wrong with the result: LaTeX left over (a backslash, a macro's name shown as a word) or
sub/superscripts that run into what follows (``a_ijv_j``, ``W_qq_i``). The conventions are
the renderer's (its module docstring): a script is Unicode (``aᵢⱼ``), or follows ``_``/``^`` in
parentheses when longer than one character (``d_(model)``), or is one character kept apart
from a following letter (``W_q qᵢ``).
"""

from __future__ import annotations

import re

from questions.mathtext import split_math
from questions.render import OPERATOR_NAMES, SUBSCRIPTS, SUPERSCRIPTS, latex_to_unicode

_SCRIPT_CHARACTERS = set(SUBSCRIPTS.values()) | set(SUPERSCRIPTS.values()) | {"ᵀ"}
_MACRO = re.compile(r"\\([A-Za-z]+)")
# Macro names seen leaking in issue #14 (or likely to): never a word of rendered math.
KNOWN_LEAKS = ("binom", "bmod", "pmod", "textstyle", "displaystyle", "frac", "tfrac", "sqrt", "mathrm", "mathbb",
               "operatorname", "left", "right", "begin", "end", "pmatrix", "cases", "cdot", "times", "lor", "land")  # fmt: skip


def math_spans(text: str) -> list[str]:
    return [span.text for span in split_math(text) if span.is_math]


def rendering_problems(latex: str) -> list[str]:
    rendered = latex_to_unicode(latex)
    problems = []
    if "\\" in rendered:
        problems.append("a backslash is left")
    # A letter run of the source outside any macro may appear as is (\text{bytes}, d_{model});
    # a macro's name may not, unless it is an operator name shown as a word (log, max).
    plain_words = set(re.findall(r"[A-Za-z]+", _MACRO.sub(" ", latex)))
    rendered_words = set(re.findall(r"[A-Za-z]+", rendered))
    macro_names = (set(_MACRO.findall(latex)) | set(KNOWN_LEAKS)) - OPERATOR_NAMES - plain_words
    leaked = sorted(name for name in macro_names if len(name) > 1 and name in rendered_words)
    if leaked:
        problems.append(f"macro names shown as words: {leaked}")
    run_on = _run_together_script(rendered, latex)
    if run_on:
        problems.append(f"a script runs into what follows: {run_on!r}")
    return problems


def _run_together_script(rendered: str, latex: str) -> str | None:
    # Identifiers with an escaped underscore (\mathrm{rotate\_half}) are names, not scripts.
    for name in re.findall(r"[A-Za-z]+\\_[A-Za-z]+", latex):
        rendered = rendered.replace(name.replace("\\_", "_"), " ")
    for marker in re.finditer(r"[_^]", rendered):
        start = marker.end()
        if start >= len(rendered) or rendered[start] == "(":
            continue  # grouped: _(model)
        following = rendered[start + 1 : start + 2]
        if following and following.isalnum() and following not in _SCRIPT_CHARACTERS:
            return rendered[marker.start() : start + 2]
    return None


_LATEX_IN_PROSE = re.compile(r"\\[A-Za-z]+|[_^]\{")


def problems_in_texts(texts: dict[str, str], *, prose_is_unicode: bool = False) -> list[str]:
    """``{where: text}`` -> one line per problem, naming where it is: a math span that renders
    badly, or (``prose_is_unicode``: for text that writes its formulas in Unicode, as the verifiers
    do) LaTeX written outside ``$...$`` (``\\sqrt``, ``v_{i*}``), which nothing renders. Bank prose
    may name a LaTeX command on purpose ("the answer in \\boxed{}")."""
    found = []
    for where, text in texts.items():
        for span in split_math(text):
            if prose_is_unicode and not span.is_math and _LATEX_IN_PROSE.search(span.text):
                found.append(f"{where}: LaTeX outside $...$: {_LATEX_IN_PROSE.search(span.text).group(0)!r} in {span.text!r}")
        for latex in math_spans(text):
            for problem in rendering_problems(latex):
                found.append(f"{where}: ${latex}$ -> {latex_to_unicode(latex)!r}: {problem}")
    return found
