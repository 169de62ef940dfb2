"""Model behaviour: causality, padding invariance, the three families, norms, bad input."""

import dataclasses

import pytest
import torch

from transformer_core import (
    DecoderOnly,
    EncoderDecoder,
    EncoderOnly,
    TransformerInputError,
    capture_hidden_states,
    hidden_state_norms,
    parameter_counts,
    per_layer_gradient_norms,
)

from .helpers import TINY, random_ids, tiny_config


@pytest.mark.parametrize("placement", ["post", "pre"])
def test_decoder_outputs_do_not_depend_on_future_tokens(placement):
    torch.manual_seed(0)
    config = dataclasses.replace(TINY, norm_placement=placement)
    seq2seq, lm = EncoderDecoder(config).eval(), DecoderOnly(config).eval()
    src, tgt = random_ids(2, 7), random_ids(2, 9, seed=1)
    changed = tgt.clone()
    changed[:, 5:] = random_ids(2, 4, seed=2)
    torch.testing.assert_close(seq2seq(src, tgt)[:, :5], seq2seq(src, changed)[:, :5])
    torch.testing.assert_close(lm(tgt)[:, :5], lm(changed)[:, :5])
    assert not torch.allclose(lm(tgt)[:, 5:], lm(changed)[:, 5:])  # the change is real
    # Without the causal mask the past does see the future: what the mask prevents.
    assert not torch.allclose(lm(tgt, causal=False)[:, :5], lm(changed, causal=False)[:, :5])


@pytest.mark.parametrize("impl", ["sdpa", "math"])
def test_real_token_outputs_ignore_padding_contents(impl):
    torch.manual_seed(0)
    config = dataclasses.replace(TINY, attention_impl=impl, pad_id=None)  # masks given explicitly
    model = EncoderDecoder(config).eval()
    src, tgt = random_ids(2, 8), random_ids(2, 6, seed=1)
    src_padding = torch.tensor([[True] * 8, [True] * 5 + [False] * 3])
    tgt_padding = torch.tensor([[True] * 4 + [False] * 2, [True] * 6])
    other_src, other_tgt = src.clone(), tgt.clone()
    other_src[1, 5:] = random_ids(1, 3, seed=5)
    other_tgt[0, 4:] = random_ids(1, 2, seed=6)
    a = model(src, tgt, src_padding, tgt_padding)
    b = model(other_src, other_tgt, src_padding, tgt_padding)
    torch.testing.assert_close(a[tgt_padding], b[tgt_padding])
    encoder_only = EncoderOnly(config).eval()
    torch.testing.assert_close(
        encoder_only(src, src_padding)[src_padding], encoder_only(other_src, src_padding)[src_padding]
    )


def test_padding_mask_is_derived_from_pad_id():
    torch.manual_seed(0)
    model = EncoderDecoder(TINY).eval()  # pad_id = 0
    src, tgt = random_ids(2, 8), random_ids(2, 6, seed=1)
    src[1, 5:] = 0
    explicit = model(src, tgt, src != 0, tgt != 0)
    torch.testing.assert_close(model(src, tgt), explicit)
    assert model.padding_mask_for(tgt) is None  # no padding: the fast path needs no mask
    assert model.padding_mask_for(src).tolist()[1] == [True] * 5 + [False] * 3


def test_batchnorm_depends_on_batch_companions_and_layernorm_does_not():
    torch.manual_seed(0)
    ids = random_ids(4, 8)
    for kind, depends in (("batch", True), ("layer", False), ("rms", False)):
        model = EncoderOnly(dataclasses.replace(TINY, norm_kind=kind)).train()
        alone = model(ids[:1])
        with_others = model(ids)[:1]
        assert (not torch.allclose(alone, with_others, atol=1e-5)) == depends, kind
    bn_model = EncoderOnly(dataclasses.replace(TINY, norm_kind="batch")).eval()  # running statistics
    torch.testing.assert_close(bn_model(ids[:1]), bn_model(ids)[:1])


@pytest.mark.parametrize("kind", ["layer", "batch", "rms", "none"])
@pytest.mark.parametrize("placement", ["post", "pre"])
def test_every_norm_kind_and_placement_trains_a_step(kind, placement):
    torch.manual_seed(0)
    model = EncoderDecoder(dataclasses.replace(TINY, norm_kind=kind, norm_placement=placement))
    src, tgt = random_ids(2, 6), random_ids(2, 5, seed=1)
    logits = model(src, tgt)
    assert logits.shape == (2, 5, 30) and torch.isfinite(logits).all()
    logits.logsumexp(-1).mean().backward()
    norms = per_layer_gradient_norms(model)
    assert list(norms) == [
        "encoder.0.self_attention",
        "encoder.0.feed_forward",
        "encoder.1.self_attention",
        "encoder.1.feed_forward",
        "decoder.0.self_attention",
        "decoder.0.cross_attention",
        "decoder.0.feed_forward",
        "decoder.1.self_attention",
        "decoder.1.cross_attention",
        "decoder.1.feed_forward",
    ]
    assert all(v > 0 for v in norms.values())


def test_hidden_states_are_recorded_per_layer():
    torch.manual_seed(0)
    model = DecoderOnly(TINY).eval()
    ids = random_ids(2, 6)
    with capture_hidden_states(model) as states:
        model(ids)
    assert list(states) == ["decoder.0", "decoder.1"]
    assert states["decoder.1"].shape == (2, 6, 32)
    norms = hidden_state_norms(states)
    expected = float(states["decoder.0"].detach().norm(dim=-1).mean())
    assert norms["decoder.0"] == pytest.approx(expected)


def test_parameter_counts_match_closed_forms_and_tying():
    d, f, v, layers = 32, 48, 30, 2
    model = EncoderDecoder(TINY)
    counts = parameter_counts(model)
    attention = 4 * d * d + 4 * d  # W_q, W_k, W_v, W_o and their biases
    feed_forward = 2 * d * f + f + d
    layer_norm = 2 * d
    assert counts["attention"] == layers * attention + layers * 2 * attention
    assert counts["feed_forward"] == 2 * layers * feed_forward
    assert counts["norms"] == (layers * 2 + layers * 3) * layer_norm  # Post-LN: no final norms
    assert counts["embeddings"] == 2 * v * d and counts["output"] == v * d
    assert counts["total"] == sum(p.numel() for p in model.parameters()) == model.num_parameters()

    tied = EncoderDecoder(dataclasses.replace(TINY, tie_embeddings=True, share_source_target_embeddings=True))
    assert tied.output_projection.weight is tied.tgt_embed.token.weight is tied.src_embed.token.weight
    tied_counts = parameter_counts(tied)
    assert tied_counts["embeddings"] == v * d and tied_counts["output"] == 0
    assert tied_counts["total"] == counts["total"] - 2 * v * d == tied.num_parameters()
    assert tied.num_parameters(exclude_embeddings=True) == tied_counts["total"] - v * d

    learned = parameter_counts(EncoderOnly(dataclasses.replace(TINY, positional_encoding="learned")))
    assert learned["embeddings"] == v * d + 16 * d  # tokens + one vector per position


def test_incremental_positions_follow_the_cache():
    torch.manual_seed(0)
    model = DecoderOnly(dataclasses.replace(TINY, positional_encoding="learned")).eval()
    ids = random_ids(1, 6)
    cache = model.new_cache()
    model(ids[:, :4], cache=cache)
    step = model(ids[:, 4:], cache=cache)
    torch.testing.assert_close(step, model(ids)[:, 4:], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda m: m(torch.tensor([[1, 2, 30]]), torch.tensor([[1, 2]])), "src: token id 30 at (batch 0, position 2)"),
        (lambda m: m(torch.tensor([[1, 2]]), torch.tensor([[1, -1]])), "tgt: token id -1 at (batch 0, position 1)"),
        (lambda m: m(random_ids(1, 17), random_ids(1, 3)), "src: length 17 exceeds max_len=16"),
        (lambda m: m(random_ids(1, 3), random_ids(1, 3).float()), "tgt: token ids must be an int64 (or int32) tensor"),
        (lambda m: m(random_ids(1, 3).to(torch.uint8), random_ids(1, 3)), "src: token ids must be an int64"),
        (lambda m: m(random_ids(1, 3)[0], random_ids(1, 3)), "src: expected shape (batch, length), got (3,)"),
        (lambda m: m(random_ids(2, 3), random_ids(2, 4), torch.ones(2, 4, dtype=torch.bool)), "src_padding_mask: shape (2, 4) does not match"),
        (lambda m: m(random_ids(2, 3), random_ids(2, 4), None, torch.ones(2, 4)), "tgt_padding_mask: expected a boolean tensor"),
        (lambda m: m.decode(random_ids(2, 3), torch.zeros(3, 5, 32)), "memory: expected the encoder output"),
        (lambda m: m(random_ids(1, 0), random_ids(1, 3)), "src: empty batch or sequence"),
    ],
)
def test_bad_input_raises_clear_errors(call, fragment):
    model = EncoderDecoder(TINY)
    with pytest.raises(TransformerInputError) as info:
        call(model)
    assert fragment in str(info.value)
    assert info.value.exit_code == 2


def test_cached_decoding_past_max_len_is_refused():
    model = DecoderOnly(TINY).eval()
    cache = model.new_cache()
    model(random_ids(1, 15), cache=cache)
    model(random_ids(1, 1), cache=cache)  # position 15: the last one
    with pytest.raises(TransformerInputError, match=r"1 new position\(s\) after 16 cached need positions up to 16 exceeds max_len=16"):
        model(random_ids(1, 1), cache=cache)


@pytest.mark.parametrize("impl", ["sdpa", "math"])
def test_an_all_padding_row_gives_finite_outputs_and_gradients(impl):
    torch.manual_seed(0)
    model = EncoderDecoder(tiny_config(attention_impl=impl))
    src, tgt = random_ids(2, 6), random_ids(2, 5, seed=1)
    src[1] = 0  # nothing to attend to in the source of row 1
    tgt[1] = 0
    logits = model(src, tgt)
    assert torch.isfinite(logits).all()
    logits.logsumexp(-1)[0].sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
    # Row 0 is unaffected by its all-padding neighbour.
    torch.testing.assert_close(logits[:1], model(src[:1], tgt[:1]), atol=1e-5, rtol=1e-5)
    # Training with dropout everywhere (attention weights included) stays finite too.
    noisy = EncoderDecoder(tiny_config(attention_impl=impl, dropout=0.1, attention_dropout=0.3, embedding_dropout=0.1))
    loss = noisy(src, tgt).logsumexp(-1).mean()
    loss.backward()
    assert torch.isfinite(loss) and all(torch.isfinite(p.grad).all() for p in noisy.parameters() if p.grad is not None)


def test_one_stack_models_return_attention_too():
    torch.manual_seed(0)
    ids = random_ids(2, 5)
    ids[0, 3:] = 0
    _, encoder_weights = EncoderOnly(TINY).eval()(ids, return_attention=True)
    assert (encoder_weights["encoder.1.self_attention"][0, :, :, 3:] == 0).all()
    _, decoder_weights = DecoderOnly(TINY).eval()(ids, return_attention=True)
    assert list(decoder_weights) == ["decoder.0.self_attention", "decoder.1.self_attention"]
