"""Reference solution: multi-head attention from given weights."""

import math

import torch


def multi_head_attention(query, key, value, w_q, w_k, w_v, w_o, num_heads, mask=None):
    """Multi-head attention with the projection weights given (no biases).

    query: (B, T_q, d_model); key and value: (B, T_k, d_model) (the same tensor
    as query for self-attention).
    w_q, w_k, w_v, w_o: (d_model, d_model), applied as torch.nn.Linear applies
    its weight: x @ w.T.
    num_heads: h, dividing d_model; each head has d_head = d_model // h dims:
    head i uses dims i*d_head .. (i+1)*d_head - 1 of the projections.
    mask: None or a bool tensor broadcastable to (B, h, T_q, T_k), True = may
    attend (every query may attend to at least one key).
    Returns (B, T_q, d_model): the heads' outputs concatenated, then @ w_o.T.
    Equals torch.nn.MultiheadAttention(bias=False, batch_first=True) with these
    weights. Do not call nn.MultiheadAttention or F.scaled_dot_product_attention.
    """
    B, T_q, d_model = query.shape
    T_k = key.size(1)
    d_head = d_model // num_heads

    def split(x, length):  # (B, T, d_model) -> (B, h, T, d_head)
        return x.view(B, length, num_heads, d_head).transpose(1, 2)

    q = split(query @ w_q.T, T_q)
    k = split(key @ w_k.T, T_k)
    v = split(value @ w_v.T, T_k)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_head)  # (B, h, T_q, T_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    heads = torch.softmax(scores, dim=-1) @ v  # (B, h, T_q, d_head)
    merged = heads.transpose(1, 2).reshape(B, T_q, d_model)  # heads side by side again
    return merged @ w_o.T
