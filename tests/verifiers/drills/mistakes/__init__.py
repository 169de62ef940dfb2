"""Typical wrong implementations of every drill, kept as source text.

Each module maps drill ids to ``Wrong`` entries: a mistake candidates really
make, the check that must reject it, and how (``failed``: a wrong answer with
a counterexample; ``raised``: the code raises on the check's inputs).
``tests/verifiers/drills/test_catalog.py`` asserts every one is rejected by
that check and that every reference passes.
"""

from __future__ import annotations

import importlib
import pkgutil
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Wrong:
    name: str
    catches: str  # the check id that must reject it
    source: str
    outcome: str = "failed"  # "failed" or "raised"

    @property
    def code(self) -> str:
        return textwrap.dedent(self.source).lstrip()


def all_wrong() -> dict[str, list[Wrong]]:
    """Every kept wrong implementation, by drill id."""
    found: dict[str, list[Wrong]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for drill_id, wrongs in module.WRONG.items():
            found.setdefault(drill_id, []).extend(wrongs)
    return found
