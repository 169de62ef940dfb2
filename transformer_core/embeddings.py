"""Token embeddings and positional encodings."""

from __future__ import annotations

import math

import torch
from torch import nn

from .config import TransformerConfig


def sinusoidal_table(max_len: int, d_model: int) -> torch.Tensor:
    """``(max_len, d_model)``: PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(same)."""
    position = torch.arange(max_len, dtype=torch.float64)[:, None]  # (L, 1)
    inverse_frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model))
    table = torch.zeros(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(position * inverse_frequency)
    table[:, 1::2] = torch.cos(position * inverse_frequency)
    return table.float()


class SinusoidalPositionalEncoding(nn.Module):
    """Fixed sin/cos positions (Vaswani et al., 2017); no parameters."""

    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        # Not persistent: it is a function of the config, so checkpoints need not carry it.
        self.register_buffer("table", sinusoidal_table(max_len, d_model), persistent=False)

    def forward(self, length: int, start: int = 0) -> torch.Tensor:
        return self.table[start : start + length]  # (T, d_model)


class LearnedPositionalEmbedding(nn.Module):
    """One trained vector per position (BERT, GPT-2)."""

    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        self.embedding = nn.Embedding(max_len, d_model)

    def forward(self, length: int, start: int = 0) -> torch.Tensor:
        return self.embedding.weight[start : start + length]  # (T, d_model)


class Embeddings(nn.Module):
    """Token ids -> vectors: ``dropout(token_embedding * sqrt(d_model)? + position)``.

    The sqrt(d_model) factor (``config.scale_embeddings``) brings embeddings
    initialised with variance ~1/d_model up to the scale of the positional
    encoding, whose entries are in [-1, 1].
    """

    def __init__(self, config: TransformerConfig, vocab_size: int):
        super().__init__()
        self.token = nn.Embedding(vocab_size, config.d_model)
        self.scale = math.sqrt(config.d_model) if config.scale_embeddings else 1.0
        if config.positional_encoding == "sinusoidal":
            self.position: nn.Module | None = SinusoidalPositionalEncoding(config.max_len, config.d_model)
        elif config.positional_encoding == "learned":
            self.position = LearnedPositionalEmbedding(config.max_len, config.d_model)
        else:
            self.position = None
        self.dropout = nn.Dropout(config.embedding_dropout)

    def forward(self, ids: torch.Tensor, start: int = 0) -> torch.Tensor:
        """``ids (B, T)`` at positions ``start..start+T-1`` -> ``(B, T, d_model)``."""
        x = self.token(ids)
        if self.scale != 1.0:
            x = x * self.scale
        if self.position is not None:
            x = x + self.position(ids.size(1), start).to(x.dtype)
        return self.dropout(x)
