"""Reference solution: layer normalisation over the last dimension."""

import torch


def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """LayerNorm over the last dimension, as torch.nn.functional.layer_norm(x, (d,), weight, bias, eps).

    x: (..., d), float32 or float64; weight and bias: (d,).
    Each position is normalised with the mean and the *biased* variance (divide
    by d, not d - 1) of its own d features: (x - mean) / sqrt(var + eps), then
    scaled by weight and shifted by bias. Returns the shape and dtype of x.
    Do not call F.layer_norm or nn.LayerNorm.
    """
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # biased: the population variance
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
