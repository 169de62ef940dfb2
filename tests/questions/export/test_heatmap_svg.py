"""Heatmaps in the exports: a self-contained, escaped SVG grid, and its place in the HTML evidence block."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from questions.export import build_sheet
from questions.export.evidence import svg_heatmap
from questions.export.html import render_html
from tests.questions.export.conftest import HOSTILE

SVG = "{http://www.w3.org/2000/svg}"


def _heatmap(**overrides) -> dict:
    heatmap = {
        "name": "attention_with_mask",
        "title": {"zh": "带掩码的注意力", "en": f"Attention {HOSTILE}"},
        "x_label": {"zh": "键位置", "en": "key <position>"},
        "y_label": {"zh": "查询位置", "en": "query position"},
        "row_labels": ["0", "1", "pad"],
        "column_labels": ["0", "1", "<pad>"],
        "values": [[1.0, 0.0, 0.0], [0.25, 0.75, 0.0], [0.5, 0.5, "NaN"]],
        "value_range": [0.0, 1.0],
    }
    heatmap.update(overrides)
    return heatmap


def _cells(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)  # also proves the SVG is well-formed XML
    return [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]


def test_every_text_is_escaped_and_the_svg_is_well_formed():
    svg = svg_heatmap(_heatmap(), "en")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "key &lt;position&gt;" in svg and "&lt;pad&gt;" in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and "heatmap" in root.get("class")
    texts = "".join(root.itertext())
    assert HOSTILE in texts  # the reader sees the title as written, not as markup


def test_one_cell_per_value_shaded_on_the_pinned_scale():
    cells = _cells(svg_heatmap(_heatmap(), "en"))
    assert len(cells) == 9
    by_tooltip = {cell.find(f"{SVG}title").text: cell.get("fill") for cell in cells}
    assert by_tooltip["0, 0: 1"] == "#08306b"  # the top of the scale: darkest
    assert by_tooltip["0, 1: 0"] == "#f7fbff"  # a masked weight: white
    assert by_tooltip["pad, <pad>: NaN"] == "#bbbbbb"  # not a number: grey, not a colour on the scale
    assert by_tooltip["1, 0: 0.25"] not in {"#08306b", "#f7fbff", "#bbbbbb"}


def test_small_grids_carry_their_numbers_and_a_colour_scale():
    root = ET.fromstring(svg_heatmap(_heatmap(), "en"))
    numbers = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "cell-value"]
    assert numbers == ["1.00", "0", "0", "0.25", "0.75", "0", "0.50", "0.50"]  # exact zeros stand out
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert {"0", "0.5", "1"} <= set(ticks)  # the colour scale's ends and middle
    assert ticks.count("pad") == 1 and "<pad>" in ticks  # row and column labels


def test_the_scale_follows_the_data_without_a_pinned_range():
    svg = svg_heatmap(_heatmap(values=[[2.0, 4.0, 6.0]] * 3, value_range=None), "zh")
    root = ET.fromstring(svg)
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert {"2", "4", "6"} <= set(ticks)
    assert "带掩码的注意力" in "".join(root.itertext()) and "键位置" in svg
    fills = {cell.find(f"{SVG}title").text: cell.get("fill") for cell in _cells(svg)}
    assert fills["0, 0: 2"] == "#f7fbff" and fills["0, <pad>: 6"] == "#08306b"


def test_large_matrices_thin_their_labels_and_drop_cell_numbers():
    size = 40
    labels = [str(i) for i in range(size)]
    values = [[(i + j) / (2 * size) for j in range(size)] for i in range(size)]
    svg = svg_heatmap(_heatmap(values=values, row_labels=labels, column_labels=labels), "en")
    root = ET.fromstring(svg)
    assert len(_cells(svg)) == size * size
    assert not [t for t in root.iter(f"{SVG}text") if t.get("class") == "cell-value"]
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    # every second row and column at this size, not all 80 labels: "0" as row, column and scale tick
    assert ticks.count("0") == 3 and "2" in ticks and "3" not in ticks and "39" not in ticks
    assert float(root.get("width")) < 600


def test_nothing_to_draw_gives_nothing():
    assert svg_heatmap(_heatmap(values=[]), "en") == ""
    assert svg_heatmap({}, "en") == ""


def test_missing_labels_fall_back_to_indices():
    svg = svg_heatmap(_heatmap(row_labels=None, column_labels=["a"]), "en")
    tooltips = [cell.find(f"{SVG}title").text for cell in _cells(svg)]
    assert tooltips[:3] == ["0, a: 1", "0, 1: 0", "0, 2: 0"]


def test_html_evidence_shows_heatmaps_after_the_plots(small_bank, sqrt_dk_result):
    result = dict(sqrt_dk_result, heatmaps=[_heatmap(), _heatmap(name="without", title={"zh": "无掩码", "en": "Without mask"})])
    html = render_html(build_sheet(small_bank, "en", {"sqrt-dk-variance": result}))
    evidence_blocks = html.count('class="plot"')  # one line plot per block that shows this result
    assert evidence_blocks >= 1 and html.count('class="plot heatmap"') == 2 * evidence_blocks
    assert html.index('class="plot"') < html.index('class="plot heatmap"')  # line plots first, then heatmaps
    assert "Attention &lt;script&gt;" in html and "<script>" not in html
    # a result cached before heatmaps existed has no key at all, and still exports
    assert 'class="plot heatmap"' not in render_html(build_sheet(small_bank, "en", {"sqrt-dk-variance": sqrt_dk_result}))


def test_a_long_title_wraps_inside_the_image_and_pushes_the_grid_down():
    long_title = {"zh": "注" * 60, "en": "Attention weights with the padding mask (layer 0, head 0; the last 3 are padding) " * 2}
    short, wrapped = svg_heatmap(_heatmap(), "en"), svg_heatmap(_heatmap(title=long_title), "en")
    titles = [t.text for t in ET.fromstring(wrapped).iter(f"{SVG}text") if t.get("class") == "plot-title"]
    assert len(titles) >= 3 and " ".join(titles) == long_title["en"].strip()
    assert all(len(line) <= 70 for line in titles)
    assert float(ET.fromstring(wrapped).get("height")) > float(ET.fromstring(short).get("height"))
    chinese = [t.text for t in ET.fromstring(svg_heatmap(_heatmap(title=long_title), "zh")).iter(f"{SVG}text") if t.get("class") == "plot-title"]
    assert len(chinese) >= 2 and "".join(chinese) == long_title["zh"]
