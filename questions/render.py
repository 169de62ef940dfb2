r"""LaTeX in bank text as readable Unicode for a terminal: ``$\frac{QK^T}{\sqrt{d_k}}$`` -> ``QKᵀ/√d_k``.

Answers keep their math as ``$...$`` (or ``$$...$$``) LaTeX. The app and the
Markdown export show it as plain Unicode: Greek letters and operators as their
characters, ``\sqrt{x}`` as ``√x``, ``\frac{a}{b}`` as ``a/b`` (parenthesised
when a side is compound), superscripts as Unicode superscripts when every
character has one (``x²``, ``Kᵀ``, ``x⁻¹``), digit subscripts as Unicode
subscripts (``x₁``), other subscripts as ``_`` identifiers (``d_k``,
``d_model``), the way people type them.

The walk over the LaTeX is pylatexenc's parser; macros this module does not
treat itself fall back to pylatexenc's own Unicode conversion. Broken LaTeX
never raises: the source text is shown instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

from questions.mathtext import split_math

SUPERSCRIPTS = dict(
    zip(
        "0123456789+-=()niTabcdefghijklmoprstuvwxyzABDEGHIJKLMNOPRUVW′*",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵁⱽᵂ′*",
    )
)
SUPERSCRIPTS["−"] = "⁻"
SUBSCRIPT_DIGITS = dict(zip("0123456789+-=()−", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎₋"))

# Macros whose argument is shown as is: fonts, text, operator names.
_PASS_THROUGH = {
    "text", "textrm", "textit", "textbf", "texttt", "mathrm", "mathit", "mathbf", "mathsf", "mathtt",
    "operatorname", "boldsymbol", "bm", "mathcal", "mbox", "emph", "underline", "overline",
}
_SPACES = {",": " ", ";": " ", ":": " ", "!": "", "quad": "  ", "qquad": "   ", " ": " "}
_DROP = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle", "limits", "nolimits"}
_SYMBOLS = {
    "|": "‖", "{": "{", "}": "}", "%": "%", "$": "$", "_": "_", "#": "#", "&": "&",
    "top": "ᵀ", "intercal": "ᵀ", "cdot": "·", "cdots": "⋯", "ldots": "…", "dots": "…",
    "mid": "|", "lvert": "|", "rvert": "|", "lVert": "‖", "rVert": "‖", "langle": "⟨", "rangle": "⟩",
    "ne": "≠", "neq": "≠", "iff": "⇔", "implies": "⇒", "impliedby": "⇐", "to": "→", "gets": "←",
    "approx": "≈", "propto": "∝", "sim": "∼", "equiv": "≡", "leq": "≤", "geq": "≥", "le": "≤", "ge": "≥",
}
# Operator names LaTeX typesets upright; pylatexenc knows only some of them.
_OPERATOR_NAMES = {"det", "tr", "Tr", "diag", "rank", "softmax", "argmax", "argmin", "Var", "Cov", "KL", "sign"}
# Binary operators and relations: spaced evenly however the source spaced them.
_OPERATORS = "·×÷±∓=≠≈≡≤≥<>→←⇒⇔↦∈∉⊂⊆∝∼"
_BREAKS_ATOM = set(" +-−/,;:" + _OPERATORS)  # characters that make a piece need parentheses


def render_math(text: str) -> str:
    """``text`` with each ``$...$`` / ``$$...$$`` span replaced by its Unicode rendering.

    Text outside math is left alone (an escaped ``\\$`` is a dollar sign); an
    unbalanced ``$`` leaves the rest of the text as written.
    """
    if "$" not in text:
        return text
    return "".join(latex_to_unicode(span.text) if span.is_math else span.text for span in split_math(text))


@lru_cache(maxsize=4096)
def latex_to_unicode(latex: str) -> str:
    """One math expression (without the ``$`` delimiters) as Unicode text."""
    try:
        from pylatexenc.latexwalker import LatexWalker

        # pylatexenc knows \frac's two arguments but not those of its text/display-style twins.
        latex = re.sub(r"\\[td]frac(?![a-zA-Z])", r"\\frac", latex)
        nodes, _, _ = LatexWalker(latex, tolerant_parsing=True).get_latex_nodes()
        return _tidy(_render_nodes(nodes or []))
    except Exception:  # malformed LaTeX must never break a screen; the source is still readable
        return latex.strip()


def _tidy(text: str) -> str:
    # "a \cdot b" and "q\cdot k" both come out evenly: spaced on both sides or on neither
    text = re.sub(rf" ([{_OPERATORS}]) ?", r" \1 ", text)
    text = re.sub(rf"(?<! )([{_OPERATORS}]) (?=\S)", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _render_nodes(nodes: list) -> str:
    """Render a node list, attaching ``^``/``_`` scripts to what precedes them."""
    atoms = _atoms(nodes)
    out: list[str] = []
    index = 0
    while index < len(atoms):
        atom = atoms[index]
        if atom in ("^", "_") and index + 1 < len(atoms):
            index += 1
            while index < len(atoms) - 1 and atoms[index] == " ":
                index += 1
            script = atoms[index].strip()
            out.append(_superscript(script) if atom == "^" else _subscript(script))
        else:
            out.append(atom)
        index += 1
    return "".join(out)


def _atoms(nodes: list) -> list[str]:
    """Flatten nodes into script-sized pieces: single characters, or a whole group/macro."""
    from pylatexenc.latexwalker import (
        LatexCharsNode,
        LatexCommentNode,
        LatexGroupNode,
        LatexMacroNode,
        LatexMathNode,
    )

    atoms: list[str] = []
    for node in nodes:
        if node is None or isinstance(node, LatexCommentNode):
            continue
        if isinstance(node, LatexCharsNode):
            atoms.extend(node.chars)
        elif isinstance(node, LatexGroupNode):
            atoms.append(_render_nodes(node.nodelist or []))
        elif isinstance(node, LatexMathNode):
            atoms.append(_render_nodes(node.nodelist or []))
        elif isinstance(node, LatexMacroNode):
            rendered = _render_macro(node)
            atoms.append(rendered)
            if node.macro_post_space and not _arguments(node) and len(rendered) > 1 and rendered[-1].isalnum():
                atoms.append(" ")  # "\sin x" is "sin x", not "sinx"; "\alpha x" stays "αx"
        else:
            atoms.append(_fallback(node))
    return atoms


def _arguments(node) -> list:
    return [arg for arg in (node.nodeargd.argnlist if node.nodeargd else []) if arg is not None]


def _render_macro(node) -> str:
    name = node.macroname
    args = _arguments(node)
    if name in ("xrightarrow", "xleftarrow"):
        label = _render_arg(args[-1]) if args else ""
        return f"—{label}→" if name == "xrightarrow" else f"←{label}—"
    if name in _OPERATOR_NAMES:
        return name
    if name in ("frac", "dfrac", "tfrac"):
        if len(args) != 2:  # malformed: show what there is
            return "/".join(_wrap(_render_arg(arg)) for arg in args)
        numerator, denominator = (_render_arg(arg) for arg in args)
        return f"{_wrap(numerator)}/{_wrap(denominator)}"
    if name == "sqrt":
        if not args:
            return "√"
        radicand = _render_arg(args[-1])
        root = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(_render_arg(args[0]) if len(args) == 2 else "", None)
        if root is None:  # \sqrt[n]{x}
            root = _superscript(_render_arg(args[0])) + "√"
        return root + _wrap(radicand)
    if name in _PASS_THROUGH:  # without parsed arguments the group that follows is rendered on its own
        return _render_arg(args[-1]) if args else ""
    if name in _DROP:
        return ""
    if name in _SPACES:
        return _SPACES[name]
    if name in _SYMBOLS:
        return _SYMBOLS[name]
    # A macro pylatexenc cannot render keeps its name: dropping "\\ne" silently would flip a statement.
    return _fallback(node) or name


def _render_arg(node) -> str:
    from pylatexenc.latexwalker import LatexGroupNode

    if isinstance(node, LatexGroupNode):
        return _render_nodes(node.nodelist or []).strip()
    return _render_nodes([node]).strip()


def _fallback(node) -> str:
    return _converter().nodelist_to_text([node])


@lru_cache(maxsize=1)
def _converter():
    import logging

    from pylatexenc.latex2text import LatexNodes2Text

    # pylatexenc logs a warning per malformed macro; in a terminal app that would draw over the screen
    logging.getLogger("pylatexenc").setLevel(logging.ERROR)

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def _wrap(text: str) -> str:
    """``text`` in parentheses unless it already reads as one unit next to ``/``, ``√`` or ``^``."""
    return text if _is_atomic(text) else f"({text})"


def _is_atomic(text: str) -> bool:
    if not text:
        return True
    if text[0] in "([" and _closing_match(text) == len(text) - 1:
        return True
    depth = 0
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if depth == 0 and char in _BREAKS_ATOM:
            return False
    return True


def _closing_match(text: str) -> int:
    """Index of the bracket closing ``text[0]``, or -1."""
    depth = 0
    for index, char in enumerate(text):
        depth += char in "(["
        depth -= char in ")]"
        if depth == 0:
            return index
    return -1


def _superscript(script: str) -> str:
    if script and all(char in SUPERSCRIPTS for char in script):
        return "".join(SUPERSCRIPTS[char] for char in script)
    if script == "ᵀ":  # \top, \intercal
        return script
    if len(script) == 1:
        return f"^{script}"
    # e^{x_i} must not read as e^x followed by _i
    return f"^{script}" if script[0] in "([" and _closing_match(script) == len(script) - 1 else f"^({script})"


def _subscript(script: str) -> str:
    if script and all(char in SUBSCRIPT_DIGITS for char in script) and any(c.isdigit() for c in script):
        return "".join(SUBSCRIPT_DIGITS[char] for char in script)
    if re.fullmatch(r"\w+", script):
        return f"_{script}"  # d_k, d_model, W_Q: the way people type identifiers
    return f"_{_wrap(script)}"
