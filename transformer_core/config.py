"""The one configuration every model in this package is built from.

Variants are made with ``dataclasses.replace(config, field=value)``; the config
is frozen so a model's architecture can never drift from the object that
describes it. Every field is checked in ``__post_init__`` and an invalid value
or combination raises ``ConfigError`` naming the field.

The defaults are the base model of "Attention Is All You Need" (Vaswani et
al., 2017): d_model 512, 8 heads, d_ff 2048, 6 + 6 layers, dropout 0.1,
Post-LN, ReLU, sinusoidal positions, embeddings scaled by sqrt(d_model).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from .errors import ConfigError

NormPlacement = Literal["post", "pre"]
NormKind = Literal["layer", "batch", "rms", "none"]
Activation = Literal["relu", "gelu"]
PositionalEncodingKind = Literal["sinusoidal", "learned", "none"]
AttentionImpl = Literal["sdpa", "math"]

_CHOICES: dict[str, tuple[str, ...]] = {
    "norm_placement": ("post", "pre"),
    "norm_kind": ("layer", "batch", "rms", "none"),
    "activation": ("relu", "gelu"),
    "positional_encoding": ("sinusoidal", "learned", "none"),
    "attention_impl": ("sdpa", "math"),
}


@dataclass(frozen=True)
class TransformerConfig:
    """Architecture of an encoder-decoder, encoder-only or decoder-only Transformer."""

    # Vocabularies. The encoder (and an encoder-only or decoder-only model)
    # reads `vocab_size`; an encoder-decoder's decoder reads `target_vocab_size`,
    # which defaults to `vocab_size`.
    vocab_size: int = 32000
    target_vocab_size: int | None = None
    pad_id: int | None = 0  # id whose positions are masked out; None: no padding
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

    activation: Activation = "relu"
    positional_encoding: PositionalEncodingKind = "sinusoidal"
    scale_embeddings: bool = True  # multiply token embeddings by sqrt(d_model)
    tie_embeddings: bool = False  # output projection shares the (target) token embedding matrix
    share_source_target_embeddings: bool = False  # encoder-decoder: one embedding for both sides
    share_query_key: bool = False  # one projection for queries and keys (the "why not Q = K" question)
    bias: bool = True  # biases in the linear layers (torch.nn.Transformer has them)

    attention_impl: AttentionImpl = "sdpa"  # `math` is the readable path; both give the same numbers
    scale_attention_scores: bool = True  # divide scores by sqrt(d_head); False for the sqrt(d_k) experiment

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
        for name in ("dropout", "attention_dropout", "embedding_dropout"):
            value = getattr(self, name)
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
        ):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(name, f"{getattr(self, name)!r} must be True or False")
        if self.final_norm is not None and not isinstance(self.final_norm, bool):
            raise ConfigError("final_norm", f"{self.final_norm!r} must be True, False or None")

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

    # Derived values ---------------------------------------------------------

    @property
    def tgt_vocab_size(self) -> int:
        """Vocabulary of the decoder of an encoder-decoder model."""
        return self.vocab_size if self.target_vocab_size is None else self.target_vocab_size

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

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
