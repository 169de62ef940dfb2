"""The plots screen draws a result's heatmaps after its line plots, as shaded cells with their values."""

from rich.console import Console

from tui import paths
from tui.screens.plots import HeatmapView, PlotsScreen, heatmap_text
from verifiers.cache import ResultsCache
from verifiers.result import Bilingual, Heatmap, Plot, Result, Series, Status

VERIFIER = "causal-mask-leakage"
WEIGHTS = ((1.0, 0.0, 0.0), (0.6, 0.4, 0.0), (0.25, 0.25, 0.5))


def _heatmap(values=WEIGHTS, labels=("0", "1", "2")) -> Heatmap:
    return Heatmap(
        "attention_with_mask",
        Bilingual("带因果掩码的注意力权重", "Attention weights with the causal mask"),
        Bilingual("键位置", "key position"),
        Bilingual("查询位置", "query position"),
        tuple(labels),
        tuple(labels),
        tuple(tuple(row) for row in values),
        (0.0, 1.0),
    )


def _cached_result() -> None:
    text = Bilingual("中文", "English")
    result = Result(
        verifier_id=VERIFIER,
        kind="experiment",
        status=Status.PASSED,
        summary=text,
        plots=(Plot("loss_curves", Bilingual("训练损失", "Training loss"), text, text, (Series("masked", (1.0, 2.0), (2.0, 1.0)),)),),
        heatmaps=(_heatmap(),),
        started_at="2026-11-22T20:00:00+00:00",
    )
    ResultsCache(paths.results_dir()).save(result)


async def test_the_plots_screen_steps_from_a_line_plot_to_a_heatmap(app):
    _cached_result()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        screen = app.screen
        ids = [spec.id for spec in screen.specs]
        await pilot.press(*["down"] * ids.index(VERIFIER), "g")
        plots = app.screen
        assert isinstance(plots, PlotsScreen)
        box, view = plots.query_one("#plots-box"), plots.query_one(HeatmapView)
        assert box.border_title == f"{VERIFIER}  1/2" and not view.display
        await pilot.press("right")
        await pilot.pause()
        assert box.border_title == f"{VERIFIER}  2/2"
        assert view.display and not plots.query_one("#plots-plot").display
        assert "Attention weights with the causal mask" in str(plots.query_one("#plots-title").render())
        drawn = str(view.render()).splitlines()
        assert len(drawn) <= view.size.height
        lines = [line for line in drawn if line.strip()]  # rows may span several lines; values sit on one
        assert len(drawn) > len(lines), "with room to spare at 80x24, cells are more than one line tall"
        assert lines[0].startswith("query position ↓") and "key position →" in lines[0]
        assert lines[1].split() == ["0", "1", "2"]
        assert lines[2].split() == ["0", "1.00", "0", "0"]  # masked weights read as an exact 0
        assert lines[3].split() == ["1", "0.60", "0.40", "0"]
        assert view.size.width <= 76
        await pilot.press("right")  # wraps round to the line plot
        assert box.border_title == f"{VERIFIER}  1/2" and plots.query_one("#plots-plot").display
        await pilot.press("escape")
        assert app.screen is screen


def test_cells_are_shaded_on_the_scale_and_fit_the_width():
    console = Console(width=80, force_terminal=True, color_system="truecolor", record=True)
    console.print(heatmap_text(_heatmap(), "en", 60, 12))
    styled = console.export_text(styles=True)
    assert "48;2;8;48;107" in styled  # the 1.00 cell: the darkest shade, as its background
    assert "48;2;247;251;255" in styled  # the masked cells: white
    many = [[(i * j) / 1600 for j in range(40)] for i in range(40)]
    wide = heatmap_text(_heatmap(many, [str(i) for i in range(40)]), "zh", 74, 16)
    lines = wide.plain.splitlines()
    assert lines[0].startswith("查询位置 ↓") and "(26/40)" in lines[0]  # 13 lines of two half-block rows each
    assert all(len(line) <= 74 for line in lines) and len(lines) == 16
    assert "▀" in lines[2] and "0.50" not in wide.plain  # no room for numbers at this size
