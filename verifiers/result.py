"""What a verifier run produces: the result model, JSON-serialisable.

A ``Result`` is plain data. The TUI renders it, the exports embed it (as the
dict from ``to_dict()``), and the results cache stores it. ``from_dict`` reads
back anything ``to_dict`` wrote with the same ``SCHEMA_VERSION`` and rejects
other versions with a ``ResultFormatError`` rather than guessing.

Bilingual text here is ``Bilingual(zh, en)``: ``verifiers`` may not import
``questions`` (dependencies point one way), so it carries its own pair type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping, Sequence

# Bump when a field is renamed, removed or changes meaning; readers refuse
# other versions (the cache then simply treats the file as stale). A field that
# is only added (``heatmaps``) keeps the version: readers default it when absent.
SCHEMA_VERSION = 1


class ResultFormatError(ValueError):
    """A result dict that this version cannot read (wrong schema or shape)."""


@dataclass(frozen=True)
class Bilingual:
    """One piece of text in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Bilingual":
        return cls(zh=str(raw["zh"]), en=str(raw["en"]))


class Status(str, Enum):
    PASSED = "passed"  # every claim's observed verdict matched the expected one
    FAILED = "failed"  # the verifier ran, but some claim did not match (or was never checked)
    ERROR = "error"  # the verifier raised, timed out, or misbehaved; ``Result.error`` says how


@dataclass(frozen=True)
class ClaimVerdict:
    """One claim, what was expected of it, and what the run measured.

    ``observed`` is whether the statement held in this run (``None`` when the
    verifier never checked it); ``measured`` is the value behind that verdict in
    words a reader can check (e.g. ``"Var(q·k) = d_k (exact); MC 63.8 for d_k=64"``).
    """

    claim_id: str
    statement: Bilingual
    expected: bool
    observed: bool | None
    measured: str
    value: float | None = None

    @property
    def matched(self) -> bool:
        return self.observed is not None and self.observed == self.expected

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "statement": self.statement.to_dict(),
            "expected": self.expected,
            "observed": self.observed,
            "matched": self.matched,
            "measured": self.measured,
            "value": _json_number(self.value),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "ClaimVerdict":
        return cls(
            claim_id=str(raw["claim_id"]),
            statement=Bilingual.from_dict(raw["statement"]),
            expected=bool(raw["expected"]),
            observed=None if raw["observed"] is None else bool(raw["observed"]),
            measured=str(raw["measured"]),
            value=_number_from_json(raw.get("value")),
        )


@dataclass(frozen=True)
class DerivationStep:
    """One step of a derivation: a LaTeX formula and the prose that explains it."""

    latex: str
    prose: Bilingual

    def to_dict(self) -> dict[str, Any]:
        return {"latex": self.latex, "prose": self.prose.to_dict()}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "DerivationStep":
        return cls(latex=str(raw["latex"]), prose=Bilingual.from_dict(raw["prose"]))


@dataclass(frozen=True)
class Metric:
    """A named number the run measured (``name`` is a stable machine key)."""

    name: str
    value: float
    unit: str = ""
    label: Bilingual | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": _json_number(self.value),
            "unit": self.unit,
            "label": None if self.label is None else self.label.to_dict(),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Metric":
        label = raw.get("label")
        return cls(
            name=str(raw["name"]),
            value=_number_from_json(raw["value"]),  # type: ignore[arg-type]
            unit=str(raw.get("unit", "")),
            label=None if label is None else Bilingual.from_dict(label),
        )


@dataclass(frozen=True)
class Table:
    """A small table of measurements; cells are numbers or short strings."""

    name: str
    title: Bilingual
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def __post_init__(self) -> None:
        for index, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.name!r}: row {index} has {len(row)} cells for {len(self.columns)} columns"
                )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title.to_dict(),
            "columns": list(self.columns),
            "rows": [[_json_cell(cell) for cell in row] for row in self.rows],
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Table":
        return cls(
            name=str(raw["name"]),
            title=Bilingual.from_dict(raw["title"]),
            columns=tuple(str(c) for c in raw["columns"]),
            rows=tuple(tuple(_cell_from_json(cell) for cell in row) for row in raw["rows"]),
        )


@dataclass(frozen=True)
class Series:
    """One line of a plot: ``y`` against ``x``, same length."""

    name: str
    x: tuple[float, ...]
    y: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.x) != len(self.y):
            raise ValueError(f"series {self.name!r}: {len(self.x)} x values but {len(self.y)} y values")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "x": [_json_number(v) for v in self.x], "y": [_json_number(v) for v in self.y]}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Series":
        return cls(
            name=str(raw["name"]),
            x=tuple(_number_from_json(v) for v in raw["x"]),  # type: ignore[misc]
            y=tuple(_number_from_json(v) for v in raw["y"]),  # type: ignore[misc]
        )


@dataclass(frozen=True)
class Plot:
    """A chart: one or more series sharing axes (the TUI draws it with plotext,
    the exports as inline SVG). ``x_log``/``y_log`` ask for a logarithmic axis."""

    name: str
    title: Bilingual
    x_label: Bilingual
    y_label: Bilingual
    series: tuple[Series, ...]
    x_log: bool = False
    y_log: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title.to_dict(),
            "x_label": self.x_label.to_dict(),
            "y_label": self.y_label.to_dict(),
            "series": [s.to_dict() for s in self.series],
            "x_log": self.x_log,
            "y_log": self.y_log,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Plot":
        return cls(
            name=str(raw["name"]),
            title=Bilingual.from_dict(raw["title"]),
            x_label=Bilingual.from_dict(raw["x_label"]),
            y_label=Bilingual.from_dict(raw["y_label"]),
            series=tuple(Series.from_dict(s) for s in raw["series"]),
            x_log=bool(raw.get("x_log", False)),
            y_log=bool(raw.get("y_log", False)),
        )


@dataclass(frozen=True)
class Heatmap:
    """A matrix drawn as shaded cells, e.g. attention weights (rows = query
    positions, columns = key positions). The TUI draws it as coloured blocks,
    the exports as an inline SVG grid.

    ``value_range`` pins the colour scale (``(0.0, 1.0)`` for probabilities) so
    that two heatmaps side by side are shaded alike; ``None`` means the range
    of the values themselves.
    """

    name: str
    title: Bilingual
    x_label: Bilingual  # what the columns are
    y_label: Bilingual  # what the rows are
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    value_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not self.values or not self.values[0]:
            raise ValueError(f"heatmap {self.name!r}: no values")
        if len(self.values) != len(self.row_labels):
            raise ValueError(f"heatmap {self.name!r}: {len(self.values)} rows but {len(self.row_labels)} row labels")
        for index, row in enumerate(self.values):
            if len(row) != len(self.column_labels):
                raise ValueError(
                    f"heatmap {self.name!r}: row {index} has {len(row)} values for {len(self.column_labels)} column labels"
                )
        if self.value_range is not None and not self.value_range[0] < self.value_range[1]:
            raise ValueError(f"heatmap {self.name!r}: value range {self.value_range} is empty")

    def scale(self) -> tuple[float, float]:
        """The colour scale's ends: ``value_range``, else the finite values' range (widened if flat)."""
        if self.value_range is not None:
            return self.value_range
        finite = [v for row in self.values for v in row if math.isfinite(v)]
        if not finite:
            return 0.0, 1.0
        low, high = min(finite), max(finite)
        return (low, high) if high > low else (low - 0.5, high + 0.5)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title.to_dict(),
            "x_label": self.x_label.to_dict(),
            "y_label": self.y_label.to_dict(),
            "row_labels": list(self.row_labels),
            "column_labels": list(self.column_labels),
            "values": [[_json_number(v) for v in row] for row in self.values],
            "value_range": None if self.value_range is None else [_json_number(v) for v in self.value_range],
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Heatmap":
        value_range = raw.get("value_range")
        return cls(
            name=str(raw["name"]),
            title=Bilingual.from_dict(raw["title"]),
            x_label=Bilingual.from_dict(raw["x_label"]),
            y_label=Bilingual.from_dict(raw["y_label"]),
            row_labels=tuple(str(label) for label in raw["row_labels"]),
            column_labels=tuple(str(label) for label in raw["column_labels"]),
            values=tuple(tuple(float(_number_from_json(v)) for v in row) for row in raw["values"]),  # type: ignore[arg-type]
            value_range=None
            if value_range is None
            else (float(_number_from_json(value_range[0])), float(_number_from_json(value_range[1]))),  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class Result:
    """Everything one run of one verifier produced."""

    verifier_id: str
    kind: str  # "symbolic" | "experiment"
    status: Status
    summary: Bilingual
    claims: tuple[ClaimVerdict, ...] = ()
    steps: tuple[DerivationStep, ...] = ()
    metrics: tuple[Metric, ...] = ()
    tables: tuple[Table, ...] = ()
    plots: tuple[Plot, ...] = ()
    heatmaps: tuple[Heatmap, ...] = ()
    seed: int = 0
    profile: str = "quick"
    device: str = "cpu"
    elapsed_s: float = 0.0
    started_at: str = ""  # ISO 8601, UTC
    versions: Mapping[str, str] = field(default_factory=dict)  # library -> version used
    error: str | None = None  # the traceback (or timeout message) when status is ERROR

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @property
    def cache_key(self) -> str:
        """The name of this result's file in the results cache."""
        return self.verifier_id

    def metric(self, name: str) -> Metric:
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise KeyError(f"{self.verifier_id}: no metric named {name!r}")

    @property
    def has_figures(self) -> bool:
        """Whether there is anything to draw: line plots or heatmaps."""
        return bool(self.plots or self.heatmaps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "verifier_id": self.verifier_id,
            "kind": self.kind,
            "status": self.status.value,
            "summary": self.summary.to_dict(),
            "claims": [c.to_dict() for c in self.claims],
            "steps": [s.to_dict() for s in self.steps],
            "metrics": [m.to_dict() for m in self.metrics],
            "tables": [t.to_dict() for t in self.tables],
            "plots": [p.to_dict() for p in self.plots],
            "heatmaps": [h.to_dict() for h in self.heatmaps],
            "seed": self.seed,
            "profile": self.profile,
            "device": self.device,
            "elapsed_s": self.elapsed_s,
            "started_at": self.started_at,
            "versions": dict(self.versions),
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Result":
        if not isinstance(raw, Mapping):
            raise ResultFormatError(f"a result must be a JSON object, not {type(raw).__name__}")
        version = raw.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ResultFormatError(f"result schema version {version!r}; this tprep reads version {SCHEMA_VERSION}")
        try:
            return cls(
                verifier_id=str(raw["verifier_id"]),
                kind=str(raw["kind"]),
                status=Status(raw["status"]),
                summary=Bilingual.from_dict(raw["summary"]),
                claims=tuple(ClaimVerdict.from_dict(c) for c in raw["claims"]),
                steps=tuple(DerivationStep.from_dict(s) for s in raw["steps"]),
                metrics=tuple(Metric.from_dict(m) for m in raw["metrics"]),
                tables=tuple(Table.from_dict(t) for t in raw["tables"]),
                plots=tuple(Plot.from_dict(p) for p in raw["plots"]),
                # added after version 1 was first written: a result cached before it simply has none
                heatmaps=tuple(Heatmap.from_dict(h) for h in raw.get("heatmaps") or ()),
                seed=int(raw["seed"]),
                profile=str(raw["profile"]),
                device=str(raw["device"]),
                elapsed_s=float(raw["elapsed_s"]),
                started_at=str(raw["started_at"]),
                versions={str(k): str(v) for k, v in raw["versions"].items()},
                error=None if raw.get("error") is None else str(raw["error"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as problem:
            raise ResultFormatError(f"malformed result: {type(problem).__name__}: {problem}") from None


# JSON has no NaN or infinity; measurements can be either (a diverged loss, an
# infinite logit gap), so they travel as strings and come back as floats.
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _json_number(value: float | int | None) -> float | int | str | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _number_from_json(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value in _SPECIAL:
            return _SPECIAL[value]
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    return value if isinstance(value, int) else float(value)


def _json_cell(cell: Any) -> Any:
    if isinstance(cell, (str, bool)) or cell is None:
        return cell
    if isinstance(cell, (int, float)):
        return _json_number(cell)
    if hasattr(cell, "item"):  # a numpy or torch scalar
        return _json_number(cell.item())
    return str(cell)


def _cell_from_json(cell: Any) -> Any:
    if isinstance(cell, str) and cell in _SPECIAL:
        return _SPECIAL[cell]
    return cell


def as_floats(values: Sequence[Any]) -> tuple[float, ...]:
    """Plain floats from numbers, numpy arrays or tensors (for ``Series``)."""
    return tuple(float(v) for v in values)
