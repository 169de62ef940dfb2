"""Hugging Face models as ``transformer_core`` models: same weights, same function.

``from_huggingface(model)`` reads a ``transformers`` model object's config,
builds the ``TransformerConfig`` that describes the same architecture, copies
every weight, and returns our model in the same dtype, device and train/eval
mode::

    from transformers import LlamaConfig, LlamaForCausalLM
    from transformer_core.interop import from_huggingface

    theirs = LlamaForCausalLM(LlamaConfig(...)).eval()
    ours = from_huggingface(theirs)           # a DecoderOnly
    ours(ids)                                 # == theirs(ids).logits

Supported (``SUPPORTED``): GPT-2 (``GPT2LMHeadModel``, ``GPT2Model``), BERT
(``BertForMaskedLM``, ``BertModel``), Llama (``LlamaForCausalLM``,
``LlamaModel``), Mistral and Qwen2 (``*ForCausalLM``, ``*Model``). The
``*Model`` classes have no language-model head: compare their
``last_hidden_state`` with ``DecoderOnly.hidden_states`` or
``EncoderOnly.encode`` (and BERT's ``pooler_output`` with ``EncoderOnly.pool``).

What maps to what:

* GPT-2: Pre-LN LayerNorm, tanh GELU (``gelu_new``), learned positions,
  output tied to the token embedding; its ``Conv1D`` weights are stored
  transposed, so they are transposed back.
* BERT: Post-LN, exact GELU, learned positions + token types + a LayerNorm on
  the embeddings; the MLM head is dense + GELU + LayerNorm + a vocabulary
  projection with bias. BERT does not guess padding from ``pad_token_id``, so
  neither does the copy (``pad_id=None``): pass ``padding_mask`` as you would
  pass ``attention_mask``.
* Llama / Mistral / Qwen2: Pre-LN RMSNorm with float32 statistics whatever
  the dtype (``rms_norm_float32``, as theirs), SwiGLU (``gated_feed_forward`` +
  ``silu``), RoPE with ``rope_theta`` (and ``linear`` scaling), grouped-query
  attention; Mistral's sliding window; Qwen2's biases on Q, K, V.

In every family the FFN has no inner dropout (``feed_forward_dropout=0``), as
in theirs, so training with dropout draws from the same distribution too.

Anything else raises ``UnsupportedModelError`` naming the class or the option
that has no counterpart here. ``transformers`` is imported only in this
module, and only when a function here runs: install it with the ``interop``
extra (``pip install -e '.[interop]'``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import torch
from torch import nn

from .config import TransformerConfig
from .models import DecoderOnly, EncoderOnly, TransformerModel

SUPPORTED: dict[str, tuple[str, ...]] = {
    "gpt2": ("GPT2LMHeadModel", "GPT2Model"),
    "bert": ("BertForMaskedLM", "BertModel"),
    "llama": ("LlamaForCausalLM", "LlamaModel"),
    "mistral": ("MistralForCausalLM", "MistralModel"),
    "qwen2": ("Qwen2ForCausalLM", "Qwen2Model"),
}

# Hugging Face activation names -> ours. "gelu_new" and "gelu_pytorch_tanh" are the same tanh formula.
_ACTIVATIONS = {
    "relu": "relu",
    "gelu": "gelu",
    "gelu_new": "gelu_tanh",
    "gelu_pytorch_tanh": "gelu_tanh",
    "silu": "silu",
    "swish": "silu",
}


class UnsupportedModelError(ValueError):
    """The Hugging Face model (or one of its options) has no counterpart in ``transformer_core``."""

    exit_code = 2


def from_huggingface(model: Any) -> TransformerModel:
    """A ``transformer_core`` model computing what the Hugging Face ``model`` computes, with its weights copied.

    Returns a ``DecoderOnly`` (GPT-2, Llama, Mistral, Qwen2) or an
    ``EncoderOnly`` (BERT) in the same dtype, on the same device and in the
    same train/eval mode. Raises ``UnsupportedModelError`` for anything else.
    """
    config = getattr(model, "config", None)
    model_type = getattr(config, "model_type", None)
    class_name = type(model).__name__
    if not isinstance(model, nn.Module) or model_type is None:
        raise UnsupportedModelError(
            f"from_huggingface: expected a Hugging Face transformers model (an nn.Module with a .config), "
            f"got {class_name}"
        )
    if model_type not in SUPPORTED or class_name not in SUPPORTED[model_type]:
        known = "; ".join(f"{family}: {', '.join(classes)}" for family, classes in SUPPORTED.items())
        raise UnsupportedModelError(
            f"from_huggingface: {class_name} (model_type {model_type!r}) is not supported; supported classes are "
            f"{known}. Other heads (sequence classification, question answering, ...) have no counterpart here"
        )
    builder: Callable[[Any], tuple[TransformerModel, Callable[[TransformerModel], None]]] = _BUILDERS[model_type]
    parameter = next(model.parameters())
    ours, copy_weights = builder(model)
    ours = ours.to(device=parameter.device, dtype=parameter.dtype)
    with torch.no_grad():
        copy_weights(ours)
    return ours.train(model.training)


# Helpers ------------------------------------------------------------------------------------


def _option(config: Any, name: str, default: Any = None) -> Any:
    return getattr(config, name, default)


def _unsupported(family: str, what: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"from_huggingface: {family} with {what} has no counterpart in transformer_core")


def _activation(family: str, name: Any) -> str:
    if not isinstance(name, str) or name not in _ACTIVATIONS:
        raise _unsupported(family, f"activation {name!r} (supported: {', '.join(sorted(_ACTIVATIONS))})")
    return _ACTIVATIONS[name]


def _pad_id(config: Any, vocab_size: int) -> int | None:
    pad = _option(config, "pad_token_id")
    return pad if isinstance(pad, int) and 0 <= pad < vocab_size else None


def _copy(target: torch.Tensor, source: torch.Tensor, what: str) -> None:
    if target.shape != source.shape:
        raise UnsupportedModelError(
            f"from_huggingface: {what} has shape {tuple(source.shape)} where transformer_core expects "
            f"{tuple(target.shape)}; the architecture differs from what its config says"
        )
    target.copy_(source)


def _copy_linear(target: nn.Linear, source: nn.Module, what: str, *, transposed: bool = False) -> None:
    """``transposed``: GPT-2's ``Conv1D`` stores (in, out) where ``nn.Linear`` stores (out, in)."""
    weight = source.weight.t() if transposed else source.weight
    _copy(target.weight, weight, f"{what}.weight")
    if target.bias is not None:
        _copy(target.bias, source.bias, f"{what}.bias")
    elif getattr(source, "bias", None) is not None:
        raise UnsupportedModelError(f"from_huggingface: {what} has a bias where transformer_core's config has none")


def _copy_norm(target: nn.Module, source: nn.Module, what: str) -> None:
    _copy(target.weight, source.weight, f"{what}.weight")
    if getattr(target, "bias", None) is not None:
        _copy(target.bias, source.bias, f"{what}.bias")


def _copy_stacked(target: nn.Linear, sources: list[nn.Module], what: str) -> None:
    """Several ``nn.Linear`` (W_q, W_k, W_v or W_gate, W_up) into one whose rows are theirs stacked."""
    _copy(target.weight, torch.cat([s.weight for s in sources], dim=0), f"{what}.weight")
    if target.bias is not None:
        _copy(target.bias, torch.cat([s.bias for s in sources], dim=0), f"{what}.bias")


def _output_projection(ours: TransformerModel, head: nn.Linear | None, tied: bool, what: str) -> None:
    if head is None or tied:
        return  # tied: ours already shares the token embedding
    _copy(ours.output_projection.weight, head.weight, f"{what}.weight")


# GPT-2 ---------------------------------------------------------------------------------------


def _gpt2_config(hf: Any) -> TransformerConfig:
    if _option(hf, "scale_attn_by_inverse_layer_idx", False):
        raise _unsupported("GPT-2", "scale_attn_by_inverse_layer_idx=True")
    if _option(hf, "add_cross_attention", False):
        raise _unsupported("GPT-2", "add_cross_attention=True")
    if not _option(hf, "scale_attn_weights", True):
        raise _unsupported("GPT-2", "scale_attn_weights=False")
    return TransformerConfig(
        vocab_size=hf.vocab_size,
        pad_id=_pad_id(hf, hf.vocab_size),
        max_len=hf.n_positions,
        d_model=hf.n_embd,
        n_heads=hf.n_head,
        d_ff=hf.n_inner if hf.n_inner is not None else 4 * hf.n_embd,
        n_encoder_layers=0,
        n_decoder_layers=hf.n_layer,
        dropout=hf.resid_pdrop,
        attention_dropout=hf.attn_pdrop,
        embedding_dropout=hf.embd_pdrop,
        feed_forward_dropout=0.0,
        norm_placement="pre",
        norm_kind="layer",
        norm_eps=hf.layer_norm_epsilon,
        final_norm=True,
        activation=_activation("GPT-2", hf.activation_function),
        positional_encoding="learned",
        scale_embeddings=False,
        tie_embeddings=True,
        bias=True,
    )


def _gpt2(model: Any):
    hf = model.config
    body = model.transformer if hasattr(model, "transformer") else model
    head = getattr(model, "lm_head", None)
    tied = head is None or head.weight is body.wte.weight
    config = _gpt2_config(hf)
    if not tied:
        config = dataclasses.replace(config, tie_embeddings=False)
    ours = DecoderOnly(config)

    def copy(ours: DecoderOnly) -> None:
        _copy(ours.embed.token.weight, body.wte.weight, "wte.weight")
        _copy(ours.embed.position.embedding.weight, body.wpe.weight, "wpe.weight")
        for i, (layer, block) in enumerate(zip(ours.decoder.layers, body.h, strict=True)):
            name = f"h.{i}"
            _copy_norm(layer.self_attention_sublayer.norm, block.ln_1, f"{name}.ln_1")
            _copy_linear(layer.self_attention.in_proj, block.attn.c_attn, f"{name}.attn.c_attn", transposed=True)
            _copy_linear(layer.self_attention.out_proj, block.attn.c_proj, f"{name}.attn.c_proj", transposed=True)
            _copy_norm(layer.feed_forward_sublayer.norm, block.ln_2, f"{name}.ln_2")
            _copy_linear(layer.feed_forward.linear1, block.mlp.c_fc, f"{name}.mlp.c_fc", transposed=True)
            _copy_linear(layer.feed_forward.linear2, block.mlp.c_proj, f"{name}.mlp.c_proj", transposed=True)
        _copy_norm(ours.decoder.norm, body.ln_f, "ln_f")
        _output_projection(ours, head, tied, "lm_head")

    return ours, copy


# BERT ----------------------------------------------------------------------------------------


def _bert_config(hf: Any) -> TransformerConfig:
    position_kind = _option(hf, "position_embedding_type", "absolute")
    if position_kind != "absolute":
        raise _unsupported("BERT", f"position_embedding_type={position_kind!r} (only 'absolute')")
    if _option(hf, "is_decoder", False) or _option(hf, "add_cross_attention", False):
        raise _unsupported("BERT", "is_decoder=True or add_cross_attention=True (a BERT used as a decoder)")
    return TransformerConfig(
        vocab_size=hf.vocab_size,
        pad_id=None,  # BertModel masks nothing unless given an attention_mask; neither does the copy
        max_len=hf.max_position_embeddings,
        d_model=hf.hidden_size,
        n_heads=hf.num_attention_heads,
        d_ff=hf.intermediate_size,
        n_encoder_layers=hf.num_hidden_layers,
        n_decoder_layers=0,
        dropout=hf.hidden_dropout_prob,
        attention_dropout=hf.attention_probs_dropout_prob,
        embedding_dropout=hf.hidden_dropout_prob,
        feed_forward_dropout=0.0,
        norm_placement="post",
        norm_kind="layer",
        norm_eps=hf.layer_norm_eps,
        activation=_activation("BERT", hf.hidden_act),
        positional_encoding="learned",
        scale_embeddings=False,
        tie_embeddings=True,
        bias=True,
        n_token_types=hf.type_vocab_size,
        embedding_norm=True,
    )


def _bert(model: Any):
    hf = model.config
    body = model.bert if hasattr(model, "bert") else model
    predictions = model.cls.predictions if hasattr(model, "cls") else None
    pooler = getattr(body, "pooler", None)
    tied = predictions is None or predictions.decoder.weight is body.embeddings.word_embeddings.weight
    config = dataclasses.replace(_bert_config(hf), mlm_head=predictions is not None, pooler=pooler is not None, tie_embeddings=tied)
    if predictions is not None and _activation("BERT", hf.hidden_act) != config.activation:
        raise _unsupported("BERT", "a prediction head whose activation differs from the encoder's")
    ours = EncoderOnly(config)

    def copy(ours: EncoderOnly) -> None:
        embeddings = body.embeddings
        _copy(ours.embed.token.weight, embeddings.word_embeddings.weight, "embeddings.word_embeddings.weight")
        _copy(ours.embed.position.embedding.weight, embeddings.position_embeddings.weight, "embeddings.position_embeddings.weight")
        _copy(ours.embed.token_type.weight, embeddings.token_type_embeddings.weight, "embeddings.token_type_embeddings.weight")
        _copy_norm(ours.embed.norm, embeddings.LayerNorm, "embeddings.LayerNorm")
        for i, (layer, block) in enumerate(zip(ours.encoder.layers, body.encoder.layer, strict=True)):
            name = f"encoder.layer.{i}"
            attention = block.attention
            _copy_stacked(
                layer.self_attention.in_proj,
                [attention.self.query, attention.self.key, attention.self.value],
                f"{name}.attention.self.query/key/value",
            )
            _copy_linear(layer.self_attention.out_proj, attention.output.dense, f"{name}.attention.output.dense")
            _copy_norm(layer.attention_sublayer.norm, attention.output.LayerNorm, f"{name}.attention.output.LayerNorm")
            _copy_linear(layer.feed_forward.linear1, block.intermediate.dense, f"{name}.intermediate.dense")
            _copy_linear(layer.feed_forward.linear2, block.output.dense, f"{name}.output.dense")
            _copy_norm(layer.feed_forward_sublayer.norm, block.output.LayerNorm, f"{name}.output.LayerNorm")
        if pooler is not None:
            _copy_linear(ours.pooler, pooler.dense, "pooler.dense")
        if predictions is not None:
            _copy_linear(ours.mlm_transform.dense, predictions.transform.dense, "cls.predictions.transform.dense")
            _copy_norm(ours.mlm_transform.norm, predictions.transform.LayerNorm, "cls.predictions.transform.LayerNorm")
            _output_projection(ours, predictions.decoder, tied, "cls.predictions.decoder")
            _copy(ours.output_projection.bias, predictions.decoder.bias, "cls.predictions.decoder.bias")

    return ours, copy


# Llama, Mistral, Qwen2 -----------------------------------------------------------------------


def _rope_settings(family: str, hf: Any) -> dict[str, Any]:
    parameters = _option(hf, "rope_parameters") or {}
    legacy = _option(hf, "rope_scaling") or {}
    rope_type = parameters.get("rope_type", legacy.get("rope_type", legacy.get("type", "default")))
    theta = parameters.get("rope_theta", _option(hf, "rope_theta", 10000.0))
    if parameters.get("partial_rotary_factor", 1.0) != 1.0:
        raise _unsupported(family, "partial_rotary_factor != 1 (rotary on part of each head)")
    if rope_type == "default":
        return {"rope_base": float(theta)}
    if rope_type == "linear":
        factor = parameters.get("factor", legacy.get("factor"))
        return {"rope_base": float(theta), "rope_scaling": "linear", "rope_scaling_factor": float(factor)}
    raise _unsupported(family, f"rope_type {rope_type!r} (supported: 'default', 'linear')")


def _llama_like_config(family: str, hf: Any, *, qkv_bias: bool) -> TransformerConfig:
    d_model, n_heads = hf.hidden_size, hf.num_attention_heads
    head_dim = _option(hf, "head_dim") or d_model // n_heads
    if head_dim * n_heads != d_model:
        raise _unsupported(family, f"head_dim={head_dim} != hidden_size / num_attention_heads = {d_model / n_heads:g}")
    if _option(hf, "attention_bias", False):
        raise _unsupported(family, "attention_bias=True (biases on the output projection too)")
    if _option(hf, "mlp_bias", False):
        raise _unsupported(family, "mlp_bias=True")
    if _option(hf, "pretraining_tp", 1) not in (None, 1):
        raise _unsupported(family, "pretraining_tp > 1")
    sliding_window = _option(hf, "sliding_window")
    layer_types = _option(hf, "layer_types")
    if layer_types is not None:
        kinds = set(layer_types)
        if kinds == {"full_attention"}:
            sliding_window = None
        elif kinds != {"sliding_attention"}:
            raise _unsupported(family, f"layers of different attention kinds ({sorted(kinds)})")
    if _option(hf, "use_sliding_window") is False:
        sliding_window = None
    return TransformerConfig(
        vocab_size=hf.vocab_size,
        pad_id=_pad_id(hf, hf.vocab_size),
        max_len=hf.max_position_embeddings,
        d_model=d_model,
        n_heads=n_heads,
        n_kv_heads=_option(hf, "num_key_value_heads") or n_heads,
        d_ff=hf.intermediate_size,
        n_encoder_layers=0,
        n_decoder_layers=hf.num_hidden_layers,
        dropout=0.0,
        attention_dropout=float(_option(hf, "attention_dropout", 0.0) or 0.0),
        embedding_dropout=0.0,
        feed_forward_dropout=0.0,
        norm_placement="pre",
        norm_kind="rms",
        norm_eps=hf.rms_norm_eps,
        rms_norm_float32=True,  # their RMSNorm takes float32 statistics in a float64 model too
        final_norm=True,
        activation=_activation(family, hf.hidden_act),
        gated_feed_forward=True,
        positional_encoding="rope",
        scale_embeddings=False,
        tie_embeddings=bool(_option(hf, "tie_word_embeddings", False)),
        bias=False,
        qkv_bias=qkv_bias,
        sliding_window=sliding_window,
        **_rope_settings(family, hf),
    )


def _llama_like(family: str, *, qkv_bias: bool):
    def build(model: Any):
        hf = model.config
        body = model.model if hasattr(model, "lm_head") else model
        head = getattr(model, "lm_head", None)
        tied = head is None or head.weight is body.embed_tokens.weight
        config = dataclasses.replace(_llama_like_config(family, hf, qkv_bias=qkv_bias), tie_embeddings=tied)
        ours = DecoderOnly(config)

        def copy(ours: DecoderOnly) -> None:
            _copy(ours.embed.token.weight, body.embed_tokens.weight, "embed_tokens.weight")
            for i, (layer, block) in enumerate(zip(ours.decoder.layers, body.layers, strict=True)):
                name = f"layers.{i}"
                attention, mlp = block.self_attn, block.mlp
                _copy_stacked(
                    layer.self_attention.in_proj,
                    [attention.q_proj, attention.k_proj, attention.v_proj],
                    f"{name}.self_attn.q/k/v_proj",
                )
                _copy_linear(layer.self_attention.out_proj, attention.o_proj, f"{name}.self_attn.o_proj")
                _copy_norm(layer.self_attention_sublayer.norm, block.input_layernorm, f"{name}.input_layernorm")
                _copy_norm(layer.feed_forward_sublayer.norm, block.post_attention_layernorm, f"{name}.post_attention_layernorm")
                _copy_stacked(layer.feed_forward.linear1, [mlp.gate_proj, mlp.up_proj], f"{name}.mlp.gate/up_proj")
                _copy_linear(layer.feed_forward.linear2, mlp.down_proj, f"{name}.mlp.down_proj")
            _copy_norm(ours.decoder.norm, body.norm, "norm")
            _output_projection(ours, head, tied, "lm_head")

        return ours, copy

    return build


_BUILDERS = {
    "gpt2": _gpt2,
    "bert": _bert,
    "llama": _llama_like("Llama", qkv_bias=False),
    "mistral": _llama_like("Mistral", qkv_bias=False),
    "qwen2": _llama_like("Qwen2", qkv_bias=True),
}
