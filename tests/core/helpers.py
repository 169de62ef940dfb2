"""Small shared pieces of the core tests: a tiny deterministic config and random ids."""

import dataclasses

import torch

from transformer_core import TransformerConfig

TINY = TransformerConfig(
    vocab_size=30,
    d_model=32,
    n_heads=4,
    d_ff=48,
    n_encoder_layers=2,
    n_decoder_layers=2,
    max_len=16,
    dropout=0.0,
    attention_dropout=0.0,
    embedding_dropout=0.0,
)


def tiny_config(**changes) -> TransformerConfig:
    """``TINY`` with ``changes``: d_model 32, 4 heads, 2 + 2 layers, no dropout, pad_id 0."""
    return dataclasses.replace(TINY, **changes)


def random_ids(batch: int, length: int, seed: int = 0, vocab: int = 30) -> torch.Tensor:
    """``(batch, length)`` ids in ``1..vocab-1`` (never the pad id 0), reproducible by ``seed``."""
    return torch.randint(1, vocab, (batch, length), generator=torch.Generator().manual_seed(seed))
