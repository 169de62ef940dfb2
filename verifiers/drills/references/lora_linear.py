"""Reference solution: a LoRA linear layer."""

import math

import torch
from torch import nn


class LoRALinear(nn.Module):
    """A linear layer with a frozen weight and a trainable low-rank update (Hu et al. 2021).

    forward(x) = x @ weight.T + bias + (alpha / r) * (x @ lora_a.T) @ lora_b.T
    x: (..., in_features) -> (..., out_features).
    Attributes (the checks use these names):
      weight (out_features, in_features) and bias (out_features,): frozen
      parameters (requires_grad False), initialised as nn.Linear initialises them;
      lora_a (r, in_features): trainable, random (Kaiming-uniform as in peft);
      lora_b (out_features, r): trainable, zeros -- so a fresh layer computes
      exactly the frozen linear map.
    Trainable parameters: r * (in_features + out_features).
    """

    def __init__(self, in_features: int, out_features: int, r: int, alpha: float):
        """Create the frozen base layer and the low-rank factors A (random) and B (zero)."""
        super().__init__()
        base = nn.Linear(in_features, out_features)
        self.weight = nn.Parameter(base.weight.detach().clone(), requires_grad=False)
        self.bias = nn.Parameter(base.bias.detach().clone(), requires_grad=False)
        self.lora_a = nn.Parameter(torch.empty(r, in_features))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.lora_b = nn.Parameter(torch.zeros(out_features, r))
        self.scaling = alpha / r

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x @ weight.T + bias + (alpha / r) * x @ lora_a.T @ lora_b.T."""
        base = x @ self.weight.T + self.bias
        update = (x @ self.lora_a.T) @ self.lora_b.T  # through the r-dimensional bottleneck
        return base + self.scaling * update

    def merged_weight(self) -> torch.Tensor:
        """weight + (alpha / r) * lora_b @ lora_a: one matrix for inference, no extra latency."""
        return self.weight + self.scaling * (self.lora_b @ self.lora_a)
