"""Reference solution: numerically stable softmax."""

import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax of ``x`` along ``dim``: exp(x_i) / sum_j exp(x_j).

    x: a float tensor of any shape (float32 or float64); dim: the axis to
    normalise (negative values count from the end).
    Returns a tensor of the same shape and dtype whose entries along ``dim``
    are positive and sum to 1. Must stay finite for logits as large as ±1e4,
    and gradients must flow back to ``x``.
    Do not call torch.softmax / F.softmax / log_softmax: write it out.
    """
    # Subtracting the maximum changes nothing mathematically (it cancels in the
    # ratio) but keeps exp() from overflowing: the largest exponent becomes 0.
    shifted = x - x.amax(dim=dim, keepdim=True)
    exponentials = shifted.exp()
    return exponentials / exponentials.sum(dim=dim, keepdim=True)
