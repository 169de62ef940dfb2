"""Token embeddings and positional information: sinusoidal, learned and rotary positions.

Additive positions (sinusoidal, learned) are added to the token embeddings
here. Rotary positions (RoPE) are not added to anything: ``RotaryEmbedding``
computes the cosines and sines for the positions of a forward pass once, and
each attention module rotates its queries and keys with ``apply_rotary``.

Positions are ``(B, T)`` or ``(1, T)`` integer tensors (``position_ids``);
without them a sequence starting at ``start`` (what a KV cache already holds)
takes positions ``start .. start + T - 1``. Left-padded batches pass their
own, counting from each row's first real token.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .config import TransformerConfig
from .normalization import make_norm


def sinusoidal_table(max_len: int, d_model: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """``(max_len, d_model)``: PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(same).

    Computed in float64 and rounded once to ``dtype``, so each entry is the
    closest ``dtype`` number to the true value (a float64 table is exact to
    float64 round-off, not to float32's).
    """
    position = torch.arange(max_len, dtype=torch.float64)[:, None]  # (L, 1)
    inverse_frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model))
    table = torch.zeros(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(position * inverse_frequency)
    table[:, 1::2] = torch.cos(position * inverse_frequency)
    return table.to(dtype)


def default_positions(length: int, start: int = 0, *, device=None) -> torch.Tensor:
    """``(1, T)`` positions ``start .. start + length - 1``: one row that broadcasts over the batch."""
    return torch.arange(start, start + length, device=device)[None, :]


def positions_from_padding(padding: torch.Tensor) -> torch.Tensor:
    """``(B, T)`` positions for a left-padded batch: each row counts from its first real token.

    ``padding (B, T)`` is True at real tokens. Padding positions get 0 (they
    are never attended to, so any position would do; 0 is Hugging Face's
    choice in ``generate``).
    """
    positions = padding.long().cumsum(dim=-1) - 1
    return positions.masked_fill(~padding, 0)


class SinusoidalPositionalEncoding(nn.Module):
    """Fixed sin/cos positions (Vaswani et al., 2017); no parameters.

    The table is kept in float64 and rounded to the dtype of each forward
    pass, so a float64 model gets float64-exact positions and a float32 or
    bfloat16 model the correctly rounded ones. It is a plain attribute, not a
    buffer: ``model.float()`` or ``.half()`` would otherwise round it once
    for good, and a later ``.double()`` could not undo that.
    """

    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        self.exact_table = sinusoidal_table(max_len, d_model, torch.float64)  # (L, d_model), CPU
        self._rounded: dict[tuple[torch.dtype, torch.device], torch.Tensor] = {}

    def table(self, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        key = (dtype, torch.device(device))
        if key not in self._rounded:
            self._rounded[key] = self.exact_table.to(device=device, dtype=dtype)
        return self._rounded[key]

    def forward(self, positions: torch.Tensor | int, dtype: torch.dtype = torch.float32, start: int = 0) -> torch.Tensor:
        """``positions (B|1, T)`` -> ``(B|1, T, d_model)`` in ``dtype``.

        An int ``length`` instead gives the rows ``start .. start + length - 1``, ``(T, d_model)``.
        """
        if isinstance(positions, int):
            return self.table(dtype, self.exact_table.device)[start : start + positions]
        return self.table(dtype, positions.device)[positions]


class LearnedPositionalEmbedding(nn.Module):
    """One trained vector per position (BERT, GPT-2)."""

    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        self.embedding = nn.Embedding(max_len, d_model)

    def forward(self, positions: torch.Tensor | int, dtype: torch.dtype | None = None, start: int = 0) -> torch.Tensor:
        """``positions (B|1, T)`` -> ``(B|1, T, d_model)``; an int ``length``: rows ``start ..``, ``(T, d_model)``."""
        if isinstance(positions, int):
            return self.embedding.weight[start : start + positions]
        return self.embedding(positions)


class Embeddings(nn.Module):
    """Token ids -> vectors: ``dropout(norm?(token * sqrt(d_model)? + token_type? + position?))``.

    The sqrt(d_model) factor (``config.scale_embeddings``) brings embeddings
    initialised with variance ~1/d_model up to the scale of the positional
    encoding, whose entries are in [-1, 1]. Token types (BERT's segments A/B)
    and the norm on the sum (BERT's embedding LayerNorm) are off by default.
    """

    def __init__(self, config: TransformerConfig, vocab_size: int):
        super().__init__()
        self.token = nn.Embedding(vocab_size, config.d_model)
        self.scale = math.sqrt(config.d_model) if config.scale_embeddings else 1.0
        if config.positional_encoding == "sinusoidal":
            self.position: nn.Module | None = SinusoidalPositionalEncoding(config.max_len, config.d_model)
        elif config.positional_encoding == "learned":
            self.position = LearnedPositionalEmbedding(config.max_len, config.d_model)
        else:  # rotary positions live in attention; `none` has no positions at all
            self.position = None
        self.token_type = nn.Embedding(config.n_token_types, config.d_model) if config.n_token_types else None
        self.norm = make_norm(config) if config.embedding_norm else None
        self.dropout = nn.Dropout(config.embedding_dropout)

    def forward(
        self,
        ids: torch.Tensor,
        start: int = 0,
        *,
        position_ids: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``ids (B, T)`` at positions ``start..start+T-1`` (or ``position_ids``) -> ``(B, T, d_model)``."""
        x = self.token(ids)
        if self.scale != 1.0:
            x = x * self.scale
        if self.token_type is not None:
            # Without token types every token is of type 0 (segment A), as in BERT.
            x = x + (self.token_type.weight[0] if token_type_ids is None else self.token_type(token_type_ids))
        if self.position is not None:
            if position_ids is None:
                position_ids = default_positions(ids.size(1), start, device=ids.device)
            x = x + self.position(position_ids, x.dtype)
        if self.norm is not None:
            x = self.norm(x)
        return self.dropout(x)


class RotaryEmbedding(nn.Module):
    """Cosines and sines of rotary position embeddings (Su et al., 2021), Llama's layout.

    Dimension ``i`` of a head is paired with ``i + d_head/2`` and the pair is
    rotated by ``position * theta_i`` with ``theta_i = base^(-2i/d_head)``.
    The angles are computed in float32 whatever the model's dtype, exactly as
    Llama's reference (and Hugging Face's ``LlamaRotaryEmbedding``) computes
    them: bfloat16 angles would be off by whole radians at position 1000.

    Context extension (``config.rope_scaling``): ``linear`` is position
    interpolation (Chen et al., 2023): positions divided by the factor, so a
    model trained on L positions sees ``factor * L`` positions inside the
    angles it knows; ``ntk`` is NTK-aware scaling (bloc97, 2023): the base
    becomes ``base * factor^(d/(d-2))``, stretching the slow frequencies by
    the factor while leaving the fastest almost unchanged.
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        d_head = config.d_head
        base = float(config.rope_base)
        if config.rope_scaling == "ntk":
            base = base * config.rope_scaling_factor ** (d_head / (d_head - 2))
        # Hugging Face's formula, operation for operation, so the float32 frequencies are the same numbers.
        inverse_frequency = 1.0 / (base ** (torch.arange(0, d_head, 2, dtype=torch.int64).float() / d_head))
        if config.rope_scaling == "linear":
            inverse_frequency = inverse_frequency / config.rope_scaling_factor  # (p / s) * theta = p * (theta / s)
        # A plain float32 attribute, not a buffer: model.half() or .to(torch.bfloat16) must not round it.
        self.inverse_frequency = inverse_frequency  # (d_head / 2,)
        self._on_device: dict[torch.device, torch.Tensor] = {}

    def forward(self, positions: torch.Tensor, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
        """``positions (B|1, T)`` -> ``cos, signed_sin``, each ``(B|1, T, d_head)`` in ``dtype``.

        ``signed_sin`` is ``-sin`` on the first half of the dimensions and ``sin`` on the second:
        the sign of the rotation's ``-x2`` folded into the table, made once per forward pass
        instead of on every query and key (see ``apply_rotary``).
        """
        if positions.device not in self._on_device:
            self._on_device[positions.device] = self.inverse_frequency.to(positions.device)
        angles = positions[..., None].float() * self._on_device[positions.device]
        doubled = torch.cat((angles, angles), dim=-1)  # the same angle for dimension i and i + d_head/2
        sin = doubled.sin()
        half = angles.size(-1)
        signed_sin = torch.cat((-sin[..., :half], sin[..., half:]), dim=-1)
        return doubled.cos().to(dtype), signed_sin.to(dtype)


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, signed_sin: torch.Tensor) -> torch.Tensor:
    """Rotate queries or keys ``x (B, H, T, d_head)`` by their positions' angles (``RotaryEmbedding``'s tables).

    Each pair ``(x1, x2)`` (dimensions ``i`` and ``i + d_head/2``) becomes
    ``(x1 cos - x2 sin, x2 cos + x1 sin)``: ``x * cos + rotate_half(x) * sin`` with
    ``rotate_half(x) = (-x2, x1)``, as Llama and Hugging Face write it. Rolling the last
    dimension by half gives ``(x2, x1)`` and the table's sign gives the minus: the same
    numbers bit for bit (negation is exact), without building ``-x2`` and concatenating.
    """
    cos, signed_sin = cos[:, None], signed_sin[:, None]  # (B|1, 1, T, d_head): the same rotation for every head
    return x * cos + torch.roll(x, x.size(-1) // 2, dims=-1) * signed_sin
