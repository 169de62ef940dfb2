r"""LaTeX in bank text as readable Unicode for a terminal: ``$\frac{QK^T}{\sqrt{d_k}}$`` -> ``QKᵀ/√dₖ``.

Answers keep their math as ``$...$`` (or ``$$...$$``) LaTeX. The app, the
command line and the PDF show it as plain Unicode text, written by these rules
(one convention everywhere, so that a reader learns it once):

- Greek letters, operators and relations as their characters (``α``, ``·``,
  ``≤``, ``∑``); ``\frac{a}{b}`` as ``a/b``, a side in parentheses when it is
  compound (``(a+b)/2``); ``\sqrt{x}`` as ``√x``, the radicand in parentheses
  unless it is one symbol (``√dₖ``, ``√(sᵢᵢsⱼⱼ)``).
- **Sub- and superscripts.** A script every character of which has a Unicode
  sub/superscript form is written with them: ``x²``, ``Kᵀ``, ``x⁻¹``, ``x₁₀``,
  ``dₖ``, ``aᵢⱼ``, ``hₜ₋₁``. Otherwise it follows ``_`` or ``^``, in
  parentheses when it is longer than one character, so that it can never run
  into what follows: ``d_(model)``, ``π_(ref)``, ``PE_(pos,2i)``, ``e^(xᵢ)``;
  a one-character script without a Unicode form (``W_Q``) is followed by a
  space when a letter or digit comes next (``W_q qᵢ``, never ``W_qqᵢ``).
- Operator names (``log``, ``exp``, ``max``, ``softmax``...) are set apart
  from a letter that follows (``log π``, ``cos mθ``), and a fraction after one
  is parenthesised (``log(a/b)``), as is a fraction's use as a factor
  followed by more factors (``1/G ∑ᵢ``).
- Matrices read row by row: ``(cos θ, −sin θ; sin θ, cos θ)``.

The walk over the LaTeX is pylatexenc's parser; macros this module does not
treat itself fall back to pylatexenc's own Unicode conversion, and a macro
neither knows keeps its name (dropping ``\ne`` silently would flip a
statement). Broken LaTeX never raises: the source text is shown instead.
``tests/questions/test_math_rendering.py`` renders every math span of the
bank, the verifiers and the drills and checks that no LaTeX is left over.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from questions.mathtext import split_math

SUPERSCRIPTS = dict(
    zip(
        "0123456789+-=()niTabcdefghijklmoprstuvwxyzABDEGHIJKLMNOPRUVW′*",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵁⱽᵂ′*",
    )
)
SUPERSCRIPTS.update({"−": "⁻", "∗": "*", "β": "ᵝ", "γ": "ᵞ", "δ": "ᵟ", "θ": "ᶿ", "φ": "ᵠ", "ϕ": "ᵠ", "χ": "ᵡ"})
SUBSCRIPTS = dict(zip("0123456789+-=()−aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎₋ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
SUBSCRIPTS.update({"β": "ᵦ", "γ": "ᵧ", "ρ": "ᵨ", "φ": "ᵩ", "ϕ": "ᵩ", "χ": "ᵪ"})
_SCRIPT_CHARACTERS = frozenset(SUPERSCRIPTS.values()) | frozenset(SUBSCRIPTS.values()) | {"ᵀ"}

# Operator names LaTeX typesets upright (some pylatexenc does not know): shown as words,
# set apart from a following letter. Also used by the tests to tell a word from a leaked macro.
OPERATOR_NAMES = frozenset(
    """log ln lg exp sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos arctan max min sup inf lim
    liminf limsup arg det dim ker hom deg gcd Pr tr Tr diag rank softmax argmax argmin Var Cov KL sign""".split()
)
# Macros whose argument is shown as is: fonts, text, boxes.
_PASS_THROUGH = {
    "text", "textrm", "textit", "textbf", "texttt", "textsf", "mathrm", "mathit", "mathbf", "mathsf", "mathtt",
    "boldsymbol", "bm", "mathcal", "mbox", "emph", "underline", "boxed", "underbrace", "overbrace", "mathop",
}  # fmt: skip
_SPACES = {",": " ", ";": " ", ":": " ", ">": " ", "!": "", "quad": "  ", "qquad": "   ", " ": " ", "enspace": " ", "thinspace": " "}
_DROP = {
    "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "middle",
    "displaystyle", "textstyle", "scriptstyle", "scriptscriptstyle", "limits", "nolimits", "nonumber", "notag",
}  # fmt: skip
# Macros whose arguments are dropped with them (layout and colour only).
_DROP_WITH_ARGUMENTS = {"hspace", "vspace", "phantom", "hphantom", "vphantom", "label", "tag"}
_SYMBOLS = {
    "|": "‖", "{": "{", "}": "}", "%": "%", "$": "$", "_": "_", "#": "#", "&": "&",
    "top": "ᵀ", "intercal": "ᵀ", "cdot": "·", "cdots": "⋯", "ldots": "…", "dots": "…", "dotsb": "⋯", "dotsc": "…",
    "mid": " | ", "lvert": "|", "rvert": "|", "vert": "|", "lVert": "‖", "rVert": "‖", "Vert": "‖",
    "langle": "⟨", "rangle": "⟩",
    "ne": "≠", "neq": "≠", "iff": "⇔", "implies": "⇒", "impliedby": "⇐", "to": "→", "gets": "←",
    "approx": "≈", "propto": "∝", "sim": "∼", "equiv": "≡", "leq": "≤", "geq": "≥", "le": "≤", "ge": "≥",
    "lor": "∨", "land": "∧", "lnot": "¬", "neg": "¬", "coloneqq": "≔", "eqqcolon": "≕", "leadsto": "⇝",
    "S": "§", "colon": ":", "Re": "ℜ", "Im": "ℑ", "imath": "ı", "jmath": "ȷ", "bmod": " mod ",
}  # fmt: skip
_COMBINING_ACCENTS = {"overline": "\u0305", "bar": "\u0305", "widehat": "\u0302", "widetilde": "\u0303", "vec": "\u20d7"}
_MATRICES = {"matrix": ("[", "]"), "pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"),
             "vmatrix": ("|", "|"), "Vmatrix": ("‖", "‖"), "smallmatrix": ("(", ")"), "cases": ("{", "}"),
             "array": ("", ""), "aligned": ("", ""), "align": ("", ""), "align*": ("", ""), "gathered": ("", ""),
             "split": ("", "")}  # fmt: skip
# Binary operators and relations: spaced evenly however the source spaced them.
_OPERATORS = "·×÷±∓=≠≈≡≤≥<>→←⇒⇔↦∈∉⊂⊆∝∼⊙⊗⊕"
_BREAKS_ATOM = set(" +-−/,;:" + _OPERATORS)  # characters that make a piece need parentheses
_BIG_OPERATORS = set("∑∏∐∫∬∮⋃⋂⨁⨂")  # they reach over what follows: kept apart from it, never a bare denominator
_BIG_OPERATOR_MACROS = {"sum", "prod", "coprod", "int", "iint", "oint", "bigcup", "bigcap", "bigoplus", "bigotimes"}


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
        nodes, _, _ = LatexWalker(latex, latex_context=_latex_context(), tolerant_parsing=True).get_latex_nodes()
        return _tidy(_render_nodes(nodes or []))
    except Exception:  # malformed LaTeX must never break a screen; the source is still readable
        return latex.strip()


def load_latex_parser() -> None:
    """Import pylatexenc's parser and build its macro table now, which the first formula
    converted pays otherwise (~7 ms): for a caller that can do it before math is shown."""
    _latex_context()


@lru_cache(maxsize=1)
def _latex_context():
    """pylatexenc's macro table plus the arguments of macros it does not know (``\\binom{n}{k}``)."""
    from pylatexenc.latexwalker import get_default_latex_context_db
    from pylatexenc.macrospec import MacroSpec

    context = get_default_latex_context_db()
    context.add_context_category(
        "tprep",
        prepend=True,
        macros=[
            MacroSpec("binom", "{{"), MacroSpec("dbinom", "{{"), MacroSpec("tbinom", "{{"),
            MacroSpec("pmod", "{"), MacroSpec("overset", "{{"), MacroSpec("underset", "{{"), MacroSpec("stackrel", "{{"),
            MacroSpec("widehat", "{"), MacroSpec("widetilde", "{"), MacroSpec("overline", "{"), MacroSpec("vec", "{"),
            MacroSpec("boxed", "{"), MacroSpec("underbrace", "{"), MacroSpec("overbrace", "{"), MacroSpec("mathop", "{"),
            MacroSpec("color", "{"), MacroSpec("textcolor", "{{"), MacroSpec("colorbox", "{{"),
            MacroSpec("hspace", "*{"), MacroSpec("vspace", "*{"), MacroSpec("phantom", "{"), MacroSpec("hphantom", "{"),
            MacroSpec("vphantom", "{"), MacroSpec("operatorname", "*{"),
        ],  # fmt: skip
    )
    return context


def _tidy(text: str) -> str:
    # "a \cdot b" and "q\cdot k" both come out evenly: spaced on both sides or on neither
    text = re.sub(rf" ([{_OPERATORS}]) ?", r" \1 ", text)
    text = re.sub(rf"(?<! )([{_OPERATORS}]) (?=\S)", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


@dataclass(frozen=True)
class _Atom:
    """A script-sized piece: one character, or a whole group or macro, already rendered."""

    text: str
    kind: str = "plain"  # plain | script-marker (a bare ^ or _) | operator (log, max) | big-operator (∑) | fraction


def _render_nodes(nodes: list) -> str:
    """Render a node list, attaching ``^``/``_`` scripts to what precedes them and keeping
    apart what would otherwise run together (``W_q qᵢ``, ``log π``, ``1/G ∑``)."""
    atoms = _atoms(nodes)
    out: list[str] = []
    keep_apart = False  # the last piece must not touch a following letter or digit
    after_operator = False  # the last piece was an operator name: log(a/b), not "log a/b"
    last_kind = ""
    index = 0
    while index < len(atoms):
        atom = atoms[index]
        index += 1
        if atom.kind == "script-marker" and index < len(atoms):
            while index < len(atoms) - 1 and atoms[index].text == " ":
                index += 1
            script, bare = _script(atoms[index].text.strip(), superscript=atom.text == "^")
            index += 1
            out.append(script)
            keep_apart = keep_apart or bare
            continue
        text = atom.text
        if not text:
            continue  # \left, \big and the like
        if not text.strip():
            out.append(text)
            keep_apart = False
            continue
        if atom.kind == "fraction" and after_operator:
            out.append(f"({text})")
            keep_apart = after_operator = False
            continue
        if keep_apart and (_continues(text[0]) or (text[0] == "(" and last_kind == "fraction")):
            out.append(" ")  # "1/2 (a+b)", never "1/2(a+b)"
        elif atom.kind == "operator" and out and _ends_a_term(out[-1]):
            out.append(" ")  # "x cos θ", "f(x) log p": an operator name never glued to a term before it
        out.append(text)
        keep_apart = atom.kind in ("operator", "fraction", "big-operator")
        after_operator = atom.kind == "operator"
        last_kind = atom.kind
    return "".join(out)


def _ends_a_term(piece: str) -> bool:
    last = piece[-1:]
    return bool(last) and (last.isalnum() or last in ")]}" or last in _SCRIPT_CHARACTERS)


def _continues(char: str) -> bool:
    """Whether ``char`` written right after a script or an operator name would read as part of it."""
    return char.isalnum() or char in _BIG_OPERATORS or char in "√∛∜∇∂" or unicodedata.category(char) == "Mn"


def _atoms(nodes: list) -> list[_Atom]:
    """Flatten nodes into script-sized pieces: single characters, or a whole group/macro."""
    from pylatexenc.latexwalker import (
        LatexCharsNode,
        LatexCommentNode,
        LatexEnvironmentNode,
        LatexGroupNode,
        LatexMacroNode,
        LatexMathNode,
        LatexSpecialsNode,
    )

    atoms: list[_Atom] = []
    for node in nodes:
        if node is None or isinstance(node, LatexCommentNode):
            continue
        if isinstance(node, LatexCharsNode):
            atoms.extend(_Atom(char, "script-marker" if char in "^_" else "plain") for char in node.chars)
        elif isinstance(node, LatexGroupNode):
            atoms.append(_Atom(_render_nodes(node.nodelist or [])))
        elif isinstance(node, LatexMathNode):
            atoms.append(_Atom(_render_nodes(node.nodelist or [])))
        elif isinstance(node, LatexEnvironmentNode):
            atoms.append(_Atom(_render_environment(node)))
        elif isinstance(node, LatexSpecialsNode):
            atoms.append(_Atom({"~": " ", "&": " "}.get(node.specials_chars, node.specials_chars)))
        elif isinstance(node, LatexMacroNode):
            atoms.append(_render_macro(node))
        else:
            atoms.append(_Atom(_fallback(node)))
    return atoms


def _arguments(node) -> list:
    return [arg for arg in (node.nodeargd.argnlist if node.nodeargd else []) if arg is not None]


def _render_macro(node) -> _Atom:
    name = node.macroname
    args = _arguments(node)
    if name in OPERATOR_NAMES:
        return _Atom(name, "operator")
    if name in _BIG_OPERATOR_MACROS:
        return _Atom(_fallback(node) or name, "big-operator")
    if name == "operatorname":
        return _Atom(_render_arg(args[-1]) if args else "", "operator")
    if name == "mathrm" and args and re.fullmatch(r"[A-Za-z]{2,}", _render_arg(args[-1])):
        return _Atom(_render_arg(args[-1]), "operator")  # \mathrm{clip}(x), \mathrm{mean}(r): upright names
    if name in ("xrightarrow", "xleftarrow"):
        label = _render_arg(args[-1]) if args else ""
        return _Atom(f"—{label}→" if name == "xrightarrow" else f"←{label}—")
    if name in ("frac", "dfrac", "tfrac"):
        if len(args) != 2:  # malformed: show what there is
            return _Atom("/".join(_wrap(_render_arg(arg)) for arg in args))
        numerator, denominator = (_render_arg(arg) for arg in args)
        denominator = denominator if _is_atomic(denominator) and _is_one_factor(denominator) else f"({denominator})"
        return _Atom(f"{_wrap(numerator)}/{denominator}", "fraction")
    if name in ("binom", "dbinom", "tbinom") and len(args) == 2:
        return _Atom(f"C({_render_arg(args[0])}, {_render_arg(args[1])})")
    if name == "pmod":
        return _Atom(f" (mod {_render_arg(args[-1])})" if args else " mod")
    if name in ("overset", "stackrel") and len(args) == 2:
        return _Atom(_render_arg(args[1]) + _superscript_or_bracket(_render_arg(args[0])))
    if name == "underset" and len(args) == 2:
        return _Atom(_render_arg(args[1]) + _script(_render_arg(args[0]), superscript=False)[0])
    if name == "sqrt":
        if not args:
            return _Atom("√")
        radicand = _render_arg(args[-1])
        root = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(_render_arg(args[0]) if len(args) == 2 else "", None)
        if root is None:  # \sqrt[n]{x}
            root = _script(_render_arg(args[0]), superscript=True)[0] + "√"
        return _Atom(root + (radicand if _is_one_symbol(radicand) else f"({radicand})"))
    if name in _COMBINING_ACCENTS:
        accent = _COMBINING_ACCENTS[name]
        return _Atom("".join(char + accent for char in _render_arg(args[-1]) if not char.isspace()) if args else "")
    if name in ("color", "textcolor", "colorbox"):
        return _Atom(_render_arg(args[-1]) if name != "color" else "")
    if name in _PASS_THROUGH:  # without parsed arguments the group that follows is rendered on its own
        return _Atom(_render_arg(args[-1]) if args else "")
    if name in _DROP or name in _DROP_WITH_ARGUMENTS:
        return _Atom("")
    if name in _SPACES:
        return _Atom(_SPACES[name])
    if name == "\\":
        return _Atom("; ")  # a line break outside an environment
    if name in _SYMBOLS:
        return _Atom(_SYMBOLS[name])
    # A macro pylatexenc cannot render keeps its name: dropping "\\ne" silently would flip a statement.
    rendered = _fallback(node) or name
    if node.macro_post_space and not args and len(rendered) > 1 and rendered[-1].isalnum():
        rendered += " "  # "\sin x" is "sin x"
    return _Atom(rendered)


def _render_environment(node) -> str:
    """A matrix (or cases, aligned...) row by row: ``(a, b; c, d)``."""
    from pylatexenc.latexwalker import LatexMacroNode, LatexSpecialsNode

    opening, closing = _MATRICES.get(node.environmentname, ("", ""))
    rows: list[list[str]] = [[]]
    cell: list = []
    for child in node.nodelist or []:
        if isinstance(child, LatexSpecialsNode) and child.specials_chars == "&":
            rows[-1].append(_render_nodes(cell).strip())
            cell = []
        elif isinstance(child, LatexMacroNode) and child.macroname == "\\":
            rows[-1].append(_render_nodes(cell).strip())
            rows.append([])
            cell = []
        else:
            cell.append(child)
    rows[-1].append(_render_nodes(cell).strip())
    if node.environmentname in ("aligned", "align", "align*", "split", "gathered"):
        cells_joiner = ""  # & marks an alignment point, not a column
    else:
        cells_joiner = ", "
    body = "; ".join(cells_joiner.join(row) for row in rows if any(row))
    return f"{opening}{body}{closing}"


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
    """``text`` in parentheses unless it already reads as one unit next to ``/``."""
    return text if _is_atomic(text) else f"({text})"


def _is_atomic(text: str) -> bool:
    if not text:
        return True
    if _is_bracketed(text):
        return True
    if text[0] in _BIG_OPERATORS:
        return False
    depth = 0
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if depth == 0 and char in _BREAKS_ATOM:
            return False
    return True


def _is_one_symbol(text: str) -> bool:
    """One letter or number with its scripts and accents (``dₖ``, ``d_(model)``, ``x̂``, ``10``), or a
    bracketed whole: what ``√`` can stand before without parentheses."""
    if _is_bracketed(text):
        return True
    core = re.sub(r"[_^](\([^()]*\)|.)", "", text)
    core = "".join(char for char in core if char not in _SCRIPT_CHARACTERS and unicodedata.category(char) != "Mn")
    return bool(re.fullmatch(r"\d+(?:\.\d+)?|[^\W\d_]", core))


def _is_one_factor(text: str) -> bool:
    """What a denominator can be without parentheses: one symbol (``dₖ``), a root, derivative or
    gradient of one (``√dₖ``, ``∂W``), or one bracketed group, maybe named and with scripts
    (``exp(x)``, ``|oᵢ|``, ``‖V‖_c``). ``1/BT`` would read as ``(1/B)·T``: it is ``1/(BT)``."""
    text = text.lstrip("√∛∜∂∇")
    if _is_one_symbol(text):
        return True
    name = re.match(r"[^\W\d_]*", text).group(0)
    rest = text[len(name) :]
    for opening, closing in (("(", ")"), ("[", "]"), ("|", "|"), ("‖", "‖")):
        if rest.startswith(opening):
            end = _closing_match(rest) if opening in "([" else rest.find(closing, 1)
            if end <= 0:
                return False
            scripts = re.sub(r"[_^](\([^()]*\)|.)", "", rest[end + 1 :])
            return all(char in _SCRIPT_CHARACTERS for char in scripts)
    return False


def _is_bracketed(text: str) -> bool:
    return bool(text) and text[0] in "([" and _closing_match(text) == len(text) - 1


def _closing_match(text: str) -> int:
    """Index of the bracket closing ``text[0]``, or -1."""
    depth = 0
    for index, char in enumerate(text):
        depth += char in "(["
        depth -= char in ")]"
        if depth == 0:
            return index
    return -1


def _script(script: str, *, superscript: bool) -> tuple[str, bool]:
    """A sub/superscript by the module's convention, and whether it is a bare one-character
    ``_x``/``^x`` that a following letter must be kept apart from."""
    marker, table = ("^", SUPERSCRIPTS) if superscript else ("_", SUBSCRIPTS)
    if not script:
        return "", False
    if superscript and script in ("ᵀ", "′", "*"):  # \top, \prime, ^*: already a superscript
        return script, False
    compact = script.replace(" ", "")
    if all(char in table for char in compact):
        return "".join(table[char] for char in compact), False
    if len(script) == 1 or (len(script) == 2 and unicodedata.category(script[1]) == "Mn"):
        return marker + script, True
    if _is_bracketed(script):
        return marker + script, False
    return f"{marker}({script})", False


def _superscript_or_bracket(text: str) -> str:
    rendered, _ = _script(text, superscript=True)
    return rendered
