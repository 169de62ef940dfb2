"""Copy the weights of PyTorch's reference modules into ours, for parity tests."""

from __future__ import annotations

import torch
from torch import nn

from transformer_core import DecoderLayer, EncoderLayer, MultiHeadAttention


def _copy(target: torch.Tensor, source: torch.Tensor) -> None:
    assert target.shape == source.shape, (target.shape, source.shape)
    target.copy_(source)


@torch.no_grad()
def copy_attention(ours: MultiHeadAttention, theirs: nn.MultiheadAttention) -> None:
    _copy(ours.in_proj.weight, theirs.in_proj_weight)
    _copy(ours.in_proj.bias, theirs.in_proj_bias)
    _copy(ours.out_proj.weight, theirs.out_proj.weight)
    _copy(ours.out_proj.bias, theirs.out_proj.bias)


@torch.no_grad()
def copy_norm(ours: nn.Module, theirs: nn.LayerNorm) -> None:
    _copy(ours.weight, theirs.weight)
    _copy(ours.bias, theirs.bias)


@torch.no_grad()
def copy_feed_forward(ours, theirs) -> None:
    for name in ("linear1", "linear2"):
        _copy(getattr(ours, name).weight, getattr(theirs, name).weight)
        _copy(getattr(ours, name).bias, getattr(theirs, name).bias)


def copy_encoder_layer(ours: EncoderLayer, theirs: nn.TransformerEncoderLayer) -> None:
    copy_attention(ours.self_attention, theirs.self_attn)
    copy_feed_forward(ours.feed_forward, theirs)
    copy_norm(ours.attention_sublayer.norm, theirs.norm1)
    copy_norm(ours.feed_forward_sublayer.norm, theirs.norm2)


def copy_decoder_layer(ours: DecoderLayer, theirs: nn.TransformerDecoderLayer) -> None:
    copy_attention(ours.self_attention, theirs.self_attn)
    copy_attention(ours.cross_attention, theirs.multihead_attn)
    copy_feed_forward(ours.feed_forward, theirs)
    copy_norm(ours.self_attention_sublayer.norm, theirs.norm1)
    copy_norm(ours.cross_attention_sublayer.norm, theirs.norm2)
    copy_norm(ours.feed_forward_sublayer.norm, theirs.norm3)


def copy_transformer(encoder, decoder, theirs: nn.Transformer) -> None:
    """Our ``Encoder`` and ``Decoder`` stacks take the weights of a ``torch.nn.Transformer``."""
    for ours_layer, their_layer in zip(encoder.layers, theirs.encoder.layers, strict=True):
        copy_encoder_layer(ours_layer, their_layer)
    for ours_layer, their_layer in zip(decoder.layers, theirs.decoder.layers, strict=True):
        copy_decoder_layer(ours_layer, their_layer)
    copy_norm(encoder.norm, theirs.encoder.norm)
    copy_norm(decoder.norm, theirs.decoder.norm)
