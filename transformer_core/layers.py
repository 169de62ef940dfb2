"""Encoder and decoder layers and the stacks built from them.

``ResidualSublayer`` is the only place that knows whether the norm comes
before the sublayer (Pre-LN) or after the residual add (Post-LN); every layer
wraps each of its sublayers in one.
"""

from __future__ import annotations

import functools
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .attention import MultiHeadAttention
from .cache import KVCache, LayerCache
from .config import TransformerConfig
from .masks import IndexMask, key_padding_attention_mask
from .normalization import make_norm


ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": F.relu,
    "gelu": F.gelu,  # exact: x * Phi(x) (BERT, torch.nn.Transformer)
    "gelu_tanh": functools.partial(F.gelu, approximate="tanh"),  # GPT-2's "gelu_new"
    "silu": F.silu,  # x * sigmoid(x), a.k.a. swish (Llama's gate)
}


class FeedForward(nn.Module):
    """Position-wise FFN, d_model -> d_ff -> d_model; the one place the FFN variant is decided.

    * plain: ``linear2(dropout(activation(linear1(x))))``
    * gated (``config.gated_feed_forward``; Shazeer, 2020): ``linear1`` holds
      W_gate; W_up stacked (2 d_ff rows) and
      ``linear2(dropout(activation(x W_gate) * (x W_up)))``: SwiGLU with
      ``silu`` (Llama), GEGLU with ``gelu``.
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.gated = config.gated_feed_forward
        self.d_ff = config.d_ff
        self.linear1 = nn.Linear(config.d_model, (2 if self.gated else 1) * config.d_ff, bias=config.bias)
        self.linear2 = nn.Linear(config.d_ff, config.d_model, bias=config.bias)
        self.activation = ACTIVATIONS[config.activation]
        self.dropout = nn.Dropout(config.ffn_dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.gated:
            # One multiply per half of linear1, not one for both split afterwards: each product is then a
            # contiguous (B, T, d_ff) tensor, where the halves of one product are strided views that the
            # activation, the product and their gradients read more slowly and whose gradients the backward
            # concatenates (the Llama-shaped training step of bench/core.py: ~2% of its time).
            gate_weight, up_weight = self.linear1.weight.split(self.d_ff)
            gate_bias, up_bias = (None, None) if self.linear1.bias is None else self.linear1.bias.split(self.d_ff)
            hidden = self.activation(F.linear(x, gate_weight, gate_bias)) * F.linear(x, up_weight, up_bias)
        else:
            hidden = self.activation(self.linear1(x))  # (B, T, d_ff)
        if self.training and self.dropout.p > 0:
            hidden = self.dropout(hidden)
        return self.linear2(hidden)


class ResidualSublayer(nn.Module):
    """Norm + dropout + residual around one sublayer -- where Pre-LN and Post-LN differ.

    * ``post`` (the original paper): ``norm(x + dropout(sublayer(x)))``
    * ``pre`` (GPT-2 and most LLMs): ``x + dropout(sublayer(norm(x)))``
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.norm = make_norm(config)
        self.dropout = nn.Dropout(config.dropout)
        self.pre_norm = config.norm_placement == "pre"

    def forward(self, x: torch.Tensor, sublayer: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        if self.pre_norm:
            return x + self._drop(sublayer(self.norm(x)))
        return self.norm(x + self._drop(sublayer(x)))

    def _drop(self, x: torch.Tensor) -> torch.Tensor:
        # Skips the module call when dropout is off: token-by-token decoding makes thousands of them.
        return self.dropout(x) if self.training and self.dropout.p > 0 else x


class EncoderLayer(nn.Module):
    """Self-attention then FFN, each inside a ``ResidualSublayer``."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.self_attention = MultiHeadAttention(config)
        self.feed_forward = FeedForward(config)
        self.attention_sublayer = ResidualSublayer(config)
        self.feed_forward_sublayer = ResidualSublayer(config)

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        *,
        rotary: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """``x (B, S, d_model)``; ``mask`` boolean, True = may attend, broadcastable to ``(B, H, S, S)``."""
        x = self.attention_sublayer(x, lambda h: self.self_attention(h, mask=mask, rotary=rotary))
        return self.feed_forward_sublayer(x, self.feed_forward)


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention over the encoder memory (if any), FFN.

    A decoder-only model (GPT) builds its layers with ``cross_attention=False``.
    """

    def __init__(self, config: TransformerConfig, *, cross_attention: bool = True):
        super().__init__()
        self.self_attention = MultiHeadAttention(config)
        self.self_attention_sublayer = ResidualSublayer(config)
        self.cross_attention = MultiHeadAttention(config) if cross_attention else None
        self.cross_attention_sublayer = ResidualSublayer(config) if cross_attention else None
        self.feed_forward = FeedForward(config)
        self.feed_forward_sublayer = ResidualSublayer(config)

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor | None = None,
        *,
        self_mask: torch.Tensor | None = None,
        is_causal: bool = False,
        memory_mask: torch.Tensor | None = None,
        cache: LayerCache | None = None,
        rotary: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """``x (B, T, d_model)``, ``memory (B, S, d_model)``; masks boolean, True = may attend."""
        self_cache = None if cache is None else cache.self_attention
        x = self.self_attention_sublayer(
            x, lambda h: self.self_attention(h, mask=self_mask, is_causal=is_causal, cache=self_cache, rotary=rotary)
        )
        if self.cross_attention is not None:
            if memory is None:
                raise ValueError("this decoder layer has cross-attention and needs the encoder memory")
            cross_cache = None if cache is None else cache.cross_attention
            x = self.cross_attention_sublayer(
                x, lambda h: self.cross_attention(h, memory, mask=memory_mask, cache=cross_cache)
            )
        return self.feed_forward_sublayer(x, self.feed_forward)


class Encoder(nn.Module):
    """A stack of ``EncoderLayer`` with an optional final norm (always present for Pre-LN)."""

    def __init__(self, config: TransformerConfig, n_layers: int):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(config) for _ in range(n_layers))
        self.norm = make_norm(config) if config.use_final_norm else nn.Identity()

    def forward(
        self,
        x: torch.Tensor,
        padding: torch.Tensor | None = None,
        *,
        rotary: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """``x (B, S, d_model)``; ``padding (B, S)`` True at real tokens -> ``(B, S, d_model)``.

        ``rotary``: ``(cos, signed_sin)`` of the positions when the model uses RoPE.
        """
        mask = None if padding is None else key_padding_attention_mask(padding)
        for layer in self.layers:
            x = layer(x, mask, rotary=rotary)
        return self.norm(x)


class Decoder(nn.Module):
    """A stack of ``DecoderLayer``; with ``cross_attention=False`` it is a GPT-style decoder."""

    def __init__(self, config: TransformerConfig, n_layers: int, *, cross_attention: bool = True):
        super().__init__()
        self.has_cross_attention = cross_attention
        self.window = config.sliding_window
        self.layers = nn.ModuleList(DecoderLayer(config, cross_attention=cross_attention) for _ in range(n_layers))
        self.norm = make_norm(config) if config.use_final_norm else nn.Identity()

    def new_cache(self) -> KVCache:
        """An empty cache; with a sliding window, a rolling one that keeps only the last ``window - 1`` positions."""
        return KVCache(len(self.layers), cross_attention=self.has_cross_attention, window=self.window)

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor | None = None,
        *,
        padding: torch.Tensor | None = None,
        memory_padding: torch.Tensor | None = None,
        causal: bool = True,
        cache: KVCache | None = None,
        rotary: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """``x (B, T, d_model)`` -> ``(B, T, d_model)``.

        ``padding``: ``(B, T_k)`` True at real target tokens, where ``T_k`` is
        the number of keys self-attention sees (``T`` plus what ``cache``
        already holds). ``memory_padding``: ``(B, S)`` True at real source
        tokens. ``causal=False`` lets every position see the future (only for
        experiments that show why the mask is needed). ``rotary``: ``(cos,
        signed_sin)`` of the new positions when the model uses RoPE.
        """
        past = 0 if cache is None else cache.length
        T = x.size(1)
        # Self-attention sees the keys the cache holds, then the new ones: absolute positions key_start .. past + T - 1
        # (a rolling cache of a sliding-window model has dropped the older ones).
        key_start = 0 if cache is None else past - cache.held
        key_length = past + T - key_start
        if padding is not None and key_start:
            padding = padding[:, key_start:]
        is_causal = False
        window = self.window if causal and self.window is not None and key_length > self.window else None
        if causal and padding is None and key_length == T and window is None:
            self_mask = None  # the fused kernel applies the causal mask itself
            is_causal = True
        elif causal and padding is None and T == 1 and window is None:
            self_mask = None  # one new query, at the last position: every cached key is in its past
        elif causal:
            # Described, not built: the blockwise path builds it block by block, the others once for all layers.
            self_mask = IndexMask(
                T, key_length, window=window, key_padding=padding, key_start=key_start, query_start=past, device=x.device
            )
        else:
            self_mask = None if padding is None else key_padding_attention_mask(padding)
        memory_mask = None if memory_padding is None else key_padding_attention_mask(memory_padding)
        for i, layer in enumerate(self.layers):
            x = layer(
                x,
                memory,
                self_mask=self_mask,
                is_causal=is_causal,
                memory_mask=memory_mask,
                cache=None if cache is None else cache.layers[i],
                rotary=rotary,
            )
        return self.norm(x)
