"""Reference solution: the causal (look-ahead) mask."""

import torch


def causal_mask(n: int) -> torch.Tensor:
    """Boolean (n, n) mask for decoder self-attention; True = may attend.

    Row i is the query at position i, column j the key at position j: query i
    may attend to keys 0..i (itself and the past), never to the future.
    Returns a torch.bool tensor (masked_fill and torch.where need bool).
    """
    # Lower triangle including the diagonal: j <= i.
    return torch.ones(n, n, dtype=torch.bool).tril()
