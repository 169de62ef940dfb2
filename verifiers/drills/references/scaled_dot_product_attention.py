"""Reference solution: scaled dot-product attention with a boolean mask."""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d)) v, attending only where ``mask`` allows.

    q: (..., T_q, d); k: (..., T_k, d); v: (..., T_k, d_v); the leading
    dimensions (batch, heads) are the same for all three.
    mask: None or a bool tensor broadcastable to (..., T_q, T_k);
    True = this query may attend to this key.
    Returns (..., T_q, d_v), in the inputs' dtype. A query with no allowed key
    gets an all-zero output (never NaN). Gradients must flow to q, k and v.
    Do not call torch.nn.functional.scaled_dot_product_attention.
    """
    d = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (..., T_q, T_k)
    if mask is None:
        return torch.softmax(scores, dim=-1) @ v
    # -inf where the query may not look; a row with no allowed key would be all
    # -inf and its softmax NaN, so such rows are zeroed after the softmax.
    scores = scores.masked_fill(~mask, float("-inf"))
    any_allowed = mask.any(dim=-1, keepdim=True)  # (..., T_q, 1)
    scores = scores.masked_fill(~any_allowed, 0.0)
    weights = torch.softmax(scores, dim=-1).masked_fill(~any_allowed, 0.0)
    return weights @ v
