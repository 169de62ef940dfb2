"""A complete, tested Transformer: config, attention, masks, layers, models,
decoding (KV cache, greedy, beam, sampling) and training utilities.

Imports nothing else of this project. Importing it imports torch, so code on
``tprep``'s start-up path must import it lazily (inside functions).

Quick tour::

    from transformer_core import TransformerConfig, EncoderDecoder
    config = TransformerConfig(vocab_size=100, d_model=64, n_heads=4, d_ff=128,
                               n_encoder_layers=2, n_decoder_layers=2, max_len=64)
    model = EncoderDecoder(config)
    logits = model(src, tgt)                       # (B, T, vocab)
    logits, attn = model(src, tgt, return_attention=True)
    attn["decoder.0.cross_attention"]              # (B, H, T, S)

Conventions:

* token ids ``(B, T)`` integer tensors; padding masks ``(B, T)`` bool, True at
  real tokens; attention masks bool, True = may attend (``masks``);
* names of parts: ``"encoder.0"``, ``"decoder.1.cross_attention"``,
  ``"decoder.1.feed_forward"`` (``introspection``);
* bad config -> ``ConfigError`` naming the field; bad tensors ->
  ``TransformerInputError`` saying what and how to fix; both ``ValueError``
  with ``exit_code = 2``.
"""

from .attention import MultiHeadAttention, blockwise_attention, repeat_kv_heads, scaled_dot_product_attention
from .cache import AttentionCache, KVCache, LayerCache
from .config import TransformerConfig
from .decoding import (
    BeamSearchResult,
    GenerationResult,
    beam_search,
    greedy_decode,
    sample,
    top_k_filter,
    top_p_filter,
)
from .device import autocast, select_device
from .embeddings import Embeddings, RotaryEmbedding, apply_rotary, positions_from_padding, sinusoidal_table
from .errors import ConfigError, DeviceUnavailableError, TransformerInputError
from .introspection import (
    attention_modules,
    capture_attention,
    capture_hidden_states,
    disabled_heads,
    hidden_state_norms,
    layer_modules,
    parameter_counts,
    per_layer_gradient_norms,
)
from .layers import Decoder, DecoderLayer, Encoder, EncoderLayer, FeedForward, ResidualSublayer
from .masks import (
    causal_mask,
    combine_masks,
    decoder_self_attention_mask,
    key_padding_attention_mask,
    padding_mask,
    to_torch_convention,
)
from .models import DecoderOnly, EncoderDecoder, EncoderOnly, TransformerModel
from .normalization import RMSNorm, SequenceBatchNorm, make_norm
from .tasks import BOS_ID, EOS_ID, PAD_ID, LanguageModelBatch, Seq2SeqBatch, SyntheticTask
from .training import (
    TrainingRecord,
    batch_loss,
    exact_match_accuracy,
    inverse_sqrt_warmup,
    label_smoothed_cross_entropy,
    train,
    warmup_cosine,
)

__all__ = [
    "AttentionCache",
    "BeamSearchResult",
    "ConfigError",
    "Decoder",
    "DecoderLayer",
    "DecoderOnly",
    "DeviceUnavailableError",
    "Embeddings",
    "Encoder",
    "EncoderDecoder",
    "EncoderLayer",
    "EncoderOnly",
    "FeedForward",
    "GenerationResult",
    "KVCache",
    "LanguageModelBatch",
    "LayerCache",
    "MultiHeadAttention",
    "RMSNorm",
    "ResidualSublayer",
    "RotaryEmbedding",
    "Seq2SeqBatch",
    "SequenceBatchNorm",
    "SyntheticTask",
    "TrainingRecord",
    "TransformerConfig",
    "TransformerInputError",
    "TransformerModel",
    "BOS_ID",
    "EOS_ID",
    "PAD_ID",
    "apply_rotary",
    "attention_modules",
    "autocast",
    "batch_loss",
    "beam_search",
    "blockwise_attention",
    "capture_attention",
    "capture_hidden_states",
    "causal_mask",
    "combine_masks",
    "decoder_self_attention_mask",
    "disabled_heads",
    "exact_match_accuracy",
    "greedy_decode",
    "hidden_state_norms",
    "inverse_sqrt_warmup",
    "key_padding_attention_mask",
    "label_smoothed_cross_entropy",
    "layer_modules",
    "make_norm",
    "padding_mask",
    "parameter_counts",
    "per_layer_gradient_norms",
    "positions_from_padding",
    "repeat_kv_heads",
    "sample",
    "scaled_dot_product_attention",
    "select_device",
    "sinusoidal_table",
    "to_torch_convention",
    "top_k_filter",
    "top_p_filter",
    "train",
    "warmup_cosine",
]
