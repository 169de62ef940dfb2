"""Looking inside a model: parameter counts, attention weights, hidden states, gradient norms, heads.

Names are stable and short: a layer is ``"encoder.0"`` / ``"decoder.3"``, an
attention module ``"encoder.0.self_attention"`` / ``"decoder.1.cross_attention"``,
a feed-forward block ``"decoder.1.feed_forward"``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Mapping, Sequence

import torch
from torch import nn

from .attention import MultiHeadAttention
from .embeddings import Embeddings
from .layers import DecoderLayer, EncoderLayer, FeedForward
from .normalization import NORM_MODULES


def _short_name(qualified: str) -> str:
    return qualified.replace(".layers.", ".")


def attention_modules(model: nn.Module) -> dict[str, MultiHeadAttention]:
    """Every attention module, in forward order: ``{"encoder.0.self_attention": module, ...}``."""
    return {_short_name(n): m for n, m in model.named_modules() if isinstance(m, MultiHeadAttention)}


def layer_modules(model: nn.Module) -> dict[str, nn.Module]:
    """Every encoder/decoder layer: ``{"encoder.0": layer, ..., "decoder.0": layer, ...}``."""
    return {_short_name(n): m for n, m in model.named_modules() if isinstance(m, (EncoderLayer, DecoderLayer))}


@contextmanager
def capture_attention(model: nn.Module) -> Iterator[dict[str, torch.Tensor]]:
    """Record attention weights of every forward pass run inside the block.

    Yields a dict filled as the model runs: name -> ``(B, H, T_q, T_k)``
    weights of the latest call (not detached, so they can be differentiated).
    While recording, attention runs on the math path.
    """
    modules = attention_modules(model)
    weights: dict[str, torch.Tensor] = {}
    handles = []
    for name, module in modules.items():
        module.record_attention = True

        def hook(mod, args, output, name=name):
            weights[name] = mod.last_attention

        handles.append(module.register_forward_hook(hook))
    try:
        yield weights
    finally:
        for handle in handles:
            handle.remove()
        for module in modules.values():
            module.record_attention = False
            module.last_attention = None


@contextmanager
def capture_hidden_states(model: nn.Module) -> Iterator[dict[str, torch.Tensor]]:
    """Record each layer's output ``(B, T, d_model)`` (name -> tensor of the latest call)."""
    states: dict[str, torch.Tensor] = {}
    handles = [
        layer.register_forward_hook(lambda mod, args, output, name=name: states.__setitem__(name, output))
        for name, layer in layer_modules(model).items()
    ]
    try:
        yield states
    finally:
        for handle in handles:
            handle.remove()


def hidden_state_norms(states: Mapping[str, torch.Tensor], padding: torch.Tensor | None = None) -> dict[str, float]:
    """Mean L2 norm of the per-token hidden vectors of each layer.

    With ``padding (B, T)`` (True at real tokens) the mean covers real tokens
    only, in the layers whose ``(B, T)`` matches it (in an encoder-decoder,
    pass the source mask for the encoder or the target mask for the decoder;
    the other stack is averaged over all positions).
    """
    norms = {}
    for name, state in states.items():
        per_token = state.detach().float().norm(dim=-1)  # (B, T)
        if padding is not None and padding.shape == per_token.shape:
            per_token = per_token[padding]
        norms[name] = float(per_token.mean())
    return norms


def per_layer_gradient_norms(model: nn.Module) -> dict[str, float]:
    """L2 norms of the gradients of each layer's output weights, after ``backward()``.

    For each attention module its output projection W_o, for each FFN its
    second matrix: these are what the Pre-LN/Post-LN comparison (Xiong et al.,
    2020) tracks. Keys: ``"encoder.0.self_attention"``, ``"decoder.2.feed_forward"``, ...
    Parameters without a gradient are left out.
    """
    norms = {}
    for name, module in model.named_modules():
        if isinstance(module, MultiHeadAttention):
            weight = module.out_proj.weight
        elif isinstance(module, FeedForward):
            weight = module.linear2.weight
        else:
            continue
        if weight.grad is not None:
            norms[_short_name(name)] = float(weight.grad.detach().float().norm())
    return norms


def parameter_counts(model: nn.Module) -> dict[str, int]:
    """Trainable parameters by component; tied/shared matrices counted once.

    Keys: ``embeddings`` (token and learned position embeddings),
    ``attention``, ``feed_forward``, ``norms``, ``output`` (the output
    projection when not tied to an embedding), ``total``.
    """
    counts = {"embeddings": 0, "attention": 0, "feed_forward": 0, "norms": 0, "output": 0, "other": 0}
    seen: set[int] = set()

    def add(component: str, module: nn.Module) -> None:
        for p in module.parameters():
            if id(p) not in seen and p.requires_grad:
                seen.add(id(p))
                counts[component] += p.numel()

    # Embeddings first, so a tied output projection counts as embedding.
    for module in model.modules():
        if isinstance(module, Embeddings):
            add("embeddings", module)
    for module in model.modules():
        if isinstance(module, MultiHeadAttention):
            add("attention", module)
        elif isinstance(module, FeedForward):
            add("feed_forward", module)
        elif isinstance(module, NORM_MODULES):
            add("norms", module)
    output = getattr(model, "output_projection", None)
    if output is not None:
        add("output", output)
    add("other", model)  # anything a future component adds still shows up, and in `total`
    if counts["other"] == 0:
        del counts["other"]
    counts["total"] = sum(counts.values())
    return counts


@contextmanager
def disabled_heads(model: nn.Module, heads: Mapping[str, Sequence[int]]) -> Iterator[None]:
    """Run with some heads switched off: ``{"encoder.0.self_attention": [1, 3]}``.

    A disabled head's output is zeroed before the output projection, which is
    how head-pruning studies (Michel et al., 2019) measure a head's importance.
    """
    modules = attention_modules(model)
    unknown = sorted(set(heads) - set(modules))
    if unknown:
        raise KeyError(f"no attention module named {unknown[0]!r}; known: {', '.join(modules)}")
    try:
        for name, indices in heads.items():
            module = modules[name]
            keep = torch.ones(module.n_heads)
            for index in indices:
                if not 0 <= index < module.n_heads:
                    raise IndexError(f"{name}: head {index} does not exist (heads 0..{module.n_heads - 1})")
                keep[index] = 0.0
            module.set_head_mask(keep)
        yield
    finally:
        for name in heads:
            modules[name].set_head_mask(None)
