"""The file a candidate starts from, cut out of the reference solution.

The stub keeps the reference's imports, its upper-case module constants, and
the entry function (or class, with each method) up to the end of its
docstring; every body becomes ``raise NotImplementedError``. So the stub's
signature and docstring are the reference's own and can never drift from what
the checks call. Helpers of the reference are left out: the candidate writes
their own.
"""

from __future__ import annotations

import ast
import textwrap
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verifiers.drills.spec import Drill

STUB_WIDTH = 88


def make_stub(drill: "Drill") -> str:
    source = drill.reference_source()
    lines = source.splitlines()
    tree = ast.parse(source, filename=str(drill.reference_path))
    parts = [_header(drill)]
    imports = [_segment(lines, node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    if imports:
        parts.append("\n".join(imports))
    constants = [_segment(lines, node) for node in tree.body if _is_constant(node)]
    if constants:
        parts.append("\n".join(constants))
    entry = _find_entry(tree, drill.entry, str(drill.reference_path))
    parts.append(_stub_of(entry, lines))
    return "\n\n\n".join(parts) + "\n"


def entry_signature(source: str, entry: str) -> str:
    """``name(arguments)`` of the entry function, or of a class's ``__init__`` (without ``self``),
    without annotations and with the defaults as the source writes them (``eps=1e-5``)."""
    tree = ast.parse(source)
    node = _find_entry(tree, entry, "the reference")
    if isinstance(node, ast.ClassDef):
        init = next((item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__"), None)
        return f"{entry}({'' if init is None else _plain_arguments(init.args, source, skip=1)})"
    return f"{entry}({_plain_arguments(node.args, source)})"


def _plain_arguments(arguments: ast.arguments, source: str, *, skip: int = 0) -> str:
    """Arguments as an interviewer writes them on a whiteboard: names and defaults only."""

    def default(node: ast.expr) -> str:
        return ast.get_source_segment(source, node) or ast.unparse(node)

    positional = [*arguments.posonlyargs, *arguments.args]
    first_default = len(positional) - len(arguments.defaults)
    parts = []
    for index, argument in enumerate(positional):
        if index < skip:
            continue
        value = arguments.defaults[index - first_default] if index >= first_default else None
        parts.append(argument.arg if value is None else f"{argument.arg}={default(value)}")
    if arguments.vararg is not None:
        parts.append(f"*{arguments.vararg.arg}")
    elif arguments.kwonlyargs:
        parts.append("*")
    for argument, value in zip(arguments.kwonlyargs, arguments.kw_defaults):
        parts.append(argument.arg if value is None else f"{argument.arg}={default(value)}")
    if arguments.kwarg is not None:
        parts.append(f"**{arguments.kwarg.arg}")
    return ", ".join(parts)


def _header(drill: "Drill") -> str:
    body = [
        f"Drill: {drill.title.en} / {drill.title.zh}",
        "",
        *_wrap(drill.task.en),
        "",
        *_wrap(drill.task.zh),
        "",
        f"Check:     tprep drill check {drill.id}",
        f"Hints:     tprep drill show {drill.id} --hints",
        f"Reference: tprep drill solution {drill.id}",
    ]
    text = "\n".join(body).replace('"""', "'''")
    return f'"""{text}\n"""'


def _wrap(paragraphs: str) -> list[str]:
    out: list[str] = []
    for paragraph in paragraphs.split("\n"):
        if not paragraph.strip():
            out.append("")
        elif paragraph.isascii():
            out.extend(textwrap.wrap(paragraph, STUB_WIDTH, break_on_hyphens=False) or [""])
        else:
            out.extend(_wrap_wide(paragraph))
    return out


def _wrap_wide(text: str) -> list[str]:
    """Wrap text that mixes CJK (two columns a character, breakable anywhere) and ASCII words."""
    lines, current, width = [], "", 0
    for token in _tokens(text):
        token_width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in token)
        if width + token_width > STUB_WIDTH and current.strip():
            lines.append(current.rstrip())
            current, width = token.lstrip(), token_width - (len(token) - len(token.lstrip()))
        else:
            current, width = current + token, width + token_width
    if current.strip():
        lines.append(current.rstrip())
    return lines


_NO_LINE_START = "，。、；：！？）」』》〉】"  # Chinese punctuation that must not begin a line


def _tokens(text: str) -> list[str]:
    """CJK characters one by one (closing punctuation stays with the character before it);
    runs of other characters (with their leading space) whole."""
    tokens: list[str] = []
    run = ""
    for char in text:
        if char in _NO_LINE_START and (run or tokens):
            if run:
                run += char
            else:
                tokens[-1] += char
        elif unicodedata.east_asian_width(char) in "WF":
            if run:
                tokens.append(run)
                run = ""
            tokens.append(char)
        elif char == " " and run.strip():
            tokens.append(run)
            run = char
        else:
            run += char
    if run:
        tokens.append(run)
    return tokens


def _is_constant(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assign):
        return all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id.isupper()
    return False


def _find_entry(tree: ast.Module, entry: str, where: str) -> ast.FunctionDef | ast.ClassDef:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == entry:
            return node
    raise ValueError(f"{where} defines no top-level function or class named {entry!r}")


def _segment(lines: list[str], node: ast.AST) -> str:
    return "\n".join(lines[node.lineno - 1 : node.end_lineno])  # type: ignore[attr-defined]


def _docstring_end(node: ast.FunctionDef | ast.ClassDef) -> int:
    """The last line of the header and docstring (1-based)."""
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.end_lineno  # type: ignore[return-value]
    return first.lineno - 1


def _stub_of(node: ast.FunctionDef | ast.ClassDef, lines: list[str]) -> str:
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    if isinstance(node, ast.FunctionDef):
        head = lines[start - 1 : _docstring_end(node)]
        indent = " " * node.body[0].col_offset
        return "\n".join([*head, f'{indent}raise NotImplementedError("write {node.name} here")'])
    out = lines[start - 1 : _docstring_end(node)]
    for item in node.body:
        if isinstance(item, ast.FunctionDef):
            method_start = min([item.lineno, *(d.lineno for d in item.decorator_list)])
            indent = " " * item.body[0].col_offset
            out += ["", *lines[method_start - 1 : _docstring_end(item)], f'{indent}raise NotImplementedError("write {node.name}.{item.name} here")']
    return "\n".join(out)
