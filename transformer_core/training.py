"""Training utilities the experiments need: loss, learning-rate schedules, a small loop that records.

``train`` never crashes on a diverging run: a NaN/inf loss or gradient ends
the run and is reported in the ``TrainingRecord`` (``diverged``,
``diverged_step``), because "Post-LN without warm-up diverges" is a result,
not an error. The parameters are left as they were before the bad step.
"""

from __future__ import annotations

import math
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

import torch
import torch.nn.functional as F
from torch import nn

from .device import autocast
from .introspection import capture_hidden_states, hidden_state_norms, per_layer_gradient_norms
from .tasks import PAD_ID, LanguageModelBatch, Seq2SeqBatch

# Losses -------------------------------------------------------------------------------


def label_smoothed_cross_entropy(
    logits: torch.Tensor,
    targets: torch.Tensor,
    *,
    smoothing: float = 0.0,
    ignore_index: int | None = PAD_ID,
) -> torch.Tensor:
    """Mean cross-entropy over the tokens that are not ``ignore_index``.

    ``logits (..., V)``, ``targets (...)``. With ``smoothing = eps`` the target
    distribution is ``(1 - eps) * one_hot + eps / V`` (PyTorch's convention;
    Szegedy et al., 2016). A batch without any counted token gives 0, not NaN.

    Computed in the wider of float32 and the logits' dtype: float32 for
    bfloat16/float16 logits (a log-softmax over a vocabulary in bfloat16
    loses most of its digits), float64 for a float64 model, whose loss and
    gradients then keep float64's precision.
    """
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing}")
    if logits.shape[:-1] != targets.shape:
        raise ValueError(
            f"logits {tuple(logits.shape)} and targets {tuple(targets.shape)} disagree: "
            "expected logits (..., vocab) for targets (...)"
        )
    flat_logits = logits.reshape(-1, logits.size(-1))
    flat_logits = flat_logits.to(torch.promote_types(flat_logits.dtype, torch.float32))
    flat_targets = targets.reshape(-1)
    index = -100 if ignore_index is None else ignore_index
    total = F.cross_entropy(flat_logits, flat_targets, ignore_index=index, label_smoothing=smoothing, reduction="sum")
    count = (flat_targets != index).sum().clamp(min=1)
    return total / count


def batch_loss(model: nn.Module, batch, *, smoothing: float = 0.0) -> torch.Tensor:
    """Teacher-forced loss of an ``EncoderDecoder`` on a ``Seq2SeqBatch`` or a ``DecoderOnly`` on a ``LanguageModelBatch``."""
    if isinstance(batch, Seq2SeqBatch):
        logits = model(batch.src, batch.tgt_in, batch.src_padding_mask, batch.tgt_padding_mask)
        return label_smoothed_cross_entropy(logits, batch.tgt_out, smoothing=smoothing)
    if isinstance(batch, LanguageModelBatch):
        logits = model(batch.ids, batch.padding_mask)
        return label_smoothed_cross_entropy(logits, batch.targets, smoothing=smoothing)
    raise TypeError(f"batch_loss: unsupported batch type {type(batch).__name__}; pass a loss_fn to train()")


# Learning-rate schedules ------------------------------------------------------------


def inverse_sqrt_warmup(step: int, *, d_model: int, warmup_steps: int, factor: float = 1.0) -> float:
    """The original schedule: ``factor * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)``.

    Linear warm-up for ``warmup_steps``, then decay as 1/sqrt(step); the two
    pieces meet at ``step = warmup_steps``, the peak. ``step`` counts from 1
    (0 is treated as 1).
    """
    step = max(step, 1)
    return factor * d_model**-0.5 * min(step**-0.5, step * warmup_steps**-1.5)


def warmup_cosine(step: int, *, warmup_steps: int, total_steps: int, peak_lr: float, min_lr: float = 0.0) -> float:
    """Linear warm-up to ``peak_lr`` over ``warmup_steps``, then cosine decay to ``min_lr`` at ``total_steps``."""
    step = max(step, 1)
    if warmup_steps > 0 and step <= warmup_steps:
        return peak_lr * step / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return min_lr + 0.5 * (peak_lr - min_lr) * (1.0 + math.cos(math.pi * progress))


def constant_lr(lr: float) -> Callable[[int], float]:
    return lambda step: lr


# The loop ---------------------------------------------------------------------------


@dataclass
class TrainingRecord:
    """What happened in a ``train`` run, step by step (steps count from 1)."""

    losses: list[float] = field(default_factory=list)
    learning_rates: list[float] = field(default_factory=list)
    total_gradient_norms: list[float] = field(default_factory=list)  # before clipping
    recorded_steps: list[int] = field(default_factory=list)  # steps whose per-layer figures were kept
    gradient_norms: list[dict[str, float]] = field(default_factory=list)  # per recorded step, see per_layer_gradient_norms
    hidden_norms: list[dict[str, float]] = field(default_factory=list)  # per recorded step: layer -> mean token norm
    diverged: bool = False
    diverged_step: int | None = None
    divergence_reason: str | None = None
    steps_completed: int = 0
    elapsed_s: float = 0.0

    def final_loss(self, window: int = 10) -> float:
        """Mean of the last ``window`` losses (NaN if there are none)."""
        tail = self.losses[-window:]
        return sum(tail) / len(tail) if tail else float("nan")

    def to_dict(self) -> dict:
        return asdict(self)


def train(
    model: nn.Module,
    batches: Iterable,
    *,
    steps: int,
    lr: float | Callable[[int], float] = 1e-3,
    optimizer: torch.optim.Optimizer | None = None,
    betas: tuple[float, float] = (0.9, 0.98),
    weight_decay: float = 0.0,
    label_smoothing: float = 0.0,
    clip_grad_norm: float | None = None,
    record_every: int = 1,
    device: torch.device | str | None = None,
    bf16: bool = False,
    loss_fn: Callable[[nn.Module, object], torch.Tensor] | None = None,
) -> TrainingRecord:
    """Train ``model`` for ``steps`` batches from ``batches`` and record what happened.

    ``lr``: a constant or a function of the (1-based) step, e.g.
    ``functools.partial(inverse_sqrt_warmup, d_model=..., warmup_steps=...)``;
    it sets the learning rate of every step, also with an ``optimizer`` given.
    ``optimizer``: defaults to Adam(betas, eps=1e-9) as in the original paper
    (AdamW when ``weight_decay`` > 0). ``loss_fn(model, batch)`` defaults to
    ``batch_loss``. Every ``record_every`` steps the per-layer gradient norms
    and hidden-state norms are kept. ``bf16`` enables autocast on CUDA.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if record_every < 1:
        raise ValueError(f"record_every must be >= 1, got {record_every}")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.to(device)
    schedule = lr if callable(lr) else constant_lr(float(lr))
    if optimizer is None:
        optimizer_class = torch.optim.AdamW if weight_decay > 0 else torch.optim.Adam
        optimizer = optimizer_class(
            model.parameters(), lr=schedule(1), betas=betas, eps=1e-9, weight_decay=weight_decay
        )
    compute_loss = loss_fn or (lambda m, b: batch_loss(m, b, smoothing=label_smoothing))
    parameters = [p for p in model.parameters() if p.requires_grad]

    record = TrainingRecord()
    started = time.perf_counter()
    model.train()
    iterator = iter(batches)
    for step in range(1, steps + 1):
        try:
            batch = next(iterator)
        except StopIteration:
            raise ValueError(
                f"batches ran out after {step - 1} of {steps} steps; pass an endless stream such as "
                "SyntheticTask.batches(...) or ask for fewer steps"
            ) from None
        if hasattr(batch, "to"):
            batch = batch.to(device)
        step_lr = schedule(step)
        for group in optimizer.param_groups:
            group["lr"] = step_lr
        recording = (step - 1) % record_every == 0 or step == steps

        optimizer.zero_grad(set_to_none=True)
        with capture_hidden_states(model) if recording else nullcontext({}) as states, autocast(device, bf16=bf16):
            loss = compute_loss(model, batch)
        loss_value = float(loss.detach())
        record.losses.append(loss_value)
        record.learning_rates.append(step_lr)
        if not math.isfinite(loss_value):
            _mark_diverged(record, step, f"loss is {loss_value}")
            break
        loss.backward()
        grad_norm = float(torch.nn.utils.clip_grad_norm_(parameters, float("inf")))
        record.total_gradient_norms.append(grad_norm)
        if recording:
            record.recorded_steps.append(step)
            record.gradient_norms.append(per_layer_gradient_norms(model))
            record.hidden_norms.append(hidden_state_norms(states))
        if not math.isfinite(grad_norm):
            _mark_diverged(record, step, f"gradient norm is {grad_norm}")
            break
        if clip_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(parameters, clip_grad_norm)
        optimizer.step()
        record.steps_completed = step
    record.elapsed_s = time.perf_counter() - started
    return record


def _mark_diverged(record: TrainingRecord, step: int, reason: str) -> None:
    record.diverged = True
    record.diverged_step = step
    record.divergence_reason = reason


def exact_match_accuracy(model: nn.Module, batch: Seq2SeqBatch) -> float:
    """Fraction of rows whose greedy output equals ``tgt_out`` exactly (EOS included)."""
    from .decoding import greedy_decode
    from .tasks import BOS_ID, EOS_ID

    result = greedy_decode(
        model,
        batch.src,
        src_padding_mask=batch.src_padding_mask,
        max_new_tokens=batch.tgt_out.size(1),
        bos_id=BOS_ID,
        eos_id=EOS_ID,
    )
    correct = 0
    for row in range(batch.src.size(0)):
        expected = batch.tgt_out[row, : int(batch.tgt_padding_mask[row].sum())].tolist()
        produced = result.sequences[row, : int(result.lengths[row])].tolist()
        correct += produced == expected
    return correct / batch.src.size(0)
