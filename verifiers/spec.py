"""How a verifier is declared, and what it is handed when it runs.

A verifier module (under ``verifiers/symbolic/`` or ``verifiers/experiments/``)
declares its metadata at import time with the ``@verifier(...)`` decorator on
its run function, and imports sympy/torch *inside* that function, so the
registry can list every verifier without paying for those imports::

    @verifier(
        id="sqrt-dk-variance",
        kind="symbolic",
        title=Bilingual(zh="...", en="..."),
        explanation=Bilingual(zh="...", en="..."),
        cost=Cost(quick_s=0.5),
        claims=(Claim("variance-is-dk", Bilingual(zh="...", en="..."), expected=True),),
        libraries=("sympy", "numpy"),
    )
    def sqrt_dk_variance(ctx: Context, evidence: Evidence) -> None:
        import sympy as sp
        ...
        evidence.claim("variance-is-dk", holds=..., measured="Var(q·k) = d_k")

The runner turns what ``Evidence`` collected into a ``Result``: the run passes
when every declared claim was checked and its observed verdict equals the
expected one.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Sequence

from verifiers.result import Bilingual, ClaimVerdict, DerivationStep, Heatmap, Metric, Plot, Series, Table, as_floats

Kind = Literal["symbolic", "experiment"]
Profile = Literal["quick", "full"]
KINDS: tuple[str, ...] = ("symbolic", "experiment")
PROFILES: tuple[str, ...] = ("quick", "full")
_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Claim:
    """A precise statement and the verdict the verifier expects for it.

    ``expected=False`` marks a claim the documents make wrongly: the verifier
    shows the measurement that refutes it.
    """

    id: str
    statement: Bilingual
    expected: bool = True

    def __post_init__(self) -> None:
        if not _ID_PATTERN.match(self.id):
            raise ValueError(f"claim id {self.id!r} must be lowercase words joined by '-'")


@dataclass(frozen=True)
class Cost:
    """Estimated wall-clock seconds on a 2-core CPU, per profile (``full`` defaults to ``quick``)."""

    quick_s: float
    full_s: float | None = None

    def seconds(self, profile: str) -> float:
        return self.full_s if profile == "full" and self.full_s is not None else self.quick_s


RunFunction = Callable[["Context", "Evidence"], None]


@dataclass(frozen=True)
class Verifier:
    """A verifier's metadata and its run function."""

    id: str
    kind: Kind
    title: Bilingual
    explanation: Bilingual  # one paragraph: what is checked and why it matters in an interview
    cost: Cost
    claims: tuple[Claim, ...]
    run: RunFunction = field(repr=False, compare=False)
    libraries: tuple[str, ...] = ()  # whose versions go into the result (python's always does)
    module: str = ""  # filled in by the registry: where it was found

    def __post_init__(self) -> None:
        if not _ID_PATTERN.match(self.id):
            raise ValueError(f"verifier id {self.id!r} must be lowercase words joined by '-'")
        if self.kind not in KINDS:
            raise ValueError(f"verifier {self.id}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if not self.claims:
            raise ValueError(f"verifier {self.id}: declares no claims; a verifier exists to check claims")
        seen: set[str] = set()
        for claim in self.claims:
            if claim.id in seen:
                raise ValueError(f"verifier {self.id}: claim id {claim.id!r} is declared twice")
            seen.add(claim.id)

    def claim(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        raise KeyError(f"verifier {self.id} declares no claim {claim_id!r}")

    def timeout_s(self, profile: str) -> float:
        """How long the runner waits before declaring the run an error: generous,
        because the estimate is for a quiet machine and CI machines are not."""
        return max(60.0, 20.0 * self.cost.seconds(profile))


def verifier(
    *,
    id: str,
    kind: Kind,
    title: Bilingual,
    explanation: Bilingual,
    cost: Cost,
    claims: Sequence[Claim],
    libraries: Iterable[str] = (),
) -> Callable[[RunFunction], Verifier]:
    """Declare the decorated function as a verifier; the module attribute becomes a ``Verifier``."""

    def wrap(function: RunFunction) -> Verifier:
        return Verifier(
            id=id,
            kind=kind,
            title=title,
            explanation=explanation,
            cost=cost,
            claims=tuple(claims),
            run=function,
            libraries=tuple(libraries),
            module=function.__module__,
        )

    return wrap


class Cancelled(Exception):
    """Raised by ``Context.check_cancelled`` when the run was cancelled or timed out."""


@dataclass
class Context:
    """What a verifier is told about the run it is part of.

    ``seed`` is derived from the run's base seed and the verifier id, so a
    verifier gets the same seed whichever others run beside it. ``device`` is
    already resolved (``"cpu"`` or ``"cuda"``; never ``"auto"``). Long loops
    should call ``check_cancelled()`` now and then so a cancelled or timed-out
    run stops promptly instead of running on in the background.
    """

    profile: str = "quick"
    device: str = "cpu"
    seed: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def quick(self) -> bool:
        return self.profile == "quick"

    def check_cancelled(self) -> None:
        if self.stop.is_set():
            raise Cancelled("the run was cancelled or ran past its time limit")

    def numpy_rng(self, offset: int = 0) -> Any:
        """A seeded ``numpy.random.Generator`` (``offset`` gives independent streams)."""
        import numpy as np

        return np.random.default_rng([self.seed, offset])

    def seed_torch(self, offset: int = 0) -> Any:
        """Seed torch's global generators and return a seeded ``torch.Generator`` on CPU."""
        import torch

        torch.manual_seed(self.seed + offset)
        generator = torch.Generator()
        generator.manual_seed(self.seed + offset)
        return generator


class Evidence:
    """Collects what a verifier measured; the runner turns it into a ``Result``."""

    def __init__(self, spec: Verifier) -> None:
        self._spec = spec
        self.verdicts: dict[str, ClaimVerdict] = {}
        self.summary: Bilingual | None = None
        self.steps: list[DerivationStep] = []
        self.metrics: list[Metric] = []
        self.tables: list[Table] = []
        self.plots: list[Plot] = []
        self.heatmaps: list[Heatmap] = []

    def claim(self, claim_id: str, *, holds: bool, measured: str, value: float | None = None) -> bool:
        """Record whether the claim's statement held in this run, with the value behind it.

        Returns whether that matches the declared expectation, so a verifier
        can word its summary accordingly.
        """
        declared = self._spec.claim(claim_id)  # KeyError for a claim the verifier never declared
        if claim_id in self.verdicts:
            raise ValueError(f"verifier {self._spec.id}: claim {claim_id!r} recorded twice")
        verdict = ClaimVerdict(
            claim_id=claim_id,
            statement=declared.statement,
            expected=declared.expected,
            observed=bool(holds),
            measured=measured,
            value=None if value is None else float(value),
        )
        self.verdicts[claim_id] = verdict
        return verdict.matched

    def step(self, latex: str, zh: str, en: str) -> None:
        """One derivation step: a LaTeX formula and what it says, in both languages."""
        self.steps.append(DerivationStep(latex=latex, prose=Bilingual(zh=zh, en=en)))

    def metric(self, name: str, value: float, unit: str = "", *, zh: str = "", en: str = "") -> None:
        label = Bilingual(zh=zh, en=en) if (zh or en) else None
        self.metrics.append(Metric(name=name, value=float(value), unit=unit, label=label))

    def table(self, name: str, title: Bilingual, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        self.tables.append(Table(name=name, title=title, columns=tuple(columns), rows=tuple(tuple(r) for r in rows)))

    def plot(
        self,
        name: str,
        title: Bilingual,
        x_label: Bilingual,
        y_label: Bilingual,
        series: dict[str, tuple[Sequence[Any], Sequence[Any]]],
        *,
        x_log: bool = False,
        y_log: bool = False,
    ) -> None:
        """A chart from ``{series name: (x values, y values)}``."""
        self.plots.append(
            Plot(
                name=name,
                title=title,
                x_label=x_label,
                y_label=y_label,
                series=tuple(Series(name=k, x=as_floats(x), y=as_floats(y)) for k, (x, y) in series.items()),
                x_log=x_log,
                y_log=y_log,
            )
        )

    def heatmap(
        self,
        name: str,
        title: Bilingual,
        x_label: Bilingual,
        y_label: Bilingual,
        values: Sequence[Sequence[Any]],
        *,
        row_labels: Sequence[Any] | None = None,
        column_labels: Sequence[Any] | None = None,
        value_range: tuple[float, float] | None = None,
    ) -> None:
        """A matrix shown as shaded cells, rows top to bottom (a tensor's ``tolist()`` will do).

        Rows and columns are labelled 0, 1, ... unless labels are given;
        ``value_range`` pins the colour scale, e.g. ``(0.0, 1.0)`` for weights.
        """
        matrix = tuple(as_floats(row) for row in values)
        width = len(matrix[0]) if matrix else 0
        self.heatmaps.append(
            Heatmap(
                name=name,
                title=title,
                x_label=x_label,
                y_label=y_label,
                row_labels=tuple(str(v) for v in (range(len(matrix)) if row_labels is None else row_labels)),
                column_labels=tuple(str(v) for v in (range(width) if column_labels is None else column_labels)),
                values=matrix,
                value_range=None if value_range is None else (float(value_range[0]), float(value_range[1])),
            )
        )

    def set_summary(self, zh: str, en: str) -> None:
        self.summary = Bilingual(zh=zh, en=en)
