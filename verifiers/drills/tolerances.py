"""How close the candidate's numbers must be to the reference's, stated once.

Checks compare in the input's dtype against torch's own functions (or
``transformer_core``) run on the same input. float64 is held tight enough that
computing in float32 inside a float64 call fails; float32 loose enough that a
different but sound order of operations passes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float

    def text(self) -> str:
        return f"rtol {self.rtol:g}, atol {self.atol:g}"


FLOAT32 = Tolerance(rtol=1e-4, atol=1e-5)
FLOAT64 = Tolerance(rtol=1e-9, atol=1e-12)

# For check statements: "..., within <TOLERANCE_EN>".
TOLERANCE_EN = f"float32 within {FLOAT32.text()}, float64 within {FLOAT64.text()}"
TOLERANCE_ZH = f"float32 误差在 {FLOAT32.text()} 内，float64 在 {FLOAT64.text()} 内"


def tolerance_for(dtype_name: str) -> Tolerance:
    """The tolerance for a dtype given by name (``"float32"``, ``"torch.float64"``, ...)."""
    return FLOAT64 if "64" in dtype_name else FLOAT32
