"""Padding in decoders: never guessed from ``pad_id``, so cached and uncached passes agree whatever
the tokens; left-padded prompts (mask + positions) decode as each prompt would alone."""

import pytest
import torch

from transformer_core import (
    DecoderOnly,
    EncoderDecoder,
    TransformerInputError,
    beam_search,
    greedy_decode,
    positions_from_padding,
    sample,
)

from .helpers import random_ids, tiny_config


def test_pad_tokens_in_a_decoder_only_input_give_the_same_logits_with_and_without_the_cache():
    torch.manual_seed(0)
    model = DecoderOnly(tiny_config()).eval()  # pad_id = 0, the default
    ids = torch.tensor([[4, 0, 5, 7, 3, 9]])
    with torch.no_grad():
        full = model(ids)
        cache = model.new_cache()
        prefilled = model(ids, cache=cache)
        cache = model.new_cache()
        stepped = torch.cat([model(ids[:, t : t + 1], cache=cache) for t in range(6)], dim=1)
    torch.testing.assert_close(prefilled[:, -1], full[:, -1], atol=1e-6, rtol=0)
    torch.testing.assert_close(stepped, full, atol=1e-5, rtol=0)


def test_pad_id_never_masks_a_real_token_in_a_decoder_only_model():
    torch.manual_seed(0)
    model = DecoderOnly(tiny_config()).eval()  # token 0 is a word of the vocabulary like any other
    ids = torch.tensor([[4, 0, 5, 7, 3, 9]])
    with torch.no_grad():
        everything_real = model(ids, torch.ones_like(ids, dtype=torch.bool))
        torch.testing.assert_close(model(ids), everything_real)
        masked = torch.ones_like(ids, dtype=torch.bool)
        masked[0, 1] = False  # an explicit mask still masks
        assert not torch.allclose(model(ids, masked)[:, -1], everything_real[:, -1])


def test_greedy_from_a_prompt_starting_with_pad_tokens_is_the_same_with_and_without_the_cache():
    torch.manual_seed(0)
    model = DecoderOnly(tiny_config())
    prompt = torch.tensor([[0, 0, 5, 7], [0, 3, 0, 9]])
    cached = greedy_decode(model, prompt=prompt, max_new_tokens=10)
    recomputed = greedy_decode(model, prompt=prompt, max_new_tokens=10, use_cache=False)
    assert torch.equal(cached.sequences, recomputed.sequences)


def test_encoder_decoder_decode_with_pad_tokens_is_the_same_with_and_without_the_cache():
    torch.manual_seed(0)
    model = EncoderDecoder(tiny_config()).eval()
    src, tgt = random_ids(2, 7), random_ids(2, 6, seed=1)
    tgt[0, 2] = tgt[1, 0] = 0
    memory = model.encode(src)
    with torch.no_grad():
        full = model.decode(tgt, memory)
        cache = model.new_cache()
        stepped = torch.cat([model.decode(tgt[:, t : t + 1], memory, cache=cache) for t in range(6)], dim=1)
    torch.testing.assert_close(stepped, full, atol=1e-5, rtol=0)


def test_positions_from_padding_count_from_each_rows_first_real_token():
    padding = torch.tensor([[False, False, True, True], [True, True, True, True], [False, True, True, True]])
    assert positions_from_padding(padding).tolist() == [[0, 0, 0, 1], [0, 1, 2, 3], [0, 0, 1, 2]]


PROMPTS = [[5, 6, 7, 8, 9], [10, 11], [12, 13, 14]]


def _left_padded(prompts, pad=0):
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[False] * (width - len(p)) + [True] * len(p) for p in prompts])
    return ids, mask


@pytest.mark.parametrize("positions", ["sinusoidal", "learned", "rope"])
@pytest.mark.parametrize("use_cache", [True, False], ids=["cache", "no-cache"])
def test_a_left_padded_batch_decodes_as_each_prompt_alone(positions, use_cache):
    torch.manual_seed(0)
    model = DecoderOnly(tiny_config(positional_encoding=positions, norm_placement="pre", max_len=32, n_kv_heads=2))
    ids, mask = _left_padded(PROMPTS)
    batch = greedy_decode(model, prompt=ids, prompt_padding_mask=mask, max_new_tokens=12, use_cache=use_cache)
    for row, prompt in enumerate(PROMPTS):
        alone = greedy_decode(model, prompt=torch.tensor([prompt]), max_new_tokens=12, use_cache=use_cache)
        assert torch.equal(batch.sequences[row], alone.sequences[0]), (positions, row)
        torch.testing.assert_close(batch.log_probs[row], alone.log_probs[0], atol=1e-4, rtol=0)
    # Without the mask the padding is read as tokens: the short prompts' continuations change.
    unmasked = greedy_decode(model, prompt=ids, max_new_tokens=12, use_cache=use_cache)
    assert not torch.equal(unmasked.log_probs, batch.log_probs)


def test_left_padding_in_sampling_and_beam_search():
    torch.manual_seed(0)
    model = DecoderOnly(tiny_config(positional_encoding="learned", max_len=32))
    ids, mask = _left_padded(PROMPTS)
    for row, prompt in enumerate(PROMPTS):
        drawn = sample(model, prompt=ids, prompt_padding_mask=mask, max_new_tokens=8, generator=torch.Generator().manual_seed(3))
        # Each row draws from its own distribution; one-row batches draw from the same generator state only for
        # row 0, so compare log-probabilities of the drawn tokens instead: recomputed alone they agree.
        alone_ids = torch.cat([torch.tensor([prompt]), drawn.sequences[row : row + 1]], dim=1)
        with torch.no_grad():
            alone = model(alone_ids).log_softmax(-1)[0, len(prompt) - 1 : -1]
        expected = alone.gather(-1, drawn.sequences[row][:, None]).sum()
        assert float(drawn.log_probs[row]) == pytest.approx(float(expected), abs=1e-4)
    settings = dict(beam_size=3, max_new_tokens=6, eos_id=2, num_return=2)
    batch = beam_search(model, prompt=ids, prompt_padding_mask=mask, **settings)
    uncached = beam_search(model, prompt=ids, prompt_padding_mask=mask, use_cache=False, **settings)
    assert torch.equal(batch.sequences, uncached.sequences)
    for row, prompt in enumerate(PROMPTS):
        alone = beam_search(model, prompt=torch.tensor([prompt]), **settings)
        width = alone.sequences.size(-1)
        assert torch.equal(batch.sequences[row, :, :width], alone.sequences[0])


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        (dict(prompt=torch.tensor([[3, 4, 0]]), prompt_padding_mask=torch.tensor([[True, True, False]])), "row 0 has padding after a real token"),
        (dict(prompt=torch.tensor([[3, 4]]), prompt_padding_mask=torch.tensor([[1, 1]])), "expected a boolean tensor"),
        (dict(bos_id=1, prompt_padding_mask=torch.tensor([[True]])), "given without a prompt"),
    ],
)
def test_bad_prompt_padding_masks_are_refused_with_the_reason(kwargs, fragment):
    model = DecoderOnly(tiny_config())
    with pytest.raises(TransformerInputError, match=fragment):
        greedy_decode(model, max_new_tokens=3, **kwargs)


def test_bad_position_ids_are_refused():
    model = DecoderOnly(tiny_config())
    ids = random_ids(2, 4)
    with pytest.raises(TransformerInputError, match=r"position_ids: shape \(2, 3\) does not match"):
        model(ids, position_ids=torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(TransformerInputError, match=r"positions must lie in \[0, max_len=16\)"):
        model(ids, position_ids=torch.full((1, 4), 16))
    with pytest.raises(TransformerInputError, match="expected an int64 tensor"):
        model(ids, position_ids=torch.zeros(1, 4))
