"""Reference solution: the SwiGLU feed-forward block of Llama."""

import torch


def swiglu(x, w_gate, w_up, w_down):
    """SwiGLU FFN (Shazeer 2020; Llama's MLP): (silu(x W_gate^T) * (x W_up^T)) W_down^T.

    x: (..., d_model); w_gate and w_up: (d_ff, d_model); w_down: (d_model, d_ff);
    no biases. silu(z) = z * sigmoid(z) is applied to the gate branch only; the
    up branch stays linear and the two are multiplied element-wise.
    Returns (..., d_model) in the dtype of x.
    """
    gate = x @ w_gate.T  # (..., d_ff)
    up = x @ w_up.T  # (..., d_ff)
    return (gate * torch.sigmoid(gate) * up) @ w_down.T
