"""Reference solution: the position-wise feed-forward network of the original Transformer."""

import torch


def feed_forward(x, w1, b1, w2, b2):
    """FFN(x) = max(0, x W1^T + b1) W2^T + b2, applied to every position alike.

    x: (..., d_model); w1: (d_ff, d_model), b1: (d_ff,); w2: (d_model, d_ff),
    b2: (d_model,) -- nn.Linear's layout, so a layer computes x @ w.T + b.
    ReLU between the two layers (Vaswani et al. 2017). Returns (..., d_model)
    in the dtype of x.
    """
    hidden = torch.relu(x @ w1.T + b1)  # (..., d_ff): expand
    return hidden @ w2.T + b2  # (..., d_model): project back
