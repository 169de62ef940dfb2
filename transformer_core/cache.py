"""The KV cache: keys and values kept between decoding steps.

Without a cache, generating token t re-runs the decoder over all t previous
tokens (O(t^2) work per sequence overall in projections alone); with it, each
step projects only the new token and attends over stored keys/values.
Memory: 2 (K and V) x layers x batch x cached length x d_model elements for
self-attention, plus the same for the encoder memory in cross-attention.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass
class AttentionCache:
    """Keys and values of one attention module, shapes ``(B, H, T_cached, d_head)``.

    Self-attention appends each step's keys/values; cross-attention computes
    the encoder memory's keys/values once and reuses them.
    """

    key: torch.Tensor | None = None
    value: torch.Tensor | None = None

    @property
    def length(self) -> int:
        return 0 if self.key is None else self.key.size(-2)

    def append(self, key: torch.Tensor, value: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.key is None:
            self.key, self.value = key, value
        else:
            self.key = torch.cat([self.key, key], dim=-2)
            self.value = torch.cat([self.value, value], dim=-2)
        return self.key, self.value

    def reorder(self, index: torch.Tensor) -> None:
        """Keep batch rows ``index`` (beam search reshuffles hypotheses every step)."""
        if self.key is not None:
            self.key = self.key.index_select(0, index)
            self.value = self.value.index_select(0, index)

    def nbytes(self) -> int:
        if self.key is None:
            return 0
        return self.key.numel() * self.key.element_size() + self.value.numel() * self.value.element_size()


@dataclass
class LayerCache:
    """The caches of one decoder layer; ``cross_attention`` is None in a decoder-only model."""

    self_attention: AttentionCache = field(default_factory=AttentionCache)
    cross_attention: AttentionCache | None = None


class KVCache:
    """Per-layer caches of a decoder stack. Create one with ``model.new_cache()``."""

    def __init__(self, n_layers: int, *, cross_attention: bool):
        self.layers = [
            LayerCache(cross_attention=AttentionCache() if cross_attention else None) for _ in range(n_layers)
        ]

    @property
    def length(self) -> int:
        """Number of target positions already processed."""
        return self.layers[0].self_attention.length if self.layers else 0

    def reorder(self, index: torch.Tensor) -> None:
        for layer in self.layers:
            layer.self_attention.reorder(index)
            if layer.cross_attention is not None:
                layer.cross_attention.reorder(index)

    def self_attention_nbytes(self) -> int:
        return sum(layer.self_attention.nbytes() for layer in self.layers)

    def cross_attention_nbytes(self) -> int:
        return sum(layer.cross_attention.nbytes() for layer in self.layers if layer.cross_attention is not None)

    def nbytes(self) -> int:
        """Bytes held by every cached key and value tensor."""
        return self.self_attention_nbytes() + self.cross_attention_nbytes()
