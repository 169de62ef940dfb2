"""Helpers shared by the drill modules (private: discovery skips ``_`` modules).

Everything that needs torch imports it inside the function, so importing the
catalogue stays cheap.
"""

from __future__ import annotations

from typing import Any

from verifiers.drills.tolerances import TOLERANCE_EN, TOLERANCE_ZH
from verifiers.result import Bilingual

__all__ = ["TOLERANCE_EN", "TOLERANCE_ZH", "text", "random_mask", "nonempty_rows", "reference_module"]


def text(zh: str, en: str) -> Bilingual:
    return Bilingual(zh=zh, en=en)


def random_mask(ctx: Any, *shape: int, keep: float = 0.6, every_row: bool = True) -> Any:
    """A seeded bool mask (True = may attend); with ``every_row`` each row keeps at least one key."""
    mask = ctx.rand(*shape) < keep
    return nonempty_rows(mask) if every_row else mask


def nonempty_rows(mask: Any) -> Any:
    """``mask`` with the first key allowed in every row that allowed none."""
    mask = mask.clone()
    mask[..., 0] |= ~mask.any(dim=-1)
    return mask


def reference_module(drill_id: str) -> Any:
    """The drill's reference solution, imported from its file (once per process).

    Checks whose oracle no library provides (beam search as the drill
    specifies it) use the reference solution itself, next to independent
    property checks, rather than a second copy of the same algorithm.
    """
    import importlib.util
    import sys

    from verifiers.drills.registry import default_drills

    name = f"_drill_reference_{drill_id.replace('-', '_')}"
    if name not in sys.modules:
        drill = default_drills().get(drill_id)
        spec = importlib.util.spec_from_file_location(name, drill.reference_path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        sys.modules[name] = module
    return sys.modules[name]
