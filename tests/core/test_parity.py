"""Parity with PyTorch's own Transformer modules: same weights, same numbers (float64, atol 1e-5)."""

import pytest
import torch
from torch import nn

from transformer_core import (
    EncoderDecoder,
    EncoderLayer,
    MultiHeadAttention,
    TransformerConfig,
    capture_attention,
    causal_mask,
    combine_masks,
    key_padding_attention_mask,
    to_torch_convention,
)

from .torch_reference import copy_attention, copy_encoder_layer, copy_transformer

D_MODEL, HEADS, D_FF = 32, 4, 64
ATOL = 1e-5


def _config(placement: str, activation: str, impl: str = "sdpa") -> TransformerConfig:
    return TransformerConfig(
        vocab_size=20,
        d_model=D_MODEL,
        n_heads=HEADS,
        d_ff=D_FF,
        n_encoder_layers=2,
        n_decoder_layers=2,
        max_len=32,
        dropout=0.0,
        attention_dropout=0.0,
        embedding_dropout=0.0,
        norm_placement=placement,
        activation=activation,
        final_norm=True,  # torch.nn.Transformer always ends each stack with a LayerNorm
        attention_impl=impl,
    )


def _padding(batch: int, length: int, real_lengths: list[int]) -> torch.Tensor:
    return torch.arange(length)[None, :] < torch.tensor(real_lengths)[:, None]  # (B, T) True at real tokens


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.parametrize("impl", ["sdpa", "math"])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("placement", ["post", "pre"])
def test_encoder_decoder_matches_torch_transformer(placement, activation, impl):
    torch.manual_seed(0)
    theirs = nn.Transformer(
        d_model=D_MODEL,
        nhead=HEADS,
        num_encoder_layers=2,
        num_decoder_layers=2,
        dim_feedforward=D_FF,
        dropout=0.0,
        activation=activation,
        batch_first=True,
        norm_first=placement == "pre",
        dtype=torch.float64,
    ).eval()
    ours = EncoderDecoder(_config(placement, activation, impl)).double().eval()
    copy_transformer(ours.encoder, ours.decoder, theirs)

    src = torch.randn(3, 7, D_MODEL, dtype=torch.float64)
    tgt = torch.randn(3, 5, D_MODEL, dtype=torch.float64)
    src_padding = _padding(3, 7, [7, 4, 2])
    tgt_padding = _padding(3, 5, [5, 5, 3])

    expected = theirs(
        src,
        tgt,
        tgt_mask=to_torch_convention(causal_mask(5)),
        src_key_padding_mask=to_torch_convention(src_padding),
        tgt_key_padding_mask=to_torch_convention(tgt_padding),
        memory_key_padding_mask=to_torch_convention(src_padding),
    )
    memory = ours.encoder(src, src_padding)
    actual = ours.decoder(tgt, memory, padding=tgt_padding, memory_padding=src_padding)
    torch.testing.assert_close(actual, expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("placement", ["post", "pre"])
def test_encoder_layer_matches_torch_encoder_layer(placement, activation):
    torch.manual_seed(1)
    theirs = nn.TransformerEncoderLayer(
        D_MODEL,
        HEADS,
        D_FF,
        dropout=0.0,
        activation=activation,
        batch_first=True,
        norm_first=placement == "pre",
        dtype=torch.float64,
    ).eval()
    ours = EncoderLayer(_config(placement, activation)).double().eval()
    copy_encoder_layer(ours, theirs)
    x = torch.randn(2, 6, D_MODEL, dtype=torch.float64)
    padding = _padding(2, 6, [6, 3])
    expected = theirs(x, src_key_padding_mask=to_torch_convention(padding))
    actual = ours(x, key_padding_attention_mask(padding))
    torch.testing.assert_close(actual, expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize("impl", ["sdpa", "math"])
def test_self_attention_matches_multihead_attention_outputs_and_weights(impl):
    torch.manual_seed(2)
    theirs = nn.MultiheadAttention(D_MODEL, HEADS, batch_first=True, dtype=torch.float64).eval()
    ours = MultiHeadAttention(_config("post", "relu", impl)).double().eval()
    copy_attention(ours, theirs)
    x = torch.randn(3, 6, D_MODEL, dtype=torch.float64)
    padding = _padding(3, 6, [6, 4, 1])
    expected, expected_weights = theirs(
        x,
        x,
        x,
        key_padding_mask=to_torch_convention(padding),
        attn_mask=to_torch_convention(causal_mask(6)),
        average_attn_weights=False,
    )
    mask = combine_masks(causal_mask(6), key_padding_attention_mask(padding))
    torch.testing.assert_close(ours(x, mask=mask), expected, atol=ATOL, rtol=0)
    with capture_attention(ours) as weights:
        ours(x, mask=mask)
    torch.testing.assert_close(weights[""], expected_weights, atol=ATOL, rtol=0)


def test_cross_attention_matches_multihead_attention():
    torch.manual_seed(3)
    theirs = nn.MultiheadAttention(D_MODEL, HEADS, batch_first=True, dtype=torch.float64).eval()
    ours = MultiHeadAttention(_config("post", "relu")).double().eval()
    copy_attention(ours, theirs)
    queries = torch.randn(2, 4, D_MODEL, dtype=torch.float64)
    memory = torch.randn(2, 9, D_MODEL, dtype=torch.float64)
    padding = _padding(2, 9, [9, 5])
    expected, _ = theirs(queries, memory, memory, key_padding_mask=to_torch_convention(padding))
    actual = ours(queries, memory, mask=key_padding_attention_mask(padding))
    torch.testing.assert_close(actual, expected, atol=ATOL, rtol=0)
