"""A float64 model loses nothing to float32 (#16 follow-up): RMSNorm's statistics and the label-smoothed
loss are computed in the wider of float32 and the input's dtype, so bfloat16/float16 still go through
float32 (Llama's behaviour, kept) and float64 stays float64. Each figure is compared with the formula
written out in float64; float32 round-off would show as an error near 1e-8, float64's is near 1e-16.
"""

import dataclasses
import math

import pytest
import torch

from transformer_core import DecoderOnly, RMSNorm, label_smoothed_cross_entropy
from transformer_core.errors import ConfigError

from .helpers import random_ids, tiny_config


def _norm(d: int, dtype: torch.dtype, **kwargs) -> RMSNorm:
    torch.manual_seed(0)
    norm = RMSNorm(d, eps=1e-6, **kwargs)
    with torch.no_grad():
        norm.weight.copy_(1 + 0.1 * torch.randn(d))
    return norm.to(dtype)


def test_rmsnorm_in_float64_keeps_float64_precision():
    x = 3 * torch.randn(4, 1024, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    norm = _norm(1024, torch.float64)
    with torch.no_grad():
        exact = norm.weight * (x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6))
        assert float((norm(x) - exact).abs().max()) < 1e-14
        # Hugging Face's behaviour, kept behind the flag interop sets: float32 statistics, float32's error.
        hf_like = _norm(1024, torch.float64, float32_statistics=True)(x)
    assert 1e-9 < float((hf_like - exact).abs().max()) < 1e-5


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_rmsnorm_in_low_precision_still_takes_float32_statistics(dtype):
    x = (3 * torch.randn(2, 4096, generator=torch.Generator().manual_seed(2))).to(dtype)
    norm = _norm(4096, dtype)
    reference = x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + 1e-6)
    with torch.no_grad():
        assert torch.equal(norm(x), norm.weight * reference.to(dtype))  # Llama's order: cast back, then scale
        assert torch.equal(_norm(4096, dtype, float32_statistics=True)(x), norm(x))


@pytest.mark.parametrize(
    ("dtype", "float32_statistics"),
    [(torch.float32, False), (torch.float64, False), (torch.float64, True), (torch.bfloat16, False), (torch.float16, False)],
)
def test_rmsnorm_gradient_equals_autograd_through_the_formula(dtype, float32_statistics):
    """The explicit backward does autograd's multiplications per element: the same bits, not just close."""
    generator = torch.Generator().manual_seed(3)
    x = (3 * torch.randn(4, 5, 256, generator=generator)).to(dtype).requires_grad_()
    grad_output = torch.randn(4, 5, 256, generator=generator).to(dtype)
    norm = _norm(256, dtype, float32_statistics=float32_statistics)
    norm(x).backward(grad_output)
    explicit = x.grad, norm.weight.grad
    x.grad, norm.weight.grad = None, None
    wide = torch.float32 if float32_statistics else torch.promote_types(dtype, torch.float32)
    statistics_input = x.to(wide)
    formula = statistics_input * torch.rsqrt(statistics_input.pow(2).mean(-1, keepdim=True) + 1e-6)
    (norm.weight * formula.to(dtype)).backward(grad_output)
    assert torch.equal(explicit[0], x.grad)
    assert torch.equal(explicit[1], norm.weight.grad)


def test_a_float64_model_uses_float64_statistics_unless_configured():
    config = tiny_config(norm_kind="rms", norm_placement="pre")
    model = DecoderOnly(config).double().eval()
    assert not model.decoder.norm.float32_statistics
    flagged = DecoderOnly(dataclasses.replace(config, rms_norm_float32=True))
    assert flagged.decoder.norm.float32_statistics
    with pytest.raises(ConfigError, match="rms_norm_float32: it sets where RMSNorm takes its statistics"):
        tiny_config(rms_norm_float32=True)  # norm_kind 'layer'
    with pytest.raises(ConfigError, match="rms_norm_float32"):
        tiny_config(norm_kind="rms", rms_norm_float32=1)


def _exact_smoothed_loss(logits: torch.Tensor, targets: torch.Tensor, eps: float, ignore: int) -> torch.Tensor:
    log_p = logits.log_softmax(-1)
    keep = targets != ignore
    nll = -log_p.gather(-1, targets.clamp(min=0)[..., None])[..., 0]
    uniform = -log_p.mean(-1)
    per_token = (1 - eps) * nll + eps * uniform
    return per_token[keep].sum() / keep.sum()


def test_label_smoothed_loss_and_its_gradient_stay_float64_in_a_float64_model():
    generator = torch.Generator().manual_seed(3)
    logits = (4 * torch.randn(3, 7, 50, dtype=torch.float64, generator=generator)).requires_grad_()
    targets = torch.randint(1, 50, (3, 7), generator=generator)
    targets[0, :2] = 0  # ignored (PAD_ID)
    loss = label_smoothed_cross_entropy(logits, targets, smoothing=0.1)
    assert loss.dtype == torch.float64
    exact = _exact_smoothed_loss(logits, targets, 0.1, 0)
    assert abs(float((loss - exact).detach())) < 1e-14
    (grad,) = torch.autograd.grad(loss, logits)
    (exact_grad,) = torch.autograd.grad(exact, logits)
    assert grad.dtype == torch.float64
    assert float((grad - exact_grad).abs().max()) < 1e-16


def test_label_smoothed_loss_of_low_precision_logits_is_computed_in_float32():
    generator = torch.Generator().manual_seed(4)
    logits = (4 * torch.randn(2, 5, 300, generator=generator)).to(torch.bfloat16)
    targets = torch.randint(1, 300, (2, 5), generator=generator)
    loss = label_smoothed_cross_entropy(logits, targets, smoothing=0.1)
    assert loss.dtype == torch.float32
    expected = _exact_smoothed_loss(logits.double(), targets, 0.1, 0)
    assert math.isclose(float(loss), float(expected), rel_tol=1e-6)


def test_a_float64_training_step_gradient_equals_the_float64_formula():
    """The whole chain: a float64 model's loss gradient is float64-exact (it was float32-rounded before)."""
    torch.manual_seed(0)
    model = DecoderOnly(tiny_config(norm_kind="rms", norm_placement="pre", pad_id=None)).double()
    ids = random_ids(2, 9)
    targets = random_ids(2, 9, seed=1)
    loss = label_smoothed_cross_entropy(model(ids), targets, smoothing=0.1, ignore_index=None)
    (ours,) = torch.autograd.grad(loss, model.output_projection.weight)
    exact = _exact_smoothed_loss(model(ids), targets, 0.1, -100)
    (reference,) = torch.autograd.grad(exact, model.output_projection.weight)
    assert float((ours - reference).abs().max()) < 1e-15
