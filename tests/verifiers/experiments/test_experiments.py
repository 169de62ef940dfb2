"""Every experiment, run at the reduced ``tiny`` size: each claim matches, the evidence is complete and
serialisable, runs are deterministic for a seed, and they leave torch's global settings as they found them.

The ``quick`` profile itself (what ``tprep verify --kind experiment`` runs, ~80 s on two busy cores) is
not repeated here; ``tiny`` keeps the same claims and thresholds on smaller or fewer runs.
"""

import json
import math
import threading
import time

import pytest

from verifiers.registry import default_registry
from verifiers.result import Result, Status
from verifiers.runner import run_one

CONTRACT_IDS = {
    "pre-post-ln-gradients",
    "pre-post-ln-warmup",
    "batchnorm-padding-dependence",
    "batchnorm-vs-layernorm-training",
    "causal-mask-leakage",
    "padding-mask-invariance",
    "kv-cache-equivalence",
    "permutation-equivariance",
    "sqrt-dk-attention-entropy",
    "attention-cost-scaling",
    "multihead-vs-single-head",
    "beam-vs-greedy-trained",
    "label-smoothing-calibration",
    "rope-offset-scores",
    "gqa-cache-quality",
    # issue #17
    "lora-merge-and-init",
    "blockwise-attention-model",
    "sliding-window-receptive-field",
}
EXPERIMENTS = default_registry().select(None, kind="experiment")


@pytest.fixture(scope="module")
def results():
    return {spec.id: run_one(spec, profile="tiny", seed=0, timeout_s=300) for spec in EXPERIMENTS}


def test_the_contract_ids_are_exactly_the_experiments():
    assert {spec.id for spec in EXPERIMENTS} == CONTRACT_IDS
    for spec in EXPERIMENTS:
        assert spec.module.startswith("verifiers.experiments.")
        assert spec.cost.quick_s > 0 and spec.cost.seconds("full") >= spec.cost.quick_s
        assert "torch" in spec.libraries


@pytest.mark.parametrize("spec", EXPERIMENTS, ids=lambda spec: spec.id)
def test_every_claim_matches(spec, results):
    result = results[spec.id]
    assert result.error is None, result.error
    mismatched = [(c.claim_id, c.measured) for c in result.claims if not c.matched]
    assert result.status is Status.PASSED, mismatched
    assert [c.claim_id for c in result.claims] == [c.id for c in spec.claims]
    for verdict in result.claims:
        assert verdict.measured.strip() and verdict.measured != "not checked"


@pytest.mark.parametrize("spec", EXPERIMENTS, ids=lambda spec: spec.id)
def test_formulas_and_texts_read_as_math_in_the_terminal(spec, results):
    from tests.questions.math_checks import problems_in_texts, rendering_problems

    result = results[spec.id]
    for step in result.steps:
        assert rendering_problems(step.latex) == [], step.latex
    texts = {f"summary ({lang})": result.summary.get(lang) for lang in ("zh", "en")}
    texts.update({f"claim {c.claim_id} measured": c.measured for c in result.claims})
    texts.update({f"step {n} ({lang})": step.prose.get(lang) for n, step in enumerate(result.steps) for lang in ("zh", "en")})
    assert problems_in_texts(texts, prose_is_unicode=True) == []


@pytest.mark.parametrize("spec", EXPERIMENTS, ids=lambda spec: spec.id)
def test_evidence_is_complete_and_survives_json(spec, results):
    result = results[spec.id]
    assert result.kind == "experiment" and result.device == "cpu" and result.profile == "tiny"
    assert result.summary.zh.strip() and result.summary.en.strip() and result.summary.zh != result.summary.en
    assert result.steps, "each experiment states the formula behind it"
    assert result.metrics and result.tables
    for table in result.tables:
        assert table.rows, table.name
    for plot in result.plots:
        assert plot.series, plot.name
        for series in plot.series:
            assert len(series.x) == len(series.y) > 0, (plot.name, series.name)
            assert all(math.isfinite(v) for v in (*series.x, *series.y)), (plot.name, series.name)
    for heatmap in result.heatmaps:
        low, high = heatmap.scale()
        assert all(math.isfinite(v) and low <= v <= high for row in heatmap.values for v in row), heatmap.name
    assert "torch" in result.versions
    restored = Result.from_dict(json.loads(json.dumps(result.to_dict(), allow_nan=False)))
    assert restored.to_dict() == result.to_dict()


def test_plots_cover_what_the_issue_asks_for(results):
    names = {(r.verifier_id, p.name) for r in results.values() for p in r.plots}
    for expected in [
        ("pre-post-ln-gradients", "gradients_feed_forward_12_layers"),
        ("pre-post-ln-warmup", "loss_curves"),
        ("batchnorm-vs-layernorm-training", "batch_statistics"),
        ("sqrt-dk-attention-entropy", "entropy"),
        ("attention-cost-scaling", "cost"),
        ("kv-cache-equivalence", "speedup"),
        ("label-smoothing-calibration", "reliability"),
    ]:
        assert expected in names


def _rows_sum_to_one(values, rows) -> bool:
    return all(abs(sum(values[i]) - 1.0) < 1e-5 for i in rows)


def test_causal_mask_heatmaps_show_the_mask_hiding_the_future(results):
    result = results["causal-mask-leakage"]
    by_name = {h.name: h for h in result.heatmaps}
    assert list(by_name) == ["attention_with_mask", "attention_without_mask"]
    masked, unmasked = by_name["attention_with_mask"].values, by_name["attention_without_mask"].values
    size = len(masked)
    assert size >= 4 and all(len(row) == size for row in (*masked, *unmasked))
    assert _rows_sum_to_one(masked, range(size)) and _rows_sum_to_one(unmasked, range(size))
    future = [(i, j) for i in range(size) for j in range(i + 1, size)]
    assert all(masked[i][j] == 0.0 for i, j in future)  # the mask removes the future exactly
    assert all(unmasked[i][j] > 0.0 for i, j in future)  # without it every future key gets some weight
    assert masked[0][0] == pytest.approx(1.0)  # the first query sees only itself
    assert by_name["attention_with_mask"].value_range == (0.0, 1.0)
    # the tables with the same numbers stay, for text-only views
    table = next(t for t in result.tables if t.name == "attention_with_mask")
    assert [row[1:] for row in table.rows] == [tuple(round(w, 4) for w in row) for row in masked]


def test_padding_mask_heatmaps_show_padding_columns_at_zero(results):
    result = results["padding-mask-invariance"]
    by_name = {h.name: h for h in result.heatmaps}
    assert list(by_name) == ["attention_with_mask", "attention_without_mask"]
    masked = by_name["attention_with_mask"]
    unmasked = by_name["attention_without_mask"]
    labels = masked.column_labels
    padding = [j for j, label in enumerate(labels) if label == "pad"]
    real = [j for j, label in enumerate(labels) if label != "pad"]
    assert len(padding) == 3 and len(real) >= 3 and masked.row_labels == labels == unmasked.column_labels
    every_row = range(len(labels))
    assert _rows_sum_to_one(masked.values, every_row) and _rows_sum_to_one(unmasked.values, every_row)
    # every query, real or padded, puts exactly nothing on a padding key
    assert all(masked.values[i][j] == 0.0 for i in every_row for j in padding)
    assert all(unmasked.values[i][j] > 0.0 for i in real for j in padding)  # without the mask, padding is seen


def test_documents_wrong_claims_are_refuted(results):
    refuted = [c for r in results.values() for c in r.claims if not c.expected]
    assert len(refuted) >= 10
    assert all(c.observed is False for c in refuted)


def test_deterministic_for_a_seed():
    chosen = default_registry().select(["pre-post-ln-gradients", "permutation-equivariance", "beam-vs-greedy-trained"])
    for spec in chosen:
        first, second = (run_one(spec, profile="tiny", seed=5, timeout_s=300) for _ in range(2))
        assert first.passed and second.passed
        assert [c.measured for c in first.claims] == [c.measured for c in second.claims], spec.id
        assert first.tables == second.tables and first.metrics == second.metrics, spec.id


def test_another_seed_changes_the_numbers_not_the_verdicts():
    (spec,) = default_registry().select(["pre-post-ln-gradients"])
    one, other = (run_one(spec, profile="tiny", seed=seed, timeout_s=300) for seed in (1, 2))
    assert one.passed and other.passed
    assert one.tables != other.tables


def test_torch_settings_are_restored():
    import torch

    threads, grad, deterministic = torch.get_num_threads(), torch.is_grad_enabled(), torch.are_deterministic_algorithms_enabled()
    (spec,) = default_registry().select(["padding-mask-invariance"])
    assert run_one(spec, profile="tiny", timeout_s=300).passed
    assert (torch.get_num_threads(), torch.is_grad_enabled(), torch.are_deterministic_algorithms_enabled()) == (
        threads,
        grad,
        deterministic,
    )


def test_a_training_experiment_stops_promptly_when_timed_out():
    """Training loops check for cancellation every step, so a timed-out run does not go on in the background."""
    (spec,) = default_registry().select(["label-smoothing-calibration"])
    result = run_one(spec, profile="quick", timeout_s=1.0)
    assert result.status is Status.ERROR and "timed out" in result.error
    deadline = time.monotonic() + 5
    while any(t.name == f"verifier:{spec.id}" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name == f"verifier:{spec.id}" for t in threading.enumerate())
