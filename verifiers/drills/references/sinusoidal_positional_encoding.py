"""Reference solution: the sinusoidal positional encoding of Vaswani et al. (2017)."""

import math

import torch


def sinusoidal_positional_encoding(length: int, d_model: int) -> torch.Tensor:
    """(length, d_model) float32 table of fixed positional encodings.

    PE[pos, 2i]   = sin(pos / 10000^(2i / d_model))
    PE[pos, 2i+1] = cos(pos / 10000^(2i / d_model))
    for pos = 0 .. length-1 and i = 0 .. d_model/2 - 1: sine on the even
    dimensions, cosine on the odd ones, interleaved (not two halves).
    d_model is even. Returns torch.float32.
    """
    position = torch.arange(length, dtype=torch.float64)[:, None]  # (length, 1)
    # 1 / 10000^(2i/d) for i = 0 .. d/2-1, computed as exp(-2i * ln(10000) / d).
    inverse_frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model))
    angles = position * inverse_frequency  # (length, d_model/2)
    table = torch.zeros(length, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angles)
    table[:, 1::2] = torch.cos(angles)
    return table.float()
