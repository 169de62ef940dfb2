"""The issue #17 verifiers: the figures the bank's answers quote come out of the runs, and their helpers agree with
independent implementations or hand-worked cases. (Every claim of every symbolic verifier is checked in
test_symbolic.py; the experiments in experiments/test_experiments.py.)"""

import math
from fractions import Fraction

import pytest

from verifiers.registry import default_registry
from verifiers.runner import run_verifiers

QUOTED = [
    # (verifier, metric, value the bank quotes, relative tolerance)
    ("kv-cache-memory-arithmetic", "llama2_70b_bytes_per_token", 327_680, 0),
    ("kv-cache-memory-arithmetic", "llama2_7b_batch_gib", 64, 0),
    ("chinchilla-compute-optimal", "n_for_1e24", 9.13e10, 1e-3),
    ("chinchilla-compute-optimal", "d_for_1e24", 1.83e12, 3e-3),
    ("speculative-sampling-exact", "tokens_per_pass", 3.3616, 1e-12),
    ("zero-stage-memory", "zero3_gb_paper_example", 1.875, 1e-12),
    ("zero-stage-memory", "model_states_70b_tb", 1.12, 1e-12),
    ("llama-parameter-count", "llama2_7b_parameters", 6_738_415_616, 0),
    ("llama-parameter-count", "llama2_70b_parameters", 68_976_648_192, 0),
    ("pipeline-bubble", "bubble_p8_m8", 7 / 15, 1e-15),
    ("ring-allreduce-volume", "sent_over_s_at_64", 2 * 63 / 64, 1e-15),
    ("rope-long-range-decay", "ntk_base", 40_890, 1e-4),
    ("dpo-loss-and-optimum", "loss_at_init", math.log(2), 1e-15),
]


@pytest.fixture(scope="module")
def results():
    chosen = default_registry().select(sorted({verifier for verifier, *_ in QUOTED}))
    return {r.verifier_id: r for r in run_verifiers(chosen, profile="quick").results}


@pytest.mark.parametrize("verifier_id, metric, quoted, tolerance", QUOTED, ids=lambda v: str(v))
def test_the_figures_the_bank_quotes(results, verifier_id, metric, quoted, tolerance):
    result = results[verifier_id]
    assert result.passed
    value = next(m.value for m in result.metrics if m.name == metric)
    assert value == pytest.approx(quoted, rel=tolerance, abs=0)


def test_alibi_slopes_match_transformers_bloom():
    """An independent implementation: BLOOM's build_alibi_tensor in transformers (slope × position 1)."""
    torch = pytest.importorskip("torch")
    bloom = pytest.importorskip("transformers.models.bloom.modeling_bloom")
    from verifiers.symbolic.alibi_slopes import HEAD_COUNTS, _alibi_slopes

    for heads in HEAD_COUNTS:
        alibi = bloom.build_alibi_tensor(torch.ones(1, 2, dtype=torch.long), heads, torch.float64)
        assert [float(v) for v in alibi[:, 0, 1]] == pytest.approx(_alibi_slopes(heads), rel=1e-6), heads  # BLOOM computes in float32


def test_pipeline_simulation_on_a_schedule_worked_by_hand():
    """p = 2, m = 2, forward 1, backward 2. GPipe: stage 1 runs F0 1-2, F1 2-3, B0 3-5, B1 5-7; stage 0 then B0 5-7,
    B1 7-9: makespan 9 = (m + p − 1)(t_f + t_b), two micro-batches alive on each stage."""
    from verifiers.symbolic.pipeline_bubble import _gpipe_order, _one_f_one_b_order, _simulate

    assert _simulate(2, 2, _gpipe_order) == (9, [2, 2])
    time, peaks = _simulate(4, 8, _one_f_one_b_order)
    assert time == (8 + 4 - 1) * 3 and peaks == [4, 3, 2, 1]


def test_ring_allreduce_helper_sums_and_counts():
    np = pytest.importorskip("numpy")
    from verifiers.symbolic.ring_allreduce_volume import _ring_allreduce

    buffers = [np.arange(12) * (rank + 1) for rank in range(4)]
    results, sent, steps = _ring_allreduce(buffers)
    assert all(np.array_equal(r, np.arange(12) * 10) for r in results)
    assert sent == [2 * 3 * 12 // 4] * 4 and steps == 6


def test_speculative_enumeration_is_the_target_and_the_wrong_variant_is_not():
    from verifiers.symbolic.speculative_sampling_exact import _enumerate_speculative, _one_position

    target = [Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)]
    draft = [Fraction(1, 6), Fraction(1, 6), Fraction(2, 3)]
    output, accepted = _one_position(target, draft, resample_from_target=False)
    assert output == target and accepted == Fraction(1, 6) + Fraction(1, 6) + Fraction(1, 6)
    wrong, _ = _one_position(target, draft, resample_from_target=True)
    assert wrong != target

    def constant(distribution):
        return lambda prefix: distribution

    sequences = _enumerate_speculative(constant(target), constant(draft), gamma=2, length=2)
    assert sequences == {(a, b): target[a] * target[b] for a in range(3) for b in range(3)}


def test_stochastic_rounding_to_bf16_is_unbiased():
    torch = pytest.importorskip("torch")
    from verifiers.symbolic.bf16_master_weights import _stochastic_round_to_bf16

    value = 1.0 + 2**-9  # a quarter of bf16's gap above 1.0: nearest rounding always gives 1.0
    rounded = _stochastic_round_to_bf16(torch.full((20000,), value), torch.Generator().manual_seed(0)).float()
    assert set(rounded.unique().tolist()) == {1.0, 1.0 + 2**-7}
    assert float(rounded.mean()) == pytest.approx(value, abs=2e-4)


def test_int4_group_quantiser_of_the_lora_experiment():
    torch = pytest.importorskip("torch")
    from verifiers.experiments.lora_merge_and_init import GROUP, _quantise_int4

    weight = torch.randn(8, 4 * GROUP, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    quantised = _quantise_int4(torch, weight)
    scales = weight.reshape(8, 4, GROUP).abs().amax(-1, keepdim=True) / 7
    steps = quantised.reshape(8, 4, GROUP) / scales
    assert torch.allclose(steps, steps.round(), atol=1e-9) and float(steps.abs().max()) <= 7 + 1e-9
    assert float(((quantised - weight).reshape(8, 4, GROUP).abs() / scales).max()) <= 0.5 + 1e-9
