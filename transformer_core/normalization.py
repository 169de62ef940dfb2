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
        statistics_input = x.to(wide)
        normalised = statistics_input * torch.rsqrt(statistics_input.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        return self.weight * normalised.to(x.dtype)


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
