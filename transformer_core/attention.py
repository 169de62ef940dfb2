"""Scaled dot-product attention and multi-head self-/cross-attention.

Three implementations that give the same numbers (tested):

* ``math``: the formula softmax(Q K^T / sqrt(d_k)) V written out, readable,
  and the only path that can hand back the attention weights;
* ``sdpa``: ``torch.nn.functional.scaled_dot_product_attention``, fused and
  faster; the default;
* ``blockwise``: FlashAttention's algorithm (Dao et al., 2022) in plain
  torch: keys and values in blocks, an online softmax (running maximum and
  running sum, rescaled as each block arrives), never the full T x T matrix.
  It shows that tiling is exact, not an approximation; it is not fast here.
  Given an ``IndexMask`` (what the model passes for causal, sliding-window
  and padded attention) it builds each block's mask from position indices,
  so no ``T x T`` tensor exists at all, boolean or float.

An attention module switches to the math path by itself while its weights are
being recorded (``record_attention = True``, see ``introspection``).

A query whose every key is masked gets zero weights and a zero output, never
NaN: a softmax over nothing is undefined, and zero is the value that keeps the
residual stream unchanged.

Grouped-query attention (``config.n_kv_heads``; Ainslie et al., 2023) gives
each group of ``n_heads / n_kv_heads`` query heads one shared key/value head;
the KV cache stores only those. Rotary positions (RoPE) are applied here, to
the queries and keys of self-attention, before keys enter the cache.
"""

from __future__ import annotations

import math
import torch
import torch.nn.functional as F
from torch import nn

from .cache import AttentionCache
from .config import TransformerConfig
from .embeddings import apply_rotary
from .masks import IndexMask

BLOCK_SIZE = 64  # keys per block of the blockwise path (FlashAttention's tiles are 64-128)


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    mask: torch.Tensor | None = None,
    *,
    scale: float | None = None,
    dropout_p: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The readable attention formula.

    Shapes: ``query (..., T_q, d_k)``, ``key (..., T_k, d_k)``,
    ``value (..., T_k, d_v)``; ``mask`` is boolean, True = may attend,
    broadcastable to ``(..., T_q, T_k)``. ``scale`` defaults to
    ``1 / sqrt(d_k)``. ``dropout_p`` is applied to the weights (pass 0 in
    evaluation).

    Returns ``(output (..., T_q, d_v), weights (..., T_q, T_k))``; the weights
    are those before dropout. Fully masked query rows get zero weights.
    """
    if scale is None:
        scale = 1.0 / math.sqrt(query.size(-1))
    scores = (query @ key.transpose(-2, -1)) * scale  # (..., T_q, T_k)
    if mask is not None:
        row_has_key = mask.any(dim=-1, keepdim=True)  # (..., T_q, 1)
        # Fully masked rows keep their finite scores, so their softmax stays
        # finite (no NaN in the forward or backward pass); they are zeroed below.
        scores = scores.masked_fill(~mask & row_has_key, float("-inf"))
        weights = torch.softmax(scores, dim=-1).masked_fill(~row_has_key, 0.0)
    else:
        weights = torch.softmax(scores, dim=-1)
    attended = F.dropout(weights, dropout_p) if dropout_p > 0 else weights
    return attended @ value, weights


def blockwise_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    mask: torch.Tensor | IndexMask | None = None,
    *,
    scale: float | None = None,
    dropout_p: float = 0.0,
    block_size: int = BLOCK_SIZE,
) -> torch.Tensor:
    """Attention computed one block of keys at a time with an online softmax (FlashAttention's forward pass).

    Same arguments and output as ``scaled_dot_product_attention`` (without
    the weights, which this algorithm never materialises). For each block of
    ``block_size`` keys: scores ``s``, the running maximum ``m' = max(m,
    max s)``, then ``sum' = sum * exp(m - m') + sum(exp(s - m'))`` and ``out'
    = out * exp(m - m') + exp(s - m') V_block``; at the end ``out / sum``.
    Exact up to round-off: ``exp(s - m')`` of earlier blocks is recovered by
    the factor ``exp(m - m')``. Fully masked rows give zeros.

    ``mask`` may be an ``IndexMask``: each block's columns are then built
    from indices as the block is reached, ``(T_q, block)`` at most per head
    group, never the whole ``T_q x T_k`` mask.
    """
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    if scale is None:
        scale = 1.0 / math.sqrt(query.size(-1))
    key_length = key.size(-2)
    if isinstance(mask, IndexMask):
        if mask.key_length != key_length or mask.query_length != query.size(-2):
            raise ValueError(
                f"mask describes {mask.query_length} queries x {mask.key_length} keys, "
                f"got {query.size(-2)} x {key_length}"
            )
        mask_block = mask.block
    elif mask is not None:
        if mask.size(-1) != key_length:
            mask = mask.expand(*mask.shape[:-1], key_length)
        dense = mask

        def mask_block(start: int, stop: int) -> torch.Tensor:
            return dense[..., start:stop]
    else:
        mask_block = None
    stats_shape = torch.broadcast_shapes(query.shape[:-1], key.shape[:-2] + query.shape[-2:-1]) + (1,)
    running_max = query.new_full(stats_shape, float("-inf"))
    running_sum = query.new_zeros(stats_shape)
    output = query.new_zeros(stats_shape[:-1] + (value.size(-1),))
    for start in range(0, key_length, block_size):
        stop = min(start + block_size, key_length)
        scores = (query @ key[..., start:stop, :].transpose(-2, -1)) * scale  # (..., T_q, block)
        block_mask = None if mask_block is None else mask_block(start, stop)
        if block_mask is not None:
            scores = scores.masked_fill(~block_mask, float("-inf"))
        new_max = torch.maximum(running_max, scores.amax(dim=-1, keepdim=True))
        # A row with no visible key so far keeps max -inf; subtract 0 there so exp gives 0, not NaN.
        shift = torch.where(torch.isinf(new_max), torch.zeros_like(new_max), new_max)
        correction = torch.exp(running_max - shift)  # rescales what earlier blocks contributed
        unnormalised = torch.exp(scores - shift)
        running_sum = running_sum * correction + unnormalised.sum(dim=-1, keepdim=True)
        if dropout_p > 0:
            unnormalised = F.dropout(unnormalised, dropout_p)  # drops weights, not the normaliser
        output = output * correction + unnormalised @ value[..., start:stop, :]
        running_max = new_max
    has_key = running_sum > 0
    return torch.where(has_key, output / torch.where(has_key, running_sum, torch.ones_like(running_sum)), 0.0)


def repeat_kv_heads(x: torch.Tensor, groups: int) -> torch.Tensor:
    """``(B, H_kv, T, d)`` -> ``(B, H_kv * groups, T, d)``: key/value head j serves query heads j*groups .. j*groups + groups - 1."""
    if groups == 1:
        return x
    B, heads, T, d = x.shape
    return x[:, :, None].expand(B, heads, groups, T, d).reshape(B, heads * groups, T, d)


_sdpa_zeroes_masked_rows: bool | None = None
_sdpa_has_gqa: bool | None = None


def _sdpa_supports_gqa() -> bool:
    """Feature detection: ``enable_gqa`` arrived in PyTorch 2.5; before it, keys and values are repeated per head."""
    global _sdpa_has_gqa
    if _sdpa_has_gqa is None:
        x = torch.ones(1, 2, 1, 2)
        try:
            F.scaled_dot_product_attention(x, x[:, :1], x[:, :1], enable_gqa=True)
            _sdpa_has_gqa = True
        except TypeError:
            _sdpa_has_gqa = False
    return _sdpa_has_gqa


def _sdpa_zeroes_fully_masked_rows() -> bool:
    """Feature detection on CPU: recent PyTorch returns 0 for fully masked rows, older versions NaN."""
    global _sdpa_zeroes_masked_rows
    if _sdpa_zeroes_masked_rows is None:
        x = torch.ones(1, 1, 1, 2)
        out = F.scaled_dot_product_attention(x, x, x, attn_mask=torch.zeros(1, 1, 1, 1, dtype=torch.bool))
        _sdpa_zeroes_masked_rows = bool((out == 0).all())
    return _sdpa_zeroes_masked_rows


class MultiHeadAttention(nn.Module):
    """Multi-head attention; self-attention when ``memory`` is None, cross-attention otherwise.

    The projections use ``torch.nn.MultiheadAttention``'s layout (``in_proj``
    holds W_q; W_k; W_v stacked, ``out_proj`` is W_o), so a self-attention
    computes Q, K and V with one matrix multiply. With grouped-query
    attention W_k and W_v have ``n_kv_heads * d_head`` rows each. With
    ``config.share_query_key`` the input projection holds only W_qk; W_v and
    keys are computed with the query weights.
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        d = config.d_model
        self.n_heads = config.n_heads
        self.n_kv_heads = config.kv_heads
        self.groups = config.n_heads // config.kv_heads  # query heads per key/value head
        self.d_head = config.d_head
        self.kv_dim = self.n_kv_heads * self.d_head
        self.share_query_key = config.share_query_key
        projected = 2 * d if config.share_query_key else d + 2 * self.kv_dim
        self.in_proj = nn.Linear(d, projected, bias=config.use_qkv_bias)
        self.out_proj = nn.Linear(d, d, bias=config.bias)
        self.attention_dropout = config.attention_dropout
        self.scale = 1.0 / math.sqrt(self.d_head) if config.scale_attention_scores else 1.0
        self.use_sdpa = config.attention_impl == "sdpa"
        self.use_blockwise = config.attention_impl == "blockwise"
        # Introspection hooks (see introspection.py): recording forces the math path.
        self.record_attention = False
        self.last_attention: torch.Tensor | None = None  # (B, H, T_q, T_k) when recorded
        # Multiplies each head's output; zeros disable heads (head-pruning experiments).
        self.register_buffer("head_gate", torch.ones(config.n_heads), persistent=False)
        self._head_gate_active = False

    def set_head_mask(self, keep: torch.Tensor | None) -> None:
        """``keep``: ``(n_heads,)`` weights for each head's output (0 disables a head); None restores all heads."""
        if keep is None:
            self.head_gate.fill_(1.0)
            self._head_gate_active = False
            return
        keep = torch.as_tensor(keep, dtype=self.head_gate.dtype, device=self.head_gate.device)
        if keep.shape != self.head_gate.shape:
            raise ValueError(f"head mask must have shape ({self.n_heads},), got {tuple(keep.shape)}")
        self.head_gate.copy_(keep)
        self._head_gate_active = True

    def _split_heads(self, x: torch.Tensor, heads: int | None = None) -> torch.Tensor:
        B, T, _ = x.shape
        return x.view(B, T, heads or self.n_heads, self.d_head).transpose(1, 2)  # (B, heads, T, d_head)

    def _project(self, x: torch.Tensor, memory: torch.Tensor | None, need_kv: bool):
        """Queries from ``x``; keys/values from ``memory`` (cross) or ``x`` (self), unless cached.

        Each ``(B, heads, T, d_head)``. Where one multiply gives several of them, its output is
        cut into heads first and the heads then split between Q, K and V: the backward gathers
        their gradients into the multiply's output with one copy. Cut into Q, K, V columns first,
        each ``(B, T, d)`` column block is a view its heads' gradient cannot be laid into, and
        backward copies each block once more before gathering them.
        """
        d = x.size(-1)
        weight, bias = self.in_proj.weight, self.in_proj.bias

        def part(rows: slice) -> tuple[torch.Tensor, torch.Tensor | None]:
            return weight[rows], None if bias is None else bias[rows]

        def heads_of(projected: torch.Tensor, *counts: int) -> list[torch.Tensor]:
            per_head = projected.unflatten(-1, (sum(counts), self.d_head))  # (B, T, sum(counts), d_head)
            return [block.transpose(1, 2) for block in per_head.split(list(counts), dim=2)]  # (B, count, T, d_head)

        if self.share_query_key:
            q = F.linear(x, *part(slice(0, d)))
            if not need_kv:
                return self._split_heads(q), None, None
            source = x if memory is None else memory
            k = q if memory is None else F.linear(source, *part(slice(0, d)))
            v = F.linear(source, *part(slice(d, 2 * d)))
            return self._split_heads(q), self._split_heads(k), self._split_heads(v)
        if memory is None and need_kv:
            return heads_of(self.in_proj(x), self.n_heads, self.n_kv_heads, self.n_kv_heads)
        q = self._split_heads(F.linear(x, *part(slice(0, d))))
        if not need_kv:
            return q, None, None
        k, v = heads_of(F.linear(memory, *part(slice(d, d + 2 * self.kv_dim))), self.n_kv_heads, self.n_kv_heads)
        return q, k, v

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor | None = None,
        *,
        mask: torch.Tensor | None = None,
        is_causal: bool = False,
        cache: AttentionCache | None = None,
        rotary: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """``x (B, T_q, d_model)``, ``memory (B, T_k, d_model)`` or None -> ``(B, T_q, d_model)``.

        ``mask``: boolean, True = may attend, broadcastable to ``(B, H, T_q, T_k)``,
        or an ``IndexMask`` (the blockwise path builds it block by block, the
        others as one tensor).
        ``is_causal``: causal self-attention without an explicit mask (lets the
        fused kernel skip building one); ignored when ``mask`` is given.
        ``cache``: for self-attention, this step's keys/values are appended and
        attention runs over everything cached; for cross-attention, the
        memory's keys/values are computed on the first call and reused.
        ``rotary``: ``(cos, signed_sin)`` of the new positions, ``(B|1, T_q, d_head)``
        (``RotaryEmbedding``); self-attention rotates queries and keys with them.
        """
        B, T, _ = x.shape
        reuse_cross = cache is not None and memory is not None and cache.key is not None
        q, k, v = self._project(x, memory, need_kv=not reuse_cross)  # (B, H, T_q, d_head), (B, H_kv, T_k, d_head) x 2
        if reuse_cross:
            k, v = cache.key, cache.value
        else:
            if rotary is not None and memory is None:
                q, k = apply_rotary(q, *rotary), apply_rotary(k, *rotary)
            if cache is not None:
                k, v = cache.append(k, v) if memory is None else cache.store(k, v)

        if is_causal and mask is None and q.size(-2) != k.size(-2):
            raise ValueError("is_causal needs as many queries as keys; pass an explicit mask when decoding with a cache")
        dropout_p = self.attention_dropout if self.training else 0.0
        blockwise = self.use_blockwise and not self.record_attention
        if isinstance(mask, IndexMask) and not blockwise:
            mask = mask.dense()
        if self.use_sdpa and not self.record_attention:
            grouped = {}
            if self.groups > 1:
                if _sdpa_supports_gqa():
                    grouped = {"enable_gqa": True}
                else:
                    k, v = repeat_kv_heads(k, self.groups), repeat_kv_heads(v, self.groups)
            out = F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=dropout_p, is_causal=is_causal and mask is None, scale=self.scale,
                **grouped,
            )
            # The CPU kernels of recent PyTorch return 0 for fully masked rows; elsewhere make sure.
            if mask is not None and (out.device.type != "cpu" or not _sdpa_zeroes_fully_masked_rows()):
                out = out.masked_fill(~mask.any(dim=-1, keepdim=True), 0.0)
        else:
            k, v = repeat_kv_heads(k, self.groups), repeat_kv_heads(v, self.groups)  # (B, H, T_k, d_head)
            if is_causal and mask is None:
                mask = IndexMask(T, k.size(-2), device=x.device)
                if not blockwise:
                    mask = mask.dense()
            if blockwise:
                out = blockwise_attention(q, k, v, mask, scale=self.scale, dropout_p=dropout_p)
            else:
                out, weights = scaled_dot_product_attention(q, k, v, mask, scale=self.scale, dropout_p=dropout_p)
                self.last_attention = weights if self.record_attention else None
        if self._head_gate_active:
            out = out * self.head_gate.view(1, -1, 1, 1).to(out.dtype)
        out = out.transpose(1, 2).reshape(B, T, -1)  # (B, T_q, d_model)
        return self.out_proj(out)
