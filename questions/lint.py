"""Strict validation of bank files: every problem at once, each at its file:line.

The files are *composed*, not loaded: ``yaml.compose`` (with libyaml's
``CSafeLoader`` when available) gives a node tree that keeps the line of every
key and value, so each message points at the exact field. Nothing is ever
constructed from a YAML tag: a tag that would build an object is a problem to
report, not code to run. Scalars are converted with the safe constructor.

Two passes:

1. per file: encoding, YAML syntax, tags, the shape of every question
   (unknown keys with the closest known one, missing or empty fields, both
   languages, types, difficulty, key points, choices, sources, references,
   caveats);
2. across all files: duplicate ids (also between the built-in bank and a
   user's directory), dangling ``follow_ups``/``related`` ids, follow-up
   cycles, unknown verifier ids (from ``verifiers.registry.known_ids()``),
   the same question text asked by two questions.

Entry points: ``lint_files`` (the engine), ``lint_dirs`` (what ``load_bank``
uses) and ``lint_targets`` (``tprep bank lint PATH...``: the given files,
checked against the rest of the bank). The rules are documented in
``docs/bank-schema.md``; the field names live in ``questions.schema``.
"""

from __future__ import annotations

import difflib
import graphlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Iterable, Iterator, Sequence

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from questions import schema
from questions.errors import BankDirectoryError, Problem, display_path
from questions.files import BankFile, file_identity, files_in_dirs, is_shipped, user_bank_files
from questions.lint_report import LintReport
from questions.model import Caveat, Choice, Origin, Question, Reference, Source, Text, TextList


_COMPOSE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML = "tag:yaml.org,2002:"
_STR, _INT, _BOOL, _NULL = (_YAML + name for name in ("str", "int", "bool", "null"))
_SAFE_TAGS = {_YAML + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}
_SCALAR_CONSTRUCTOR = SafeConstructor()
_TAG_PRECEDERS = frozenset(" \t\r\n[{,")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _may_have_tags(text: str) -> bool:
    """Whether the text may hold an explicit YAML tag ("!foo", "!!python/...").

    Only an explicit tag gives a node a tag beyond plain data, and it must follow
    a line start, whitespace or flow punctuation. Files without one (nearly all)
    skip the walk over every node; ``str.find`` keeps this check far cheaper
    than that walk.
    """
    position = text.find("!")
    while position != -1:
        if position == 0 or text[position - 1] in _TAG_PRECEDERS:
            return True
        position = text.find("!", position + 1)
    return False


# --------------------------------------------------------------------------- entry points


def lint_dirs(dirs: Sequence[Path] = (), *, include_builtin: bool = True) -> LintReport:
    """Check the built-in bank (if wanted) merged with the user's directories."""
    return lint_files(files_in_dirs(dirs, include_builtin=include_builtin))


def lint_targets(targets: Sequence[Path], context_dirs: Sequence[Path] = ()) -> LintReport:
    """Check the given files or directories against the rest of the bank.

    The targets are checked together with the built-in bank and ``context_dirs``
    so that ids they refer to (or clash with) elsewhere are known; only problems
    located in the targets are reported. A target inside the built-in bank takes
    the place of that file rather than being read twice.
    """
    target_files: list[BankFile] = []
    for target in targets:
        target = Path(target)
        if target.is_dir():
            target_files.extend(BankFile(p, shipped=is_shipped(p)) for p in user_bank_files(target))
        elif target.is_file():
            target_files.append(BankFile(target, shipped=is_shipped(target)))
        else:
            raise BankDirectoryError(target, "no such file or directory; give bank files (*.yaml) or directories")
    pending = {file_identity(f.path): f for f in target_files}
    # Bank order decides which of two equal ids is "first": a target keeps its
    # place in the bank, and targets from elsewhere come after it, like --bank dirs.
    ordered = [pending.pop(file_identity(f.path), f) for f in files_in_dirs(context_dirs)]
    ordered.extend(pending.values())
    chosen = {file_identity(f.path) for f in target_files}
    report = lint_files(ordered)
    return LintReport(
        questions=tuple(q for q in report.questions if q.origin is None or file_identity(q.origin.path) in chosen),
        problems=tuple(p for p in report.problems if file_identity(p.path) in chosen),
        files=tuple(f.path for f in target_files),
        notes=report.notes,
    )


def lint_files(files: Sequence[BankFile], *, verifier_ids: Collection[str] | None = None) -> LintReport:
    """Check every file, then the references between all their questions.

    ``verifier_ids`` defaults to the verifier registry's known ids (looked up
    lazily so that ``questions`` never imports the verifiers at start-up).
    """
    problems: list[Problem] = []
    entries: list[_Entry] = []
    for bank_file in files:
        checker = _FileChecker(bank_file, problems)
        entries.extend(checker.check())
    notes: list[str] = []
    if verifier_ids is None:
        verifier_ids, note = known_verifier_ids()
        if note:
            notes.append(note)
    _check_across_files(entries, problems, verifier_ids)
    return LintReport(
        questions=tuple(e.question for e in entries if e.question is not None),
        problems=tuple(sorted(problems)),
        files=tuple(f.path for f in files),
        notes=tuple(notes),
    )


def known_verifier_ids() -> tuple[frozenset[str] | None, str | None]:
    """The verifier ids the registry knows, and a note when the answer is incomplete.

    ``(None, note)``: the registry cannot be used at all, so the verifier-id check
    is skipped. ``(ids, note)``: some verifier modules failed to load, so a valid
    id may be reported unknown; the note names them.
    """
    try:
        from verifiers.registry import known_ids
    except ImportError as error:
        return None, f"verifier ids not checked: the verifier registry cannot be imported ({error})"
    try:
        ids = frozenset(known_ids())
    except Exception as error:  # noqa: BLE001 - a broken registry must not take the bank down with it
        return None, f"verifier ids not checked: the verifier registry failed ({type(error).__name__}: {error})"
    try:
        from verifiers.registry import default_registry

        failures = tuple(default_registry().problems)
    except (ImportError, AttributeError):
        failures = ()
    if failures:
        return ids, "some verifiers could not be loaded, so their ids count as unknown: " + "; ".join(failures)
    return ids, None


# --------------------------------------------------------------------------- pass 1: one file


@dataclass
class _Reference:
    field: str
    target: str
    line: int


@dataclass
class _Entry:
    """A question as far as it parsed: enough for the cross-file checks."""

    id: str
    path: Path
    line: int
    shipped: bool
    question: Question | None
    follow_ups: list[_Reference] = field(default_factory=list)
    related: list[_Reference] = field(default_factory=list)
    verifiers: list[_Reference] = field(default_factory=list)


@dataclass
class _Records:
    """The mapping items of a list, as ``_FileChecker._records`` found them."""

    items: list[tuple[str, MappingNode, dict[str, tuple[Node, Node]]]] = field(default_factory=list)
    complete: bool = True

    def __iter__(self) -> Iterator[tuple[str, MappingNode, dict[str, tuple[Node, Node]]]]:
        return iter(self.items)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _describe(node: Node) -> str:
    """What the user wrote, in words, for 'expected X, got Y' messages."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    kind = node.tag.removeprefix(_YAML)
    if kind == "null":
        return "nothing (null)"
    if kind == "bool":
        return f"the boolean {node.value}"
    if kind in ("int", "float"):
        return f"the number {node.value}"
    if kind == "timestamp":
        return f"the date {node.value}"
    text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return f"the text {text!r}"


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL


def _present(items: dict[str, tuple[Node, Node]], key: str) -> bool:
    """Whether a mapping gives ``key`` a value (a key with nothing after it counts as absent)."""
    return key in items and not _is_null(items[key][1])


def _peek_id(node: MappingNode) -> str | None:
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == "id" and isinstance(value, ScalarNode):
            if schema.ID_PATTERN.fullmatch(value.value):
                return value.value
    return None


def _suggest(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "known keys: " + ", ".join(known)


class _FileChecker:
    """Checks one file's structure and builds its questions; problems go to a shared list."""

    def __init__(self, bank_file: BankFile, problems: list[Problem]) -> None:
        self.path = bank_file.path
        self.shipped = bank_file.shipped
        self.problems = problems
        self.question_id: str | None = None  # the question being checked, for messages
        self.keys: dict[int, Node] = {}  # id(value node) -> its key node, for line numbers
        self.text = ""

    def line(self, node: Node) -> int:
        """Where a message about this node points: a value's key line (so a problem
        with a whole block list names the line of its key), else the node's own."""
        key = self.keys.get(id(node))
        return _line(key if key is not None else node)

    def report(self, line: int, field_name: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, self.question_id, field_name, message))

    # ---- reading

    def check(self) -> list[_Entry]:
        root = self._compose()
        if root is None:
            return []
        if _may_have_tags(self.text) and not self._tags_are_safe(root):
            return []
        if not isinstance(root, MappingNode):
            self.report(self.line(root), "file", f"expected a mapping with 'topic:' and 'questions:', got {_describe(root)}")
            return []
        items = self._mapping(root, "", schema.FILE_KEYS)
        self._check_topic(root, items.get("topic"))
        questions_node = items.get("questions")
        if questions_node is None:
            self.report(self.line(root), "questions", "missing: add 'questions:' with a list of questions")
            return []
        question_nodes = self._list(questions_node[1], "questions")
        if question_nodes is None:
            return []
        if not question_nodes:
            self.report(self.line(questions_node[0]), "questions", "empty: add at least one question or delete the file")
        topic = self._scalar_text(items["topic"][1]) if "topic" in items else None
        entries = []
        for node in question_nodes:
            entry = self._question(node, topic or self.path.stem)
            if entry is not None:
                entries.append(entry)
        self.question_id = None
        return entries

    def _compose(self) -> Node | None:
        try:
            raw = self.path.read_bytes()
        except OSError as error:
            self.report(0, "file", f"cannot be read ({error.strerror or error}); check the path and its permissions")
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            self.report(line, "encoding", f"not UTF-8 (byte 0x{raw[error.start]:02x} cannot be decoded); save the file as UTF-8")
            return None
        self.text = text
        try:
            root = yaml.compose(text, Loader=_COMPOSE_LOADER)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            where = mark.line + 1 if mark is not None else 1
            detail = error.problem or "cannot be parsed"
            if error.context:
                started = error.context_mark.line + 1 if error.context_mark is not None else where
                detail = f"{error.context}{f' (started at line {started})' if started != where else ''}: {detail}"
            self.report(where, "yaml", f"syntax error {detail}; fix the indentation, quoting or punctuation there")
            return None
        except yaml.reader.ReaderError as error:  # a character YAML forbids (NUL, other control characters)
            line = text[: error.position].count("\n") + 1
            self.report(
                line,
                "yaml",
                f"control character U+{error.character:04X} is not allowed in YAML; delete it (editors often show it as a box or ^@)",
            )
            return None
        except yaml.YAMLError as error:
            self.report(1, "yaml", f"cannot be parsed: {error}")
            return None
        if root is None:
            self.report(1, "file", "empty file: a bank file needs 'topic:' and 'questions:'")
        return root

    def _tags_are_safe(self, root: Node) -> bool:
        """Report every tag that would construct something beyond plain data."""
        safe = True
        stack = [root]
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:  # aliases share nodes
                continue
            seen.add(id(node))
            if node.tag not in _SAFE_TAGS:
                safe = False
                tag = node.tag.replace(_YAML, "!!")
                if tag.startswith("!!python") or "python" in tag:
                    why = "it would construct a Python object; bank files are loaded as plain data only"
                else:
                    why = "it is not a plain YAML type"
                self.report(self.line(node), "yaml", f"YAML tag '{tag}' is not allowed: {why}; remove the tag")
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    stack.extend((key, value))
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)
        return safe

    # ---- generic shapes

    def _mapping(self, node: MappingNode, where: str, known: Sequence[str]) -> dict[str, tuple[Node, Node]]:
        """The mapping's entries by key; reports unknown and repeated keys."""
        items: dict[str, tuple[Node, Node]] = {}
        prefix = f"{where}." if where else ""
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
                self.report(self.line(key_node), f"{prefix}?", f"keys must be plain words, got {_describe(key_node)}")
                continue
            key = key_node.value
            if key not in known:
                self.report(self.line(key_node), f"{prefix}{key}", f"unknown key '{key}': {_suggest(key, known)}")
                continue
            if key in items:
                first = self.line(items[key][0])
                self.report(self.line(key_node), f"{prefix}{key}", f"repeated key (first at line {first}); YAML keeps only the last, so merge them")
                continue
            items[key] = (key_node, value_node)
            self.keys[id(value_node)] = key_node
        return items

    def _list(self, node: Node, where: str) -> list[Node] | None:
        if _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.report(self.line(node), where, f"expected a list, got {_describe(node)}")
            return None
        return node.value

    def _records(self, node: Node, where: str, known: Sequence[str], shape: str) -> "_Records | None":
        """A list of mappings (choices, sources, caveats): each item's path, node and entries.

        Items that are not mappings are reported and left out; ``complete`` says
        whether any was.
        """
        nodes = self._list(node, where)
        if nodes is None:
            return None
        records = _Records()
        for index, item in enumerate(nodes):
            here = f"{where}[{index}]"
            if not isinstance(item, MappingNode):
                self.report(self.line(item), here, f"expected {shape}, got {_describe(item)}")
                records.complete = False
                continue
            records.items.append((here, item, self._mapping(item, here, known)))
        return records

    def _scalar_text(self, node: Node) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == _STR:
            return node.value
        return None

    def _string(self, node: Node, where: str, *, what: str = "text") -> str | None:
        """A non-empty string, else a problem."""
        if not isinstance(node, ScalarNode) or node.tag != _STR:
            hint = "; put it in quotes" if isinstance(node, ScalarNode) and not _is_null(node) else ""
            self.report(self.line(node), where, f"expected {what}, got {_describe(node)}{hint}")
            return None
        if not node.value.strip():
            self.report(self.line(node), where, "empty: write the text")
            return None
        return node.value

    def _required(self, items: dict[str, tuple[Node, Node]], key: str, parent: Node, where: str) -> Node | None:
        if key not in items:
            self.report(self.line(parent), where, "missing: this field is required")
            return None
        value = items[key][1]
        if _is_null(value):
            self.report(self.line(items[key][0]), where, "empty: this field is required")
            return None
        return value

    def _text(self, node: Node, where: str) -> Text | None:
        """``{zh: ..., en: ...}``, both non-empty."""
        if not isinstance(node, MappingNode):
            self.report(self.line(node), where, f"expected both languages as {{zh: ..., en: ...}}, got {_describe(node)}")
            return None
        items = self._mapping(node, where, schema.LANGUAGES)
        return self._languages(items, node, where)

    def _prose(self, node: Node, where: str) -> Text | None:
        """The question or the answer: both languages, each written in its language.

        Only these two are checked for script: key points and options may be a
        formula alone, the same in both languages.
        """
        text = self._text(node, where)
        if text is None:
            return None
        items = self._keys_of(node)
        if not _CJK.search(text.zh):
            self.report(self.line(items.get("zh", node)), f"{where}.zh", "has no Chinese characters; the zh text must be the Chinese version")
            return None
        if len(_CJK.findall(text.en)) > schema.MAX_CJK_SHARE_IN_ENGLISH * len(text.en):
            self.report(self.line(items.get("en", node)), f"{where}.en", "is mostly Chinese; the en text must be the English version")
            return None
        return text

    def _keys_of(self, node: Node) -> dict[str, Node]:
        """A mapping's value nodes by key (for pointing at one of them after the fact)."""
        if not isinstance(node, MappingNode):
            return {}
        return {key.value: value for key, value in node.value if isinstance(key, ScalarNode)}

    def _languages(self, items: dict[str, tuple[Node, Node]], node: Node, where: str) -> Text | None:
        values = {}
        for lang in schema.LANGUAGES:
            if lang not in items:
                self.report(self.line(node), f"{where}.{lang}", f"language missing: add the {'Chinese' if lang == 'zh' else 'English'} text")
                continue
            values[lang] = self._string(items[lang][1], f"{where}.{lang}")
        if values.get("zh") is None or values.get("en") is None:
            return None
        return Text(zh=values["zh"], en=values["en"])

    def _id_list(self, node: Node, where: str, what: str) -> list[tuple[str, int]]:
        """A list of ids (questions or verifiers), each with its line; reports malformed ones."""
        nodes = self._list(node, where)
        ids: list[tuple[str, int]] = []
        seen: set[str] = set()
        for index, item in enumerate(nodes or ()):
            value = self._string(item, f"{where}[{index}]", what=f"a {what} id")
            if value is None:
                continue
            if not schema.ID_PATTERN.fullmatch(value):
                self.report(self.line(item), f"{where}[{index}]", f"'{value}' is not a valid {what} id ({schema.ID_RULE})")
                continue
            if value in seen:
                self.report(self.line(item), f"{where}[{index}]", f"'{value}' is listed twice; remove the repeat")
                continue
            seen.add(value)
            ids.append((value, self.line(item)))
        return ids

    # ---- the file and its questions

    def _check_topic(self, root: Node, topic_item: tuple[Node, Node] | None) -> None:
        if topic_item is None:
            self.report(self.line(root), "topic", f"missing: add 'topic: {self.path.stem}' (the file name without .yaml)")
            return
        topic = self._string(topic_item[1], "topic", what="the topic id")
        if topic is not None and topic != self.path.stem:
            self.report(
                self.line(topic_item[1]),
                "topic",
                f"'{topic}' does not match the file name {self.path.name}. A topic is named by its file: the app, "
                f"the exports and --bank merging find a topic's questions by file name (your {topic}.yaml adds "
                f"to the built-in {topic}.yaml). To add these questions to the topic '{topic}', rename the file "
                f"to {topic}.yaml; to make a topic of its own, write 'topic: {self.path.stem}'.",
            )

    def _question(self, node: Node, topic: str) -> _Entry | None:
        self.question_id = None
        if not isinstance(node, MappingNode):
            self.report(self.line(node), "questions[]", f"expected a question (a mapping starting with 'id:'), got {_describe(node)}")
            return None
        self.question_id = _peek_id(node)  # so that every message about this question names it
        items = self._mapping(node, "", schema.QUESTION_KEYS)
        question_id = self._question_id(items, node)
        self.question_id = question_id
        line = self.line(node)
        entry = _Entry(id=question_id or "", path=self.path, line=line, shipped=self.shipped, question=None)

        def required(key: str, parse: Callable[[Node, str], object]) -> object:
            value = self._required(items, key, node, key)
            return None if value is None else parse(value, key)

        def optional(key: str, parse: Callable[[Node, str], object], default: object = ()) -> object:
            if key not in items or _is_null(items[key][1]):
                return default
            return parse(items[key][1], key)

        difficulty = required("difficulty", self._difficulty)
        tags = required("tags", self._tags)
        question_text = required("question", self._prose)
        answer = required("answer", self._prose)
        key_points = required("key_points", self._key_points)
        choices = optional("choices", self._choices)
        sources = optional("sources", self._sources)
        references = optional("references", self._references)
        if self.shipped and not _present(items, "sources") and not _present(items, "references"):
            # A question the documents ask cites where; one they do not ask rests on papers.
            self.report(
                self.line(node),
                "sources",
                "missing: cite where a seed document asks this ({doc, heading}) or, for a question the documents "
                "do not ask, add 'references:' with at least one paper ({title, authors, year, arxiv or url})",
            )
            sources = None
        caveats = optional("caveats", lambda n, w: self._caveats(n, w, entry))
        entry.follow_ups = [_Reference("follow_ups", *ref) for ref in optional("follow_ups", lambda n, w: self._id_list(n, w, "question"))]  # type: ignore[union-attr]
        entry.related = [_Reference("related", *ref) for ref in optional("related", lambda n, w: self._id_list(n, w, "question"))]  # type: ignore[union-attr]
        entry.verifiers.extend(_Reference("verifiers", *ref) for ref in optional("verifiers", lambda n, w: self._id_list(n, w, "verifier")))  # type: ignore[union-attr]
        for reference in entry.follow_ups + entry.related:
            if reference.target == question_id:
                self.report(reference.line, reference.field, f"the question refers to itself; {reference.field} name other questions")

        if question_id is None:
            return None
        parts = (difficulty, tags, question_text, answer, key_points, choices, sources, references, caveats)
        if any(part is None for part in parts):
            return entry
        entry.question = Question(
            id=question_id,
            topic=topic,
            difficulty=difficulty,  # type: ignore[arg-type]
            tags=tags,  # type: ignore[arg-type]
            question=question_text,  # type: ignore[arg-type]
            answer=answer,  # type: ignore[arg-type]
            key_points=key_points,  # type: ignore[arg-type]
            sources=sources,  # type: ignore[arg-type]
            choices=choices,  # type: ignore[arg-type]
            follow_ups=tuple(r.target for r in entry.follow_ups),
            related=tuple(r.target for r in entry.related),
            verifiers=tuple(r.target for r in entry.verifiers if r.field == "verifiers"),
            caveats=caveats,  # type: ignore[arg-type]
            references=references,  # type: ignore[arg-type]
            origin=Origin(self.path, line),
        )
        return entry

    def _question_id(self, items: dict[str, tuple[Node, Node]], node: Node) -> str | None:
        if "id" not in items:
            self.report(self.line(node), "id", "missing: every question needs a stable id, e.g. 'id: attention-scale-sqrt-dk'")
            return None
        value = self._string(items["id"][1], "id", what="the question id")
        if value is None:
            return None
        if not schema.ID_PATTERN.fullmatch(value):
            self.report(self.line(items["id"][1]), "id", f"'{value}' is not a valid id ({schema.ID_RULE})")
            return None
        return value

    def _difficulty(self, node: Node, where: str) -> int | None:
        levels = ", ".join(f"{level} {name}" for level, name in schema.DIFFICULTIES.items())
        if isinstance(node, ScalarNode) and node.tag == _INT:
            value = _SCALAR_CONSTRUCTOR.construct_yaml_int(node)
            if value in schema.DIFFICULTIES:
                return value
        self.report(self.line(node), where, f"expected 1, 2 or 3 ({levels}), got {_describe(node)}")
        return None

    def _tags(self, node: Node, where: str) -> tuple[str, ...] | None:
        nodes = self._list(node, where)
        if nodes is None:
            return None
        if not nodes:
            self.report(self.line(node), where, "empty: give at least one tag")
            return None
        tags: list[str] = []
        for index, item in enumerate(nodes):
            value = self._string(item, f"{where}[{index}]", what="a tag")
            if value is None:
                return None
            if value in tags:
                self.report(self.line(item), f"{where}[{index}]", f"tag '{value}' is listed twice; remove the repeat")
                continue
            tags.append(value)
        return tuple(tags)

    def _key_points(self, node: Node, where: str) -> TextList | None:
        if not isinstance(node, MappingNode):
            self.report(self.line(node), where, f"expected {{zh: [...], en: [...]}}, got {_describe(node)}")
            return None
        items = self._mapping(node, where, schema.LANGUAGES)
        lists: dict[str, tuple[str, ...] | None] = {}
        for lang in schema.LANGUAGES:
            if lang not in items:
                self.report(self.line(node), f"{where}.{lang}", f"language missing: add the {'Chinese' if lang == 'zh' else 'English'} key points")
                lists[lang] = None
                continue
            lists[lang] = self._key_point_list(items[lang][1], f"{where}.{lang}")
        zh, en = lists.get("zh"), lists.get("en")
        if zh is None or en is None:
            return None
        if len(zh) != len(en):
            self.report(
                self.line(node),
                where,
                f"{len(zh)} Chinese key points but {len(en)} English ones; each point needs both languages, in the same order",
            )
            return None
        return TextList(zh=zh, en=en)

    def _key_point_list(self, node: Node, where: str) -> tuple[str, ...] | None:
        nodes = self._list(node, where)
        if nodes is None:
            return None
        points = [self._string(item, f"{where}[{index}]", what="a key point") for index, item in enumerate(nodes)]
        if any(point is None for point in points):
            return None
        if not schema.KEY_POINTS_MIN <= len(points) <= schema.KEY_POINTS_MAX:
            self.report(
                self.line(node),
                where,
                f"{len(points)} key points; give {schema.KEY_POINTS_MIN} to {schema.KEY_POINTS_MAX} checkable points",
            )
            return None
        return tuple(points)  # type: ignore[arg-type]

    def _choices(self, node: Node, where: str) -> tuple[Choice, ...] | None:
        records = self._records(node, where, schema.CHOICE_KEYS, "{zh: ..., en: ..., correct: true}")
        if records is None:
            return None
        choices: list[Choice] = []
        seen: set[tuple[str, str]] = set()
        ok = records.complete
        for here, item, items in records:
            text = self._languages(items, item, here)
            correct = False
            if "correct" in items:
                value = items["correct"][1]
                if isinstance(value, ScalarNode) and value.tag == _BOOL:
                    correct = _SCALAR_CONSTRUCTOR.construct_yaml_bool(value)
                else:
                    self.report(self.line(value), f"{here}.correct", f"expected true or false, got {_describe(value)}")
                    ok = False
            if text is None:
                ok = False
                continue
            if (text.zh, text.en) in seen:
                self.report(self.line(item), here, "the same option appears twice; make every option different")
                ok = False
            seen.add((text.zh, text.en))
            choices.append(Choice(text=text, correct=correct))
        if not ok:
            return None
        right = sum(choice.correct for choice in choices)
        wrong = len(choices) - right
        if right < schema.CHOICES_MIN_CORRECT:
            self.report(self.line(node), where, "no option is marked 'correct: true'; mark the right one(s)")
            ok = False
        if wrong < schema.CHOICES_MIN_WRONG:
            self.report(
                self.line(node),
                where,
                f"{wrong} wrong option{'s' if wrong != 1 else ''}; give at least {schema.CHOICES_MIN_WRONG} plausible wrong options",
            )
            ok = False
        return tuple(choices) if ok else None

    def _document(self, node: Node, where: str) -> str | None:
        doc = self._string(node, where, what="a document file name")
        if doc is not None and self.shipped and doc not in schema.SEED_DOCUMENTS:
            close = difflib.get_close_matches(doc, schema.SEED_DOCUMENTS, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else "the seed documents are " + ", ".join(schema.SEED_DOCUMENTS)
            self.report(self.line(node), where, f"'{doc}' is not one of the five seed documents: {hint}")
            return None
        return doc

    def _sources(self, node: Node, where: str) -> tuple[Source, ...] | None:
        records = self._records(node, where, schema.SOURCE_KEYS, "{doc: ..., heading: ...}")
        if records is None:
            return None
        if not records.items and records.complete:
            self.report(self.line(node), where, "empty: cite at least one {doc, heading} where a document asks this")
            return None
        sources: list[Source] = []
        ok = records.complete
        for here, item, items in records:
            doc_node = self._required(items, "doc", item, f"{here}.doc")
            heading_node = self._required(items, "heading", item, f"{here}.heading")
            doc = self._document(doc_node, f"{here}.doc") if doc_node is not None else None
            heading = self._string(heading_node, f"{here}.heading") if heading_node is not None else None
            if doc is None or heading is None:
                ok = False
                continue
            source = Source(doc=doc, heading=heading.strip())
            if source in sources:
                self.report(self.line(item), here, "the same source is cited twice; remove the repeat")
                continue
            sources.append(source)
        return tuple(sources) if ok else None

    def _references(self, node: Node, where: str) -> tuple[Reference, ...] | None:
        records = self._records(node, where, schema.REFERENCE_KEYS, "{title, authors, year, arxiv or url}")
        if records is None:
            return None
        if not records.items and records.complete:
            self.report(self.line(node), where, "empty: give at least one {title, authors, year, arxiv or url}, or remove the field")
            return None
        references: list[Reference] = []
        ok = records.complete
        for here, item, items in records:
            parts: dict[str, object] = {}
            for key in schema.REFERENCE_REQUIRED_KEYS:
                value = self._required(items, key, item, f"{here}.{key}")
                if value is None:
                    parts[key] = None
                elif key == "year":
                    parts[key] = self._year(value, f"{here}.year")
                else:
                    parts[key] = self._string(value, f"{here}.{key}")
            arxiv = url = None
            if _present(items, "arxiv"):
                arxiv = self._string(items["arxiv"][1], f"{here}.arxiv", what="an arXiv id such as '1706.03762'")
                if arxiv is not None and not schema.ARXIV_PATTERN.fullmatch(arxiv.strip()):
                    self.report(
                        self.line(items["arxiv"][1]),
                        f"{here}.arxiv",
                        f"'{arxiv}' is not an arXiv id: write the id alone, e.g. '1706.03762' (no 'arXiv:' prefix, no URL)",
                    )
                    arxiv = None
                    ok = False
            if _present(items, "url"):
                url = self._string(items["url"][1], f"{here}.url", what="a web address")
                if url is not None and not schema.URL_PATTERN.fullmatch(url.strip()):
                    self.report(self.line(items["url"][1]), f"{here}.url", f"'{url}' is not a web address: write it in full, starting with https://")
                    url = None
                    ok = False
            if not _present(items, "arxiv") and not _present(items, "url"):
                self.report(self.line(item), here, "add where to find it: 'arxiv: <id>' for a paper on arXiv, otherwise 'url: https://...'")
                ok = False
            if any(value is None for value in parts.values()) or not ok:
                ok = False
                continue
            reference = Reference(
                title=parts["title"].strip(),  # type: ignore[union-attr]
                authors=parts["authors"].strip(),  # type: ignore[union-attr]
                year=parts["year"],  # type: ignore[arg-type]
                arxiv=arxiv.strip() if arxiv else None,
                url=url.strip() if url else None,
            )
            if reference in references:
                self.report(self.line(item), here, "the same reference is cited twice; remove the repeat")
                continue
            references.append(reference)
        return tuple(references) if ok else None

    def _year(self, node: Node, where: str) -> int | None:
        low, high = schema.REFERENCE_YEARS
        if isinstance(node, ScalarNode) and node.tag == _INT:
            value = _SCALAR_CONSTRUCTOR.construct_yaml_int(node)
            if low <= value <= high:
                return value
        self.report(self.line(node), where, f"expected the year of publication as a number such as 2017, got {_describe(node)}")
        return None

    def _caveats(self, node: Node, where: str, entry: _Entry) -> tuple[Caveat, ...] | None:
        records = self._records(node, where, schema.CAVEAT_KEYS, "{doc, claim, correction, evidence}")
        if records is None:
            return None
        caveats: list[Caveat] = []
        ok = records.complete
        for here, item, items in records:
            parts = {}
            for key in schema.CAVEAT_REQUIRED_KEYS:
                value = self._required(items, key, item, f"{here}.{key}")
                if value is None:
                    parts[key] = None
                elif key == "doc":
                    parts[key] = self._document(value, f"{here}.doc")
                else:
                    parts[key] = self._text(value, f"{here}.{key}")
            evidence: list[tuple[str, int]] = []
            if "evidence" in items and not _is_null(items["evidence"][1]):
                evidence = self._id_list(items["evidence"][1], f"{here}.evidence", "verifier")
                entry.verifiers.extend(_Reference(f"{here}.evidence", *ref) for ref in evidence)
            if any(value is None for value in parts.values()):
                ok = False
                continue
            caveats.append(
                Caveat(doc=parts["doc"], claim=parts["claim"], correction=parts["correction"], evidence=tuple(v for v, _ in evidence))
            )
        return tuple(caveats) if ok else None


# --------------------------------------------------------------------------- pass 2: across files


def _check_across_files(entries: list[_Entry], problems: list[Problem], verifier_ids: Collection[str] | None) -> None:
    first_by_id: dict[str, _Entry] = {}
    for entry in entries:
        if not entry.id:
            continue
        first = first_by_id.get(entry.id)
        if first is None:
            first_by_id[entry.id] = entry
            continue
        where = f"{display_path(first.path)}:{first.line}"
        if first.shipped and not entry.shipped:
            message = f"conflicts with the built-in question '{entry.id}' at {where}; give your question an id of its own"
        else:
            message = f"duplicate id: '{entry.id}' is already defined at {where}; ids are unique, so rename one of them"
        problems.append(Problem(entry.path, entry.line, entry.id, "id", message))

    for entry in entries:
        if not entry.id:
            continue
        for reference in entry.follow_ups + entry.related:
            if reference.target not in first_by_id:
                close = _closest(reference.target, first_by_id)
                hint = f"did you mean '{close}'?" if close else "add that question or remove the reference"
                problems.append(
                    Problem(entry.path, reference.line, entry.id, reference.field, f"no question has the id '{reference.target}': {hint}")
                )
        if verifier_ids is not None:
            for reference in entry.verifiers:
                if reference.target not in verifier_ids:
                    close = _closest(reference.target, verifier_ids)
                    hint = f"did you mean '{close}'?" if close else "see 'tprep verify --list' for the known ids"
                    problems.append(
                        Problem(entry.path, reference.line, entry.id, reference.field, f"unknown verifier id '{reference.target}': {hint}")
                    )

    _check_follow_up_cycles(first_by_id, problems)
    _check_repeated_questions(entries, first_by_id, problems)


def _check_repeated_questions(entries: list[_Entry], first_by_id: dict[str, _Entry], problems: list[Problem]) -> None:
    """The same question asked twice is one question with several sources."""
    first_asking: dict[tuple[str, str], _Entry] = {}
    for entry in entries:
        if entry.question is None or first_by_id.get(entry.id) is not entry:
            continue  # a repeated id is reported already
        for lang in schema.LANGUAGES:
            text = " ".join(entry.question.question.get(lang).split())
            first = first_asking.setdefault((lang, text), entry)
            if first is not entry:
                problems.append(
                    Problem(
                        entry.path,
                        entry.line,
                        entry.id,
                        f"question.{lang}",
                        f"asks exactly what '{first.id}' asks ({display_path(first.path)}:{first.line}); "
                        "merge them into one question and list every source",
                    )
                )
                break


def _closest(wrong_id: str, known: Collection[str]) -> str | None:
    """The known id a mistyped one most likely meant (rapidfuzz: fast over a whole bank)."""
    from rapidfuzz import fuzz, process

    match = process.extractOne(wrong_id, list(known), scorer=fuzz.ratio, score_cutoff=75)
    return match[0] if match else None


def _check_follow_up_cycles(entries: dict[str, _Entry], problems: list[Problem]) -> None:
    """A mock interview walks follow_ups; a cycle would never end. Report each cycle once, at its
    first question (in file order), with the whole chain."""
    graph = {
        question_id: [r.target for r in entry.follow_ups if r.target in entries and r.target != question_id]
        for question_id, entry in entries.items()
    }
    for cycle in follow_up_cycles(graph, order=lambda qid: (str(entries[qid].path), entries[qid].line)):
        start = entries[cycle[0]]
        line = next(r.line for r in start.follow_ups if r.target == cycle[1])
        problems.append(
            Problem(
                start.path,
                line,
                cycle[0],
                "follow_ups",
                f"follow-up cycle {' -> '.join(cycle)}: a mock interview would loop forever; "
                "remove one link (use 'related' for a loose link)",
            )
        )


def follow_up_cycles(graph: dict[str, list[str]], *, order: Callable[[str], object] = str) -> list[list[str]]:
    """The cycles of ``graph`` (question id -> its follow-ups), each as [first, ..., first] starting
    at its first member by ``order``, until none is left: after each one found, its link out of
    that first member is set aside, so no cycle is reported twice.

    ``graphlib`` finds them (iteratively: chains deeper than the recursion limit are fine). It
    reads a graph as node -> predecessors, so the cycle it names runs against the follow-ups.
    """
    remaining = {node: list(targets) for node, targets in graph.items()}
    cycles = []
    while True:
        try:
            graphlib.TopologicalSorter(remaining).prepare()
        except graphlib.CycleError as error:
            against = error.args[1][:-1]  # each node is a follow-up of the one after it
            chain = list(reversed(against))
            first = min(range(len(chain)), key=lambda index: order(chain[index]))
            chain = chain[first:] + chain[:first]
            cycles.append([*chain, chain[0]])
            remaining[chain[0]] = [target for target in remaining[chain[0]] if target != chain[1]]
        else:
            return cycles
