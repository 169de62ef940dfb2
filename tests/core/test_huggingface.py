"""Parity with Hugging Face ``transformers``: GPT-2, BERT, Llama (and Mistral, Qwen2) copied with
``transformer_core.interop.from_huggingface`` compute the same function.

No downloads: each reference is a randomly initialised model built from a small config (2 layers,
d_model 64, vocabulary 100). Every parameter is redrawn with std 0.2 (norm scales around 1), so the
logits are of order 1-5 and a weight copied to the wrong place, transposed or left out shows up.
Float64, evaluation mode, Hugging Face's SDPA attention (its eager path computes the softmax in
float32 even in a float64 model). Logits and hidden states agree within 1e-10; greedy decoding of 20
tokens gives the tokens ``generate(do_sample=False)`` gives, with and without the KV cache, for a
left-padded batch of prompts of different lengths too.
"""

import dataclasses

import pytest
import torch
import transformers
from transformers import (
    BertConfig,
    BertForMaskedLM,
    BertForSequenceClassification,
    BertModel,
    GenerationConfig,
    GPT2Config,
    GPT2LMHeadModel,
    GPT2Model,
    LlamaConfig,
    LlamaForCausalLM,
    LlamaModel,
    MistralConfig,
    MistralForCausalLM,
    Qwen2Config,
    Qwen2ForCausalLM,
)

from transformer_core import DecoderOnly, EncoderOnly, greedy_decode
from transformer_core.interop import UnsupportedModelError, from_huggingface

ATOL = 1e-10
VOCAB, D_MODEL, LAYERS, HEADS, D_FF, MAX_LEN = 100, 64, 2, 4, 128, 64
SIZES = dict(vocab_size=VOCAB, num_hidden_layers=LAYERS, num_attention_heads=HEADS, max_position_embeddings=MAX_LEN)
GENERATED = 20
transformers.logging.set_verbosity_error()  # the tiny configs keep GPT-2's BOS/EOS ids of 50256; we never use them


def randomised(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Every parameter redrawn: N(0, 0.2^2), norm scales 1 + N(0, 0.1^2); float64, eval."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            noise = torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype)
            is_norm_scale = parameter.dim() == 1 and name.endswith("weight") and "norm" in name.lower().replace("ln_", "norm")
            parameter.copy_(1 + 0.1 * noise if is_norm_scale else 0.2 * noise)
    return model.double().eval()


def gpt2_config(**changes) -> GPT2Config:
    return GPT2Config(
        vocab_size=VOCAB, n_positions=MAX_LEN, n_embd=D_MODEL, n_layer=LAYERS, n_head=HEADS,
        attn_implementation="sdpa", **changes,
    )


def bert_config(**changes) -> BertConfig:
    return BertConfig(hidden_size=D_MODEL, intermediate_size=D_FF, attn_implementation="sdpa", **SIZES, **changes)


def llama_config(config_class=LlamaConfig, **changes):
    settings = dict(hidden_size=D_MODEL, intermediate_size=D_FF, num_key_value_heads=2, attn_implementation="sdpa", **SIZES)
    settings.update(changes)
    return config_class(**settings)


def token_ids(batch: int = 3, length: int = 12, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, VOCAB, (batch, length), generator=torch.Generator().manual_seed(seed))


def max_difference(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a.detach() - b.detach()).abs().max())


# Logits and hidden states -----------------------------------------------------------------------


def test_gpt2_logits_and_hidden_states_match():
    theirs = randomised(GPT2LMHeadModel(gpt2_config()), seed=1)
    ours = from_huggingface(theirs)
    assert isinstance(ours, DecoderOnly)
    config = ours.config
    assert (config.activation, config.norm_placement, config.positional_encoding, config.tie_embeddings) == (
        "gelu_tanh", "pre", "learned", True,
    )
    ids = token_ids()
    with torch.no_grad():
        expected = theirs(ids).logits
        assert float(expected.abs().max()) > 1.0  # logits of order 1: a real comparison, not of near-zeros
        assert max_difference(ours(ids), expected) < ATOL
        body = randomised(GPT2Model(gpt2_config()), seed=2)
        assert max_difference(from_huggingface(body).hidden_states(ids), body(ids).last_hidden_state) < ATOL


def test_gpt2_with_exact_gelu_is_not_the_tanh_one():
    """The tanh approximation matters: with exact GELU in its place the logits move by ~1e-3."""
    theirs = randomised(GPT2LMHeadModel(gpt2_config()), seed=1)
    ours = from_huggingface(theirs)
    exact = DecoderOnly(dataclasses.replace(ours.config, activation="gelu")).double().eval()
    exact.load_state_dict(ours.state_dict())
    ids = token_ids()
    with torch.no_grad():
        assert max_difference(exact(ids), theirs(ids).logits) > 1e-4
        assert max_difference(ours(ids), theirs(ids).logits) < ATOL


def test_bert_mlm_logits_match_with_token_types_and_padding():
    theirs = randomised(BertForMaskedLM(bert_config()), seed=3)
    ours = from_huggingface(theirs)
    assert isinstance(ours, EncoderOnly) and ours.config.mlm_head and ours.config.n_token_types == 2
    ids = token_ids()
    token_types = torch.zeros_like(ids)
    token_types[:, 7:] = 1  # sentence B
    padding = torch.ones_like(ids, dtype=torch.bool)
    padding[1, 8:] = False
    padding[2, 5:] = False
    with torch.no_grad():
        expected = theirs(ids, attention_mask=padding.long(), token_type_ids=token_types).logits
        actual = ours(ids, padding, token_type_ids=token_types)
    assert max_difference(actual, expected) < ATOL
    with torch.no_grad():  # without types every token is of type 0, as in BERT
        assert max_difference(ours(ids), theirs(ids).logits) < ATOL


def test_bert_model_hidden_states_and_pooler_match():
    theirs = randomised(BertModel(bert_config()), seed=4)
    ours = from_huggingface(theirs)
    ids = token_ids(seed=1)
    token_types = (torch.arange(12) >= 4).long().expand(3, 12)
    padding = torch.ones_like(ids, dtype=torch.bool)
    padding[0, 9:] = False
    with torch.no_grad():
        expected = theirs(ids, attention_mask=padding.long(), token_type_ids=token_types)
        hidden = ours.encode(ids, padding, token_type_ids=token_types)
    assert max_difference(hidden, expected.last_hidden_state) < ATOL
    assert max_difference(ours.pool(hidden), expected.pooler_output) < ATOL


def test_llama_logits_match_with_gqa_rope_swiglu_rmsnorm():
    theirs = randomised(LlamaForCausalLM(llama_config()), seed=5)
    ours = from_huggingface(theirs)
    config = ours.config
    assert (config.n_heads, config.kv_heads, config.norm_kind, config.positional_encoding) == (4, 2, "rms", "rope")
    assert config.gated_feed_forward and config.activation == "silu" and not config.bias
    ids = token_ids(length=20)
    with torch.no_grad():
        expected = theirs(ids).logits
        assert max_difference(ours(ids), expected) < ATOL
        # Explicit, per-row positions (what a left-padded batch uses) take the same route.
        positions = torch.arange(20).expand(3, 20) + torch.tensor([[0], [3], [7]])
        assert max_difference(ours(ids, position_ids=positions), theirs(ids, position_ids=positions).logits) < ATOL
        body = randomised(LlamaModel(llama_config(num_key_value_heads=1)), seed=6)  # multi-query attention
        assert max_difference(from_huggingface(body).hidden_states(ids), body(ids).last_hidden_state) < ATOL


def test_llama_gradients_match():
    theirs = randomised(LlamaForCausalLM(llama_config()), seed=7)
    ours = from_huggingface(theirs)
    ids = token_ids(length=10)

    def next_token_loss(logits):  # in float64 (Hugging Face's own loss would round the logits to float32)
        return torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, VOCAB), ids[:, 1:].reshape(-1))

    next_token_loss(theirs(ids).logits).backward()
    next_token_loss(ours(ids)).backward()
    pairs = [
        (ours.embed.token.weight, theirs.model.embed_tokens.weight),
        (ours.decoder.layers[0].feed_forward.linear2.weight, theirs.model.layers[0].mlp.down_proj.weight),
        (ours.decoder.layers[1].self_attention.out_proj.weight, theirs.model.layers[1].self_attn.o_proj.weight),
        (ours.decoder.norm.weight, theirs.model.norm.weight),
    ]
    for mine, reference in pairs:
        assert max_difference(mine.grad, reference.grad) < ATOL


def test_llama_in_bfloat16_matches_bit_for_bit():
    """RMSNorm statistics and RoPE angles in float32 whatever the dtype, as Llama's reference does."""
    float_model = randomised(LlamaForCausalLM(llama_config()), seed=8).float()
    theirs = LlamaForCausalLM._from_config(llama_config(), dtype=torch.bfloat16).eval()  # RoPE frequencies stay float32
    theirs.load_state_dict(float_model.state_dict())
    ours = from_huggingface(theirs)
    assert ours.output_projection.weight.dtype == torch.bfloat16
    ids = token_ids(length=16)
    with torch.no_grad():
        assert torch.equal(ours(ids), theirs(ids).logits)


@pytest.mark.parametrize(
    "model_class, config",
    [
        (MistralForCausalLM, llama_config(MistralConfig, sliding_window=5)),  # a window shorter than the sequence
        (Qwen2ForCausalLM, llama_config(Qwen2Config)),  # biases on Q, K, V only
    ],
    ids=["mistral", "qwen2"],
)
def test_mistral_and_qwen2_logits_match(model_class, config):
    theirs = randomised(model_class(config), seed=9)
    ours = from_huggingface(theirs)
    ids = token_ids(length=14)
    with torch.no_grad():
        assert max_difference(ours(ids), theirs(ids).logits) < ATOL


# Greedy decoding ------------------------------------------------------------------------------------


PROMPTS = [[5, 6, 7, 8, 9, 10, 11], [12, 13, 14], [15, 16, 17, 18, 19]]


def left_padded(prompts: list[list[int]], pad: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[False] * (width - len(p)) + [True] * len(p) for p in prompts])
    return ids, mask


def their_greedy(model, ids, mask, use_cache: bool) -> torch.Tensor:
    settings = GenerationConfig(
        do_sample=False, max_new_tokens=GENERATED, pad_token_id=0, eos_token_id=None, bos_token_id=None, use_cache=use_cache
    )
    return model.generate(ids, attention_mask=mask.long(), generation_config=settings)[:, ids.size(1) :]


@pytest.mark.parametrize(
    "build",
    [
        lambda: randomised(GPT2LMHeadModel(gpt2_config()), seed=10),
        lambda: randomised(LlamaForCausalLM(llama_config()), seed=11),
        lambda: randomised(MistralForCausalLM(llama_config(MistralConfig, sliding_window=6)), seed=12),
    ],
    ids=["gpt2", "llama", "mistral"],
)
@pytest.mark.parametrize("use_cache", [True, False], ids=["cache", "no-cache"])
def test_greedy_decoding_equals_generate(build, use_cache):
    theirs = build()
    ours = from_huggingface(theirs)
    # One prompt alone, then a left-padded batch of prompts of different lengths.
    for prompts in ([PROMPTS[0]], PROMPTS):
        ids, mask = left_padded(prompts)
        expected = their_greedy(theirs, ids, mask, use_cache)
        result = greedy_decode(ours, prompt=ids, prompt_padding_mask=mask, max_new_tokens=GENERATED, use_cache=use_cache)
        assert result.sequences.shape == (len(prompts), GENERATED)
        assert torch.equal(result.sequences, expected), (result.sequences, expected)
    # Each row of the batch is what its prompt gives alone.
    for row, prompt in enumerate(PROMPTS):
        alone = greedy_decode(ours, prompt=torch.tensor([prompt]), max_new_tokens=GENERATED, use_cache=use_cache)
        assert torch.equal(alone.sequences[0], result.sequences[row])


def test_mistral_rolling_cache_holds_only_the_window_and_decodes_as_generate():
    """Our cache keeps the last window - 1 positions; 7 + 20 tokens with a window of 4 still give their tokens."""
    theirs = randomised(MistralForCausalLM(llama_config(MistralConfig, sliding_window=4)), seed=14)
    ours = from_huggingface(theirs)
    ids = torch.tensor([PROMPTS[0]])
    expected = their_greedy(theirs, ids, torch.ones_like(ids, dtype=torch.bool), use_cache=True)
    cache, step, tokens = ours.new_cache(), ids, []
    with torch.no_grad():
        for _ in range(GENERATED):
            step = ours(step, cache=cache, last_only=True)[:, -1].argmax(-1, keepdim=True)
            tokens.append(step)
            assert cache.held == 3 and all(layer.self_attention.key.shape[-2] == 3 for layer in cache.layers)
    assert cache.length == len(PROMPTS[0]) + GENERATED - 1
    assert torch.equal(torch.cat(tokens, dim=1), expected)


def test_llama_float64_statistics_are_theirs_only_with_rms_norm_float32():
    """Their RMSNorm rounds its statistics to float32 even in float64; the copy does the same (rms_norm_float32),
    a model built without the flag keeps float64's precision and so differs from theirs by float32 round-off."""
    theirs = randomised(LlamaForCausalLM(llama_config()), seed=15)
    ours = from_huggingface(theirs)
    assert ours.config.rms_norm_float32
    wide = DecoderOnly(dataclasses.replace(ours.config, rms_norm_float32=False)).double().eval()
    wide.load_state_dict(ours.state_dict())
    ids = token_ids(length=16)
    with torch.no_grad():
        expected = theirs(ids).logits
        assert max_difference(ours(ids), expected) < 1e-13
        assert 1e-10 < max_difference(wide(ids), expected) < 1e-5


# What is not supported says so -----------------------------------------------------------------------


def test_unsupported_models_and_options_are_named():
    with pytest.raises(UnsupportedModelError, match="BertForSequenceClassification .* is not supported; supported"):
        from_huggingface(BertForSequenceClassification(bert_config()))
    with pytest.raises(UnsupportedModelError, match="scale_attn_by_inverse_layer_idx"):
        from_huggingface(GPT2LMHeadModel(gpt2_config(scale_attn_by_inverse_layer_idx=True)))
    with pytest.raises(UnsupportedModelError, match="rope_type 'dynamic'"):
        from_huggingface(LlamaForCausalLM(llama_config(rope_parameters={"rope_type": "dynamic", "factor": 2.0, "rope_theta": 10000.0})))
    with pytest.raises(UnsupportedModelError, match="activation 'gelu_fast'"):
        from_huggingface(GPT2LMHeadModel(gpt2_config(activation_function="gelu_fast")))
    with pytest.raises(UnsupportedModelError, match="expected a Hugging Face transformers model"):
        from_huggingface(torch.nn.Linear(2, 2))
    assert UnsupportedModelError.exit_code == 2


def test_linear_rope_scaling_is_copied():
    theirs = randomised(LlamaForCausalLM(llama_config(rope_parameters={"rope_type": "linear", "factor": 4.0, "rope_theta": 500.0})), seed=13)
    ours = from_huggingface(theirs)
    assert (ours.config.rope_scaling, ours.config.rope_scaling_factor, ours.config.rope_base) == ("linear", 4.0, 500.0)
    ids = token_ids(length=30)
    with torch.no_grad():
        assert max_difference(ours(ids), theirs(ids).logits) < ATOL


def test_dtype_device_and_mode_follow_the_model():
    theirs = LlamaForCausalLM(llama_config()).train()
    ours = from_huggingface(theirs)
    assert ours.training and ours.output_projection.weight.dtype == torch.float32
    assert from_huggingface(theirs.eval()).training is False
