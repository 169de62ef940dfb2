"""Device selection and precision."""

import pytest
import torch

from transformer_core import DeviceUnavailableError, autocast, select_device


def test_cpu_and_auto(monkeypatch):
    assert select_device("cpu") == torch.device("cpu")
    assert select_device(" CPU ") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert select_device("auto") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert select_device("auto") == torch.device("cuda")


def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceUnavailableError, match="no CUDA GPU") as info:
        select_device("cuda")
    assert info.value.exit_code == 2
    assert "--device cpu" in str(info.value)


def test_unknown_device_names_are_rejected():
    with pytest.raises(DeviceUnavailableError, match="unknown device 'tpu'"):
        select_device("tpu")
    with pytest.raises(DeviceUnavailableError, match="'cpu', 'cuda' or 'auto'"):
        select_device(None)


def test_autocast_is_float32_on_cpu():
    with autocast("cpu"):
        out = torch.ones(2, 2) @ torch.ones(2, 2)
    assert out.dtype == torch.float32
