"""Read verifier results (``Result.to_dict()`` of ``verifiers.result``) for the
exports: verdict marks, per-claim lines, and plots and heatmaps drawn as inline SVG.

Results arrive as plain dicts (``questions`` does not import ``verifiers``);
only the keys of schema version 1 are read here (``heatmaps`` may be absent:
results cached before it was added have none).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import escape
from typing import Any, Mapping

from questions.marks import ClaimMark, ClaimOutcome, claim_mark, run_mark
from questions.model import Lang


@dataclass(frozen=True)
class ClaimLine:
    mark: ClaimMark  # ✓ holds, ✗ a document's claim refuted (both as expected), ! did not match, ? not checked
    statement: str
    measured: str
    lang: Lang = "en"

    @property
    def words(self) -> str:
        """What the mark means, for every mark but a plain ✓ (whose statement says it all)."""
        return "" if self.mark.outcome is ClaimOutcome.HOLDS else self.mark.words.get(self.lang)

    @property
    def css(self) -> str:
        return MARK_CSS[self.mark.outcome.value]


def text_of(bilingual: Mapping[str, str] | None, lang: Lang) -> str:
    if not bilingual:
        return ""
    return str(bilingual.get(lang) or bilingual.get("en") or "")


def status_mark(result: Mapping[str, Any]) -> str:
    """✓ passed, ! failed (a claim was not as expected), ? error (questions.marks)."""
    return run_mark(str(result.get("status")))


def run_date(result: Mapping[str, Any]) -> str:
    """The day the result was produced (YYYY-MM-DD), or empty when unknown."""
    return str(result.get("started_at") or "")[:10]


def claim_lines(result: Mapping[str, Any], lang: Lang) -> list[ClaimLine]:
    lines = []
    for claim in result.get("claims") or ():
        observed = claim.get("observed")
        lines.append(
            ClaimLine(
                mark=claim_mark(bool(claim.get("expected", True)), None if observed is None else bool(observed)),
                statement=text_of(claim.get("statement"), lang),
                measured=str(claim.get("measured") or ""),
                lang=lang,
            )
        )
    return lines


# How each mark is coloured in HTML and Anki, always beside the mark itself: green only for a
# statement that holds, violet for a false statement refuted as expected, red for a failure.
MARK_CSS = {"holds": "ok", "refuted": "refuted", "mismatch": "bad", "unchecked": "bad"}
RUN_CSS = {"passed": "ok", "failed": "bad", "error": "bad"}


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
        f'<text x="{_WIDTH / 2}" y="16" text-anchor="middle" class="plot-title" font-size="11" font-weight="600">{escape(text_of(plot.get("title"), lang))}</text>',
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>',
    ]
    for fraction in (0.0, 0.5, 1.0):
        x_value = x_min + fraction * (x_max - x_min)
        y_value = y_min + fraction * (y_max - y_min)
        parts.append(
            f'<text x="{sx(x_value):.1f}" y="{_TOP + plot_h + 14}" text-anchor="middle" class="tick" font-size="10">{_tick(x_value, x_log)}</text>'
        )
        parts.append(
            f'<text x="{_LEFT - 4}" y="{sy(y_value) + 4:.1f}" text-anchor="end" class="tick" font-size="10">{_tick(y_value, y_log)}</text>'
        )
    parts.append(
        f'<text x="{_LEFT + plot_w / 2}" y="{_HEIGHT - 6}" text-anchor="middle" class="axis" font-size="10">{escape(text_of(plot.get("x_label"), lang))}</text>'
    )
    parts.append(
        f'<text x="12" y="{_TOP + plot_h / 2}" text-anchor="middle" class="axis" font-size="10" '
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
        parts.append(f'<text x="{_LEFT + 22}" y="{legend_y - 3}" class="legend" font-size="10">{escape(name)}</text>')
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


# --- heatmaps ------------------------------------------------------------------------

# White for the low end (a masked attention weight is "nothing") to dark blue for the
# high end: readable in print and in grey scale, unlike a rainbow.
_SHADES = ((0xF7, 0xFB, 0xFF), (0xC6, 0xDB, 0xEF), (0x6B, 0xAE, 0xD6), (0x21, 0x71, 0xB5), (0x08, 0x30, 0x6B))
NOT_A_NUMBER_COLOUR = "#bbbbbb"  # NaN or infinite: grey, off the colour scale
_GRID_SIDE = 240  # the longer side of the grid, in px, whatever the matrix size
_CELL_MIN, _CELL_MAX = 4.0, 36.0
_CELL_WITH_NUMBER = 24.0  # cells at least this wide carry their value as text
_BAR_STEPS = 24


def svg_heatmap(heatmap: Mapping[str, Any], lang: Lang) -> str:
    """The heatmap's matrix as a self-contained ``<svg>`` grid with tick labels and a colour scale.

    Rows run top to bottom, columns left to right. Text sizes are set on the
    elements too, so the image reads the same without the page's stylesheet
    (a standalone file, WeasyPrint). Each cell carries its value
    as a tooltip, and as text when the cells are large enough; a non-finite
    value is drawn grey. All text is escaped. Returns an empty string when
    there is no value to draw.
    """
    rows = [[_finite_or_none(v) for v in row] for row in heatmap.get("values") or ()]
    n_rows, n_cols = len(rows), max((len(row) for row in rows), default=0)
    if not n_rows or not n_cols:
        return ""
    low, high = _heatmap_scale(heatmap, rows)
    row_labels = _labels(heatmap.get("row_labels"), n_rows)
    column_labels = _labels(heatmap.get("column_labels"), n_cols)
    title = escape(text_of(heatmap.get("title"), lang))

    cell = max(_CELL_MIN, min(_CELL_MAX, _GRID_SIDE / max(n_rows, n_cols)))
    label_w = 8 + 6 * max(len(label) for label in row_labels)
    grid_left = 24 + label_w
    grid_w, grid_h = cell * n_cols, cell * n_rows
    bar_left = grid_left + grid_w + 14
    width = max(_WIDTH, bar_left + 10 + 48)
    title_lines = _wrap(text_of(heatmap.get("title"), lang), width - 16)
    grid_top = 30 + 14 * len(title_lines)
    height = grid_top + grid_h + 34
    row_every = max(1, math.ceil(10 / cell))  # keep tick labels at least 10 px apart
    column_every = max(1, math.ceil(max(len(label) for label in column_labels) * 6 / cell))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot heatmap" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{title}">',
    ]
    for number, line in enumerate(title_lines):  # long titles wrap rather than run off the image
        parts.append(f'<text x="{width / 2:.1f}" y="{16 + 14 * number}" text-anchor="middle" class="plot-title" font-size="11" font-weight="600">{escape(line)}</text>')
    for i, row in enumerate(rows):
        for j in range(n_cols):
            value = row[j] if j < len(row) else None
            x, y = grid_left + j * cell, grid_top + i * cell
            fill = NOT_A_NUMBER_COLOUR if value is None else heatmap_colour((value - low) / (high - low))
            shown = "NaN" if value is None else f"{value:.4g}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell:.1f}" height="{cell:.1f}" fill="{fill}">'
                f"<title>{escape(row_labels[i])}, {escape(column_labels[j])}: {shown}</title></rect>"
            )
            if cell >= _CELL_WITH_NUMBER and value is not None:
                ink = "#ffffff" if (value - low) / (high - low) > 0.55 else "#222222"
                parts.append(
                    f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 3:.1f}" text-anchor="middle" style="font-size:8px" '
                    f'fill="{ink}" class="cell-value">{_cell_number(value)}</text>'
                )
    parts.append(f'<rect x="{grid_left}" y="{grid_top}" width="{grid_w:.1f}" height="{grid_h:.1f}" fill="none" stroke="#999"/>')
    for i in range(0, n_rows, row_every):
        parts.append(
            f'<text x="{grid_left - 4}" y="{grid_top + (i + 0.5) * cell + 3:.1f}" text-anchor="end" class="tick" font-size="10">{escape(row_labels[i])}</text>'
        )
    for j in range(0, n_cols, column_every):
        parts.append(
            f'<text x="{grid_left + (j + 0.5) * cell:.1f}" y="{grid_top - 4}" text-anchor="middle" class="tick" font-size="10">{escape(column_labels[j])}</text>'
        )
    parts.append(
        f'<text x="{grid_left + grid_w / 2:.1f}" y="{height - 8:.1f}" text-anchor="middle" class="axis" font-size="10">'
        f"{escape(text_of(heatmap.get('x_label'), lang))}</text>"
    )
    middle = grid_top + grid_h / 2
    parts.append(
        f'<text x="12" y="{middle:.1f}" text-anchor="middle" class="axis" font-size="10" transform="rotate(-90 12 {middle:.1f})">'
        f"{escape(text_of(heatmap.get('y_label'), lang))}</text>"
    )
    # The colour scale: stacked bands rather than a gradient, which would need a document-wide id.
    band = grid_h / _BAR_STEPS
    for step in range(_BAR_STEPS):
        fraction = 1 - (step + 0.5) / _BAR_STEPS
        parts.append(
            f'<rect x="{bar_left:.1f}" y="{grid_top + step * band:.2f}" width="10" height="{band + 0.3:.2f}" fill="{heatmap_colour(fraction)}"/>'
        )
    parts.append(f'<rect x="{bar_left:.1f}" y="{grid_top}" width="10" height="{grid_h:.1f}" fill="none" stroke="#999"/>')
    for fraction, y in ((1.0, grid_top + 4), (0.5, middle + 3), (0.0, grid_top + grid_h)):
        parts.append(f'<text x="{bar_left + 14:.1f}" y="{y:.1f}" class="tick" font-size="10">{low + fraction * (high - low):.3g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _wrap(text: str, max_px: float) -> list[str]:
    """``text`` in lines of at most ``max_px`` at the title's size (about 6 px a Latin letter, 11 a
    Chinese character): between words where there are spaces, anywhere in Chinese."""
    lines: list[str] = []
    line, line_px = "", 0.0
    for piece in re.findall(r"\S+\s*|\s+", text):
        for chunk in [piece] if piece.isascii() else list(piece):
            chunk_px = sum(6.0 if ch.isascii() else 11.0 for ch in chunk.rstrip())
            if line and line_px + chunk_px > max_px:
                lines.append(line.rstrip())
                line, line_px = "", 0.0
            line += chunk
            line_px += sum(6.0 if ch.isascii() else 11.0 for ch in chunk)
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _finite_or_none(value: Any) -> float | None:
    """A JSON cell as a float; ``None`` for NaN, infinities (strings in JSON) and anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _heatmap_scale(heatmap: Mapping[str, Any], rows: list[list[float | None]]) -> tuple[float, float]:
    pinned = heatmap.get("value_range")
    if pinned and len(pinned) == 2:
        low, high = _finite_or_none(pinned[0]), _finite_or_none(pinned[1])
        if low is not None and high is not None and low < high:
            return low, high
    finite = [v for row in rows for v in row if v is not None]
    if not finite:
        return 0.0, 1.0
    low, high = min(finite), max(finite)
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def _labels(raw: Any, count: int) -> list[str]:
    labels = [str(label) for label in (raw or ())][:count]
    return labels + [str(index) for index in range(len(labels), count)]


def heatmap_colour(fraction: float) -> str:
    """The colour of a value at ``fraction`` (0..1, clamped) of a heatmap's scale, as ``#rrggbb``
    between ``_SHADES`` (shared by the exports and the app, so both shade alike)."""
    position = min(1.0, max(0.0, fraction)) * (len(_SHADES) - 1)
    index = min(int(position), len(_SHADES) - 2)
    t = position - index
    low, high = _SHADES[index], _SHADES[index + 1]
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(low, high))


def _cell_number(value: float) -> str:
    # An exact zero (a masked weight) reads "0", so it stands apart from a small weight shown as 0.00.
    return "0" if value == 0 else f"{value:.2f}"
