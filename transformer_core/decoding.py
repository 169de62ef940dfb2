"""Generating sequences: greedy, beam search, sampling (temperature, top-k, top-p).

Every function works with an ``EncoderDecoder`` (pass ``src``; generation
starts from ``bos_id``) and with a decoder-only language model (pass a
``prompt``, or ``bos_id`` to start from one token). Any module with
``forward(ids, cache=...) -> logits (B, T, V)`` and ``new_cache()`` counts as a
decoder-only model, which is how tests hand in a model with a hand-written
distribution.

Generation runs under ``torch.no_grad`` in evaluation mode (dropout off,
BatchNorm on running statistics); the model's mode is restored afterwards.
With ``use_cache=True`` (the default) each step feeds only the newest token
and reuses cached keys/values; ``use_cache=False`` recomputes the whole prefix
every step (same numbers, much slower -- the KV-cache experiment compares them).

Prompts of different lengths go in one batch left-padded, with
``prompt_padding_mask`` (``(B, P)``, True at real tokens, as Hugging Face's
``attention_mask``): padding is masked out of attention and positions count
from each row's first real token (``positions_from_padding``), so every row
decodes exactly as its prompt would alone. Without a mask a prompt is fed
as-is: a decoder never guesses padding from ``pad_id``. Results hold the
*generated* tokens only (not the BOS or prompt), EOS included when produced,
padded after it with the model's ``pad_id``.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from .embeddings import positions_from_padding
from .errors import TransformerInputError
from .models import EncoderOnly, TransformerModel


@dataclass
class GenerationResult:
    """Greedy or sampled output for a batch."""

    sequences: torch.Tensor  # (B, L) generated ids, pad after EOS
    log_probs: torch.Tensor  # (B,) sum of the model's log-probabilities of the generated tokens
    lengths: torch.Tensor  # (B,) generated tokens per row, EOS included


@dataclass
class BeamSearchResult:
    """The best ``num_return`` hypotheses per batch row, best first."""

    sequences: torch.Tensor  # (B, N, L) generated ids, pad after EOS
    log_probs: torch.Tensor  # (B, N) sum of token log-probabilities
    scores: torch.Tensor  # (B, N) log_probs / length ** length_penalty: what the ranking used
    lengths: torch.Tensor  # (B, N)


# Filters on logits ------------------------------------------------------------


def top_k_filter(logits: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the ``k`` largest logits per row (ties with the k-th are kept), set the rest to -inf."""
    if k < 1:
        raise ValueError(f"top_k must be >= 1, got {k}")
    if k >= logits.size(-1):
        return logits
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, float("-inf"))


def top_p_filter(logits: torch.Tensor, p: float) -> torch.Tensor:
    """Nucleus filter: keep the smallest set of most likely tokens whose probability sum reaches ``p``.

    A token is kept when the tokens ranked above it sum to less than ``p``; so
    the most likely token is always kept and the token that crosses ``p`` is
    in the nucleus. Everything else is set to -inf.
    """
    if not 0.0 < p <= 1.0:
        raise ValueError(f"top_p must be in (0, 1], got {p}")
    sorted_logits, order = logits.sort(dim=-1, descending=True)
    probs = sorted_logits.softmax(dim=-1)
    mass_above = probs.cumsum(dim=-1) - probs  # probability of the tokens ranked strictly higher
    remove_sorted = mass_above >= p
    remove = remove_sorted.scatter(-1, order, remove_sorted)
    return logits.masked_fill(remove, float("-inf"))


# The step function shared by every strategy -----------------------------------------


class _DecodingSession:
    """Next-token logits for a batch of growing prefixes, with or without a KV cache.

    With a prompt padding mask it also keeps, for every token fed so far,
    whether it is real (generated tokens are) and its position.
    """

    def __init__(self, model: nn.Module, src, src_padding_mask, prompt, prompt_padding_mask, use_cache: bool):
        if isinstance(model, EncoderOnly):
            raise TransformerInputError(
                "model: an encoder-only (BERT-style) model sees the whole sequence at once and cannot generate "
                "left to right; use an EncoderDecoder or a DecoderOnly model"
            )
        self.model = model
        self.encoder_decoder = hasattr(model, "encode") and hasattr(model, "decode")
        self.memory = self.src_padding = None
        if self.encoder_decoder:
            if src is None:
                raise TransformerInputError("src: an encoder-decoder model needs the source ids to generate from")
            if prompt_padding_mask is not None:
                raise TransformerInputError(
                    "prompt_padding_mask: left-padded prompts are for decoder-only models; an encoder-decoder "
                    "pads its source instead (src_padding_mask)"
                )
            self.src_padding = model._padding(src, src_padding_mask, "src_padding_mask")
            self.memory = model.encode(src, self.src_padding)
        elif src is not None:
            raise TransformerInputError("src: a decoder-only model has no source; pass the prompt as prompt=")
        self.padding = self.positions = None  # (B, T) for every token fed so far, with a prompt padding mask
        if prompt_padding_mask is not None:
            self.padding = _checked_prompt_padding(prompt, prompt_padding_mask)
            self.positions = positions_from_padding(self.padding)
        self.cache = model.new_cache() if use_cache else None
        # Our models can skip the output projection of all but the last position;
        # other modules that follow the protocol are simply called.
        self.last_only = {"last_only": True} if isinstance(model, TransformerModel) else {}

    def _extend_padding(self, length: int) -> None:
        """Generated tokens are real, and each takes the position after its row's last one."""
        grown = length - self.padding.size(1)
        if grown > 0:
            B = self.padding.size(0)
            self.padding = torch.cat([self.padding, self.padding.new_ones(B, grown)], dim=1)
            steps = torch.arange(1, grown + 1, device=self.positions.device)[None, :]
            self.positions = torch.cat([self.positions, self.positions[:, -1:] + steps], dim=1)

    def next_logits(self, tokens: torch.Tensor) -> torch.Tensor:
        """``tokens (B, T)``: the whole prefix so far -> logits ``(B, V)`` for position T."""
        seen = 0 if self.cache is None else self.cache.length
        new_tokens = tokens[:, seen:]  # only what the cache has not seen
        kwargs = dict(self.last_only)
        if self.padding is not None:
            self._extend_padding(tokens.size(1))
            kwargs.update(position_ids=self.positions[:, seen:])
        if self.encoder_decoder:
            logits = self.model.decode(new_tokens, self.memory, self.src_padding, cache=self.cache, **kwargs)
        else:
            if self.cache is not None:
                kwargs["cache"] = self.cache
            logits = self.model(new_tokens, self.padding, **kwargs) if self.padding is not None else self.model(new_tokens, **kwargs)
        return logits[:, -1].float()

    def reorder(self, index: torch.Tensor) -> None:
        """Keep batch rows ``index`` (beam search)."""
        if self.memory is not None:
            self.memory = self.memory.index_select(0, index)
        if self.src_padding is not None:
            self.src_padding = self.src_padding.index_select(0, index)
        if self.padding is not None:
            self.padding = self.padding.index_select(0, index)
            self.positions = self.positions.index_select(0, index)
        if self.cache is not None:
            self.cache.reorder(index)


def _checked_prompt_padding(prompt: torch.Tensor | None, mask: torch.Tensor) -> torch.Tensor:
    if prompt is None:
        raise TransformerInputError("prompt_padding_mask: given without a prompt; pass the left-padded prompt too")
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool or mask.shape != prompt.shape:
        raise TransformerInputError(
            f"prompt_padding_mask: expected a boolean tensor of the prompt's shape {tuple(prompt.shape)}, "
            f"True at real tokens; got {getattr(mask, 'dtype', type(mask).__name__)} "
            f"{tuple(getattr(mask, 'shape', ()))}"
        )
    right_padded = (mask[:, :-1] & ~mask[:, 1:]).any(dim=1)
    if bool(right_padded.any()):
        row = int(right_padded.nonzero()[0])
        raise TransformerInputError(
            f"prompt_padding_mask: row {row} has padding after a real token; pad prompts on the left, "
            "so that generated tokens follow the last real one"
        )
    return mask


@contextmanager
def _generation_mode(model: nn.Module) -> Iterator[None]:
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def _model_device(model: nn.Module) -> torch.device:
    for tensor in itertools.chain(model.parameters(), model.buffers()):
        return tensor.device
    return torch.device("cpu")


def _start_tokens(model, src, prompt, bos_id, max_new_tokens) -> torch.Tensor:
    if prompt is not None:
        if not isinstance(prompt, torch.Tensor) or prompt.dim() != 2:
            raise TransformerInputError("prompt: expected token ids of shape (batch, length)")
        start = prompt
    elif bos_id is not None:
        batch = src.size(0) if src is not None else 1
        device = src.device if src is not None else _model_device(model)
        start = torch.full((batch, 1), bos_id, dtype=torch.long, device=device)
    else:
        raise TransformerInputError("bos_id: give the id generation starts from (or a prompt for a decoder-only model)")
    if max_new_tokens < 1:
        raise TransformerInputError(f"max_new_tokens: must be >= 1, got {max_new_tokens}")
    max_len = getattr(getattr(model, "config", None), "max_len", None)
    # The last generated token is never fed back, hence the -1.
    if max_len is not None and start.size(1) + max_new_tokens - 1 > max_len:
        raise TransformerInputError(
            f"max_new_tokens: {max_new_tokens} new tokens after a prefix of {start.size(1)} need "
            f"{start.size(1) + max_new_tokens - 1} positions but max_len is {max_len}; "
            f"ask for at most {max_len - start.size(1) + 1}"
        )
    return start


def _pad_id(model, eos_id) -> int:
    pad = getattr(getattr(model, "config", None), "pad_id", None)
    if pad is not None:
        return pad
    return eos_id if eos_id is not None else 0


def _generate(
    model, src, src_padding_mask, prompt, prompt_padding_mask, bos_id, eos_id, max_new_tokens, use_cache, choose
) -> GenerationResult:
    with _generation_mode(model):
        tokens = _start_tokens(model, src, prompt, bos_id, max_new_tokens)
        session = _DecodingSession(model, src, src_padding_mask, prompt, prompt_padding_mask, use_cache)
        pad = _pad_id(model, eos_id)
        B = tokens.size(0)
        finished = torch.zeros(B, dtype=torch.bool, device=tokens.device)
        lengths = torch.zeros(B, dtype=torch.long, device=tokens.device)
        total = torch.zeros(B, device=tokens.device)
        generated = []
        for _ in range(max_new_tokens):
            log_probs = F.log_softmax(session.next_logits(tokens), dim=-1)  # (B, V)
            next_token = choose(log_probs)  # (B,)
            step_log_prob = log_probs.gather(-1, next_token[:, None]).squeeze(-1)
            total += torch.where(finished, torch.zeros_like(step_log_prob), step_log_prob)
            lengths += (~finished).long()
            next_token = next_token.masked_fill(finished, pad)
            generated.append(next_token)
            tokens = torch.cat([tokens, next_token[:, None]], dim=1)
            if eos_id is not None:
                finished |= next_token == eos_id
                if bool(finished.all()):
                    break
        return GenerationResult(torch.stack(generated, dim=1), total, lengths)


def greedy_decode(
    model: nn.Module,
    src: torch.Tensor | None = None,
    *,
    max_new_tokens: int,
    bos_id: int | None = None,
    eos_id: int | None = None,
    prompt: torch.Tensor | None = None,
    prompt_padding_mask: torch.Tensor | None = None,
    src_padding_mask: torch.Tensor | None = None,
    use_cache: bool = True,
) -> GenerationResult:
    """Pick the most likely token at every step until EOS or ``max_new_tokens``.

    ``prompt_padding_mask``: ``(B, P)`` True at the real tokens of a
    left-padded ``prompt`` batch (see the module docstring).
    """
    return _generate(
        model, src, src_padding_mask, prompt, prompt_padding_mask, bos_id, eos_id, max_new_tokens, use_cache,
        lambda lp: lp.argmax(-1),
    )


def sample(
    model: nn.Module,
    src: torch.Tensor | None = None,
    *,
    max_new_tokens: int,
    bos_id: int | None = None,
    eos_id: int | None = None,
    prompt: torch.Tensor | None = None,
    prompt_padding_mask: torch.Tensor | None = None,
    src_padding_mask: torch.Tensor | None = None,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
    use_cache: bool = True,
) -> GenerationResult:
    """Draw each token from softmax(logits / temperature), optionally restricted to top-k and/or the top-p nucleus.

    ``log_probs`` in the result are under the model's unmodified distribution.
    Pass a seeded ``generator`` for reproducible draws. ``prompt_padding_mask``
    as in ``greedy_decode``.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0 (got {temperature}); use greedy_decode for the T -> 0 limit")

    def choose(log_probs: torch.Tensor) -> torch.Tensor:
        logits = log_probs / temperature
        if top_k is not None:
            logits = top_k_filter(logits, top_k)
        if top_p is not None:
            logits = top_p_filter(logits, top_p)
        return torch.multinomial(logits.softmax(dim=-1), 1, generator=generator).squeeze(-1)

    return _generate(
        model, src, src_padding_mask, prompt, prompt_padding_mask, bos_id, eos_id, max_new_tokens, use_cache, choose
    )


def beam_search(
    model: nn.Module,
    src: torch.Tensor | None = None,
    *,
    beam_size: int,
    max_new_tokens: int,
    bos_id: int | None = None,
    eos_id: int | None = None,
    prompt: torch.Tensor | None = None,
    prompt_padding_mask: torch.Tensor | None = None,
    src_padding_mask: torch.Tensor | None = None,
    length_penalty: float = 1.0,
    num_return: int | None = None,
    use_cache: bool = True,
) -> BeamSearchResult:
    """Keep the ``beam_size`` best prefixes per batch row; return the best finished hypotheses.

    Follows fairseq: each step ranks ``2 * beam_size`` candidates; an EOS
    candidate among the top ``beam_size`` finishes a hypothesis, the best
    non-EOS candidates stay alive. A row is done once it holds ``beam_size``
    finished hypotheses and no live beam scores above the best of them (so
    ``beam_size=1`` is exactly greedy decoding); at
    ``max_new_tokens`` the live beams count as finished. Hypotheses are ranked
    by ``log_prob / length ** length_penalty`` (0: raw log-probability; larger
    values favour longer outputs). ``prompt_padding_mask`` as in ``greedy_decode``.
    """
    if beam_size < 1:
        raise ValueError(f"beam_size must be >= 1, got {beam_size}")
    num_return = beam_size if num_return is None else num_return
    if not 1 <= num_return <= beam_size:
        raise ValueError(f"num_return must be between 1 and beam_size={beam_size}, got {num_return}")
    with _generation_mode(model):
        start = _start_tokens(model, src, prompt, bos_id, max_new_tokens)
        session = _DecodingSession(model, src, src_padding_mask, prompt, prompt_padding_mask, use_cache)
        pad = _pad_id(model, eos_id)
        B, K, device = start.size(0), beam_size, start.device
        session.reorder(torch.arange(B, device=device).repeat_interleave(K))
        tokens = start.repeat_interleave(K, dim=0)  # (B*K, P)
        prefix_len = start.size(1)
        # Only the first beam of each row is live at the start, so the K beams do not begin as K copies.
        beam_log_probs = torch.full((B, K), float("-inf"), device=device)
        beam_log_probs[:, 0] = 0.0
        finished: list[list[tuple[float, float, list[int]]]] = [[] for _ in range(B)]  # (score, log_prob, tokens)
        done = [False] * B

        def finish(b: int, log_prob: float, hypothesis: list[int]) -> None:
            score = log_prob / (max(len(hypothesis), 1) ** length_penalty)
            finished[b].append((score, log_prob, hypothesis))

        for step in range(max_new_tokens):
            log_probs = F.log_softmax(session.next_logits(tokens), dim=-1)  # (B*K, V)
            V = log_probs.size(-1)
            candidates = (beam_log_probs[:, :, None] + log_probs.view(B, K, V)).view(B, K * V)
            top_scores, top_index = candidates.topk(min(2 * K, K * V), dim=-1)  # (B, 2K)
            top_scores, top_index = top_scores.tolist(), top_index.tolist()
            history = tokens[:, prefix_len:].tolist()

            next_rows, next_tokens, next_log_probs = [], [], []
            for b in range(B):
                alive: list[tuple[int, int, float]] = []  # (source beam, token, log_prob)
                if not done[b]:
                    for rank, (score, flat) in enumerate(zip(top_scores[b], top_index[b])):
                        if score == float("-inf"):
                            break
                        beam, token = divmod(flat, V)
                        if eos_id is not None and token == eos_id:
                            if rank < K:
                                finish(b, score, history[b * K + beam] + [token])
                        else:
                            alive.append((beam, token, score))
                        if len(alive) == K:
                            break
                    if len(finished[b]) >= K and not _live_beam_may_win(finished[b], alive, step + 1, length_penalty):
                        done[b] = True
                if done[b] or not alive:
                    done[b] = True
                    alive = [(0, pad, float("-inf"))] * K  # placeholders; the row no longer matters
                while len(alive) < K:  # fewer candidates than beams (tiny vocabularies)
                    alive.append((alive[0][0], pad, float("-inf")))
                for beam, token, log_prob in alive:
                    next_rows.append(b * K + beam)
                    next_tokens.append(token)
                    next_log_probs.append(log_prob)

            if all(done):
                break
            index = torch.tensor(next_rows, device=device)
            session.reorder(index)
            tokens = torch.cat([tokens.index_select(0, index), torch.tensor(next_tokens, device=device)[:, None]], 1)
            beam_log_probs = torch.tensor(next_log_probs, device=device).view(B, K)

        history = tokens[:, prefix_len:].tolist()
        for b in range(B):
            if not done[b]:  # out of steps: the live beams are the hypotheses
                for k in range(K):
                    log_prob = float(beam_log_probs[b, k])
                    if log_prob > float("-inf"):
                        finish(b, log_prob, history[b * K + k])

        return _collect_beams(finished, num_return, pad, device)


def _live_beam_may_win(finished_row, alive, length: int, length_penalty: float) -> bool:
    """Whether the best live beam still scores above every finished hypothesis of its row.

    Stopping as soon as ``beam_size`` hypotheses have finished (fairseq's rule)
    can drop a live beam that is ahead of all of them, so beam search could
    return a sequence the model scores lower than greedy's. A live beam's
    log-probability only falls as it grows; its current score is the bound
    used (exact for ``length_penalty=0``, Hugging Face's heuristic otherwise).
    """
    if not alive:
        return False
    best_finished = max(score for score, _, _ in finished_row)
    best_alive = max(log_prob for _, _, log_prob in alive) / (length**length_penalty)
    return best_alive > best_finished


def _collect_beams(finished, num_return: int, pad: int, device) -> BeamSearchResult:
    B = len(finished)
    best = [sorted(hyps, key=lambda h: h[0], reverse=True)[:num_return] for hyps in finished]
    L = max((len(h[2]) for hyps in best for h in hyps), default=1)
    sequences = torch.full((B, num_return, L), pad, dtype=torch.long)
    log_probs = torch.full((B, num_return), float("-inf"))
    scores = torch.full((B, num_return), float("-inf"))
    lengths = torch.zeros(B, num_return, dtype=torch.long)
    for b, hyps in enumerate(best):
        for n, (score, log_prob, hypothesis) in enumerate(hyps):
            sequences[b, n, : len(hypothesis)] = torch.tensor(hypothesis, dtype=torch.long)
            log_probs[b, n], scores[b, n], lengths[b, n] = log_prob, score, len(hypothesis)
    return BeamSearchResult(sequences.to(device), log_probs.to(device), scores.to(device), lengths.to(device))

