"""The KV cache: keys and values kept between decoding steps.

Without a cache, generating token t re-runs the decoder over all t previous
tokens (O(t^2) work per sequence overall in projections alone); with it, each
step projects only the new token and attends over stored keys/values.
Memory: 2 (K and V) x layers x batch x cached length x n_kv_heads x d_head
elements for self-attention (n_kv_heads x d_head = d_model unless the model
uses grouped-query or multi-query attention, which shrinks the cache by
n_heads / n_kv_heads), plus the same for the encoder memory in cross-attention.

A model with a sliding attention window (``config.sliding_window = W``)
gets a rolling cache: a query sees only the last W positions, itself
included, so after each step the cache keeps the last W - 1 positions'
keys/values and drops the older ones. Its memory is bounded by the window,
whatever the length generated; ``length`` still counts every position
processed (positions and masks need it), ``held`` the ones kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


class AttentionCache:
    """Keys and values of one attention module, shapes ``(B, H_kv, T_cached, d_head)``.

    Self-attention ``append``s each step's keys/values into a buffer that
    grows by doubling, so a step costs a write of the new position rather than
    a copy of everything cached; cross-attention ``store``s the encoder
    memory's keys/values once and reuses them.

    ``window``: a rolling cache for sliding-window attention; it keeps only
    the last ``window - 1`` positions (all the next query can see besides
    itself). ``append`` still returns the kept positions followed by the new
    ones, which are what this step's queries may attend to.
    """

    MIN_CAPACITY = 64  # positions allocated at first, so short generations never regrow

    def __init__(self, window: int | None = None) -> None:
        if window is not None and (isinstance(window, bool) or not isinstance(window, int) or window < 1):
            raise ValueError(f"window must be an integer >= 1 or None, got {window!r}")
        self.window = window
        self._key: torch.Tensor | None = None  # (B, H, capacity, d_head); rolling: exactly the held positions
        self._value: torch.Tensor | None = None
        self._length = 0  # positions processed
        self._dropped = 0  # positions a rolling cache no longer holds (the oldest)

    @property
    def key(self) -> torch.Tensor | None:
        return self._filled(self._key)

    @property
    def value(self) -> torch.Tensor | None:
        return self._filled(self._value)

    def _filled(self, buffer: torch.Tensor | None) -> torch.Tensor | None:
        if buffer is None or buffer.size(-2) == self.held:
            return buffer  # stored exactly (cross-attention, a rolling cache): no view to make
        return buffer[:, :, : self.held]

    @property
    def length(self) -> int:
        """Positions processed so far (a rolling cache holds only the last of them)."""
        return self._length

    @property
    def held(self) -> int:
        """Positions whose keys/values are held: ``length``, or at most ``window - 1`` in a rolling cache."""
        return self._length - self._dropped

    def store(self, key: torch.Tensor, value: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Keep exactly these keys/values (cross-attention: computed once from the encoder memory)."""
        self._key, self._value, self._length = key, value, key.size(-2)
        return key, value

    def append(self, key: torch.Tensor, value: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Add the new positions; returns keys/values of every position so far."""
        new_length = self._length + key.size(-2)
        if self.window is not None:
            return self._roll(key, value, new_length)
        if torch.is_grad_enabled() and (key.requires_grad or value.requires_grad):
            # Backpropagating through cached steps needs every step's tensors intact: no in-place writes.
            if self._length:
                key, value = torch.cat([self.key, key], dim=-2), torch.cat([self.value, value], dim=-2)
            self._key, self._value, self._length = key, value, new_length
            return key, value
        if self._key is None or new_length > self._key.size(-2):
            capacity = max(new_length, self.MIN_CAPACITY, 2 * (0 if self._key is None else self._key.size(-2)))
            self._key = self._grow(self._key, key, capacity)
            self._value = self._grow(self._value, value, capacity)
        self._key[:, :, self._length : new_length] = key
        self._value[:, :, self._length : new_length] = value
        self._length = new_length
        return self.key, self.value

    def _roll(self, key: torch.Tensor, value: torch.Tensor, new_length: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Rolling cache: attend over the held positions and the new ones, then keep only the last ``window - 1``."""
        if self.held:
            key, value = torch.cat([self._key, key], dim=-2), torch.cat([self._value, value], dim=-2)
        keep = min(self.window - 1, key.size(-2))
        # A copy, not a view: a view of a long prompt's keys would keep all of them allocated.
        self._key = key[:, :, key.size(-2) - keep :].clone()
        self._value = value[:, :, value.size(-2) - keep :].clone()
        self._length = new_length
        self._dropped = new_length - keep
        return key, value

    def _grow(self, old: torch.Tensor | None, like: torch.Tensor, capacity: int) -> torch.Tensor:
        B, H, _, D = like.shape
        buffer = like.new_empty(B, H, capacity, D)
        if old is not None:
            buffer[:, :, : self._length] = old[:, :, : self._length]
        return buffer

    def reorder(self, index: torch.Tensor) -> None:
        """Keep batch rows ``index`` (beam search reshuffles hypotheses every step)."""
        if self._key is not None:
            self._key = self._key.index_select(0, index)
            self._value = self._value.index_select(0, index)

    def nbytes(self) -> int:
        """Bytes of the cached keys and values (the filled positions, not spare capacity)."""
        if self._key is None:
            return 0
        per_position = self._key[:, :, :1].numel() * self._key.element_size()
        return 2 * per_position * self.held

    def allocated_nbytes(self) -> int:
        """Bytes actually allocated, spare capacity included."""
        if self._key is None:
            return 0
        return self._key.numel() * self._key.element_size() + self._value.numel() * self._value.element_size()


@dataclass
class LayerCache:
    """The caches of one decoder layer; ``cross_attention`` is None in a decoder-only model."""

    self_attention: AttentionCache = field(default_factory=AttentionCache)
    cross_attention: AttentionCache | None = None


class KVCache:
    """Per-layer caches of a decoder stack. Create one with ``model.new_cache()``."""

    def __init__(self, n_layers: int, *, cross_attention: bool, window: int | None = None):
        self.layers = [
            LayerCache(
                self_attention=AttentionCache(window=window),
                cross_attention=AttentionCache() if cross_attention else None,
            )
            for _ in range(n_layers)
        ]

    @property
    def length(self) -> int:
        """Number of target positions already processed."""
        return self.layers[0].self_attention.length if self.layers else 0

    @property
    def held(self) -> int:
        """Target positions whose self-attention keys/values are held (fewer than ``length`` in a rolling cache)."""
        return self.layers[0].self_attention.held if self.layers else 0

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
        """Bytes of every cached key and value (see ``AttentionCache.nbytes``)."""
        return self.self_attention_nbytes() + self.cross_attention_nbytes()

    def allocated_nbytes(self) -> int:
        """Bytes allocated, spare capacity of the growing self-attention buffers included."""
        return sum(
            layer.self_attention.allocated_nbytes()
            + (layer.cross_attention.allocated_nbytes() if layer.cross_attention is not None else 0)
            for layer in self.layers
        )
