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
    causal = causal_mask(query_length, key_length, window=window, device=device if padding is None else padding.device)
    if padding is None:
        return causal
    return combine_masks(causal, key_padding_attention_mask(padding))


def to_torch_convention(mask: torch.Tensor | None) -> torch.Tensor | None:
    """Our masks (True = attend) in ``torch.nn.Transformer``'s convention (True = masked out)."""
    return None if mask is None else ~mask
