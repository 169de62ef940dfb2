"""How a drill is declared.

A drill is a verifier whose subject is the candidate's code. A module in
``verifiers/drills/catalog/`` declares drills at its top level as ``Drill``
objects; each names the function (or class) the candidate writes, the
reference solution (a plain Python file in ``verifiers/drills/references/``),
the bank questions it practises, and its checks. A check is a function
decorated with ``@check(...)``; it receives the candidate's function and a
``DrillContext`` (``verifiers.drills.context``) and fails through the context,
which turns the failure into a small counterexample::

    @check("matches-torch", en="...", zh="...", hint_en="...", hint_zh="...")
    def _matches_torch(softmax, ctx: DrillContext) -> None:
        import torch
        for shape in ((3,), (2, 5)):
            x = ctx.randn(*shape)
            ctx.close(ctx.call(softmax, x), torch.softmax(x, -1), inputs={"x": x})

    SOFTMAX = Drill(id="softmax", entry="softmax", reference="softmax.py", title=..., task=...,
                    hints=(...), questions=("attention-why-softmax",), checks=(_matches_torch,))

As for verifiers, declaring is cheap: checks import torch inside their body, so
``tprep drill list`` never imports it. ``Drill.questions`` is the one link from
drills to the question bank (bank ids as plain strings, as verifiers name them;
``tests/verifiers/drills/test_catalog.py`` checks each id exists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from verifiers.result import Bilingual

REFERENCES_DIR = Path(__file__).resolve().parent / "references"
_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ENTRY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

CheckFunction = Callable[[Any, Any], None]  # (candidate's function or class, DrillContext) -> None


@dataclass(frozen=True)
class Check:
    """One property of the candidate's code, tested on seeded inputs."""

    id: str
    statement: Bilingual  # what the check tests (listed before a run, shown beside its outcome)
    hint: Bilingual  # what to look at when it fails (unless the context recognised a specific mistake)
    run: CheckFunction = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _ID_PATTERN.match(self.id):
            raise ValueError(f"check id {self.id!r} must be lowercase words joined by '-'")
        for name, text in (("statement", self.statement), ("hint", self.hint)):
            if not (text.zh.strip() and text.en.strip()):
                raise ValueError(f"check {self.id}: the {name} needs both Chinese and English text")


def check(check_id: str, *, en: str, zh: str, hint_en: str, hint_zh: str) -> Callable[[CheckFunction], Check]:
    """Declare the decorated function as a check; the name becomes a ``Check``."""

    def wrap(function: CheckFunction) -> Check:
        return Check(id=check_id, statement=Bilingual(zh=zh, en=en), hint=Bilingual(zh=hint_zh, en=hint_en), run=function)

    return wrap


@dataclass(frozen=True)
class Drill:
    """A piece to implement by hand, its reference solution and the checks its code must pass."""

    id: str
    entry: str  # the function (or class) the candidate's file must define
    reference: str  # file name in verifiers/drills/references/
    title: Bilingual
    task: Bilingual  # what to write, with the conventions the checks hold the code to
    hints: tuple[Bilingual, ...]  # shown one by one when asked for, before the solution
    questions: tuple[str, ...]  # bank question ids this drill practises (the one link to the bank)
    checks: tuple[Check, ...]
    # Library functions that would do the whole job (dotted names, e.g. "torch.nn.functional.softmax");
    # calling one fails the drill: the point is to write it by hand.
    forbidden: tuple[str, ...] = ()
    module: str = ""  # where it is declared: by default, the module of its checks

    def __post_init__(self) -> None:
        if not _ID_PATTERN.match(self.id):
            raise ValueError(f"drill id {self.id!r} must be lowercase words joined by '-'")
        if not self.module and self.checks:
            object.__setattr__(self, "module", getattr(self.checks[0].run, "__module__", ""))
        if not _ENTRY_PATTERN.match(self.entry):
            raise ValueError(f"drill {self.id}: entry {self.entry!r} is not a Python name")
        if not self.checks:
            raise ValueError(f"drill {self.id}: declares no checks; a drill exists to check code")
        if not self.questions:
            raise ValueError(f"drill {self.id}: practises no bank question; name at least one in 'questions'")
        if not self.hints:
            raise ValueError(f"drill {self.id}: give at least one hint")
        seen: set[str] = set()
        for item in self.checks:
            if item.id in seen:
                raise ValueError(f"drill {self.id}: check id {item.id!r} is declared twice")
            seen.add(item.id)
        for text in (self.title, self.task, *self.hints):
            if not (text.zh.strip() and text.en.strip()):
                raise ValueError(f"drill {self.id}: every text needs both Chinese and English")

    @property
    def reference_path(self) -> Path:
        return REFERENCES_DIR / self.reference

    @property
    def file_name(self) -> str:
        """The name of the candidate's file in the drill workspace, e.g. ``top_p_filter.py``."""
        return self.id.replace("-", "_") + ".py"

    def reference_source(self) -> str:
        return self.reference_path.read_text(encoding="utf-8")

    @cached_property
    def signature(self) -> str:
        """The entry's signature as the reference declares it, e.g. ``softmax(x, dim=-1)``."""
        from verifiers.drills.stubs import entry_signature

        return entry_signature(self.reference_source(), self.entry)

    def stub_source(self) -> str:
        """The file a candidate starts from: task, imports, signature and docstring, no body."""
        from verifiers.drills.stubs import make_stub

        return make_stub(self)

    def check(self, check_id: str) -> Check:
        for item in self.checks:
            if item.id == check_id:
                return item
        raise KeyError(f"drill {self.id} declares no check {check_id!r}")

