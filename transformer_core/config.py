"""The one configuration every model in this package is built from.

Variants are made with ``dataclasses.replace(config, field=value)``; the config
is frozen so a model's architecture can never drift from the object that
describes it. Every field is checked in ``__post_init__`` and an invalid value
or combination raises ``ConfigError`` naming the field.

The defaults are the base model of "Attention Is All You Need" (Vaswani et
al., 2017): d_model 512, 8 heads, d_ff 2048, 6 + 6 layers, dropout 0.1,
Post-LN, ReLU, sinusoidal positions, embeddings scaled by sqrt(d_model).

The fields after those describe the families built since, each a switch of
one concept: GPT-2 (Pre-LN, tanh GELU, learned positions, tied output), BERT
(token types, a LayerNorm on the embeddings, the masked-LM head, the pooler),
Llama (RMSNorm, SwiGLU, rotary positions, grouped-query attention), Mistral
(a sliding attention window) and Qwen2 (biases on Q, K, V only).
``transformer_core.interop.from_huggingface`` fills them in from a Hugging
Face model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from .errors import ConfigError

NormPlacement = Literal["post", "pre"]
NormKind = Literal["layer", "batch", "rms", "none"]
Activation = Literal["relu", "gelu", "gelu_tanh", "silu"]
PositionalEncodingKind = Literal["sinusoidal", "learned", "rope", "none"]
RopeScaling = Literal["linear", "ntk"]
AttentionImpl = Literal["sdpa", "math", "blockwise"]

_CHOICES: dict[str, tuple[str, ...]] = {
    "norm_placement": ("post", "pre"),
    "norm_kind": ("layer", "batch", "rms", "none"),
    "activation": ("relu", "gelu", "gelu_tanh", "silu"),
    "positional_encoding": ("sinusoidal", "learned", "rope", "none"),
    "attention_impl": ("sdpa", "math", "blockwise"),
}


@dataclass(frozen=True)
class TransformerConfig:
    """Architecture of an encoder-decoder, encoder-only or decoder-only Transformer."""

    # Vocabularies. The encoder (and an encoder-only or decoder-only model)
    # reads `vocab_size`; an encoder-decoder's decoder reads `target_vocab_size`,
    # which defaults to `vocab_size`.
    vocab_size: int = 32000
    target_vocab_size: int | None = None
    # Padding id. An encoder masks its positions when no mask is given; a decoder never guesses padding
    # from ids (causal attention keeps right padding away from real tokens, and left padding needs
    # position ids too), so decoders take explicit masks. Generation fills finished rows with it.
    pad_id: int | None = 0
    max_len: int = 512  # longest sequence the model accepts (positions 0..max_len-1)

    # Sizes.
    d_model: int = 512
    n_heads: int = 8
    d_ff: int = 2048
    n_encoder_layers: int = 6
    n_decoder_layers: int = 6

    # Dropout, each in [0, 1).
    dropout: float = 0.1  # on every sublayer output before the residual add, and inside the FFN
    attention_dropout: float = 0.1  # on the attention weights
    embedding_dropout: float = 0.1  # on token embedding + position encoding

    # Normalisation: where (`post`: x = norm(x + f(x)), the original; `pre`:
    # x = x + f(norm(x))) and what (`batch` is BatchNorm over batch *and* time,
    # padding included, as a reader of the interview notes would apply it).
    norm_placement: NormPlacement = "post"
    norm_kind: NormKind = "layer"
    norm_eps: float = 1e-5
    final_norm: bool | None = None  # norm after the last layer of each stack; None: only for `pre`
    # RMSNorm's statistics: by default in the wider of float32 and the input's dtype (float32 for bf16/float16,
    # float64 in a float64 model). True: always float32, as Hugging Face's LlamaRMSNorm does even in float64
    # (interop sets it, so a copied model computes exactly what theirs does).
    rms_norm_float32: bool = False

    activation: Activation = "relu"
    positional_encoding: PositionalEncodingKind = "sinusoidal"
    scale_embeddings: bool = True  # multiply token embeddings by sqrt(d_model)
    tie_embeddings: bool = False  # output projection shares the (target) token embedding matrix
    share_source_target_embeddings: bool = False  # encoder-decoder: one embedding for both sides
    share_query_key: bool = False  # one projection for queries and keys (the "why not Q = K" question)
    bias: bool = True  # biases in the linear layers (torch.nn.Transformer has them)

    attention_impl: AttentionImpl = "sdpa"  # `math` is the readable path, `blockwise` the online softmax; same numbers
    scale_attention_scores: bool = True  # divide scores by sqrt(d_head); False for the sqrt(d_k) experiment

    # Attention variants.
    n_kv_heads: int | None = None  # key/value heads; None: n_heads (MHA), 1: multi-query, between: grouped-query
    qkv_bias: bool | None = None  # biases on the Q, K, V projections only (Qwen2); None: follow `bias`
    sliding_window: int | None = None  # causal attention sees only the last `sliding_window` keys (Mistral); None: all

    # Feed-forward variants: `gated` computes activation(x W_gate) * (x W_up), then W_down
    # (SwiGLU with `silu`, GEGLU with `gelu`), each of the two input matrices d_model x d_ff.
    gated_feed_forward: bool = False
    feed_forward_dropout: float | None = None  # dropout between the FFN's two layers; None: `dropout`

    # Rotary position embeddings (positional_encoding="rope"): rotate each query/key pair of
    # dimensions (i, i + d_head/2) by position * rope_base^(-2i/d_head), as Llama does.
    rope_base: float = 10000.0
    rope_scaling: RopeScaling | None = None  # context extension: `linear` divides positions by the factor,
    rope_scaling_factor: float = 1.0  # `ntk` raises the base to base * factor^(d_head / (d_head - 2))

    # BERT's embeddings and heads (encoder-only models).
    n_token_types: int = 0  # segment embeddings added to the tokens (BERT: 2); 0: none
    embedding_norm: bool = False  # a norm (`norm_kind`) on the summed embeddings, before dropout (BERT)
    mlm_head: bool = False  # output = W_vocab norm(activation(W x)) + b, BERT's masked-LM head
    pooler: bool = False  # EncoderOnly.pool(): tanh(W h_0 + b) on the first token (BERT's pooler)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _CHOICES and value not in _CHOICES[f.name]:
                options = ", ".join(repr(c) for c in _CHOICES[f.name])
                raise ConfigError(f.name, f"{value!r} is not one of {options}")

        for name in ("vocab_size", "max_len", "d_model", "n_heads", "d_ff"):
            _require_int(self, name, minimum=1)
        for name in ("n_encoder_layers", "n_decoder_layers"):
            _require_int(self, name, minimum=0)
        if self.target_vocab_size is not None:
            _require_int(self, "target_vocab_size", minimum=1)
        if self.pad_id is not None:
            _require_int(self, "pad_id", minimum=0)
            smallest = min(self.vocab_size, self.tgt_vocab_size)
            if self.pad_id >= smallest:
                raise ConfigError(
                    "pad_id",
                    f"{self.pad_id} is outside the vocabulary (size {smallest}); "
                    "use an id below the vocabulary size, or None for no padding",
                )
        for name in ("dropout", "attention_dropout", "embedding_dropout", "feed_forward_dropout"):
            value = getattr(self, name)
            if value is None and name == "feed_forward_dropout":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
                raise ConfigError(name, f"{value!r} must be a probability in [0, 1)")
        if isinstance(self.norm_eps, bool) or not isinstance(self.norm_eps, (int, float)) or self.norm_eps <= 0:
            raise ConfigError("norm_eps", f"{self.norm_eps!r} must be a positive number")
        for name in (
            "scale_embeddings",
            "tie_embeddings",
            "share_source_target_embeddings",
            "share_query_key",
            "bias",
            "scale_attention_scores",
            "gated_feed_forward",
            "rms_norm_float32",
            "embedding_norm",
            "mlm_head",
            "pooler",
        ):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(name, f"{getattr(self, name)!r} must be True or False")
        for name in ("final_norm", "qkv_bias"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise ConfigError(name, f"{value!r} must be True, False or None")
        _require_int(self, "n_token_types", minimum=0)
        if self.n_kv_heads is not None:
            _require_int(self, "n_kv_heads", minimum=1)
        if self.sliding_window is not None:
            _require_int(self, "sliding_window", minimum=1)

        if self.d_model % self.n_heads != 0:
            raise ConfigError(
                "n_heads",
                f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}; "
                "each head gets d_model / n_heads dimensions, so pick a divisor of d_model",
            )
        if self.positional_encoding == "sinusoidal" and self.d_model % 2 != 0:
            raise ConfigError(
                "positional_encoding",
                f"'sinusoidal' pairs dimensions as (sin, cos), so d_model must be even (got {self.d_model}); "
                "use an even d_model or positional_encoding='learned'",
            )
        if self.share_source_target_embeddings and self.tgt_vocab_size != self.vocab_size:
            raise ConfigError(
                "share_source_target_embeddings",
                f"one embedding cannot serve a source vocabulary of {self.vocab_size} and a target "
                f"vocabulary of {self.tgt_vocab_size}; make target_vocab_size equal vocab_size or turn sharing off",
            )
        if self.n_encoder_layers == 0 and self.n_decoder_layers == 0:
            raise ConfigError("n_encoder_layers", "a model needs at least one layer; both depths are 0")
        if self.n_kv_heads is not None and self.n_heads % self.n_kv_heads != 0:
            raise ConfigError(
                "n_kv_heads",
                f"n_heads={self.n_heads} is not a multiple of n_kv_heads={self.n_kv_heads}; each key/value head "
                "serves an equal group of query heads, so pick a divisor of n_heads (1 for multi-query attention)",
            )
        if self.share_query_key and self.kv_heads != self.n_heads:
            raise ConfigError(
                "share_query_key",
                f"one projection cannot give {self.n_heads} query heads and {self.kv_heads} key heads; "
                "turn share_query_key off or leave n_kv_heads as None",
            )
        if self.rms_norm_float32 and self.norm_kind != "rms":
            raise ConfigError(
                "rms_norm_float32",
                f"it sets where RMSNorm takes its statistics, but norm_kind is {self.norm_kind!r}; "
                "set norm_kind='rms' or leave rms_norm_float32 False",
            )
        if self.embedding_norm and self.norm_kind == "batch":
            raise ConfigError(
                "embedding_norm",
                "a BatchNorm on the embeddings is not a variant any model uses; pick norm_kind 'layer' or 'rms'",
            )
        self._check_rope()

    def _check_rope(self) -> None:
        for name in ("rope_base", "rope_scaling_factor"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ConfigError(name, f"{value!r} must be a positive number")
        if self.rope_scaling not in (None, "linear", "ntk"):
            raise ConfigError("rope_scaling", f"{self.rope_scaling!r} is not one of None, 'linear', 'ntk'")
        if self.rope_scaling is None and self.rope_scaling_factor != 1.0:
            raise ConfigError(
                "rope_scaling_factor",
                f"{self.rope_scaling_factor} has no effect without rope_scaling; set rope_scaling to 'linear' or 'ntk'",
            )
        if self.rope_scaling is not None and self.rope_scaling_factor < 1.0:
            raise ConfigError(
                "rope_scaling_factor",
                f"{self.rope_scaling_factor} would shrink the context; context extension uses a factor >= 1 "
                "(new context length / trained context length)",
            )
        if self.positional_encoding != "rope":
            for name, default in (("rope_scaling", None), ("rope_base", 10000.0)):
                if getattr(self, name) != default:
                    raise ConfigError(
                        name,
                        f"only rotary positions use it, but positional_encoding is {self.positional_encoding!r}; "
                        "set positional_encoding='rope' or leave it at its default",
                    )
        elif self.rope_scaling == "ntk" and self.d_head <= 2:
            raise ConfigError("rope_scaling", f"'ntk' scales the base by factor^(d/(d-2)), which needs d_head > 2 (got {self.d_head})")
        elif self.d_head % 2 != 0:
            raise ConfigError(
                "positional_encoding",
                f"'rope' rotates pairs of dimensions, so d_head = d_model / n_heads must be even (got {self.d_head})",
            )

    # Derived values ---------------------------------------------------------

    @property
    def tgt_vocab_size(self) -> int:
        """Vocabulary of the decoder of an encoder-decoder model."""
        return self.vocab_size if self.target_vocab_size is None else self.target_vocab_size

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    @property
    def kv_heads(self) -> int:
        """Key/value heads: ``n_kv_heads``, or ``n_heads`` when it is None (every head has its own keys)."""
        return self.n_heads if self.n_kv_heads is None else self.n_kv_heads

    @property
    def use_qkv_bias(self) -> bool:
        return self.bias if self.qkv_bias is None else self.qkv_bias

    @property
    def ffn_dropout(self) -> float:
        return self.dropout if self.feed_forward_dropout is None else self.feed_forward_dropout

    @property
    def use_final_norm(self) -> bool:
        """Pre-LN leaves the residual stream unnormalised, so it needs a last norm; Post-LN already ends in one."""
        return self.norm_placement == "pre" if self.final_norm is None else self.final_norm

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TransformerConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(unknown[0], f"unknown field; valid fields are {', '.join(sorted(known))}")
        return cls(**data)


def _require_int(config: TransformerConfig, name: str, *, minimum: int) -> None:
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(name, f"{value!r} must be an integer >= {minimum}")
