"""Reference solution: attention with online softmax over key blocks (the FlashAttention recurrence)."""

import math

import torch


def online_softmax_attention(q, k, v, block_size):
    """softmax(q k^T / sqrt(d)) v computed one block of keys at a time.

    q: (..., T_q, d); k: (..., T_k, d); v: (..., T_k, d_v); block_size >= 1.
    Keys and values are visited in blocks of block_size (the last block may be
    shorter); the full (T_q, T_k) score matrix is never built. Per query row,
    keep a running maximum m, a running denominator l and an unnormalised
    output acc; for each block with scores s:
        m_new = max(m, max(s));  scale = exp(m - m_new)
        l   = l * scale + sum(exp(s - m_new))
        acc = acc * scale + exp(s - m_new) @ v_block
    and return acc / l at the end. Equal to full attention (no mask), in the
    inputs' dtype; stays finite for scores in the thousands.
    Do not call F.scaled_dot_product_attention.
    """
    scale = 1 / math.sqrt(q.size(-1))
    T_k = k.size(-2)
    running_max = torch.full(q.shape[:-1] + (1,), float("-inf"), dtype=q.dtype)  # (..., T_q, 1)
    denominator = torch.zeros(q.shape[:-1] + (1,), dtype=q.dtype)
    accumulator = torch.zeros(q.shape[:-1] + (v.size(-1),), dtype=q.dtype)  # (..., T_q, d_v)
    for start in range(0, T_k, block_size):
        k_block = k[..., start : start + block_size, :]
        v_block = v[..., start : start + block_size, :]
        scores = q @ k_block.transpose(-2, -1) * scale  # (..., T_q, block)
        new_max = torch.maximum(running_max, scores.amax(dim=-1, keepdim=True))
        correction = torch.exp(running_max - new_max)  # rescales what was summed under the old maximum
        weights = torch.exp(scores - new_max)
        denominator = denominator * correction + weights.sum(dim=-1, keepdim=True)
        accumulator = accumulator * correction + weights @ v_block
        running_max = new_max
    return accumulator / denominator
