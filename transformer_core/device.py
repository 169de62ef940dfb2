"""Where the model runs, and in what precision.

float32 everywhere by default; on a GPU, ``autocast`` runs matrix multiplies
in bfloat16 (weights and optimizer state stay float32).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import ContextManager

import torch

from .errors import DeviceUnavailableError


def select_device(name: str = "auto") -> torch.device:
    """``"cpu"``, ``"cuda"`` (or ``"cuda:N"``), or ``"auto"`` (CUDA when available, else CPU)."""
    if not isinstance(name, str):
        raise DeviceUnavailableError(f"device must be 'cpu', 'cuda' or 'auto', got {name!r}")
    name = name.strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" or name.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise DeviceUnavailableError(
                f"device {name!r} requested but PyTorch sees no CUDA GPU here "
                f"(torch {torch.__version__}); use --device cpu or auto, or install a CUDA build of torch"
            )
        device = torch.device(name)
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceUnavailableError(
                f"device {name!r} requested but only {torch.cuda.device_count()} CUDA device(s) exist"
            )
        return device
    raise DeviceUnavailableError(f"unknown device {name!r}; use 'cpu', 'cuda', 'cuda:N' or 'auto'")


def autocast(device: torch.device | str, *, bf16: bool = True) -> ContextManager:
    """bfloat16 autocast on CUDA when ``bf16`` is set; a no-op on CPU (float32 there)."""
    device = torch.device(device)
    if bf16 and device.type == "cuda":
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return nullcontext()
