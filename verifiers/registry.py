"""Finds the verifiers: every ``Verifier`` declared at the top level of a module
in ``verifiers/symbolic/`` or ``verifiers/experiments/``.

Discovery imports those modules, which is cheap by contract: they import
sympy and torch only inside their run functions (a test checks it). A module
that fails to import does not take the others down: it is listed in
``Registry.problems`` and the CLI prints it as a warning.

The question bank's ``verifiers:`` field is the only link from questions to
verifiers; nothing here knows about questions.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Sequence, TypeVar

from verifiers.sources import PACKAGES
from verifiers.spec import KINDS, Verifier
T = TypeVar("T")


class UnknownVerifierError(LookupError):
    """Ids that no verifier (or drill: ``noun``, ``list_command``) has; ``str()`` lists them and the ids that exist."""

    exit_code = 2

    def __init__(
        self,
        unknown: Sequence[str],
        known: Iterable[str],
        *,
        noun: str = "verifier",
        list_command: str = "tprep verify --list",
    ) -> None:
        known = sorted(known)
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, known, n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        listing = ", ".join(known) if known else "(none)"
        super().__init__(
            f"unknown {noun} id{'s' if len(unknown) > 1 else ''}: {', '.join(hints)}. "
            f"Known ids: {listing}. Run '{list_command}' to see them with their titles."
        )
        self.unknown = tuple(unknown)


@dataclass(frozen=True)
class Registry:
    """The verifiers found, in a stable order (symbolic first, then by id)."""

    verifiers: tuple[Verifier, ...]
    problems: tuple[str, ...] = ()  # modules that could not be loaded, duplicate ids

    def __iter__(self) -> Iterator[Verifier]:
        return iter(self.verifiers)

    def __len__(self) -> int:
        return len(self.verifiers)

    def __contains__(self, verifier_id: object) -> bool:
        return any(v.id == verifier_id for v in self.verifiers)

    def ids(self) -> frozenset[str]:
        return frozenset(v.id for v in self.verifiers)

    def get(self, verifier_id: str) -> Verifier:
        for spec in self.verifiers:
            if spec.id == verifier_id:
                return spec
        raise UnknownVerifierError([verifier_id], self.ids())

    def select(self, ids: Sequence[str] | None = None, *, kind: str | None = None) -> tuple[Verifier, ...]:
        """The verifiers named by ``ids`` (all when ``None``), optionally of one kind, in registry order.

        Unknown ids raise ``UnknownVerifierError`` naming all of them at once.
        """
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
        if ids is not None:
            unknown = [i for i in dict.fromkeys(ids) if i not in self]
            if unknown:
                raise UnknownVerifierError(unknown, self.ids())
            wanted = set(ids)
            chosen: Iterable[Verifier] = (v for v in self.verifiers if v.id in wanted)
        else:
            chosen = self.verifiers
        return tuple(v for v in chosen if kind is None or v.kind == kind)

    @classmethod
    def of(cls, verifiers: Iterable[Verifier], problems: Iterable[str] = ()) -> "Registry":
        """A registry of these verifiers (duplicates reported, first one kept)."""
        kept: dict[str, Verifier] = {}
        found_problems = list(problems)
        for spec in verifiers:
            if spec.id in kept:
                found_problems.append(
                    f"verifier id {spec.id!r} is declared twice ({kept[spec.id].module} and {spec.module}); "
                    f"the second is ignored"
                )
                continue
            kept[spec.id] = spec
        ordered = sorted(kept.values(), key=lambda v: (KINDS.index(v.kind), v.id))
        return cls(verifiers=tuple(ordered), problems=tuple(found_problems))


def discover(packages: Sequence[str] = PACKAGES) -> Registry:
    """Import every public module of ``packages`` and collect their verifiers."""
    found, problems = find_declared(packages, Verifier)
    return Registry.of(found, problems)


def find_declared(packages: Sequence[str], kind: type[T]) -> tuple[list[T], list[str]]:
    """Every ``kind`` object declared at the top level of a public module of ``packages``,
    in module-name then declaration order, and the modules that could not be loaded.

    Objects carry the ``module`` they were declared in; an object a module
    merely imports from another is not counted twice. Drills are found the
    same way (``verifiers.drills.registry``).
    """
    found: list[T] = []
    problems: list[str] = []
    for package_name in packages:
        try:
            package = importlib.import_module(package_name)
        except ImportError as error:
            problems.append(f"package {package_name} cannot be imported: {error}")
            continue
        for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if module_info.name.startswith("_"):
                continue  # private helpers shared by the modules, not declarations
            module_name = f"{package_name}.{module_info.name}"
            try:
                module = importlib.import_module(module_name)
            except Exception as error:  # noqa: BLE001 - one broken module must not hide the others
                problems.append(f"{module_name} could not be loaded ({type(error).__name__}: {error})")
                continue
            declared = [value for value in vars(module).values() if isinstance(value, kind)]
            # A module may import another module's declaration; only count those it declares.
            found.extend(value for value in declared if getattr(value, "module", None) == module_name)
    return found, problems


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The shipped verifiers, discovered once per process."""
    return discover()


def known_ids() -> frozenset[str]:
    """The ids of every shipped verifier (cheap: no sympy or torch is imported).

    The bank linter calls this through a lazy import to check ``verifiers:`` fields.
    """
    return default_registry().ids()
