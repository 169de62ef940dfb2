"""TransformerConfig: defaults, variants, and invalid values that name their field."""

import dataclasses

import pytest

from transformer_core import ConfigError, DecoderOnly, EncoderDecoder, EncoderOnly, TransformerConfig


def test_defaults_are_the_base_model_of_the_paper():
    config = TransformerConfig()
    assert (config.d_model, config.n_heads, config.d_ff) == (512, 8, 2048)
    assert (config.n_encoder_layers, config.n_decoder_layers) == (6, 6)
    assert config.norm_placement == "post" and config.activation == "relu"
    assert config.d_head == 64 and config.tgt_vocab_size == config.vocab_size
    assert config.use_final_norm is False
    assert dataclasses.replace(config, norm_placement="pre").use_final_norm is True
    # Odd d_model is fine without sinusoidal positions (their sin/cos pairs need an even size).
    assert TransformerConfig(d_model=9, n_heads=3, positional_encoding="learned").d_head == 3


def test_config_is_frozen_and_round_trips():
    config = TransformerConfig(vocab_size=100, d_model=64, n_heads=4, target_vocab_size=120)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.d_model = 32
    assert TransformerConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="TransformerConfig.d_modle: unknown field"):
        TransformerConfig.from_dict({"d_modle": 3})


@pytest.mark.parametrize(
    "changes, field, fragment",
    [
        ({"d_model": 30, "n_heads": 4}, "n_heads", "not divisible"),
        ({"norm_placement": "middle"}, "norm_placement", "'post', 'pre'"),
        ({"norm_kind": "group"}, "norm_kind", "'layer', 'batch', 'rms', 'none'"),
        ({"activation": "swish"}, "activation", "'relu', 'gelu', 'gelu_tanh', 'silu'"),
        ({"positional_encoding": "alibi"}, "positional_encoding", "'sinusoidal', 'learned', 'rope', 'none'"),
        ({"attention_impl": "flash"}, "attention_impl", "'sdpa', 'math', 'blockwise'"),
        ({"n_kv_heads": 3}, "n_kv_heads", "not a multiple of n_kv_heads=3"),
        ({"n_kv_heads": 0}, "n_kv_heads", ">= 1"),
        ({"n_kv_heads": 2, "share_query_key": True}, "share_query_key", "8 query heads and 2 key heads"),
        ({"sliding_window": 0}, "sliding_window", ">= 1"),
        ({"rope_base": 500.0}, "rope_base", "only rotary positions use it"),
        ({"positional_encoding": "rope", "rope_base": 0}, "rope_base", "positive"),
        ({"positional_encoding": "rope", "rope_scaling": "yarn"}, "rope_scaling", "None, 'linear', 'ntk'"),
        ({"positional_encoding": "rope", "rope_scaling_factor": 4.0}, "rope_scaling_factor", "no effect without rope_scaling"),
        ({"positional_encoding": "rope", "rope_scaling": "linear", "rope_scaling_factor": 0.5}, "rope_scaling_factor", "factor >= 1"),
        ({"positional_encoding": "rope", "d_model": 24, "n_heads": 8}, "positional_encoding", "d_head = d_model / n_heads must be even"),
        ({"gated_feed_forward": "yes"}, "gated_feed_forward", "True or False"),
        ({"feed_forward_dropout": 1.5}, "feed_forward_dropout", "[0, 1)"),
        ({"qkv_bias": 1}, "qkv_bias", "True, False or None"),
        ({"n_token_types": -1}, "n_token_types", ">= 0"),
        ({"embedding_norm": True, "norm_kind": "batch"}, "embedding_norm", "BatchNorm on the embeddings"),
        ({"dropout": 1.0}, "dropout", "[0, 1)"),
        ({"attention_dropout": -0.1}, "attention_dropout", "[0, 1)"),
        ({"embedding_dropout": "0.1"}, "embedding_dropout", "[0, 1)"),
        ({"vocab_size": 0}, "vocab_size", ">= 1"),
        ({"d_ff": 2.5}, "d_ff", "integer"),
        ({"n_heads": True}, "n_heads", "integer"),
        ({"max_len": 0}, "max_len", ">= 1"),
        ({"n_encoder_layers": -1}, "n_encoder_layers", ">= 0"),
        ({"n_encoder_layers": 0, "n_decoder_layers": 0}, "n_encoder_layers", "at least one layer"),
        ({"pad_id": 40, "vocab_size": 40}, "pad_id", "outside the vocabulary"),
        ({"target_vocab_size": 0}, "target_vocab_size", ">= 1"),
        ({"norm_eps": 0}, "norm_eps", "positive"),
        ({"d_model": 9, "n_heads": 3}, "positional_encoding", "must be even"),
        ({"share_source_target_embeddings": True, "target_vocab_size": 7}, "share_source_target_embeddings", "cannot serve"),
        ({"tie_embeddings": 1}, "tie_embeddings", "True or False"),
        ({"final_norm": "yes"}, "final_norm", "True, False or None"),
    ],
)
def test_invalid_values_name_their_field(changes, field, fragment):
    with pytest.raises(ConfigError) as info:
        TransformerConfig(**changes)
    message = str(info.value)
    assert message.startswith(f"TransformerConfig.{field}:"), message
    assert fragment in message
    assert info.value.field == field and info.value.exit_code == 2


def test_models_reject_configs_without_the_layers_they_need():
    encoder_only = TransformerConfig(vocab_size=10, d_model=8, n_heads=2, d_ff=8, n_encoder_layers=2, n_decoder_layers=0)
    decoder_only = dataclasses.replace(encoder_only, n_encoder_layers=0, n_decoder_layers=2)
    EncoderOnly(encoder_only)
    DecoderOnly(decoder_only)
    with pytest.raises(ConfigError, match="n_decoder_layers: EncoderDecoder needs at least one decoder layer"):
        EncoderDecoder(encoder_only)
    with pytest.raises(ConfigError, match="n_decoder_layers: DecoderOnly needs"):
        DecoderOnly(encoder_only)
    with pytest.raises(ConfigError, match="n_encoder_layers: EncoderOnly needs"):
        EncoderOnly(decoder_only)
    with pytest.raises(ConfigError, match="target_vocab_size: DecoderOnly reads and predicts one vocabulary"):
        DecoderOnly(dataclasses.replace(decoder_only, target_vocab_size=12))
