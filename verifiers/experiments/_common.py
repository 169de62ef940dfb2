"""Helpers shared by the torch experiments (torch imported lazily, inside functions).

Sizes: every experiment declares its work for three profiles. ``quick`` and
``full`` are the ones ``tprep verify --profile`` offers (CPU seconds; larger
and with more seeds, meant for a GPU); ``tiny`` is a reduced size the tests
run (``Context(profile="tiny")``) to check every claim and the result's
structure in a fraction of the time. Claims are decided with margins, and
over several seeds where training is involved, so they hold at every size.
"""

from __future__ import annotations

import math
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

from verifiers.result import Bilingual
from verifiers.spec import Context

T = TypeVar("T")
SIZES: tuple[str, ...] = ("tiny", "quick", "full")


@dataclass(frozen=True)
class Bound:
    """The threshold a claim is decided by: ``value >= low`` and/or ``value <= high``.

    Each experiment module lists its claims' bounds in ``BOUNDS`` (claim id ->
    ``Bound``) next to the named thresholds; ``bench/seeds.py`` reads them to
    say how far each claim is from flipping. The recorded ``value`` of the
    claim is the quantity compared.
    """

    low: float | None = None
    high: float | None = None

    def holds(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def margin(self, value: float, *, expected: bool = True) -> float:
        """Relative distance to the nearest threshold, positive when the verdict is the expected one."""
        distances = []
        if self.low is not None:
            distances.append((value - self.low) / (abs(self.low) or 1.0))
        if self.high is not None:
            distances.append((self.high - value) / (abs(self.high) or 1.0))
        inside = min(distances)  # > 0: holds, < 0: does not
        return inside if expected else -inside

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            return f"in [{self.low:g}, {self.high:g}]"
        return f">= {self.low:g}" if self.low is not None else f"<= {self.high:g}"


def at_least(threshold: float) -> Bound:
    return Bound(low=threshold)


def at_most(threshold: float) -> Bound:
    return Bound(high=threshold)


def pick(ctx: Context, sizes: Mapping[str, T]) -> T:
    """The settings for this run's profile (``tiny`` is the tests' reduced size)."""
    profile = ctx.profile if ctx.profile in sizes else "quick"
    return sizes[profile]


def seeds(ctx: Context, count: int) -> list[int]:
    """``count`` distinct seeds derived from the run's seed (same run seed, same seeds)."""
    return [ctx.seed * 7919 + 104729 * index + 17 for index in range(count)]


@contextmanager
def torch_session(ctx: Context) -> Iterator[Any]:
    """Deterministic settings for one experiment; yields the ``torch.device`` to use.

    On CPU the kernels used here are deterministic for a fixed thread count,
    and one thread is both that fixed count and the fastest choice for models
    this small (on a busy 2-core machine two threads per process made training
    steps ten times slower). On CUDA ``use_deterministic_algorithms`` would
    need a cuBLAS workspace set before start-up, so it is left to the margins
    the claims are decided with. Threads, gradient mode and the deterministic
    flag are restored afterwards, because verifiers run inside the app's
    process too.
    """
    import torch

    device = torch.device(ctx.device)
    previous_threads = torch.get_num_threads()
    previous_grad = torch.is_grad_enabled()
    previous_deterministic = torch.are_deterministic_algorithms_enabled()
    if device.type == "cpu":
        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)
    torch.manual_seed(ctx.seed)
    try:
        yield device
    finally:
        torch.set_num_threads(previous_threads)
        torch.set_grad_enabled(previous_grad)
        torch.use_deterministic_algorithms(previous_deterministic)


def cancellable(ctx: Context, batches: Iterable[T]) -> Iterator[T]:
    """The batches, checking for cancellation before each one, so a training run stops within a step when asked."""
    for batch in batches:
        ctx.check_cancelled()
        yield batch


def small_config(**overrides: Any) -> Any:
    """A small ``TransformerConfig`` for experiments: no dropout (so train and eval agree), short sequences."""
    from transformer_core import TransformerConfig

    settings: dict[str, Any] = dict(
        vocab_size=16,
        d_model=64,
        n_heads=4,
        d_ff=128,
        n_encoder_layers=2,
        n_decoder_layers=2,
        max_len=64,
        dropout=0.0,
        attention_dropout=0.0,
        embedding_dropout=0.0,
    )
    settings.update(overrides)
    return TransformerConfig(**settings)


def seeded_model(model_class: Any, config: Any, seed: int, device: Any) -> Any:
    """``model_class(config)`` initialised from ``seed`` and moved to ``device``."""
    import torch

    torch.manual_seed(seed)
    return model_class(config).to(device)


def token_frequency_baseline(task: Any) -> float:
    """Cross-entropy of predicting every target token from the targets' overall frequencies: chance level for ``task``."""
    import torch

    counts = torch.zeros(task.vocab_size, dtype=torch.float64)
    generator = torch.Generator().manual_seed(12345)
    for _ in range(20):
        batch = task.make_batch(256, generator)
        counts += torch.bincount(batch.tgt_out[batch.tgt_padding_mask], minlength=task.vocab_size).double()
    probabilities = counts[counts > 0] / counts.sum()
    return float(-(probabilities * probabilities.log()).sum())


def max_abs_difference(a: Any, b: Any) -> float:
    return float((a.detach().double() - b.detach().double()).abs().max())


def relative_difference(a: Any, b: Any) -> float:
    """max |a - b| / max |b|: how much ``a`` moved, relative to the scale of ``b``."""
    scale = float(b.detach().double().abs().max()) or 1.0
    return max_abs_difference(a, b) / scale


def fastest_time(function: Callable[[], Any], *, repeats: int, device: Any, warmup: int = 1) -> float:
    """Fastest seconds of ``function()`` over ``repeats`` runs.

    The minimum, not the median: on a shared machine other processes only ever
    add time, so the fastest run is the closest to the work's own cost. On a CPU
    running torch on one thread (``torch_session``), the calling thread does all
    the work, so its CPU time is measured: a run during which another process
    held the core is not charged for that wait (wall-clock minima over 5 runs
    still drifted by 30% at load 9 on 2 cores). On CUDA, or with several threads,
    it is wall-clock time (CUDA synchronised).
    """
    import torch

    on_cuda = getattr(device, "type", str(device)) == "cuda"
    synchronise = torch.cuda.synchronize if on_cuda else (lambda: None)
    clock = time.thread_time if not on_cuda and torch.get_num_threads() == 1 else time.perf_counter
    for _ in range(warmup):
        function()
    synchronise()
    times = []
    for _ in range(repeats):
        started = clock()
        function()
        synchronise()
        times.append(clock() - started)
    return min(times)


def fit_power_law(xs: Sequence[float], ys: Sequence[float], *, robust: bool = False) -> float:
    """The exponent k in y ∝ x^k: least-squares slope of log y against log x.

    ``robust``: the median of the slopes between every pair of points
    (Theil-Sen) instead, so one timing disturbed by another process cannot
    drag the exponent.
    """
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    if robust:
        pairs = [(i, j) for i in range(len(lx)) for j in range(i + 1, len(lx))]
        return statistics.median((ly[j] - ly[i]) / (lx[j] - lx[i]) for i, j in pairs)
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def entropy_nats(weights: Any) -> Any:
    """Entropy of each distribution along the last axis (0·log 0 = 0)."""
    import torch

    logs = torch.where(weights > 0, weights.log(), torch.zeros_like(weights))
    return -(weights * logs).sum(-1)


def text(zh: str, en: str) -> Bilingual:
    return Bilingual(zh=zh, en=en)


def fmt(value: float, digits: int = 3) -> str:
    """A number for a ``measured`` string: fixed digits, scientific when tiny or huge."""
    if value != value or value in (math.inf, -math.inf):
        return str(value)
    if value != 0 and (abs(value) < 10 ** (-digits) or abs(value) >= 1e5):
        return f"{value:.{max(digits - 1, 1)}e}"
    return f"{value:.{digits}f}"
