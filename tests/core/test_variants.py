"""The architecture switches: grouped-query attention, rotary positions (and their scaling), sliding
windows, gated FFNs and activations, RMSNorm's precision, the exact sinusoidal table, BERT's parts,
and the blockwise (online-softmax) attention path. Each checked against a formula written out here
or against the variant it generalises."""

import dataclasses
import math

import pytest
import torch
import torch.nn.functional as F

from transformer_core import (
    DecoderOnly,
    EncoderDecoder,
    EncoderOnly,
    FeedForward,
    MultiHeadAttention,
    RMSNorm,
    RotaryEmbedding,
    TransformerInputError,
    apply_rotary,
    blockwise_attention,
    causal_mask,
    greedy_decode,
    parameter_counts,
    scaled_dot_product_attention,
    sinusoidal_table,
)
from transformer_core.errors import ConfigError

from .helpers import random_ids, tiny_config

LLAMA_LIKE = dict(
    norm_placement="pre", norm_kind="rms", activation="silu", gated_feed_forward=True, positional_encoding="rope",
    bias=False, scale_embeddings=False, max_len=48,
)


# Grouped-query attention -----------------------------------------------------------------------


def test_gqa_is_mha_with_each_key_value_head_shared_by_its_group():
    torch.manual_seed(0)
    grouped = MultiHeadAttention(tiny_config(n_kv_heads=2)).double().eval()  # 4 query heads, 2 key/value heads
    full = MultiHeadAttention(tiny_config()).double().eval()
    d, d_head = 32, 8
    with torch.no_grad():
        q, k, v = grouped.in_proj.weight.split([d, 2 * d_head, 2 * d_head])
        q_bias, k_bias, v_bias = grouped.in_proj.bias.split([d, 2 * d_head, 2 * d_head])
        repeat = lambda w: w.view(2, d_head, *w.shape[1:]).repeat_interleave(2, dim=0).reshape(d, *w.shape[1:])  # noqa: E731
        full.in_proj.weight.copy_(torch.cat([q, repeat(k), repeat(v)]))
        full.in_proj.bias.copy_(torch.cat([q_bias, repeat(k_bias), repeat(v_bias)]))
        full.out_proj.load_state_dict(grouped.out_proj.state_dict())
    x = torch.randn(2, 7, 32, dtype=torch.float64)
    mask = causal_mask(7)
    for impl in ("sdpa", "math", "blockwise"):
        grouped.use_sdpa, grouped.use_blockwise = impl == "sdpa", impl == "blockwise"
        torch.testing.assert_close(grouped(x, mask=mask), full(x, mask=mask), atol=1e-12, rtol=0)
    assert grouped.in_proj.weight.shape == (32 + 2 * 16, 32)


@pytest.mark.parametrize("kv_heads", [4, 2, 1], ids=["mha", "gqa", "mqa"])
def test_kv_cache_stores_only_the_key_value_heads(kv_heads):
    torch.manual_seed(0)
    model = DecoderOnly(tiny_config(n_kv_heads=kv_heads, **LLAMA_LIKE)).eval()
    ids = random_ids(3, 10)
    cache = model.new_cache()
    with torch.no_grad():
        stepped = torch.cat([model(ids[:, t : t + 1], cache=cache) for t in range(10)], dim=1)
        torch.testing.assert_close(stepped, model(ids), atol=1e-5, rtol=0)
    layers, batch, length, d_head, float_bytes = 2, 3, 10, 8, 4
    assert cache.nbytes() == 2 * layers * batch * length * kv_heads * d_head * float_bytes
    assert cache.layers[0].self_attention.key.shape == (3, kv_heads, 10, 8)


def test_gqa_parameter_counts_shrink_with_the_key_value_heads():
    full = parameter_counts(DecoderOnly(tiny_config(**LLAMA_LIKE)))
    mqa = parameter_counts(DecoderOnly(tiny_config(n_kv_heads=1, **LLAMA_LIKE)))
    d, d_head, layers = 32, 8, 2
    assert full["attention"] - mqa["attention"] == layers * 2 * d * (d - d_head)  # W_k, W_v lose 3 of 4 heads


# Rotary positions ----------------------------------------------------------------------------------


def test_rope_rotates_each_pair_of_dimensions_by_position_times_frequency():
    config = tiny_config(**LLAMA_LIKE)
    rotary = RotaryEmbedding(config)
    positions = torch.tensor([[0, 1, 5, 17]])
    cos, sin = rotary(positions, torch.float64)
    x = torch.randn(1, 1, 4, 8, dtype=torch.float64)
    rotated = apply_rotary(x, cos, sin)
    for t, p in enumerate(positions[0].tolist()):
        for i in range(4):  # dimension i pairs with i + 4
            angle = p * 10000.0 ** (-2 * i / 8)
            a, b = x[0, 0, t, i], x[0, 0, t, i + 4]
            expected = (a * math.cos(angle) - b * math.sin(angle), a * math.sin(angle) + b * math.cos(angle))
            assert float(rotated[0, 0, t, i]) == pytest.approx(float(expected[0]), abs=1e-6)  # float32 angles
            assert float(rotated[0, 0, t, i + 4]) == pytest.approx(float(expected[1]), abs=1e-6)


def test_rope_scores_depend_only_on_the_offset():
    rotary = RotaryEmbedding(tiny_config(**LLAMA_LIKE))
    q, k = torch.randn(1, 1, 1, 8, dtype=torch.float64), torch.randn(1, 1, 1, 8, dtype=torch.float64)

    def score(query_position: int, key_position: int) -> float:
        rq = apply_rotary(q, *rotary(torch.tensor([[query_position]]), torch.float64))
        rk = apply_rotary(k, *rotary(torch.tensor([[key_position]]), torch.float64))
        return float((rq * rk).sum())

    for offset in (0, 3, 11):
        scores = [score(p + offset, p) for p in (0, 7, 20, 33)]
        assert max(scores) - min(scores) < 1e-5, scores  # float32 angles: equal to ~1e-6
    assert abs(score(3, 0) - score(11, 0)) > 1e-3


def test_linear_rope_scaling_is_position_interpolation_and_ntk_raises_the_base():
    base = tiny_config(**LLAMA_LIKE)
    plain = RotaryEmbedding(base)
    linear = RotaryEmbedding(dataclasses.replace(base, rope_scaling="linear", rope_scaling_factor=4.0))
    cos, sin = linear(torch.tensor([[0, 4, 8, 40]]), torch.float64)
    plain_cos, plain_sin = plain(torch.tensor([[0, 1, 2, 10]]), torch.float64)
    torch.testing.assert_close(cos, plain_cos, atol=1e-6, rtol=0)  # position 4p scaled by 1/4 is position p
    torch.testing.assert_close(sin, plain_sin, atol=1e-6, rtol=0)
    ntk = RotaryEmbedding(dataclasses.replace(base, rope_scaling="ntk", rope_scaling_factor=4.0))
    d_head = 8
    expected_base = 10000.0 * 4.0 ** (d_head / (d_head - 2))
    expected = 1.0 / expected_base ** (torch.arange(0, d_head, 2).double() / d_head)
    torch.testing.assert_close(ntk.inverse_frequency.double(), expected, rtol=1e-6, atol=0)
    assert float(ntk.inverse_frequency[0]) == 1.0  # the fastest frequency is unchanged
    assert float(ntk.inverse_frequency[-1] / plain.inverse_frequency[-1]) < 1 / 2  # the slowest stretched


def test_rope_models_decode_the_same_with_and_without_the_cache():
    torch.manual_seed(0)
    for family in (DecoderOnly, EncoderDecoder):
        model = family(tiny_config(**LLAMA_LIKE, n_kv_heads=2))
        if family is DecoderOnly:
            kwargs = {"prompt": random_ids(2, 5)}
        else:
            kwargs = {"src": random_ids(2, 6), "bos_id": 1}
        cached = greedy_decode(model, max_new_tokens=12, **kwargs)
        recomputed = greedy_decode(model, max_new_tokens=12, use_cache=False, **kwargs)
        assert torch.equal(cached.sequences, recomputed.sequences)


def test_a_rope_encoder_is_not_permutation_equivariant():
    torch.manual_seed(0)
    model = EncoderOnly(tiny_config(norm_placement="pre", positional_encoding="rope")).double().eval()
    ids = random_ids(1, 6)
    order = torch.tensor([3, 0, 5, 1, 4, 2])
    with torch.no_grad():
        assert not torch.allclose(model.encode(ids[:, order]), model.encode(ids)[:, order], atol=1e-6)


# Sliding window ----------------------------------------------------------------------------------


def test_sliding_window_mask_keeps_the_last_window_keys():
    assert causal_mask(5, window=2).int().tolist() == [
        [1, 0, 0, 0, 0],
        [1, 1, 0, 0, 0],
        [0, 1, 1, 0, 0],
        [0, 0, 1, 1, 0],
        [0, 0, 0, 1, 1],
    ]
    assert causal_mask(2, 5, window=3).int().tolist() == [[0, 1, 1, 1, 0], [0, 0, 1, 1, 1]]  # with a cache


def test_sliding_window_model_sees_only_the_window_and_caches_consistently():
    torch.manual_seed(0)
    config = tiny_config(**LLAMA_LIKE, sliding_window=3, n_decoder_layers=1)
    model = DecoderOnly(config).eval()
    ids = random_ids(2, 10)
    changed = ids.clone()
    changed[:, :4] = random_ids(2, 4, seed=7)  # one layer: position t sees t-2..t only
    with torch.no_grad():
        torch.testing.assert_close(model(ids)[:, 6:], model(changed)[:, 6:])
        assert not torch.allclose(model(ids)[:, 5], model(changed)[:, 5])
        cache = model.new_cache()
        stepped = torch.cat([model(ids[:, t : t + 1], cache=cache) for t in range(10)], dim=1)
        torch.testing.assert_close(stepped, model(ids), atol=1e-5, rtol=0)
        wide = DecoderOnly(dataclasses.replace(config, sliding_window=10)).eval()
        wide.load_state_dict(model.state_dict())
        full = DecoderOnly(dataclasses.replace(config, sliding_window=None)).eval()
        full.load_state_dict(model.state_dict())
        torch.testing.assert_close(wide(ids), full(ids))  # a window as long as the sequence changes nothing


# Feed-forward variants and activations -----------------------------------------------------------


@pytest.mark.parametrize("activation, function", [("silu", F.silu), ("gelu", F.gelu)], ids=["swiglu", "geglu"])
def test_gated_feed_forward_is_activation_of_the_gate_times_the_up_projection(activation, function):
    torch.manual_seed(0)
    ffn = FeedForward(tiny_config(gated_feed_forward=True, activation=activation)).eval()
    gate, up = ffn.linear1.weight.split(48)
    gate_bias, up_bias = ffn.linear1.bias.split(48)
    x = torch.randn(2, 5, 32)
    expected = F.linear(function(F.linear(x, gate, gate_bias)) * F.linear(x, up, up_bias), ffn.linear2.weight, ffn.linear2.bias)
    torch.testing.assert_close(ffn(x), expected)
    assert ffn.linear1.weight.shape == (96, 32)


def test_tanh_gelu_is_gpt2s_formula():
    ffn = FeedForward(tiny_config(activation="gelu_tanh"))
    x = torch.linspace(-6, 6, 101, dtype=torch.float64)
    gpt2 = 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))
    torch.testing.assert_close(ffn.activation(x), gpt2, atol=1e-15, rtol=0)
    assert float((ffn.activation(x) - F.gelu(x)).abs().max()) > 1e-4  # not the exact GELU


# Norms and positions in the model's dtype --------------------------------------------------------------


def test_rmsnorm_computes_its_statistics_in_float32_for_bfloat16():
    torch.manual_seed(0)
    norm = RMSNorm(4096, eps=1e-6)
    with torch.no_grad():
        norm.weight.copy_(1 + 0.1 * torch.randn(4096))
    x = (3 * torch.randn(2, 4096)).to(torch.bfloat16)
    reference = x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + 1e-6)
    expected = norm.weight.to(torch.bfloat16) * reference.to(torch.bfloat16)  # Llama's order: cast back, then scale
    bf16_norm = RMSNorm(4096, eps=1e-6).to(torch.bfloat16)
    bf16_norm.load_state_dict(norm.state_dict())
    assert torch.equal(bf16_norm(x), expected)
    torch.testing.assert_close(norm(x.float()), torch.nn.RMSNorm(4096, eps=1e-6, elementwise_affine=False)(x.float()) * norm.weight)


def test_sinusoidal_table_is_exact_in_the_models_dtype():
    exact = [[math.sin(p / 10000 ** (2 * (j // 2) / 32)) if j % 2 == 0 else math.cos(p / 10000 ** (2 * (j // 2) / 32))
              for j in range(32)] for p in range(16)]
    exact = torch.tensor(exact, dtype=torch.float64)
    assert float((sinusoidal_table(16, 32, torch.float64) - exact).abs().max()) < 1e-15
    model = EncoderOnly(tiny_config(scale_embeddings=False)).double().eval()
    with torch.no_grad():
        model.embed.token.weight.zero_()
        positions = model.embed(random_ids(1, 16))[0]  # zero token vectors: only the positions remain
    assert float((positions - exact).abs().max()) < 1e-15
    float_model = EncoderOnly(tiny_config(scale_embeddings=False)).eval()
    with torch.no_grad():
        float_model.embed.token.weight.zero_()
        assert torch.equal(float_model.embed(random_ids(1, 16))[0], exact.float())  # correctly rounded, once


# BERT's parts ----------------------------------------------------------------------------------------


def test_bert_embeddings_heads_and_their_errors():
    torch.manual_seed(0)
    config = tiny_config(positional_encoding="learned", n_token_types=2, embedding_norm=True, mlm_head=True, pooler=True)
    model = EncoderOnly(config).eval()
    ids = random_ids(2, 6)
    types = torch.tensor([[0, 0, 0, 1, 1, 1]] * 2)
    with torch.no_grad():
        hidden = model.encode(ids, token_type_ids=types)
        assert not torch.allclose(hidden, model.encode(ids))  # the segments change the vectors
        torch.testing.assert_close(model.encode(ids), model.encode(ids, token_type_ids=torch.zeros_like(types)))
        logits = model(ids, token_type_ids=types)
        head = model.mlm_transform
        torch.testing.assert_close(logits, model.output_projection(head.norm(F.relu(head.dense(hidden)))))  # TINY: ReLU
        assert model.pool(hidden).shape == (2, 32)
    assert model.output_projection.bias is not None
    with pytest.raises(TransformerInputError, match=r"types must lie in \[0, 2\)"):
        model(ids, token_type_ids=types + 1)
    with pytest.raises(TransformerInputError, match="no token-type embeddings"):
        EncoderOnly(tiny_config())(ids, token_type_ids=types)
    with pytest.raises(ConfigError, match="mlm_head: only an EncoderOnly"):
        DecoderOnly(tiny_config(mlm_head=True))
    with pytest.raises(ConfigError, match="pooler: this model was built without a pooler"):
        EncoderOnly(tiny_config()).pool(hidden)


# Blockwise (online-softmax) attention -------------------------------------------------------------------


@pytest.mark.parametrize("block_size", [1, 3, 64])
def test_blockwise_attention_equals_exact_attention(block_size):
    torch.manual_seed(0)
    q = torch.randn(2, 3, 9, 8, dtype=torch.float64)
    k, v = torch.randn(2, 3, 11, 8, dtype=torch.float64), torch.randn(2, 3, 11, 5, dtype=torch.float64)
    mask = torch.rand(2, 1, 9, 11) > 0.4
    mask[0, 0, 4] = False  # a query that sees nothing gets zeros, as on the other paths
    for m in (None, mask, causal_mask(9, 11)):
        expected, _ = scaled_dot_product_attention(q, k, v, m)
        actual = blockwise_attention(q, k, v, m, block_size=block_size)
        torch.testing.assert_close(actual, expected, atol=1e-13, rtol=0)
    # Large scores that would overflow a naive exp stay finite: the running maximum is subtracted.
    big = blockwise_attention(1e3 * q, k, v, block_size=block_size)
    torch.testing.assert_close(big, scaled_dot_product_attention(1e3 * q, k, v)[0], atol=1e-12, rtol=0)


def test_a_model_with_blockwise_attention_equals_the_sdpa_model():
    torch.manual_seed(0)
    config = tiny_config(**LLAMA_LIKE, n_kv_heads=2)
    sdpa = DecoderOnly(config).double().eval()
    blockwise = DecoderOnly(dataclasses.replace(config, attention_impl="blockwise")).double().eval()
    blockwise.load_state_dict(sdpa.state_dict())
    ids = random_ids(2, 40)
    padding = torch.ones(2, 40, dtype=torch.bool)
    padding[1, :7] = False
    with torch.no_grad():
        torch.testing.assert_close(blockwise(ids, padding), sdpa(ids, padding), atol=1e-12, rtol=0)
    blockwise.train()
    blockwise(ids).sum().backward()  # differentiable: the loop is plain torch
    assert all(torch.isfinite(p.grad).all() for p in blockwise.parameters() if p.grad is not None)
