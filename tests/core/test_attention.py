"""Attention: the math and SDPA paths agree; masks, head gates and score scaling do what they say."""

import dataclasses
import math

import pytest
import torch

from transformer_core import (
    DecoderOnly,
    EncoderDecoder,
    MultiHeadAttention,
    capture_attention,
    causal_mask,
    combine_masks,
    disabled_heads,
    key_padding_attention_mask,
    scaled_dot_product_attention,
)

from .helpers import random_ids, tiny_config

BASE = tiny_config(max_len=24)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"norm_placement": "pre"},
        {"share_query_key": True},
        {"scale_attention_scores": False},
        {"norm_kind": "rms", "activation": "gelu", "positional_encoding": "learned"},
    ],
)
def test_sdpa_path_equals_math_path(changes):
    torch.manual_seed(0)
    sdpa = EncoderDecoder(dataclasses.replace(BASE, attention_impl="sdpa", **changes)).eval()
    math_model = EncoderDecoder(dataclasses.replace(BASE, attention_impl="math", **changes)).eval()
    math_model.load_state_dict(sdpa.state_dict())
    src, tgt = random_ids(3, 9), random_ids(3, 7, seed=1)
    src[1, 5:] = 0  # padding in source and target
    tgt[2, 4:] = 0
    torch.testing.assert_close(sdpa(src, tgt), math_model(src, tgt), atol=1e-5, rtol=1e-5)


def test_sdpa_equals_math_for_gradients_too():
    torch.manual_seed(0)
    sdpa = DecoderOnly(dataclasses.replace(BASE, attention_impl="sdpa"))
    math_model = DecoderOnly(dataclasses.replace(BASE, attention_impl="math"))
    math_model.load_state_dict(sdpa.state_dict())
    ids = random_ids(2, 10)
    for model in (sdpa, math_model):
        model(ids).logsumexp(-1).sum().backward()
    for (name, a), (_, b) in zip(sdpa.named_parameters(), math_model.named_parameters()):
        torch.testing.assert_close(a.grad, b.grad, atol=1e-4, rtol=1e-4, msg=name)


def test_fully_masked_rows_give_zero_output_and_finite_gradients_on_both_paths():
    q = torch.randn(2, 3, 4, 8, requires_grad=True)
    mask = torch.ones(2, 1, 4, 4, dtype=torch.bool)
    mask[0, :, 2, :] = False  # query 2 of the first example sees nothing
    out, weights = scaled_dot_product_attention(q, q, q, mask)
    assert torch.isfinite(out).all()
    assert (out[0, :, 2] == 0).all() and (weights[0, :, 2] == 0).all()
    out.sum().backward()
    assert torch.isfinite(q.grad).all()

    config = dataclasses.replace(BASE, attention_impl="sdpa")
    attention = MultiHeadAttention(config).eval()
    x = torch.randn(2, 4, 32)
    no_keys = torch.zeros(2, 1, 1, 4, dtype=torch.bool)
    expected = attention.out_proj.bias.expand(2, 4, 32)  # zero attention output, then W_o's bias
    torch.testing.assert_close(attention(x, mask=no_keys), expected)
    attention.use_sdpa = False
    torch.testing.assert_close(attention(x, mask=no_keys), expected)


def test_math_attention_matches_the_formula():
    torch.manual_seed(0)
    q, k, v = torch.randn(5, 8), torch.randn(6, 8), torch.randn(6, 3)
    out, weights = scaled_dot_product_attention(q, k, v)
    expected_weights = torch.softmax(q @ k.T / math.sqrt(8), dim=-1)
    torch.testing.assert_close(weights, expected_weights)
    torch.testing.assert_close(out, expected_weights @ v)


def test_recorded_weights_are_distributions_that_respect_the_masks():
    torch.manual_seed(0)
    model = EncoderDecoder(BASE).eval()
    src, tgt = random_ids(2, 8), random_ids(2, 6, seed=3)
    src[0, 5:] = 0
    logits, weights = model(src, tgt, return_attention=True)
    assert set(weights) == {
        "encoder.0.self_attention",
        "encoder.1.self_attention",
        "decoder.0.self_attention",
        "decoder.0.cross_attention",
        "decoder.1.self_attention",
        "decoder.1.cross_attention",
    }
    torch.testing.assert_close(logits, model(src, tgt))  # recording does not change the result
    for name, w in weights.items():
        torch.testing.assert_close(w.sum(-1), torch.ones_like(w.sum(-1)), msg=name)
    assert weights["decoder.0.cross_attention"].shape == (2, 4, 6, 8)
    assert (weights["decoder.0.cross_attention"][0, :, :, 5:] == 0).all()  # padding keys unseen
    self_weights = weights["decoder.1.self_attention"]
    assert (self_weights.triu(diagonal=1) == 0).all()  # no looking ahead
    # After the block, modules are back on their fast path and keep no weights.
    assert all(not m.record_attention and m.last_attention is None for m in model.modules() if isinstance(m, MultiHeadAttention))


def test_disabling_a_head_removes_exactly_its_contribution():
    torch.manual_seed(0)
    attention = MultiHeadAttention(BASE).eval()
    x = torch.randn(2, 5, 32)
    full = attention(x)
    attention.set_head_mask(torch.tensor([1.0, 0.0, 1.0, 1.0]))
    pruned = attention(x)
    attention.set_head_mask(None)
    # The same thing by hand: zero head 1's columns of W_o (head h owns dimensions 8h..8h+7).
    with torch.no_grad():
        manual = MultiHeadAttention(BASE).eval()
        manual.load_state_dict(attention.state_dict())
        manual.out_proj.weight[:, 8:16] = 0
    torch.testing.assert_close(pruned, manual(x))
    assert not torch.allclose(pruned, full)
    torch.testing.assert_close(attention(x), full)  # restored
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        attention.set_head_mask(torch.ones(3))


def test_disabled_heads_by_name_and_bad_names():
    torch.manual_seed(0)
    model = DecoderOnly(BASE).eval()
    ids = random_ids(2, 6)
    before = model(ids)
    with disabled_heads(model, {"decoder.0.self_attention": [0, 3]}):
        assert model.decoder.layers[0].self_attention.head_gate.tolist() == [0.0, 1.0, 1.0, 0.0]
        assert not torch.allclose(model(ids), before)
    torch.testing.assert_close(model(ids), before)
    with pytest.raises(KeyError, match="decoder.9.self_attention"):
        with disabled_heads(model, {"decoder.9.self_attention": [0]}):
            pass
    with pytest.raises(IndexError, match="head 4 does not exist"):
        with disabled_heads(model, {"decoder.0.self_attention": [4]}):
            pass
    torch.testing.assert_close(model(ids), before)


def test_turning_off_score_scaling_sharpens_attention():
    torch.manual_seed(0)
    scaled = MultiHeadAttention(BASE).eval()
    unscaled = MultiHeadAttention(dataclasses.replace(BASE, scale_attention_scores=False)).eval()
    unscaled.load_state_dict(scaled.state_dict())
    x = torch.randn(4, 12, 32) * 3
    entropies = []
    for module in (scaled, unscaled):
        with capture_attention(module) as weights:
            module(x)
        w = weights[""].detach()
        entropies.append(float(-(w * w.clamp_min(1e-12).log()).sum(-1).mean()))
    assert entropies[1] < entropies[0]


def test_shared_query_key_gives_symmetric_scores():
    torch.manual_seed(0)
    config = dataclasses.replace(BASE, share_query_key=True, bias=False)
    attention = MultiHeadAttention(config)
    assert attention.in_proj.weight.shape == (64, 32)  # W_qk and W_v only
    x = torch.randn(1, 6, 32)
    q = attention._split_heads(torch.nn.functional.linear(x, attention.in_proj.weight[:32]))
    scores = q @ q.transpose(-2, -1)
    torch.testing.assert_close(scores, scores.transpose(-2, -1))


def test_causal_mask_shapes_and_offsets():
    assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]
    # Two new queries after three cached positions see everything up to themselves.
    assert causal_mask(2, 5).tolist() == [[True, True, True, True, False], [True, True, True, True, True]]
    padding = torch.tensor([[True, True, False]])
    combined = combine_masks(causal_mask(3), key_padding_attention_mask(padding))
    assert combined.shape == (1, 1, 3, 3)
    assert combined[0, 0].tolist() == [[True, False, False], [True, True, False], [True, True, False]]
    assert combine_masks(None, None) is None
