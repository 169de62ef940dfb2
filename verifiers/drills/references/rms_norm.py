"""Reference solution: RMSNorm as in Llama."""

import torch


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """RMSNorm over the last dimension (Zhang & Sennrich 2019; Llama's LlamaRMSNorm).

    x: (..., d), float32 or float64; weight: (d,).
    Returns x / sqrt(mean(x^2 over the last dim) + eps) * weight: rescaled by
    the root mean square, without subtracting the mean and without a bias.
    Same shape and dtype as x. Do not call F.rms_norm or nn.RMSNorm.
    """
    mean_square = x.pow(2).mean(dim=-1, keepdim=True)
    return x * torch.rsqrt(mean_square + eps) * weight
