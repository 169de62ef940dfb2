"""Sliding-window attention with a rolling KV cache (#16 follow-up).

A decoder with ``sliding_window = W`` keeps only the last W - 1 positions' keys and values (all the
next query can see besides itself): the cache's memory stays bounded however long the generation, and
cached decoding still equals recomputing the whole prefix, logits to float64 round-off and greedy
tokens one for one, well past the window, for a single prompt and a left-padded batch, on every
attention path.
"""

import dataclasses

import pytest
import torch

from transformer_core import DecoderOnly, EncoderDecoder, beam_search, greedy_decode
from transformer_core.cache import AttentionCache

from .helpers import random_ids, tiny_config

WINDOW = 5
LLAMA_LIKE = dict(
    norm_placement="pre", norm_kind="rms", activation="silu", gated_feed_forward=True, positional_encoding="rope",
    bias=False, scale_embeddings=False, n_kv_heads=2, max_len=64, pad_id=None, sliding_window=WINDOW,
)


def windowed_model(impl: str = "sdpa") -> DecoderOnly:
    torch.manual_seed(0)
    model = DecoderOnly(tiny_config(**LLAMA_LIKE, attention_impl=impl)).double().eval()
    with torch.no_grad():  # larger weights than the init: logits of order 1, so greedy choices are not ties
        for parameter in model.parameters():
            if parameter.dim() > 1:
                parameter.mul_(3)
    return model


@pytest.mark.parametrize("impl", ["sdpa", "math", "blockwise"])
def test_rolling_cache_holds_only_the_window_and_equals_uncached_logits(impl):
    model = windowed_model(impl)
    ids = random_ids(2, 40)
    cache = model.new_cache()
    with torch.no_grad():
        full = model(ids)
        # A prompt longer than the window, then one token at a time, then a chunk of 3 again.
        chunks = [ids[:, :9]] + [ids[:, t : t + 1] for t in range(9, 30)] + [ids[:, 30:33], ids[:, 33:]]
        outputs = []
        for chunk in chunks:
            outputs.append(model(chunk, cache=cache))
            assert cache.held == min(WINDOW - 1, cache.length)
            for layer in cache.layers:
                assert layer.self_attention.key.shape[-2] == WINDOW - 1
                assert layer.self_attention.allocated_nbytes() == layer.self_attention.nbytes()
        stepped = torch.cat(outputs, dim=1)
    assert cache.length == 40
    torch.testing.assert_close(stepped, full, atol=1e-12, rtol=0)
    # Bytes: 2 (K, V) x layers x batch x (W - 1) x n_kv_heads x d_head x 8, whatever the length.
    assert cache.nbytes() == 2 * 2 * 2 * (WINDOW - 1) * 2 * 8 * 8


def test_greedy_decoding_with_the_rolling_cache_equals_uncached_beyond_the_window():
    model = windowed_model()
    prompt = random_ids(1, 7, seed=3)
    cached = greedy_decode(model, prompt=prompt, max_new_tokens=30, use_cache=True)
    uncached = greedy_decode(model, prompt=prompt, max_new_tokens=30, use_cache=False)
    assert torch.equal(cached.sequences, uncached.sequences)
    assert len(set(cached.sequences[0].tolist())) > 3  # not a constant sequence that would hide a wrong window
    # A left-padded batch of prompts of different lengths: each row decodes as it does alone.
    prompts = [random_ids(1, n, seed=n)[0].tolist() for n in (9, 4, 6)]
    width = max(map(len, prompts))
    ids = torch.tensor([[1] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[False] * (width - len(p)) + [True] * len(p) for p in prompts])
    batch = greedy_decode(model, prompt=ids, prompt_padding_mask=mask, max_new_tokens=25, use_cache=True)
    assert torch.equal(batch.sequences, greedy_decode(model, prompt=ids, prompt_padding_mask=mask, max_new_tokens=25, use_cache=False).sequences)
    for row, p in enumerate(prompts):
        alone = greedy_decode(model, prompt=torch.tensor([p]), max_new_tokens=25, use_cache=True)
        assert torch.equal(alone.sequences[0], batch.sequences[row])


def test_beam_search_reorders_the_rolling_cache():
    model = windowed_model()
    prompt = random_ids(2, 6, seed=4)
    cached = beam_search(model, prompt=prompt, beam_size=3, max_new_tokens=15, use_cache=True)
    uncached = beam_search(model, prompt=prompt, beam_size=3, max_new_tokens=15, use_cache=False)
    assert torch.equal(cached.sequences, uncached.sequences)


def test_windowless_models_keep_every_position_and_cross_attention_is_not_rolled():
    model = DecoderOnly(tiny_config(pad_id=None, max_len=64)).eval()
    cache = model.new_cache()
    with torch.no_grad():
        model(random_ids(1, 20), cache=cache)
    assert cache.held == cache.length == 20
    config = tiny_config(pad_id=None, max_len=64, sliding_window=3)
    seq2seq = EncoderDecoder(config).eval()
    cache = seq2seq.new_cache()
    src, tgt = random_ids(1, 12), random_ids(1, 10)
    with torch.no_grad():
        memory = seq2seq.encode(src)
        stepped = torch.cat([seq2seq.decode(tgt[:, t : t + 1], memory, cache=cache) for t in range(10)], dim=1)
        torch.testing.assert_close(stepped, seq2seq.decode(tgt, memory), atol=1e-5, rtol=0)
    assert cache.held == 2 and all(layer.cross_attention.key.shape[-2] == 12 for layer in cache.layers)
    with pytest.raises(ValueError, match="window must be an integer >= 1"):
        AttentionCache(window=0)


def test_a_window_of_one_keeps_nothing_and_sees_only_itself():
    model = DecoderOnly(dataclasses.replace(tiny_config(**LLAMA_LIKE), sliding_window=1)).double().eval()
    ids = random_ids(1, 12)
    cache = model.new_cache()
    with torch.no_grad():
        stepped = torch.cat([model(ids[:, t : t + 1], cache=cache) for t in range(12)], dim=1)
        torch.testing.assert_close(stepped, model(ids), atol=1e-12, rtol=0)
    assert cache.held == 0 and cache.length == 12
