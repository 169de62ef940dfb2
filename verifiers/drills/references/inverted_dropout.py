"""Reference solution: inverted dropout."""

import torch


def dropout(x, p, training=True, generator=None):
    """Inverted dropout, as torch.nn.functional.dropout.

    training=True: zero every element independently with probability p and
    scale the survivors by 1 / (1 - p), so the expectation is unchanged and
    nothing needs rescaling at test time. Draw the random numbers from
    ``generator`` (e.g. torch.rand(x.shape, generator=generator)) so a seeded
    generator gives a reproducible mask. p = 1 gives all zeros.
    training=False (or p = 0): return x unchanged.
    x: any shape, float32 or float64; 0 <= p <= 1. Gradients must flow to x.
    Do not call F.dropout or nn.Dropout.
    """
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape, generator=generator, dtype=torch.float64) >= p  # kept with probability 1 - p
    return x * keep.to(x.dtype) / (1 - p)
