"""Synthetic sequence tasks small enough to train on a CPU in seconds.

* ``copy``: output the input;
* ``reverse``: output the input backwards;
* ``sort``: output the input sorted ascending.

Token ids: ``PAD_ID = 0``, ``BOS_ID = 1``, ``EOS_ID = 2``, content tokens
``3 .. vocab_size - 1``. Lengths vary between ``min_length`` and
``max_length`` within a batch, so batches carry real padding. The same seed
gives the same batches, always.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Literal

import torch

PAD_ID, BOS_ID, EOS_ID = 0, 1, 2
FIRST_CONTENT_ID = 3

TaskKind = Literal["copy", "reverse", "sort"]


@dataclass(frozen=True)
class Seq2SeqBatch:
    """An encoder-decoder batch, teacher-forced.

    ``src``: content + EOS; ``tgt_in``: BOS + target; ``tgt_out``: target +
    EOS (what position t must predict). All ``(B, *)`` padded with ``PAD_ID``;
    the masks are True at real tokens.
    """

    src: torch.Tensor
    tgt_in: torch.Tensor
    tgt_out: torch.Tensor
    src_padding_mask: torch.Tensor
    tgt_padding_mask: torch.Tensor

    def to(self, device: torch.device | str) -> "Seq2SeqBatch":
        return Seq2SeqBatch(*(t.to(device) for t in self._tensors()))

    def _tensors(self):
        return (self.src, self.tgt_in, self.tgt_out, self.src_padding_mask, self.tgt_padding_mask)

    @property
    def n_target_tokens(self) -> int:
        return int(self.tgt_padding_mask.sum())


@dataclass(frozen=True)
class LanguageModelBatch:
    """A decoder-only batch: ``ids`` = BOS content EOS target EOS, ``targets`` = ids shifted left.

    ``targets`` holds ``PAD_ID`` where there is nothing to predict.
    """

    ids: torch.Tensor
    targets: torch.Tensor
    padding_mask: torch.Tensor

    def to(self, device: torch.device | str) -> "LanguageModelBatch":
        return LanguageModelBatch(self.ids.to(device), self.targets.to(device), self.padding_mask.to(device))


def _pad(rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), PAD_ID, dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
    return ids, ids != PAD_ID


@dataclass(frozen=True)
class SyntheticTask:
    """A seeded source of ``copy`` / ``reverse`` / ``sort`` batches."""

    kind: TaskKind = "copy"
    vocab_size: int = 16  # including the three special ids
    min_length: int = 1
    max_length: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("copy", "reverse", "sort"):
            raise ValueError(f"SyntheticTask.kind: {self.kind!r} is not one of 'copy', 'reverse', 'sort'")
        if self.vocab_size <= FIRST_CONTENT_ID:
            raise ValueError(
                f"SyntheticTask.vocab_size: {self.vocab_size} leaves no content tokens; "
                f"ids 0-2 are PAD, BOS, EOS, so use at least {FIRST_CONTENT_ID + 1}"
            )
        if not 1 <= self.min_length <= self.max_length:
            raise ValueError(
                f"SyntheticTask: need 1 <= min_length <= max_length, got {self.min_length} and {self.max_length}"
            )

    @property
    def max_sequence_length(self) -> int:
        """Longest tensor length a seq2seq batch can have (content + EOS); set the model's max_len at least this."""
        return self.max_length + 1

    @property
    def max_language_model_length(self) -> int:
        """Longest ``ids`` a language-model batch can have (BOS content EOS target EOS, minus the last)."""
        return 2 * self.max_length + 2

    def target(self, content: list[int]) -> list[int]:
        if self.kind == "copy":
            return list(content)
        if self.kind == "reverse":
            return content[::-1]
        return sorted(content)

    def _contents(self, batch_size: int, generator: torch.Generator) -> list[list[int]]:
        lengths = torch.randint(self.min_length, self.max_length + 1, (batch_size,), generator=generator)
        tokens = torch.randint(FIRST_CONTENT_ID, self.vocab_size, (batch_size, self.max_length), generator=generator)
        return [tokens[i, : int(n)].tolist() for i, n in enumerate(lengths)]

    def make_batch(self, batch_size: int, generator: torch.Generator) -> Seq2SeqBatch:
        contents = self._contents(batch_size, generator)
        targets = [self.target(c) for c in contents]
        src, src_mask = _pad([c + [EOS_ID] for c in contents])
        tgt_in, tgt_mask = _pad([[BOS_ID] + t for t in targets])
        tgt_out, _ = _pad([t + [EOS_ID] for t in targets])
        return Seq2SeqBatch(src, tgt_in, tgt_out, src_mask, tgt_mask)

    def make_language_model_batch(self, batch_size: int, generator: torch.Generator) -> LanguageModelBatch:
        contents = self._contents(batch_size, generator)
        full, _ = _pad([[BOS_ID] + c + [EOS_ID] + self.target(c) + [EOS_ID] for c in contents])
        ids, targets = full[:, :-1].contiguous(), full[:, 1:].contiguous()
        # The position before a target PAD has nothing to predict but is itself real: mask by ids.
        return LanguageModelBatch(ids, targets, ids != PAD_ID)

    def batches(self, batch_size: int, *, seed: int | None = None) -> Iterator[Seq2SeqBatch]:
        """An endless, reproducible stream of seq2seq batches (``seed`` defaults to the task's)."""
        generator = torch.Generator().manual_seed(self.seed if seed is None else seed)
        while True:
            yield self.make_batch(batch_size, generator)

    def language_model_batches(self, batch_size: int, *, seed: int | None = None) -> Iterator[LanguageModelBatch]:
        """An endless, reproducible stream of decoder-only batches."""
        generator = torch.Generator().manual_seed(self.seed if seed is None else seed)
        while True:
            yield self.make_language_model_batch(batch_size, generator)
