"""Training utilities: loss, schedules, synthetic tasks, the recording loop (a model learns to copy)."""

import functools
import math

import pytest
import torch
import torch.nn.functional as F

from transformer_core import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    DecoderOnly,
    EncoderDecoder,
    SyntheticTask,
    exact_match_accuracy,
    inverse_sqrt_warmup,
    label_smoothed_cross_entropy,
    train,
    warmup_cosine,
)

from .helpers import tiny_config


def test_label_smoothed_loss_matches_its_definition_and_ignores_padding():
    torch.manual_seed(0)
    logits = torch.randn(2, 3, 5)
    targets = torch.tensor([[1, 4, PAD_ID], [2, PAD_ID, PAD_ID]])
    eps = 0.1
    log_probs = logits.log_softmax(-1)
    real = targets != PAD_ID
    smoothed = torch.full((2, 3, 5), eps / 5).scatter_add(-1, targets[..., None], torch.full((2, 3, 1), 1 - eps))
    expected = -(smoothed * log_probs).sum(-1)[real].mean()
    actual = label_smoothed_cross_entropy(logits, targets, smoothing=eps)
    torch.testing.assert_close(actual, expected)
    # Padding logits do not matter at all.
    changed = logits.clone()
    changed[~real] = 100.0
    torch.testing.assert_close(label_smoothed_cross_entropy(changed, targets, smoothing=eps), actual)
    # eps = 0 is plain cross-entropy.
    torch.testing.assert_close(
        label_smoothed_cross_entropy(logits, targets), F.cross_entropy(logits[real], targets[real])
    )
    all_padding = torch.zeros(2, 3, dtype=torch.long)
    assert float(label_smoothed_cross_entropy(logits, all_padding)) == 0.0
    with pytest.raises(ValueError, match="disagree"):
        label_smoothed_cross_entropy(logits, targets[:, :2])


def test_inverse_sqrt_schedule_peaks_at_warmup_and_is_continuous():
    schedule = functools.partial(inverse_sqrt_warmup, d_model=512, warmup_steps=4000)
    values = [schedule(step) for step in range(1, 20001)]
    assert max(range(len(values)), key=values.__getitem__) + 1 == 4000
    assert schedule(4000) == pytest.approx(512**-0.5 * 4000**-0.5)
    assert schedule(100) == pytest.approx(100 * schedule(1))  # linear warm-up
    assert schedule(16000) == pytest.approx(schedule(4000) / 2)  # 1/sqrt decay
    assert schedule(0) == schedule(1)


def test_warmup_cosine_schedule_endpoints():
    schedule = functools.partial(warmup_cosine, warmup_steps=10, total_steps=110, peak_lr=1e-3, min_lr=1e-5)
    assert schedule(1) == pytest.approx(1e-4)
    assert schedule(10) == pytest.approx(1e-3)
    assert schedule(60) == pytest.approx(1e-5 + 0.5 * (1e-3 - 1e-5))
    assert schedule(110) == pytest.approx(1e-5)
    assert schedule(500) == pytest.approx(1e-5)


@pytest.mark.parametrize("kind", ["copy", "reverse", "sort"])
def test_synthetic_tasks_are_correct_padded_and_deterministic(kind):
    task = SyntheticTask(kind, vocab_size=10, min_length=2, max_length=6, seed=7)
    first, again = next(task.batches(16)), next(task.batches(16))
    assert torch.equal(first.src, again.src) and torch.equal(first.tgt_out, again.tgt_out)
    assert not torch.equal(first.src, next(task.batches(16, seed=8)).src)
    assert (~first.src_padding_mask).any(), "variable lengths must produce padding"
    for row in range(16):
        n = int(first.src_padding_mask[row].sum())
        content = first.src[row, : n - 1].tolist()
        assert first.src[row, n - 1] == EOS_ID and all(3 <= t < 10 for t in content)
        expected = {"copy": content, "reverse": content[::-1], "sort": sorted(content)}[kind]
        assert first.tgt_in[row, : n].tolist() == [BOS_ID] + expected
        assert first.tgt_out[row, : n].tolist() == expected + [EOS_ID]
        assert (first.tgt_out[row, n:] == PAD_ID).all()
    lm = task.make_language_model_batch(4, torch.Generator().manual_seed(0))
    assert torch.equal(lm.ids[:, 1:][lm.padding_mask[:, 1:]], lm.targets[:, :-1][lm.padding_mask[:, 1:]])
    assert lm.ids.size(1) <= task.max_language_model_length
    with pytest.raises(ValueError, match="SyntheticTask.vocab_size"):
        SyntheticTask(kind, vocab_size=3)


def test_a_small_model_learns_the_copy_task():
    torch.manual_seed(0)
    task = SyntheticTask("copy", vocab_size=12, min_length=2, max_length=8, seed=0)
    config = tiny_config(
        vocab_size=12, d_ff=64, max_len=task.max_sequence_length, norm_placement="pre"
    )
    model = EncoderDecoder(config)
    schedule = functools.partial(warmup_cosine, warmup_steps=30, total_steps=300, peak_lr=3e-3)
    record = train(model, task.batches(32), steps=300, lr=schedule, record_every=100)
    assert not record.diverged and record.steps_completed == 300
    assert record.losses[0] > 2.0 and record.final_loss() < 0.15
    assert record.recorded_steps == [1, 101, 201, 300]
    assert set(record.gradient_norms[0]) >= {"encoder.0.self_attention", "decoder.1.cross_attention"}
    assert set(record.hidden_norms[0]) == {"encoder.0", "encoder.1", "decoder.0", "decoder.1"}
    held_out = task.make_batch(64, torch.Generator().manual_seed(123))
    assert exact_match_accuracy(model, held_out) >= 0.9


def test_divergence_is_reported_not_raised_and_weights_stay_finite():
    torch.manual_seed(0)
    task = SyntheticTask("reverse", vocab_size=12, max_length=6)
    model = DecoderOnly(tiny_config(vocab_size=12, max_len=task.max_language_model_length))
    calls = {"n": 0}

    def poisoned_loss(m, batch):
        calls["n"] += 1
        logits = m(batch.ids, batch.padding_mask)
        loss = label_smoothed_cross_entropy(logits, batch.targets)
        return loss * float("inf") if calls["n"] == 3 else loss

    record = train(model, task.language_model_batches(8), steps=10, lr=1e-3, loss_fn=poisoned_loss)
    assert record.diverged and record.diverged_step == 3 and record.steps_completed == 2
    assert "loss is inf" in record.divergence_reason
    assert len(record.losses) == 3 and math.isinf(record.losses[-1])
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert record.to_dict()["diverged_step"] == 3


def test_running_out_of_batches_is_a_clear_error():
    task = SyntheticTask("copy", vocab_size=12, max_length=5)
    model = EncoderDecoder(tiny_config(vocab_size=12, max_len=task.max_sequence_length))
    two = [task.make_batch(4, torch.Generator().manual_seed(i)) for i in range(2)]
    with pytest.raises(ValueError, match="batches ran out after 2 of 5 steps"):
        train(model, two, steps=5)


def test_non_finite_gradients_stop_before_the_update():
    torch.manual_seed(0)
    task = SyntheticTask("copy", vocab_size=12, max_length=5)
    model = EncoderDecoder(tiny_config(vocab_size=12, max_len=task.max_sequence_length))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}

    def nan_gradient_loss(m, batch):
        logits = m(batch.src, batch.tgt_in)
        return label_smoothed_cross_entropy(logits, batch.tgt_out) + _NanGradient.apply(logits)

    record = train(model, task.batches(4), steps=3, lr=1e-3, loss_fn=nan_gradient_loss)
    assert record.diverged and record.diverged_step == 1 and "gradient norm is nan" in record.divergence_reason
    for name, p in model.named_parameters():
        torch.testing.assert_close(p, before[name], msg=name)


class _NanGradient(torch.autograd.Function):
    """Zero on the way forward, NaN on the way back: a finite loss with poisoned gradients."""

    @staticmethod
    def forward(ctx, x):
        ctx.input_shape = x.shape
        return x.new_zeros(())

    @staticmethod
    def backward(ctx, grad):
        return torch.full(ctx.input_shape, float("nan"))
