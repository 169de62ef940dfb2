"""Reference solution: one decoding step of causal self-attention with a KV cache."""

import math

import torch


def kv_cache_step(x, w_q, w_k, w_v, w_o, num_heads, cache=None):
    """Causal multi-head self-attention for new tokens, reusing cached keys and values.

    x: (B, T_new, d_model), the new tokens (T_new = 1 when generating; the
    whole prompt at the first call).
    w_q, w_k, w_v, w_o: (d_model, d_model), applied as x @ w.T (no biases);
    num_heads h divides d_model, d_head = d_model // h, heads split as in
    multi-head attention (view(B, T, h, d_head).transpose(1, 2)).
    cache: None (nothing generated yet) or (keys, values), each
    (B, h, T_past, d_head): the projected keys and values of the earlier tokens.
    Each new token attends to every cached position and to the new tokens up
    to and including itself.
    Returns (output, new_cache): output (B, T_new, d_model), the same as full
    causal self-attention over all T_past + T_new tokens gives at the new
    positions; new_cache = (keys, values), each (B, h, T_past + T_new, d_head).
    """
    B, T_new, d_model = x.shape
    d_head = d_model // num_heads

    def split(t):  # (B, T_new, d_model) -> (B, h, T_new, d_head)
        return t.view(B, T_new, num_heads, d_head).transpose(1, 2)

    q, k, v = split(x @ w_q.T), split(x @ w_k.T), split(x @ w_v.T)
    if cache is not None:
        k = torch.cat([cache[0], k], dim=2)  # append along the time axis
        v = torch.cat([cache[1], v], dim=2)
    T_all = k.size(2)
    T_past = T_all - T_new
    # New token i sits at position T_past + i and sees keys 0 .. T_past + i.
    mask = torch.ones(T_new, T_all, dtype=torch.bool, device=x.device).tril(diagonal=T_past)
    scores = (q @ k.transpose(-2, -1) / math.sqrt(d_head)).masked_fill(~mask, float("-inf"))
    heads = torch.softmax(scores, dim=-1) @ v  # (B, h, T_new, d_head)
    output = heads.transpose(1, 2).reshape(B, T_new, d_model) @ w_o.T
    return output, (k, v)
