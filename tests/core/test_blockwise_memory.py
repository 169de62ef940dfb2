"""The blockwise attention path never holds an n x n tensor, the mask included (#16 follow-up).

Every tensor an operator returns during a forward pass is recorded with a ``TorchDispatchMode`` (it
sees the ops inside the model, the mask's construction included). With n = 1536 positions, 4 heads and
blocks of 64 keys, a block's scores hold 4 * 1536 * 64 = n^2 / 6 elements and its mask n * 64; an
n x n mask (what the model used to build, 1 byte per entry) or an n x n score matrix would be n^2.
The outputs equal the SDPA and math paths to float64 round-off, with a causal, a padded (left padding
with position ids) and a sliding-window mask.
"""

import dataclasses

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from transformer_core import DecoderOnly, positions_from_padding
from transformer_core.masks import IndexMask, causal_mask, decoder_self_attention_mask

from .helpers import random_ids, tiny_config

N = 1536
LLAMA_LIKE = dict(
    norm_placement="pre", norm_kind="rms", activation="silu", gated_feed_forward=True, positional_encoding="rope",
    bias=False, scale_embeddings=False, n_kv_heads=2, n_decoder_layers=2, max_len=N,
)


class LargestTensors(TorchDispatchMode):
    """Records the element count and dtype of every tensor an operator returns."""

    def __init__(self):
        super().__init__()
        self.largest: dict[torch.dtype, int] = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for tensor in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(tensor, torch.Tensor):
                self.largest[tensor.dtype] = max(self.largest.get(tensor.dtype, 0), tensor.numel())
        return out


def _models(**changes):
    torch.manual_seed(0)
    config = tiny_config(**LLAMA_LIKE, **changes)
    models = {}
    for impl in ("sdpa", "math", "blockwise"):
        models[impl] = DecoderOnly(dataclasses.replace(config, attention_impl=impl)).double().eval()
        models[impl].load_state_dict(models["sdpa"].state_dict())
    return models


def _inputs(kind: str):
    ids = random_ids(1, N)
    if kind != "padded":
        return ids, {}
    padding = torch.ones(1, N, dtype=torch.bool)
    padding[0, :300] = False  # left padding: the first 300 positions are pad tokens
    return ids, {"padding_mask": padding, "position_ids": positions_from_padding(padding)}


@pytest.mark.parametrize("kind", ["causal", "padded", "sliding-window"])
def test_blockwise_model_allocates_nothing_of_n_by_n_and_equals_the_other_paths(kind):
    models = _models(sliding_window=100 if kind == "sliding-window" else None)
    ids, extra = _inputs(kind)
    with torch.no_grad():
        sdpa = models["sdpa"](ids, **extra)
        math_out = models["math"](ids, **extra)
        recorder = LargestTensors()
        with recorder:
            blockwise = models["blockwise"](ids, **extra)
        with LargestTensors() as math_recorder:
            models["math"](ids, **extra)
    real = slice(300, None) if kind == "padded" else slice(None)  # padding rows: zero attention, any logits
    torch.testing.assert_close(blockwise[:, real], sdpa[:, real], atol=1e-12, rtol=0)
    torch.testing.assert_close(blockwise[:, real], math_out[:, real], atol=1e-12, rtol=0)
    # The recorder sees n x n where it exists: the math path's scores and its mask.
    assert math_recorder.largest[torch.float64] >= N * N
    if kind != "causal":
        assert math_recorder.largest[torch.bool] >= N * N
    # The blockwise path: no mask larger than one block of keys, no float tensor near n x n.
    assert recorder.largest[torch.bool] <= N * 64, recorder.largest
    assert recorder.largest[torch.float64] <= N * N // 4, recorder.largest


def test_index_mask_blocks_are_the_dense_mask_sliced():
    padding = torch.tensor([[False, False, True, True, True, True, True], [True] * 7])
    cases = [
        (IndexMask(7, 7), causal_mask(7)),
        (IndexMask(3, 7), causal_mask(3, 7)),  # decoding with a cache: the queries are the last positions
        (IndexMask(7, 7, window=3), causal_mask(7, window=3)),
        (IndexMask(7, 7, window=2, key_padding=padding), decoder_self_attention_mask(padding, 7, window=2)),
    ]
    for lazy, dense in cases:
        assert lazy.shape == tuple(dense.shape)
        assert torch.equal(lazy.dense(), dense)
        for start in range(0, 7, 3):
            assert torch.equal(lazy.block(start, min(start + 3, 7)), dense[..., start : start + 3])
    # Keys that start later than position 0 (a rolling cache dropped the older ones): positions 4..8, queries 7, 8.
    rolled = IndexMask(2, 5, window=3, key_start=4, query_start=7)
    assert rolled.dense().int().tolist() == [[0, 1, 1, 1, 0], [0, 0, 1, 1, 1]]
    with pytest.raises(ValueError, match="covers 6 keys, expected 7"):
        IndexMask(7, 7, key_padding=padding[:, :6])
