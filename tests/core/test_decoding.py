"""Decoding: KV cache equals recomputation; greedy, beam search and sampling behave as specified."""

import math

import pytest
import torch
from torch import nn

from transformer_core import (
    DecoderOnly,
    EncoderDecoder,
    EncoderOnly,
    TransformerInputError,
    beam_search,
    greedy_decode,
    sample,
    top_k_filter,
    top_p_filter,
)

from .helpers import random_ids, tiny_config

BOS, EOS = 1, 2


@pytest.mark.parametrize("placement", ["post", "pre"])
def test_cached_encoder_decoder_logits_equal_full_recomputation(placement):
    torch.manual_seed(0)
    model = EncoderDecoder(tiny_config(norm_placement=placement)).eval()
    src, tgt = random_ids(2, 7), random_ids(2, 9, seed=1)
    src[1, 4:] = 0  # a padded source: the cached cross-attention must keep its mask
    src_padding = model.padding_mask_for(src)
    memory = model.encode(src)
    full = model.decode(tgt, memory, src_padding)
    cache = model.new_cache()
    steps = [model.decode(tgt[:, :3], memory, src_padding, cache=cache)]  # a prefix at once, then token by token
    for t in range(3, 9):
        steps.append(model.decode(tgt[:, t : t + 1], memory, src_padding, cache=cache))
    torch.testing.assert_close(torch.cat(steps, dim=1), full, atol=1e-5, rtol=1e-5)
    assert cache.length == 9
    torch.testing.assert_close(model.decode(tgt, memory, src_padding, last_only=True), full[:, -1:])


@pytest.mark.parametrize("impl", ["sdpa", "math"])
def test_cached_decoder_only_logits_equal_full_recomputation(impl):
    torch.manual_seed(0)
    model = DecoderOnly(tiny_config(attention_impl=impl, norm_placement="pre")).eval()
    ids = random_ids(3, 10)
    full = model(ids)
    cache = model.new_cache()
    steps = [model(ids[:, t : t + 1], cache=cache) for t in range(10)]
    torch.testing.assert_close(torch.cat(steps, dim=1), full, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(model(ids, last_only=True), full[:, -1:])


def test_cache_memory_is_two_tensors_per_layer_of_batch_by_length_by_d_model():
    torch.manual_seed(0)
    config = tiny_config(max_len=32)
    model = EncoderDecoder(config).eval()
    src, tgt = random_ids(2, 7), random_ids(2, 5, seed=1)
    cache = model.new_cache()
    with torch.no_grad():
        model.decode(tgt, model.encode(src), cache=cache)
    layers, batch, d, float_bytes = config.n_decoder_layers, 2, config.d_model, 4
    assert cache.self_attention_nbytes() == 2 * layers * batch * 5 * d * float_bytes
    assert cache.cross_attention_nbytes() == 2 * layers * batch * 7 * d * float_bytes
    assert cache.nbytes() == cache.self_attention_nbytes() + cache.cross_attention_nbytes()


@pytest.mark.parametrize("family", ["encoder-decoder", "decoder-only"])
def test_greedy_with_and_without_cache_agree(family):
    torch.manual_seed(0)
    if family == "encoder-decoder":
        model = EncoderDecoder(tiny_config())
        kwargs = {"src": random_ids(3, 6), "bos_id": BOS}
    else:
        model = DecoderOnly(tiny_config())
        kwargs = {"prompt": random_ids(3, 4)}
    model.train()  # decoding switches to eval itself and restores the mode
    cached = greedy_decode(model, max_new_tokens=10, eos_id=EOS, **kwargs)
    recomputed = greedy_decode(model, max_new_tokens=10, eos_id=EOS, use_cache=False, **kwargs)
    assert model.training
    assert torch.equal(cached.sequences, recomputed.sequences)
    torch.testing.assert_close(cached.log_probs, recomputed.log_probs, atol=1e-4, rtol=1e-5)


def test_greedy_log_probs_and_lengths_are_those_of_the_model():
    torch.manual_seed(0)
    model = EncoderDecoder(tiny_config()).eval()
    src = random_ids(2, 6)
    result = greedy_decode(model, src, max_new_tokens=6, bos_id=BOS, eos_id=EOS)
    for row in range(2):
        n = int(result.lengths[row])
        generated = result.sequences[row, :n]
        prefix = torch.cat([torch.tensor([BOS]), generated])[None]
        with torch.no_grad():
            log_probs = model(src[row : row + 1], prefix[:, :-1]).log_softmax(-1)[0]
        expected = log_probs.gather(-1, generated[:, None]).sum()
        assert float(result.log_probs[row]) == pytest.approx(float(expected), abs=1e-4)
        assert (result.sequences[row, n:] == 0).all()  # padded after EOS


def test_beam_width_one_is_greedy():
    torch.manual_seed(0)
    model = EncoderDecoder(tiny_config()).eval()
    src = random_ids(4, 6)
    src[2, 3:] = 0
    greedy = greedy_decode(model, src, max_new_tokens=12, bos_id=BOS, eos_id=EOS)
    for penalty in (0.0, 1.0):
        beam = beam_search(model, src, beam_size=1, max_new_tokens=12, bos_id=BOS, eos_id=EOS, length_penalty=penalty)
        width = greedy.sequences.size(1)
        assert torch.equal(beam.sequences[:, 0, :width], greedy.sequences)
        assert torch.equal(beam.lengths[:, 0], greedy.lengths)
        torch.testing.assert_close(beam.log_probs[:, 0], greedy.log_probs, atol=1e-4, rtol=1e-5)


class BigramModel(nn.Module):
    """A 'language model' whose next-token distribution depends on the last token only, given as a table."""

    PAD, BOS, EOS, A, B, C = range(6)
    GREEDY_TRAP = {  # greedy takes A (0.6) and ends at A C EOS (0.21); B EOS (0.36) is better
        BOS: {A: 0.6, B: 0.4},
        A: {C: 0.35, B: 0.33, EOS: 0.32},
        B: {EOS: 0.9, C: 0.1},
        C: {EOS: 1.0},
    }

    def __init__(self, table=None):
        super().__init__()
        probabilities = torch.full((6, 6), 1e-9)
        for previous, row in (table or self.GREEDY_TRAP).items():
            for token, p in row.items():
                probabilities[previous, token] = p
        probabilities[self.EOS, self.EOS] = probabilities[self.PAD, self.EOS] = 1.0
        self.register_buffer("log_table", probabilities.log())

    def forward(self, ids, padding_mask=None, *, cache=None):
        return self.log_table[ids]  # (B, T, V): logits for the token after each position

    def new_cache(self):
        raise AssertionError("the bigram model is used with use_cache=False")


def test_beam_search_finds_the_more_likely_sequence_greedy_misses():
    model, m = BigramModel(), BigramModel
    greedy = greedy_decode(model, bos_id=m.BOS, eos_id=m.EOS, max_new_tokens=5, use_cache=False)
    beam = beam_search(
        model, bos_id=m.BOS, eos_id=m.EOS, beam_size=2, max_new_tokens=5, length_penalty=0.0, use_cache=False
    )
    assert greedy.sequences[0].tolist()[:3] == [m.A, m.C, m.EOS]
    assert float(greedy.log_probs[0]) == pytest.approx(math.log(0.6 * 0.35), abs=1e-5)
    assert beam.sequences[0, 0].tolist()[:2] == [m.B, m.EOS]
    assert float(beam.log_probs[0, 0]) == pytest.approx(math.log(0.4 * 0.9), abs=1e-5)
    assert float(beam.log_probs[0, 0]) > float(greedy.log_probs[0])
    assert beam.scores[0, 0] >= beam.scores[0, 1]  # best first
    assert beam.sequences[0, 1].tolist()[:3] == [m.A, m.C, m.EOS]  # the runner-up: 0.21 beats A B EOS (0.178)


def test_beam_search_does_not_stop_while_a_live_beam_beats_the_finished_ones():
    m = BigramModel
    # Two poor hypotheses finish early (EOS: 0.06, A EOS: 0.045) while A C is alive at 0.855:
    # stopping at beam_size finished hypotheses (fairseq's rule) would return EOS, worse than greedy.
    model = BigramModel({m.BOS: {m.A: 0.9, m.EOS: 0.06, m.B: 0.04}, m.A: {m.C: 0.95, m.EOS: 0.05}, m.B: {m.EOS: 1.0}, m.C: {m.EOS: 1.0}})
    greedy = greedy_decode(model, bos_id=m.BOS, eos_id=m.EOS, max_new_tokens=5, use_cache=False)
    beam = beam_search(model, bos_id=m.BOS, eos_id=m.EOS, beam_size=2, max_new_tokens=5, length_penalty=0.0, use_cache=False)
    assert beam.sequences[0, 0].tolist()[:3] == greedy.sequences[0].tolist()[:3] == [m.A, m.C, m.EOS]
    assert float(beam.log_probs[0, 0]) == pytest.approx(math.log(0.9 * 0.95), abs=1e-5)


def test_length_penalty_favours_longer_hypotheses():
    model, m = BigramModel(), BigramModel
    raw = beam_search(model, bos_id=m.BOS, eos_id=m.EOS, beam_size=2, max_new_tokens=5, length_penalty=0.0, use_cache=False)
    normalised = beam_search(
        model, bos_id=m.BOS, eos_id=m.EOS, beam_size=2, max_new_tokens=5, length_penalty=3.0, use_cache=False
    )
    assert int(raw.lengths[0, 0]) == 2
    assert int(normalised.lengths[0, 0]) == 3  # A C EOS: log(0.21)/27 > log(0.36)/8
    torch.testing.assert_close(normalised.scores, normalised.log_probs / normalised.lengths.float() ** 3.0)


def test_beam_search_rows_of_a_batch_are_independent_and_cache_agrees():
    torch.manual_seed(0)
    model = EncoderDecoder(tiny_config()).eval()
    src = random_ids(3, 6)
    src[1, 4:] = 0
    settings = dict(beam_size=3, max_new_tokens=8, bos_id=BOS, eos_id=EOS, num_return=2)
    batch = beam_search(model, src, **settings)
    uncached = beam_search(model, src, use_cache=False, **settings)
    assert batch.sequences.shape[:2] == (3, 2)
    assert torch.equal(batch.sequences, uncached.sequences)
    for row in range(3):
        alone = beam_search(model, src[row : row + 1, : 4 if row == 1 else 6], **settings)
        width = alone.sequences.size(-1)
        assert torch.equal(batch.sequences[row, :, :width], alone.sequences[0])
        torch.testing.assert_close(batch.log_probs[row], alone.log_probs[0], atol=1e-4, rtol=1e-5)


def test_top_p_keeps_exactly_the_nucleus():
    probs = torch.tensor([[0.05, 0.4, 0.1, 0.3, 0.15]])
    logits = probs.log()
    # Sorted: 0.4, 0.3, 0.15, 0.1, 0.05. Cumulative 0.4, 0.7, 0.85 ...
    # (Exact boundaries such as p = 0.7 are left out: whether 0.4 + 0.3 reaches 0.7 is a rounding question.)
    cases = [(0.3, {1}), (0.39, {1}), (0.41, {1, 3}), (0.69, {1, 3}), (0.71, {1, 3, 4}), (0.86, {1, 2, 3, 4})]
    for p, nucleus in cases + [(1.0, {0, 1, 2, 3, 4})]:
        kept = torch.isfinite(top_p_filter(logits, p))[0].nonzero().flatten().tolist()
        assert set(kept) == nucleus, p
    filtered = top_p_filter(logits, 0.5)
    torch.testing.assert_close(filtered[0, [1, 3]], logits[0, [1, 3]])  # kept logits unchanged
    with pytest.raises(ValueError, match=r"top_p must be in \(0, 1\]"):
        top_p_filter(logits, 0.0)


def test_top_k_keeps_the_k_largest():
    logits = torch.tensor([[1.0, 5.0, 3.0, 4.0], [0.0, -1.0, 2.0, 1.0]])
    kept = torch.isfinite(top_k_filter(logits, 2))
    assert kept.tolist() == [[False, True, False, True], [False, False, True, True]]
    assert torch.equal(top_k_filter(logits, 10), logits)


def test_sampling_is_reproducible_and_respects_its_filters():
    torch.manual_seed(0)
    model = EncoderDecoder(tiny_config()).eval()
    src = random_ids(4, 6)

    def draw(seed, **kwargs):
        return sample(model, src, max_new_tokens=8, bos_id=BOS, generator=torch.Generator().manual_seed(seed), **kwargs)

    assert torch.equal(draw(1).sequences, draw(1).sequences)
    assert not torch.equal(draw(1).sequences, draw(2).sequences)
    greedy = greedy_decode(model, src, max_new_tokens=8, bos_id=BOS)
    assert torch.equal(draw(3, top_k=1).sequences, greedy.sequences)  # top-1 sampling is greedy
    assert torch.equal(draw(4, temperature=1e-4).sequences, greedy.sequences)
    assert torch.equal(draw(5, top_p=1e-6).sequences, greedy.sequences)  # nucleus of one token
    with pytest.raises(ValueError, match="temperature must be > 0"):
        draw(1, temperature=0.0)


def test_generation_longer_than_max_len_is_refused_with_the_limit():
    model = DecoderOnly(tiny_config()).eval()  # max_len 16
    with pytest.raises(TransformerInputError, match="ask for at most 13"):
        greedy_decode(model, prompt=random_ids(1, 4), max_new_tokens=14)
    assert greedy_decode(model, prompt=random_ids(1, 4), max_new_tokens=13).sequences.shape == (1, 13)
    with pytest.raises(TransformerInputError, match="src: an encoder-decoder model needs the source"):
        greedy_decode(EncoderDecoder(tiny_config()), bos_id=BOS, max_new_tokens=3)
    with pytest.raises(TransformerInputError, match="bos_id"):
        greedy_decode(model, max_new_tokens=3)
    with pytest.raises(TransformerInputError, match="encoder-only .* cannot generate"):
        greedy_decode(EncoderOnly(tiny_config()), prompt=random_ids(1, 3), max_new_tokens=3)


def test_decoder_only_beam_search_with_and_without_cache_agree():
    torch.manual_seed(0)
    model = DecoderOnly(tiny_config(norm_placement="pre"))
    prompt = random_ids(2, 3)
    settings = dict(prompt=prompt, beam_size=3, max_new_tokens=6, eos_id=EOS)
    cached, recomputed = beam_search(model, **settings), beam_search(model, use_cache=False, **settings)
    assert torch.equal(cached.sequences, recomputed.sequences)
    torch.testing.assert_close(cached.log_probs, recomputed.log_probs, atol=1e-4, rtol=1e-5)
    assert (cached.scores[:, :-1] >= cached.scores[:, 1:]).all()


def test_cache_grows_in_place_and_still_supports_gradients():
    torch.manual_seed(0)
    model = DecoderOnly(tiny_config(max_len=200)).eval()
    ids = random_ids(2, 100)
    cache = model.new_cache()
    with torch.no_grad():
        steps = [model(ids[:, t : t + 1], cache=cache) for t in range(100)]  # past MIN_CAPACITY: regrows
        torch.testing.assert_close(torch.cat(steps, 1), model(ids), atol=1e-5, rtol=1e-5)
    assert cache.allocated_nbytes() >= cache.nbytes() == 2 * 2 * 2 * 100 * 32 * 4
    # With gradients on, cached steps backpropagate like the full pass.
    cache = model.new_cache()
    stepped = torch.cat([model(ids[:, t : t + 1], cache=cache) for t in range(6)], 1)
    stepped.sum().backward()
    by_steps = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    model(ids[:, :6]).sum().backward()
    for a, b in zip(by_steps, (p.grad for p in model.parameters())):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)
