"""Reference solution: grouped-query attention (GQA)."""

import math

import torch


def grouped_query_attention(q, k, v, mask=None):
    """Attention where groups of query heads share one key/value head.

    q: (B, H_q, T_q, d); k: (B, H_kv, T_k, d); v: (B, H_kv, T_k, d_v), with
    H_q a multiple of H_kv (H_kv == H_q is multi-head attention, H_kv == 1
    multi-query attention). With g = H_q // H_kv, query heads
    0..g-1 use key/value head 0, heads g..2g-1 head 1, and so on: query head h
    uses key/value head h // g (Llama's repeat_kv, i.e. repeat_interleave).
    mask: None or bool broadcastable to (B, H_q, T_q, T_k), True = may attend
    (every query may attend to at least one key).
    Returns (B, H_q, T_q, d_v). Do not call F.scaled_dot_product_attention.
    """
    group = q.size(1) // k.size(1)
    # Each key/value head is repeated for the g query heads of its group.
    k = k.repeat_interleave(group, dim=1)  # (B, H_q, T_k, d)
    v = v.repeat_interleave(group, dim=1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
