"""Finds the drills: every ``Drill`` declared at the top level of a module in
``verifiers/drills/catalog/``, found the way verifiers are
(``verifiers.registry.find_declared``). Listing them imports no torch.

Order: the catalogue's curriculum order (``catalog.MODULE_ORDER``), then
declaration order within a module -- the order in which an interviewer would
ask for them, not alphabetical.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

from verifiers.drills.spec import Drill
from verifiers.registry import UnknownVerifierError, find_declared

PACKAGES: tuple[str, ...] = ("verifiers.drills.catalog",)


class UnknownDrillError(UnknownVerifierError):
    """Ids that no drill has; ``str()`` lists them, a close match, and the ids that exist."""

    def __init__(self, unknown: Sequence[str], known: Iterable[str]) -> None:
        super().__init__(unknown, known, noun="drill", list_command="tprep drill list")


@dataclass(frozen=True)
class DrillRegistry:
    drills: tuple[Drill, ...]
    problems: tuple[str, ...] = ()  # modules that could not be loaded, duplicate ids

    def __iter__(self) -> Iterator[Drill]:
        return iter(self.drills)

    def __len__(self) -> int:
        return len(self.drills)

    def __contains__(self, drill_id: object) -> bool:
        return any(d.id == drill_id for d in self.drills)

    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.drills)

    def get(self, drill_id: str) -> Drill:
        for drill in self.drills:
            if drill.id == drill_id:
                return drill
        raise UnknownDrillError([drill_id], self.ids())

    def by_question(self, question_id: str) -> tuple[Drill, ...]:
        """The drills that practise a bank question (for "drill it" from a question)."""
        return tuple(d for d in self.drills if question_id in d.questions)

    @classmethod
    def of(cls, drills: Iterable[Drill], problems: Iterable[str] = (), module_order: Sequence[str] = ()) -> "DrillRegistry":
        kept: dict[str, Drill] = {}
        found_problems = list(problems)
        for drill in drills:
            if drill.id in kept:
                found_problems.append(
                    f"drill id {drill.id!r} is declared twice ({kept[drill.id].module} and {drill.module}); the second is ignored"
                )
                continue
            kept[drill.id] = drill
        rank = {name: index for index, name in enumerate(module_order)}
        ordered = sorted(
            enumerate(kept.values()), key=lambda item: (rank.get(item[1].module.rsplit(".", 1)[-1], len(rank)), item[0])
        )
        return cls(drills=tuple(drill for _, drill in ordered), problems=tuple(found_problems))


def discover(packages: Sequence[str] = PACKAGES) -> DrillRegistry:
    import importlib

    found, problems = find_declared(packages, Drill)
    order: list[str] = []
    for package_name in packages:
        try:
            order.extend(getattr(importlib.import_module(package_name), "MODULE_ORDER", ()))
        except ImportError:
            pass  # already reported by find_declared
    return DrillRegistry.of(found, problems, order)


@lru_cache(maxsize=1)
def default_drills() -> DrillRegistry:
    """The shipped drills, discovered once per process (no torch imported)."""
    return discover()
