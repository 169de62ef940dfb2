"""Read verifier results (``Result.to_dict()`` of ``verifiers.result``) for the
exports: verdict marks, per-claim lines, and plots drawn as inline SVG.

Results arrive as plain dicts (``questions`` does not import ``verifiers``);
only the keys of schema version 1 are read here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any, Mapping

from questions.model import Lang

STATUS_MARKS = {"passed": "✓", "failed": "✗", "error": "!"}


@dataclass(frozen=True)
class ClaimLine:
    mark: str  # ✓ the claim's verdict matched what the verifier expected, ✗ it did not
    statement: str
    expected_true: bool
    measured: str


def text_of(bilingual: Mapping[str, str] | None, lang: Lang) -> str:
    if not bilingual:
        return ""
    return str(bilingual.get(lang) or bilingual.get("en") or "")


def status_mark(result: Mapping[str, Any]) -> str:
    return STATUS_MARKS.get(str(result.get("status")), "?")


def run_date(result: Mapping[str, Any]) -> str:
    """The day the result was produced (YYYY-MM-DD), or empty when unknown."""
    return str(result.get("started_at") or "")[:10]


def claim_lines(result: Mapping[str, Any], lang: Lang) -> list[ClaimLine]:
    lines = []
    for claim in result.get("claims") or ():
        lines.append(
            ClaimLine(
                mark="✓" if claim.get("matched") else "✗",
                statement=text_of(claim.get("statement"), lang),
                expected_true=bool(claim.get("expected", True)),
                measured=str(claim.get("measured") or ""),
            )
        )
    return lines


# --- plots ---------------------------------------------------------------------------

_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
_WIDTH, _HEIGHT = 420, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 12, 26, 40


def svg_plot(plot: Mapping[str, Any], lang: Lang) -> str:
    """A line chart of the plot's series as a self-contained ``<svg>`` element.

    Non-finite points are dropped; a log axis drops non-positive values. All
    text is escaped. Returns an empty string when no point can be drawn.
    """
    x_log, y_log = bool(plot.get("x_log")), bool(plot.get("y_log"))
    series = []
    for index, raw in enumerate(plot.get("series") or ()):
        points = [
            (_axis(x, x_log), _axis(y, y_log))
            for x, y in zip(raw.get("x") or (), raw.get("y") or ())
            if _drawable(x, x_log) and _drawable(y, y_log)
        ]
        if points:
            series.append((str(raw.get("name", "")), _PALETTE[index % len(_PALETTE)], points))
    if not series:
        return ""
    xs = [x for _, _, points in series for x, _ in points]
    ys = [y for _, _, points in series for _, y in points]
    x_min, x_max = _padded_range(min(xs), max(xs))
    y_min, y_max = _padded_range(min(ys), max(ys))
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM

    def sx(x: float) -> float:
        return _LEFT + (x - x_min) / (x_max - x_min) * plot_w

    def sy(y: float) -> float:
        return _TOP + plot_h - (y - y_min) / (y_max - y_min) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        f'width="{_WIDTH}" height="{_HEIGHT}" role="img" aria-label="{escape(text_of(plot.get("title"), lang))}">',
        f'<text x="{_WIDTH / 2}" y="16" text-anchor="middle" class="plot-title">{escape(text_of(plot.get("title"), lang))}</text>',
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>',
    ]
    for fraction in (0.0, 0.5, 1.0):
        x_value = x_min + fraction * (x_max - x_min)
        y_value = y_min + fraction * (y_max - y_min)
        parts.append(
            f'<text x="{sx(x_value):.1f}" y="{_TOP + plot_h + 14}" text-anchor="middle" class="tick">{_tick(x_value, x_log)}</text>'
        )
        parts.append(
            f'<text x="{_LEFT - 4}" y="{sy(y_value) + 4:.1f}" text-anchor="end" class="tick">{_tick(y_value, y_log)}</text>'
        )
    parts.append(
        f'<text x="{_LEFT + plot_w / 2}" y="{_HEIGHT - 6}" text-anchor="middle" class="axis">{escape(text_of(plot.get("x_label"), lang))}</text>'
    )
    parts.append(
        f'<text x="12" y="{_TOP + plot_h / 2}" text-anchor="middle" class="axis" '
        f'transform="rotate(-90 12 {_TOP + plot_h / 2})">{escape(text_of(plot.get("y_label"), lang))}</text>'
    )
    for index, (name, colour, points) in enumerate(series):
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{path}"/>')
        if len(points) == 1:
            x, y = points[0]
            parts.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{colour}"/>')
        legend_y = _TOP + 12 + 13 * index
        parts.append(f'<rect x="{_LEFT + 8}" y="{legend_y - 8}" width="10" height="3" fill="{colour}"/>')
        parts.append(f'<text x="{_LEFT + 22}" y="{legend_y - 3}" class="legend">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _drawable(value: Any, log: bool) -> bool:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    return value > 0 if log else True


def _axis(value: float, log: bool) -> float:
    return math.log10(value) if log else float(value)


def _padded_range(low: float, high: float) -> tuple[float, float]:
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    return low, high


def _tick(value: float, log: bool) -> str:
    shown = 10**value if log else value
    return f"{shown:.3g}"
