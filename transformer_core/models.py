"""The three model families, built from the same blocks:

* ``EncoderDecoder`` -- the original Transformer (translation-style seq2seq);
* ``EncoderOnly`` -- BERT-style: bidirectional encoder + token classifier head;
* ``DecoderOnly`` -- GPT-style: causal decoder without cross-attention.

Token ids are ``(B, T)`` integer tensors. Padding masks are ``(B, T)`` booleans,
True at real tokens. An encoder derives its mask from ``config.pad_id`` when
none is given (no mask when the batch holds no padding). A decoder never
does: in causal attention right padding cannot reach a real token anyway, and
left padding (a batch of prompts) needs position ids counted from each row's
first real token as well, so it takes an explicit mask (``positions_from_padding``
turns one into position ids). That also keeps cached and uncached decoding
equal: a KV cache holds keys, not the ids a mask could be derived from.
Bad input raises ``TransformerInputError`` saying which argument and how to fix it.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .cache import KVCache
from .config import TransformerConfig
from .embeddings import Embeddings, LearnedPositionalEmbedding, RotaryEmbedding, default_positions
from .errors import ConfigError, TransformerInputError
from .layers import ACTIVATIONS, Decoder, Encoder
from .masks import padding_mask
from .normalization import make_norm


class TransformerModel(nn.Module):
    """What the three models share: config, initialisation, input checks, introspection helpers."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        if not isinstance(config, TransformerConfig):
            raise TypeError(f"expected a TransformerConfig, got {type(config).__name__}")
        self.config = config
        # Rotary positions: computed once per forward pass, applied in every self-attention.
        self.rotary = RotaryEmbedding(config) if config.positional_encoding == "rope" else None

    # Construction -----------------------------------------------------------

    def _require_layers(self, field: str, what: str) -> None:
        if getattr(self.config, field) < 1:
            raise ConfigError(field, f"{type(self).__name__} needs at least one {what} layer; got 0")

    def _require_encoder_only_fields_unset(self) -> None:
        for name in ("mlm_head", "pooler"):
            if getattr(self.config, name):
                raise ConfigError(name, f"only an EncoderOnly (BERT-style) model has it; {type(self).__name__} does not")

    def _require_single_vocabulary(self) -> None:
        """A one-stack model has one vocabulary; a different target vocabulary would be silently ignored."""
        if self.config.tgt_vocab_size != self.config.vocab_size:
            raise ConfigError(
                "target_vocab_size",
                f"{type(self).__name__} reads and predicts one vocabulary (vocab_size={self.config.vocab_size}) "
                f"but target_vocab_size={self.config.target_vocab_size}; leave target_vocab_size as None",
            )

    def _init_weights(self) -> None:
        """Xavier-uniform matrices (as torch.nn.Transformer), N(0, 1/d_model) token embeddings.

        The embedding scale makes sqrt(d_model)-scaled embeddings unit-variance,
        comparable to the sinusoidal table (variance 1/2 per entry).
        """
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, LearnedPositionalEmbedding):
                nn.init.normal_(module.embedding.weight, std=math.sqrt(0.5))
            elif isinstance(module, Embeddings):
                nn.init.normal_(module.token.weight, std=self.config.d_model**-0.5)
                if module.token_type is not None:
                    nn.init.normal_(module.token_type.weight, std=self.config.d_model**-0.5)

    def num_parameters(self, *, exclude_embeddings: bool = False) -> int:
        """Distinct parameters (tied matrices counted once).

        ``exclude_embeddings`` leaves out the token and learned-position
        embedding matrices (and an output projection tied to one of them).
        """
        seen: set[int] = set()
        excluded: set[int] = set()
        if exclude_embeddings:
            for module in self.modules():
                if isinstance(module, nn.Embedding):
                    excluded.add(id(module.weight))
        total = 0
        for p in self.parameters():
            if id(p) in seen or id(p) in excluded:
                continue
            seen.add(id(p))
            total += p.numel()
        return total

    # Input checks -----------------------------------------------------------

    def _check_ids(self, ids: torch.Tensor, name: str, vocab_size: int, *, start: int = 0) -> None:
        if not isinstance(ids, torch.Tensor):
            raise TransformerInputError(f"{name}: expected a torch.Tensor of token ids, got {type(ids).__name__}")
        if ids.dtype not in (torch.long, torch.int32):  # what nn.Embedding accepts
            raise TransformerInputError(
                f"{name}: token ids must be an int64 (or int32) tensor, got dtype {ids.dtype}; convert with .long()"
            )
        if ids.dim() != 2:
            raise TransformerInputError(
                f"{name}: expected shape (batch, length), got {tuple(ids.shape)}; "
                "for a single sequence use ids.unsqueeze(0)"
            )
        if ids.size(1) == 0 or ids.size(0) == 0:
            raise TransformerInputError(f"{name}: empty batch or sequence (shape {tuple(ids.shape)})")
        end = start + ids.size(1)
        if end > self.config.max_len:
            if start:
                what = f"{ids.size(1)} new position(s) after {start} cached need positions up to {end - 1}"
            else:
                what = f"length {ids.size(1)}"
            raise TransformerInputError(
                f"{name}: {what} exceeds max_len={self.config.max_len}; "
                "truncate the sequence or build the model with a larger TransformerConfig.max_len"
            )
        smallest, largest = (int(v) for v in torch.aminmax(ids))
        if smallest < 0 or largest >= vocab_size:
            row, col = (int(i) for i in ((ids < 0) | (ids >= vocab_size)).nonzero()[0])
            raise TransformerInputError(
                f"{name}: token id {int(ids[row, col])} at (batch {row}, position {col}) is outside the "
                f"vocabulary [0, {vocab_size}); fix the tokenizer output or enlarge the vocabulary in the config"
            )

    def _padding(
        self,
        ids: torch.Tensor,
        given: torch.Tensor | None,
        name: str,
        *,
        length: int | None = None,
        derive: bool = True,
    ) -> torch.Tensor | None:
        """The padding mask to use for ``ids``: the one given (checked), else derived from ``pad_id``.

        ``derive=False`` (decoders, see the module docstring) never derives
        one. A derived mask is None when the batch holds no padding, so
        attention can use its unmasked fast path.
        """
        expected = (ids.size(0), ids.size(1) if length is None else length)
        if given is None:
            if self.config.pad_id is None or length is not None or not derive:
                return None
            derived = padding_mask(ids, self.config.pad_id)
            return None if bool(derived.all()) else derived
        if not isinstance(given, torch.Tensor) or given.dtype != torch.bool:
            raise TransformerInputError(
                f"{name}: expected a boolean tensor (True at real tokens), got "
                f"{given.dtype if isinstance(given, torch.Tensor) else type(given).__name__}; "
                "build it with transformer_core.padding_mask(ids, pad_id)"
            )
        if tuple(given.shape) != expected:
            raise TransformerInputError(
                f"{name}: shape {tuple(given.shape)} does not match the tokens, expected {expected} "
                "(batch, length); one entry per token, True at real tokens"
            )
        return given

    def _positions(self, ids: torch.Tensor, given: torch.Tensor | None, start: int = 0) -> torch.Tensor:
        """Position ids ``(B|1, T)`` for ``ids``: the ones given (checked), else ``start .. start + T - 1``."""
        if given is None:
            return default_positions(ids.size(1), start, device=ids.device)
        if not isinstance(given, torch.Tensor) or given.dtype not in (torch.long, torch.int32):
            raise TransformerInputError(
                "position_ids: expected an int64 tensor of positions, got "
                f"{given.dtype if isinstance(given, torch.Tensor) else type(given).__name__}; "
                "build it with transformer_core.positions_from_padding(padding_mask) for left padding"
            )
        if given.dim() != 2 or given.size(1) != ids.size(1) or given.size(0) not in (1, ids.size(0)):
            raise TransformerInputError(
                f"position_ids: shape {tuple(given.shape)} does not match the tokens {tuple(ids.shape)}; "
                f"expected ({ids.size(0)}, {ids.size(1)}) or (1, {ids.size(1)}), one position per new token"
            )
        smallest, largest = (int(v) for v in torch.aminmax(given))
        if smallest < 0 or largest >= self.config.max_len:
            raise TransformerInputError(
                f"position_ids: positions must lie in [0, max_len={self.config.max_len}), got {smallest}..{largest}; "
                "build the model with a larger TransformerConfig.max_len"
            )
        return given.long()

    def _rotary(self, positions: torch.Tensor, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor] | None:
        return None if self.rotary is None else self.rotary(positions, dtype)

    def padding_mask_for(self, ids: torch.Tensor) -> torch.Tensor | None:
        """``(B, T)`` True at real tokens of ``ids``, or None when there is no padding (or no ``pad_id``)."""
        return self._padding(ids, None, "ids")

    def _with_attention(self, run, return_attention: bool):
        if not return_attention:
            return run()
        from .introspection import capture_attention

        with capture_attention(self) as weights:
            logits = run()
        return logits, dict(weights)


class EncoderDecoder(TransformerModel):
    """The original Transformer: ``encode(src)`` once, ``decode(tgt, memory)`` per target prefix."""

    def __init__(self, config: TransformerConfig):
        super().__init__(config)
        self._require_layers("n_encoder_layers", "encoder")
        self._require_layers("n_decoder_layers", "decoder")
        self._require_encoder_only_fields_unset()
        self.src_embed = Embeddings(config, config.vocab_size)
        self.tgt_embed = (
            self.src_embed if config.share_source_target_embeddings else Embeddings(config, config.tgt_vocab_size)
        )
        self.encoder = Encoder(config, config.n_encoder_layers)
        self.decoder = Decoder(config, config.n_decoder_layers, cross_attention=True)
        self.output_projection = nn.Linear(config.d_model, config.tgt_vocab_size, bias=False)
        self._init_weights()
        if config.tie_embeddings:
            self.output_projection.weight = self.tgt_embed.token.weight

    def new_cache(self) -> KVCache:
        """An empty KV cache for incremental ``decode``."""
        return self.decoder.new_cache()

    def encode(self, src: torch.Tensor, src_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """``src (B, S)`` -> memory ``(B, S, d_model)``."""
        self._check_ids(src, "src", self.config.vocab_size)
        src_padding_mask = self._padding(src, src_padding_mask, "src_padding_mask")
        embedded = self.src_embed(src)
        rotary = self._rotary(default_positions(src.size(1), device=src.device), embedded.dtype)
        return self.encoder(embedded, src_padding_mask, rotary=rotary)

    def decode(
        self,
        tgt: torch.Tensor,
        memory: torch.Tensor,
        src_padding_mask: torch.Tensor | None = None,
        tgt_padding_mask: torch.Tensor | None = None,
        *,
        cache: KVCache | None = None,
        last_only: bool = False,
    ) -> torch.Tensor:
        """``tgt (B, T)`` target prefix -> logits ``(B, T, target vocab)``.

        ``last_only``: logits for the last position only, ``(B, 1, vocab)``
        (generation needs nothing else, and the output projection is large).

        ``src_padding_mask``: the same ``(B, S)`` mask ``encode`` used (None if
        the source has no padding; ``padding_mask_for(src)`` computes it).
        With ``cache`` (from ``new_cache()``), ``tgt`` holds only the new
        positions; the cached ones are not recomputed. ``tgt_padding_mask``
        then covers all positions, cached and new.
        """
        start = 0 if cache is None else cache.length
        self._check_ids(tgt, "tgt", self.config.tgt_vocab_size, start=start)
        if not isinstance(memory, torch.Tensor) or memory.dim() != 3 or memory.size(0) != tgt.size(0):
            raise TransformerInputError(
                f"memory: expected the encoder output of shape (batch={tgt.size(0)}, source length, "
                f"{self.config.d_model}), got {tuple(getattr(memory, 'shape', ()))}"
            )
        if src_padding_mask is not None and (
            not isinstance(src_padding_mask, torch.Tensor) or src_padding_mask.dtype != torch.bool
        ):
            raise TransformerInputError(
                "src_padding_mask: expected a boolean tensor (True at real tokens); pass the mask encode() used"
            )
        if src_padding_mask is not None and tuple(src_padding_mask.shape) != tuple(memory.shape[:2]):
            raise TransformerInputError(
                f"src_padding_mask: shape {tuple(src_padding_mask.shape)} does not match the memory's "
                f"(batch, source length) {tuple(memory.shape[:2])}; pass the mask encode() used"
            )
        tgt_padding_mask = self._padding(
            tgt, tgt_padding_mask, "tgt_padding_mask", length=start + tgt.size(1), derive=False
        )
        embedded = self.tgt_embed(tgt, start)
        hidden = self.decoder(
            embedded,
            memory,
            padding=tgt_padding_mask,
            memory_padding=src_padding_mask,
            cache=cache,
            rotary=self._rotary(default_positions(tgt.size(1), start, device=tgt.device), embedded.dtype),
        )
        return self.output_projection(hidden[:, -1:] if last_only else hidden)

    def forward(
        self,
        src: torch.Tensor,
        tgt: torch.Tensor,
        src_padding_mask: torch.Tensor | None = None,
        tgt_padding_mask: torch.Tensor | None = None,
        *,
        return_attention: bool = False,
    ):
        """Teacher-forced logits ``(B, T, target vocab)`` for ``src (B, S)`` and ``tgt (B, T)``.

        With ``return_attention=True`` returns ``(logits, weights)`` where
        ``weights`` maps names like ``"decoder.0.cross_attention"`` to
        ``(B, H, T_q, T_k)`` attention weights (computed on the math path).
        """

        def run() -> torch.Tensor:
            self._check_ids(src, "src", self.config.vocab_size)
            src_padding = self._padding(src, src_padding_mask, "src_padding_mask")
            return self.decode(tgt, self.encode(src, src_padding), src_padding, tgt_padding_mask)

        return self._with_attention(run, return_attention)


class DecoderOnly(TransformerModel):
    """GPT-style language model: causal self-attention only, next-token logits.

    Built from ``vocab_size`` and ``n_decoder_layers``; ``n_encoder_layers`` is
    not used. GPT-2, Llama, Mistral and Qwen2 are all this class with
    different configs (``transformer_core.interop``).
    """

    def __init__(self, config: TransformerConfig):
        super().__init__(config)
        self._require_layers("n_decoder_layers", "decoder")
        self._require_single_vocabulary()
        self._require_encoder_only_fields_unset()
        self.embed = Embeddings(config, config.vocab_size)
        self.decoder = Decoder(config, config.n_decoder_layers, cross_attention=False)
        self.output_projection = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self._init_weights()
        if config.tie_embeddings:
            self.output_projection.weight = self.embed.token.weight

    def new_cache(self) -> KVCache:
        return self.decoder.new_cache()

    def hidden_states(
        self,
        ids: torch.Tensor,
        padding_mask: torch.Tensor | None = None,
        *,
        position_ids: torch.Tensor | None = None,
        cache: KVCache | None = None,
        causal: bool = True,
    ) -> torch.Tensor:
        """The last layer's output (after the final norm), ``(B, T, d_model)``: ``forward`` without the output projection."""
        start = 0 if cache is None else cache.length
        self._check_ids(ids, "ids", self.config.vocab_size, start=start)
        padding = self._padding(ids, padding_mask, "padding_mask", length=start + ids.size(1), derive=False)
        positions = self._positions(ids, position_ids, start)
        embedded = self.embed(ids, start, position_ids=positions)
        rotary = self._rotary(positions, embedded.dtype)
        return self.decoder(embedded, padding=padding, causal=causal, cache=cache, rotary=rotary)

    def forward(
        self,
        ids: torch.Tensor,
        padding_mask: torch.Tensor | None = None,
        *,
        position_ids: torch.Tensor | None = None,
        cache: KVCache | None = None,
        causal: bool = True,
        last_only: bool = False,
        return_attention: bool = False,
    ):
        """``ids (B, T)`` -> logits ``(B, T, vocab)``; position t predicts token t + 1.

        ``last_only``: logits for the last position only, ``(B, 1, vocab)``.

        ``padding_mask``: ``(B, T_k)`` True at real tokens, covering cached and
        new positions; never derived from ``pad_id`` (see the module
        docstring). ``position_ids``: ``(B, T)`` or ``(1, T)`` positions of the
        new tokens; by default ``cache.length .. cache.length + T - 1``. A
        left-padded batch passes ``positions_from_padding(padding_mask)`` so
        each row counts from its first real token.

        With ``cache``, ``ids`` are the new positions only. ``causal=False``
        removes the causal mask (for the experiment that shows what goes wrong).
        """

        def run() -> torch.Tensor:
            hidden = self.hidden_states(ids, padding_mask, position_ids=position_ids, cache=cache, causal=causal)
            return self.output_projection(hidden[:, -1:] if last_only else hidden)

        return self._with_attention(run, return_attention)


class MaskedLanguageModelHead(nn.Module):
    """BERT's transform before the vocabulary projection: ``norm(activation(W x + b))``."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.dense = nn.Linear(config.d_model, config.d_model, bias=config.bias)
        self.activation = ACTIVATIONS[config.activation]
        self.norm = make_norm(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.activation(self.dense(x)))


class EncoderOnly(TransformerModel):
    """BERT-style encoder: bidirectional self-attention, per-token logits (e.g. masked-token prediction).

    Built from ``vocab_size`` and ``n_encoder_layers``; ``n_decoder_layers`` is
    not used. ``config.mlm_head`` puts BERT's dense + activation + norm
    before the output projection (which then has a bias), and
    ``config.pooler`` adds BERT's pooler (``pool``).
    """

    def __init__(self, config: TransformerConfig):
        super().__init__(config)
        self._require_layers("n_encoder_layers", "encoder")
        self._require_single_vocabulary()
        self.embed = Embeddings(config, config.vocab_size)
        self.encoder = Encoder(config, config.n_encoder_layers)
        self.mlm_transform = MaskedLanguageModelHead(config) if config.mlm_head else None
        self.output_projection = nn.Linear(config.d_model, config.vocab_size, bias=config.mlm_head)
        self.pooler = nn.Linear(config.d_model, config.d_model) if config.pooler else None
        self._init_weights()
        if config.tie_embeddings:
            self.output_projection.weight = self.embed.token.weight

    def _check_token_types(self, ids: torch.Tensor, token_type_ids: torch.Tensor | None) -> None:
        if token_type_ids is None:
            return
        if self.config.n_token_types == 0:
            raise TransformerInputError(
                "token_type_ids: this model has no token-type embeddings; build it with "
                "TransformerConfig.n_token_types > 0 (BERT: 2) or leave token_type_ids out"
            )
        if not isinstance(token_type_ids, torch.Tensor) or tuple(token_type_ids.shape) != tuple(ids.shape):
            raise TransformerInputError(
                f"token_type_ids: expected one type per token, shape {tuple(ids.shape)}, got "
                f"{tuple(getattr(token_type_ids, 'shape', ()))}"
            )
        smallest, largest = (int(v) for v in torch.aminmax(token_type_ids))
        if smallest < 0 or largest >= self.config.n_token_types:
            raise TransformerInputError(
                f"token_type_ids: types must lie in [0, {self.config.n_token_types}), got {smallest}..{largest}"
            )

    def encode(
        self,
        ids: torch.Tensor,
        padding_mask: torch.Tensor | None = None,
        *,
        token_type_ids: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``ids (B, T)`` -> contextual vectors ``(B, T, d_model)``.

        ``token_type_ids (B, T)``: BERT's segment ids (0 for sentence A, 1 for
        B); all 0 when not given.
        """
        self._check_ids(ids, "ids", self.config.vocab_size)
        self._check_token_types(ids, token_type_ids)
        padding = self._padding(ids, padding_mask, "padding_mask")
        positions = self._positions(ids, position_ids)
        embedded = self.embed(ids, position_ids=positions, token_type_ids=token_type_ids)
        return self.encoder(embedded, padding, rotary=self._rotary(positions, embedded.dtype))

    def pool(self, hidden: torch.Tensor) -> torch.Tensor:
        """BERT's pooler: ``tanh(W h_0 + b)`` on the first token's vector, ``(B, d_model)``."""
        if self.pooler is None:
            raise ConfigError("pooler", "this model was built without a pooler; set TransformerConfig.pooler=True")
        return torch.tanh(self.pooler(hidden[:, 0]))

    def forward(
        self,
        ids: torch.Tensor,
        padding_mask: torch.Tensor | None = None,
        *,
        token_type_ids: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        return_attention: bool = False,
    ):
        """``ids (B, T)`` -> logits ``(B, T, vocab)``."""

        def run() -> torch.Tensor:
            hidden = self.encode(ids, padding_mask, token_type_ids=token_type_ids, position_ids=position_ids)
            if self.mlm_transform is not None:
                hidden = self.mlm_transform(hidden)
            return self.output_projection(hidden)

        return self._with_attention(run, return_attention)
