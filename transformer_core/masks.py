"""Attention masks as small pure functions.

Convention (the one ``torch.nn.functional.scaled_dot_product_attention`` uses
for boolean masks): **True means "may attend"**, False means "masked out".
Every mask here is a ``torch.bool`` tensor whose shape broadcasts against the
attention scores ``(B, H, T_q, T_k)``.

``torch.nn.Transformer`` uses the opposite convention (True = masked); use
``to_torch_convention`` when handing our masks to it.

A query whose whole row is masked (e.g. a padding query in a decoder whose
keys are padding too) gets all-zero attention weights and a zero output from
the attention layer -- never NaN. See ``attention.scaled_dot_product_attention``.

``IndexMask`` describes a causal / sliding-window / key-padding mask without
building it: ``block(start, stop)`` computes the columns of one block of keys
from position indices, so the blockwise attention path never holds a
``T_q x T_k`` mask, and ``dense()`` builds the whole mask (once) for the paths
that need a tensor.
"""

from __future__ import annotations

import torch


def causal_mask(
    query_length: int,
    key_length: int | None = None,
    *,
    window: int | None = None,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """``(T_q, T_k)`` lower-triangular mask: query ``i`` may attend to keys ``0..i``.

    With ``key_length > query_length`` (decoding with a KV cache, where the
    queries are the last ``T_q`` positions) query ``i`` sits at position
    ``T_k - T_q + i`` and sees every key up to that position.

    ``window``: sliding-window attention (Mistral, Longformer's local part):
    a query sees only the ``window`` most recent keys, itself included, so
    keys ``i - window + 1 .. i``.
    """
    key_length = query_length if key_length is None else key_length
    ones = torch.ones(query_length, key_length, dtype=torch.bool, device=device)
    offset = key_length - query_length  # position of query 0 among the keys
    mask = ones.tril(diagonal=offset)
    if window is not None:
        mask = mask & ones.triu(diagonal=offset - window + 1)
    return mask


def padding_mask(ids: torch.Tensor, pad_id: int) -> torch.Tensor:
    """``(B, T)`` mask from token ids ``(B, T)``: True at real tokens, False at ``pad_id``."""
    return ids != pad_id


def key_padding_attention_mask(padding: torch.Tensor) -> torch.Tensor:
    """Lift a ``(B, T_k)`` padding mask to ``(B, 1, 1, T_k)``: no query may attend to a padding key."""
    return padding[:, None, None, :]


def combine_masks(*masks: torch.Tensor | None) -> torch.Tensor | None:
    """Logical AND of broadcastable masks; ``None`` entries mean "no restriction".

    Returns ``None`` when every mask is ``None``.
    """
    combined: torch.Tensor | None = None
    for mask in masks:
        if mask is None:
            continue
        combined = mask if combined is None else combined & mask
    return combined


def decoder_self_attention_mask(
    padding: torch.Tensor | None,
    query_length: int,
    key_length: int | None = None,
    *,
    window: int | None = None,
    device=None,
) -> torch.Tensor:
    """Causal mask (sliding, with ``window``) combined with a ``(B, T_k)`` target padding mask.

    Returns ``(B, 1, T_q, T_k)``, or ``(T_q, T_k)`` when ``padding`` is None.
    """
    return IndexMask(
        query_length,
        query_length if key_length is None else key_length,
        window=window,
        key_padding=padding,
        device=device,
    ).dense()


class IndexMask:
    """A causal mask (sliding, with ``window``) and a key padding mask, described by indices, built per block.

    Query ``i`` sits at absolute position ``query_start + i`` and key ``j`` at
    ``key_start + j``; a query may attend to a key when the key's position is
    at most its own (``causal``), within ``window`` of it (``key > query -
    window``), and the key is not padding (``key_padding``: ``(B, T_k)``, True
    at real keys, over exactly these keys). ``query_start`` defaults to
    ``key_start + key_length - query_length``: the queries are the last
    positions, as when decoding with a KV cache.

    ``block(start, stop)`` builds the mask of keys ``start .. stop - 1`` only,
    ``(T_q, stop - start)`` or ``(B, 1, T_q, stop - start)`` with padding: the
    memory of one block, never ``T_q x T_k``. ``dense()`` is ``block(0,
    key_length)``, built once and kept (every layer of a stack shares it).
    """

    def __init__(
        self,
        query_length: int,
        key_length: int,
        *,
        causal: bool = True,
        window: int | None = None,
        key_padding: torch.Tensor | None = None,
        key_start: int = 0,
        query_start: int | None = None,
        device: torch.device | str | None = None,
    ):
        if key_padding is not None and key_padding.size(-1) != key_length:
            raise ValueError(f"key_padding covers {key_padding.size(-1)} keys, expected {key_length}")
        if window is not None and window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        self.query_length = query_length
        self.key_length = key_length
        self.causal = causal
        self.window = window
        self.key_padding = key_padding
        self.key_start = key_start
        self.query_start = key_start + key_length - query_length if query_start is None else query_start
        self.device = key_padding.device if key_padding is not None else device
        self._dense: torch.Tensor | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``dense()``, without building it."""
        if self.key_padding is None:
            return (self.query_length, self.key_length)
        return (self.key_padding.size(0), 1, self.query_length, self.key_length)

    def block(self, start: int, stop: int) -> torch.Tensor | None:
        """The mask of keys ``start .. stop - 1``; None when nothing restricts them (no causal, window or padding)."""
        mask = None
        if self.causal or self.window is not None:
            queries = torch.arange(self.query_length, device=self.device)[:, None] + self.query_start
            keys = torch.arange(self.key_start + start, self.key_start + stop, device=self.device)[None, :]
            if self.causal:
                mask = keys <= queries
            if self.window is not None:
                recent = keys > queries - self.window
                mask = recent if mask is None else mask & recent
        if self.key_padding is not None:
            padding = self.key_padding[:, None, None, start:stop]
            mask = padding if mask is None else mask & padding
        return mask

    def dense(self) -> torch.Tensor | None:
        """The whole mask as a tensor (for the fused and the readable paths), built on first use."""
        if self._dense is None:
            self._dense = self.block(0, self.key_length)
        return self._dense


def to_torch_convention(mask: torch.Tensor | None) -> torch.Tensor | None:
    """Our masks (True = attend) in ``torch.nn.Transformer``'s convention (True = masked out)."""
    return None if mask is None else ~mask
