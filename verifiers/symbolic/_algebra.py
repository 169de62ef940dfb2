"""Small sympy helpers shared by the symbolic verifiers (sympy imported lazily)."""

from __future__ import annotations

from typing import Any


def expand_angles(expression: Any) -> Any:
    """Expand products inside trig arguments, then the angle sums: sin(ω(p+k)) -> sin ωp cos ωk + cos ωp sin ωk.

    Enough for identities that cancel term by term, and much cheaper than a
    general ``simplify`` search.
    """
    import sympy as sp

    return sp.expand(sp.expand_trig(sp.expand(expression)))
