"""The same model on CUDA, where one is present (never required in CI)."""

import pytest
import torch

from transformer_core import EncoderDecoder, SyntheticTask, autocast, greedy_decode, select_device, train

from .helpers import random_ids, tiny_config

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


def test_cuda_results_match_cpu_and_bf16_training_stays_finite():
    device = select_device("cuda")
    torch.manual_seed(0)
    cpu_model = EncoderDecoder(tiny_config()).eval()
    cuda_model = EncoderDecoder(tiny_config()).eval()
    cuda_model.load_state_dict(cpu_model.state_dict())
    cuda_model.to(device)
    src, tgt = random_ids(3, 8), random_ids(3, 6, seed=1)
    src[1, 5:] = 0
    torch.testing.assert_close(cuda_model(src.to(device), tgt.to(device)).cpu(), cpu_model(src, tgt), atol=1e-4, rtol=1e-4)
    cached = greedy_decode(cuda_model, src.to(device), bos_id=1, eos_id=2, max_new_tokens=10)
    recomputed = greedy_decode(cuda_model, src.to(device), bos_id=1, eos_id=2, max_new_tokens=10, use_cache=False)
    assert torch.equal(cached.sequences, recomputed.sequences)

    with autocast(device):
        assert (torch.ones(2, 2, device=device) @ torch.ones(2, 2, device=device)).dtype == torch.bfloat16
    task = SyntheticTask("copy", vocab_size=30, max_length=8)
    record = train(cuda_model, task.batches(16), steps=20, lr=1e-3, device=device, bf16=True)
    assert not record.diverged and all(torch.isfinite(torch.tensor(record.losses)))
