"""Wrong LayerNorm, RMSNorm and BatchNorm."""

from tests.verifiers.drills.mistakes import Wrong

_BN_HEAD = """
import torch
def batch_norm(x, weight, bias, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    dims = [0] + list(range(2, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)
    n = x.numel() // x.size(1)
"""

WRONG = {
    "layer-norm": [
        Wrong(
            "unbiased-variance",
            "matches-torch",
            """
            import torch
            def layer_norm(x, weight, bias, eps=1e-5):
                mean = x.mean(-1, keepdim=True)
                var = x.var(-1, keepdim=True)          # unbiased by default
                return (x - mean) / torch.sqrt(var + eps) * weight + bias
            """,
        ),
        Wrong(
            "eps-outside-sqrt",
            "eps",
            """
            def layer_norm(x, weight, bias, eps=1e-5):
                mean = x.mean(-1, keepdim=True)
                std = ((x - mean) ** 2).mean(-1, keepdim=True).sqrt()
                return (x - mean) / (std + eps) * weight + bias
            """,
        ),
        Wrong(
            "no-eps",
            "eps",
            """
            def layer_norm(x, weight, bias, eps=1e-5):
                mean = x.mean(-1, keepdim=True)
                var = ((x - mean) ** 2).mean(-1, keepdim=True)
                return (x - mean) / var.sqrt() * weight + bias
            """,
        ),
        Wrong(
            "over-batch-dim",
            "matches-torch",
            """
            import torch
            def layer_norm(x, weight, bias, eps=1e-5):
                mean = x.mean(0, keepdim=True)
                var = ((x - mean) ** 2).mean(0, keepdim=True)
                return (x - mean) / torch.sqrt(var + eps) * weight + bias
            """,
        ),
        Wrong(
            "calls-f-layer-norm",
            "matches-torch",
            """
            import torch.nn.functional as F
            def layer_norm(x, weight, bias, eps=1e-5):
                return F.layer_norm(x, x.shape[-1:], weight, bias, eps)
            """,
        ),
        Wrong(
            "statistics-detached",
            "gradients",
            """
            import torch
            def layer_norm(x, weight, bias, eps=1e-5):
                mean = x.mean(-1, keepdim=True).detach()
                var = ((x - mean) ** 2).mean(-1, keepdim=True).detach()
                return (x - mean) / torch.sqrt(var + eps) * weight + bias
            """,
        ),
    ],
    "rms-norm": [
        Wrong(
            "subtracts-mean",
            "matches-llama",
            """
            import torch
            def rms_norm(x, weight, eps=1e-6):
                x = x - x.mean(-1, keepdim=True)
                return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight
            """,
        ),
        Wrong(
            "sum-not-mean",
            "matches-llama",
            """
            import torch
            def rms_norm(x, weight, eps=1e-6):
                return x * torch.rsqrt(x.pow(2).sum(-1, keepdim=True) + eps) * weight
            """,
        ),
        Wrong(
            "eps-outside-sqrt",
            "eps",
            """
            def rms_norm(x, weight, eps=1e-6):
                return x / (x.pow(2).mean(-1, keepdim=True).sqrt() + eps) * weight
            """,
        ),
        Wrong(
            "forgets-weight",
            "matches-llama",
            """
            import torch
            def rms_norm(x, weight, eps=1e-6):
                return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
            """,
        ),
    ],
    "batch-norm": [
        Wrong(
            "normalises-over-channels",
            "training-output",
            _BN_HEAD
            + """
    mean = x.mean(1, keepdim=True)
    var = x.var(1, keepdim=True, unbiased=False)
    with torch.no_grad():
        running_mean.mul_(1 - momentum).add_(momentum * x.mean(dims))
        running_var.mul_(1 - momentum).add_(momentum * x.var(dims, unbiased=True))
    return (x - mean) / torch.sqrt(var + eps) * weight.view(shape) + bias.view(shape)
""",
        ),
        Wrong(
            "biased-running-variance",
            "running-statistics",
            _BN_HEAD
            + """
    if training:
        mean, var = x.mean(dims), x.var(dims, unbiased=False)
        with torch.no_grad():
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * var)
    else:
        mean, var = running_mean, running_var
    return (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps) * weight.view(shape) + bias.view(shape)
""",
        ),
        Wrong(
            "keras-momentum",
            "running-statistics",
            _BN_HEAD
            + """
    if training:
        mean, var = x.mean(dims), x.var(dims, unbiased=False)
        with torch.no_grad():
            running_mean.mul_(momentum).add_((1 - momentum) * mean)
            running_var.mul_(momentum).add_((1 - momentum) * var * n / (n - 1))
    else:
        mean, var = running_mean, running_var
    return (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps) * weight.view(shape) + bias.view(shape)
""",
        ),
        Wrong(
            "running-stats-rebound-not-updated",
            "running-statistics",
            _BN_HEAD
            + """
    if training:
        mean, var = x.mean(dims), x.var(dims, unbiased=False)
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    return (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps) * weight.view(shape) + bias.view(shape)
""",
        ),
        Wrong(
            "batch-statistics-in-eval",
            "evaluation",
            _BN_HEAD
            + """
    mean, var = x.mean(dims), x.var(dims, unbiased=False)
    if training:
        with torch.no_grad():
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    return (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps) * weight.view(shape) + bias.view(shape)
""",
        ),
        Wrong(
            "updates-in-eval",
            "evaluation",
            _BN_HEAD
            + """
    if training or True:
        mean, var = x.mean(dims), x.var(dims, unbiased=False)
        with torch.no_grad():
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * var * n / max(n - 1, 1))
    if not training:
        mean, var = running_mean, running_var
    return (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps) * weight.view(shape) + bias.view(shape)
""",
        ),
    ],
}
