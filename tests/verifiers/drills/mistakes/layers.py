"""Wrong FFN, SwiGLU, LoRA and dropout."""

from tests.verifiers.drills.mistakes import Wrong

_LORA_INIT = """
import math, torch
from torch import nn
class LoRALinear(nn.Module):
    def __init__(self, in_features, out_features, r, alpha):
        super().__init__()
        base = nn.Linear(in_features, out_features)
        self.weight = nn.Parameter(base.weight.detach().clone(), requires_grad=False)
        self.bias = nn.Parameter(base.bias.detach().clone(), requires_grad=False)
        self.lora_a = nn.Parameter(torch.randn(r, in_features) / math.sqrt(in_features))
        self.lora_b = nn.Parameter(torch.zeros(out_features, r))
        self.r, self.alpha = r, alpha
    def merged_weight(self):
        return self.weight + (self.alpha / self.r) * self.lora_b @ self.lora_a
"""

_DROPOUT_CHECKS = """
import torch
def dropout(x, p, training=True, generator=None):
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
"""

WRONG = {
    "feed-forward": [
        Wrong(
            "no-activation",
            "matches-torch",
            """
            def feed_forward(x, w1, b1, w2, b2):
                return (x @ w1.T + b1) @ w2.T + b2
            """,
        ),
        Wrong(
            "relu-after-output",
            "matches-torch",
            """
            import torch
            def feed_forward(x, w1, b1, w2, b2):
                return torch.relu(torch.relu(x @ w1.T + b1) @ w2.T + b2)
            """,
        ),
        Wrong(
            "weights-not-transposed",
            "matches-torch",
            """
            import torch
            def feed_forward(x, w1, b1, w2, b2):
                return torch.relu(x @ w1 + b1) @ w2 + b2
            """,
            outcome="raised",
        ),
        Wrong(
            "normalised-over-sequence",
            "position-wise",
            """
            import torch
            def feed_forward(x, w1, b1, w2, b2):
                h = torch.relu(x @ w1.T + b1)
                if x.dim() > 2:
                    h = h - h.mean(dim=-2, keepdim=True)   # mixes positions
                return h @ w2.T + b2
            """,
        ),
    ],
    "swiglu": [
        Wrong(
            "silu-on-up",
            "matches-llama",
            """
            import torch.nn.functional as F
            def swiglu(x, w_gate, w_up, w_down):
                return ((x @ w_gate.T) * F.silu(x @ w_up.T)) @ w_down.T
            """,
        ),
        Wrong(
            "sigmoid-not-silu",
            "matches-llama",
            """
            import torch
            def swiglu(x, w_gate, w_up, w_down):
                return (torch.sigmoid(x @ w_gate.T) * (x @ w_up.T)) @ w_down.T
            """,
        ),
        Wrong(
            "no-up-branch",
            "matches-llama",
            """
            import torch.nn.functional as F
            def swiglu(x, w_gate, w_up, w_down):
                return F.silu(x @ w_gate.T) @ w_down.T
            """,
        ),
        Wrong(
            "gelu",
            "matches-llama",
            """
            import torch.nn.functional as F
            def swiglu(x, w_gate, w_up, w_down):
                return (F.gelu(x @ w_gate.T) * (x @ w_up.T)) @ w_down.T
            """,
        ),
    ],
    "lora-linear": [
        Wrong(
            "base-not-frozen",
            "parameters",
            """
            import math, torch
            from torch import nn
            class LoRALinear(nn.Module):
                def __init__(self, in_features, out_features, r, alpha):
                    super().__init__()
                    base = nn.Linear(in_features, out_features)
                    self.weight, self.bias = base.weight, base.bias
                    self.lora_a = nn.Parameter(torch.randn(r, in_features) * 0.01)
                    self.lora_b = nn.Parameter(torch.zeros(out_features, r))
                    self.scaling = alpha / r
                def forward(self, x):
                    return x @ self.weight.T + self.bias + self.scaling * (x @ self.lora_a.T) @ self.lora_b.T
                def merged_weight(self):
                    return self.weight + self.scaling * self.lora_b @ self.lora_a
            """,
        ),
        Wrong(
            "both-factors-random",
            "parameters",
            """
            import torch
            from torch import nn
            class LoRALinear(nn.Module):
                def __init__(self, in_features, out_features, r, alpha):
                    super().__init__()
                    base = nn.Linear(in_features, out_features)
                    self.weight = nn.Parameter(base.weight.detach().clone(), requires_grad=False)
                    self.bias = nn.Parameter(base.bias.detach().clone(), requires_grad=False)
                    self.lora_a = nn.Parameter(torch.randn(r, in_features) * 0.1)
                    self.lora_b = nn.Parameter(torch.randn(out_features, r) * 0.1)
                    self.scaling = alpha / r
                def forward(self, x):
                    return x @ self.weight.T + self.bias + self.scaling * (x @ self.lora_a.T) @ self.lora_b.T
                def merged_weight(self):
                    return self.weight + self.scaling * self.lora_b @ self.lora_a
            """,
        ),
        Wrong(
            "scale-alpha-not-alpha-over-r",
            "forward",
            _LORA_INIT
            + """
    def forward(self, x):
        return x @ self.weight.T + self.bias + self.alpha * (x @ self.lora_a.T) @ self.lora_b.T
""",
        ),
        Wrong(
            "update-detached",
            "gradients",
            _LORA_INIT
            + """
    def forward(self, x):
        update = (x @ self.lora_a.data.T) @ self.lora_b.data.T
        return x @ self.weight.T + self.bias + (self.alpha / self.r) * update
""",
        ),
        Wrong(
            "merge-without-scale",
            "merged-weight",
            """
            import math, torch
            from torch import nn
            class LoRALinear(nn.Module):
                def __init__(self, in_features, out_features, r, alpha):
                    super().__init__()
                    base = nn.Linear(in_features, out_features)
                    self.weight = nn.Parameter(base.weight.detach().clone(), requires_grad=False)
                    self.bias = nn.Parameter(base.bias.detach().clone(), requires_grad=False)
                    self.lora_a = nn.Parameter(torch.randn(r, in_features) / math.sqrt(in_features))
                    self.lora_b = nn.Parameter(torch.zeros(out_features, r))
                    self.scaling = alpha / r
                def forward(self, x):
                    return x @ self.weight.T + self.bias + self.scaling * (x @ self.lora_a.T) @ self.lora_b.T
                def merged_weight(self):
                    return self.weight + self.lora_b @ self.lora_a
            """,
        ),
    ],
    "inverted-dropout": [
        Wrong(
            "classic-dropout-no-scaling",
            "scaling",
            _DROPOUT_CHECKS
            + """
    keep = torch.rand(x.shape, generator=generator, dtype=torch.float64) >= p
    return x * keep.to(x.dtype)
""",
        ),
        Wrong(
            "scales-at-test-time",
            "identity-when-off",
            """
            import torch
            def dropout(x, p, training=True, generator=None):
                if not training:
                    return x * (1 - p)
                if p == 0:
                    return x
                keep = torch.rand(x.shape, generator=generator, dtype=torch.float64) >= p
                return x * keep.to(x.dtype) / (1 - p)
            """,
        ),
        Wrong(
            "p-is-keep-probability",
            "drop-rate",
            _DROPOUT_CHECKS
            + """
    keep = torch.rand(x.shape, generator=generator, dtype=torch.float64) < p
    return x * keep.to(x.dtype) / (1 - p)
""",
        ),
        Wrong(
            "ignores-generator",
            "edge-cases",
            _DROPOUT_CHECKS
            + """
    keep = torch.rand(x.shape, dtype=torch.float64) >= p
    return x * keep.to(x.dtype) / (1 - p)
""",
        ),
        Wrong(
            "nan-at-p-one",
            "edge-cases",
            """
            import torch
            def dropout(x, p, training=True, generator=None):
                if not training or p == 0:
                    return x
                keep = torch.rand(x.shape, generator=generator, dtype=torch.float64) >= p
                return x * keep.to(x.dtype) / (1 - p)
            """,
        ),
        Wrong(
            "in-place-on-input",
            "scaling",
            _DROPOUT_CHECKS
            + """
    keep = torch.rand(x.shape, generator=generator, dtype=torch.float64) >= p
    x.mul_(keep.to(x.dtype)).div_(1 - p)
    return x
""",
        ),
        Wrong(
            "calls-f-dropout",
            "scaling",
            """
            import torch.nn.functional as F
            def dropout(x, p, training=True, generator=None):
                return F.dropout(x, p, training)
            """,
        ),
    ],
}
