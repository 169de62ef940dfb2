"""The normalisation layers a config can ask for, built in one place.

``batch`` is BatchNorm applied the naive way a reader of the interview notes
would: each channel normalised with statistics over the batch *and* the time
axis, padding positions included, running statistics in evaluation mode. That
is exactly what makes it a poor fit for variable-length sequences, which the
experiments set out to show; it is not a recommendation.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.autograd.function import once_differentiable

from .config import TransformerConfig


class RMSNorm(nn.Module):
    """Root-mean-square norm (Zhang & Sennrich, 2019): rescale without centring.

    The statistics are computed in the wider of float32 and the input's
    dtype, then the normalised vector is cast back and scaled. In bfloat16 and
    float16 that is float32, exactly as Llama's reference implementation (and
    Hugging Face's ``LlamaRMSNorm``) does: in bfloat16 a mean of squares over
    thousands of dimensions loses most of its digits (the result was off by up
    to 0.03 from Llama's). In a float64 model it is float64, so the norm loses
    nothing to float32 (it used to round its output to float32's 1e-8).

    ``float32_statistics=True`` takes them in float32 whatever the dtype, as
    Hugging Face's ``LlamaRMSNorm`` does in a float64 model too
    (``TransformerConfig.rms_norm_float32``; ``interop`` sets it).
    """

    def __init__(self, d_model: int, eps: float = 1e-5, *, float32_statistics: bool = False):
        super().__init__()
        self.eps = eps
        self.float32_statistics = float32_statistics
        self.weight = nn.Parameter(torch.ones(d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        wide = torch.float32 if self.float32_statistics else torch.promote_types(x.dtype, torch.float32)
        return RMSNormFunction.apply(x, self.weight, self.eps, wide)


class RMSNormFunction(torch.autograd.Function):
    """``weight * (x * rsqrt(mean(x^2) + eps))``, statistics in ``wide``, with its gradient written out.

    Forward is ``RMSNorm``'s formula op for op. Autograd through it would
    record seven operations and keep their intermediates, and its backward
    expands the mean's gradient to the full ``(..., d)`` shape before using it;
    the explicit backward does the same multiplications per element in about
    half the passes over memory (one step of the Llama-shaped benchmark runs
    nine of these). The gradient is first-order only (no ``create_graph``).
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, eps: float, wide: torch.dtype) -> torch.Tensor:
        statistics_input = x.to(wide)
        inverse_rms = torch.rsqrt(statistics_input.pow(2).mean(dim=-1, keepdim=True) + eps)  # (..., 1)
        normalised = (statistics_input * inverse_rms).to(x.dtype)
        ctx.save_for_backward(statistics_input, inverse_rms, normalised, weight)
        return weight * normalised

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output: torch.Tensor):
        statistics_input, inverse_rms, normalised, weight = ctx.saved_tensors
        grad_weight = (grad_output * normalised).sum_to_size(weight.shape)
        grad_normalised = (grad_output * weight).to(statistics_input.dtype)
        # Through inverse_rms = (mean(s^2) + eps)^(-1/2): d/dmean = -1/2 inverse_rms^3, d mean/ds = 2s / d.
        grad_inverse_rms = (grad_normalised * statistics_input).sum(dim=-1, keepdim=True)
        grad_mean = -0.5 * grad_inverse_rms * inverse_rms.pow(3)
        grad_squares = grad_mean / statistics_input.size(-1)  # (..., 1), the same number for every dimension
        grad_input = grad_normalised.mul_(inverse_rms).add_(statistics_input * (2.0 * grad_squares))
        return grad_input.to(normalised.dtype), grad_weight, None, None


class SequenceBatchNorm(nn.Module):
    """BatchNorm1d over ``(B, T, C)`` activations: statistics per channel over B and T."""

    def __init__(self, d_model: int, eps: float = 1e-5):
        super().__init__()
        self.norm = nn.BatchNorm1d(d_model, eps=eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.transpose(1, 2)).transpose(1, 2)  # (B, C, T) is what BatchNorm1d reduces over B, T


NORM_MODULES = (nn.LayerNorm, RMSNorm, SequenceBatchNorm)


def make_norm(config: TransformerConfig) -> nn.Module:
    """The norm ``config.norm_kind`` names (``none`` gives an identity)."""
    if config.norm_kind == "layer":
        return nn.LayerNorm(config.d_model, eps=config.norm_eps, bias=config.bias)
    if config.norm_kind == "rms":
        return RMSNorm(config.d_model, eps=config.norm_eps, float32_statistics=config.rms_norm_float32)
    if config.norm_kind == "batch":
        return SequenceBatchNorm(config.d_model, eps=config.norm_eps)
    return nn.Identity()
