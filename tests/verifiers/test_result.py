"""The result model: JSON round trip, schema version, special floats."""

import json
import math

import pytest

from verifiers.result import (
    SCHEMA_VERSION,
    Bilingual,
    ClaimVerdict,
    DerivationStep,
    Heatmap,
    Metric,
    Plot,
    Result,
    ResultFormatError,
    Series,
    Status,
    Table,
)


def _full_result() -> Result:
    text = Bilingual(zh="中文", en="English")
    return Result(
        verifier_id="some-verifier",
        kind="experiment",
        status=Status.FAILED,
        summary=text,
        claims=(
            ClaimVerdict("a", text, expected=True, observed=True, measured="1.0", value=1.0),
            ClaimVerdict("b", text, expected=False, observed=True, measured="inf", value=math.inf),
            ClaimVerdict("c", text, expected=True, observed=None, measured="not checked"),
        ),
        steps=(DerivationStep(r"\frac{a}{b}", text),),
        metrics=(Metric("loss", math.nan, "nats", text), Metric("count", 3.0)),
        tables=(Table("t", text, ("x", "y"), ((1, "a"), (2.5, -math.inf))),),
        plots=(Plot("p", text, text, text, (Series("s", (1.0, 2.0), (3.0, 4.0)),), x_log=True),),
        heatmaps=(
            Heatmap("h", text, text, text, ("q0", "q1"), ("k0", "k1", "k2"), ((1.0, 0.0, 0.0), (0.25, 0.75, math.nan)), (0.0, 1.0)),
            Heatmap("free", text, text, text, ("0",), ("0",), ((-2.5,),)),
        ),
        seed=42,
        profile="full",
        device="cuda",
        elapsed_s=1.25,
        started_at="2026-01-01T00:00:00+00:00",
        versions={"python": "3.11.0", "torch": "2.13.0"},
        error=None,
    )


def test_round_trip_through_json_keeps_everything():
    original = _full_result()
    text = json.dumps(original.to_dict(), allow_nan=False)  # strict JSON: NaN/inf travel as strings
    restored = Result.from_dict(json.loads(text))
    assert restored.to_dict() == original.to_dict()
    assert math.isnan(restored.metric("loss").value)
    assert restored.claims[1].value == math.inf
    assert restored.tables[0].rows[1][1] == -math.inf
    assert restored.status is Status.FAILED and restored.versions["torch"] == "2.13.0"
    assert restored.plots[0].series[0].y == (3.0, 4.0)
    heatmap = restored.heatmaps[0]
    assert heatmap.values[1][:2] == (0.25, 0.75) and math.isnan(heatmap.values[1][2])
    assert heatmap.row_labels == ("q0", "q1") and heatmap.column_labels == ("k0", "k1", "k2")
    assert heatmap.value_range == (0.0, 1.0) and restored.heatmaps[1].value_range is None


def test_a_result_written_before_heatmaps_existed_still_reads():
    raw = _full_result().to_dict()
    del raw["heatmaps"]  # what the cache holds from before the field was added, same schema version
    restored = Result.from_dict(raw)
    assert restored.heatmaps == ()
    assert restored.plots[0].name == "p"


def test_a_malformed_heatmap_is_a_format_error():
    raw = _full_result().to_dict()
    raw["heatmaps"][0]["values"] = [[1.0, 0.0]]  # one row, two cells, for two rows of three labels
    with pytest.raises(ResultFormatError, match="heatmap 'h': 1 rows but 2 row labels"):
        Result.from_dict(raw)


def test_matched_needs_an_observation_equal_to_the_expectation():
    text = Bilingual("z", "e")
    assert ClaimVerdict("a", text, True, True, "").matched
    assert ClaimVerdict("a", text, False, False, "").matched
    assert not ClaimVerdict("a", text, False, True, "").matched
    assert not ClaimVerdict("a", text, True, None, "").matched


def test_other_schema_versions_are_refused_with_a_message():
    raw = _full_result().to_dict()
    raw["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ResultFormatError, match="schema version"):
        Result.from_dict(raw)
    del raw["schema_version"]
    with pytest.raises(ResultFormatError):
        Result.from_dict(raw)


def test_malformed_results_raise_a_format_error_not_a_key_error():
    raw = _full_result().to_dict()
    del raw["claims"]
    with pytest.raises(ResultFormatError, match="claims"):
        Result.from_dict(raw)
    with pytest.raises(ResultFormatError):
        Result.from_dict([1, 2, 3])


def test_series_and_tables_reject_mismatched_shapes():
    with pytest.raises(ValueError, match="2 x values but 1 y"):
        Series("s", (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="row 0 has 1 cells for 2 columns"):
        Table("t", Bilingual("z", "e"), ("a", "b"), ((1,),))


def test_heatmaps_reject_mismatched_shapes_and_empty_ranges():
    text = Bilingual("z", "e")
    with pytest.raises(ValueError, match="row 1 has 1 values for 2 column labels"):
        Heatmap("h", text, text, text, ("a", "b"), ("x", "y"), ((1.0, 2.0), (3.0,)))
    with pytest.raises(ValueError, match="no values"):
        Heatmap("h", text, text, text, (), (), ())
    with pytest.raises(ValueError, match="value range"):
        Heatmap("h", text, text, text, ("a",), ("x",), ((1.0,),), value_range=(1.0, 1.0))


def test_heatmap_scale_is_the_pinned_range_or_the_finite_values():
    text = Bilingual("z", "e")
    pinned = Heatmap("h", text, text, text, ("a",), ("x", "y"), ((0.2, 0.4),), value_range=(0.0, 1.0))
    assert pinned.scale() == (0.0, 1.0)
    free = Heatmap("h", text, text, text, ("a",), ("x", "y", "z"), ((0.2, math.inf, 0.4),))
    assert free.scale() == (0.2, 0.4)
    flat = Heatmap("h", text, text, text, ("a",), ("x",), ((3.0,),))
    assert flat.scale() == (2.5, 3.5)
