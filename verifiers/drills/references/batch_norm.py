"""Reference solution: BatchNorm forward in training and evaluation mode."""

import torch


def batch_norm(x, weight, bias, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    """BatchNorm over the batch, as torch.nn.functional.batch_norm.

    x: (N, C) or (N, C, L); channel dimension 1. weight, bias, running_mean,
    running_var: (C,).
    training=True: normalise each channel with the mean and the biased variance
    of the batch (over N, and L when present), and update the running
    statistics in place: running = (1 - momentum) * running + momentum * batch,
    where the batch variance used for running_var is the unbiased one
    (divide by n - 1), as PyTorch does.
    training=False: normalise with running_mean and running_var; leave them unchanged.
    Then scale by weight and shift by bias. Returns the shape and dtype of x.
    Do not call F.batch_norm or nn.BatchNorm1d.
    """
    # Reduce over every dimension except the channels (dim 1); keep dims for broadcasting.
    dims = [0] + list(range(2, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)  # (C,) -> (1, C) or (1, C, 1)
    if training:
        mean = x.mean(dim=dims)
        var = x.var(dim=dims, unbiased=False)
        n = x.numel() // x.size(1)
        with torch.no_grad():
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    else:
        mean, var = running_mean, running_var
    normalised = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)
    return normalised * weight.view(shape) + bias.view(shape)
