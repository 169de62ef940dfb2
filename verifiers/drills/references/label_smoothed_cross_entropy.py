"""Reference solution: cross-entropy with label smoothing and an ignored index."""

import torch


def label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=-100):
    """Mean label-smoothed cross-entropy over the positions whose target is not ignore_index.

    logits: (N, V) float; target: (N,) long class ids; 0 <= epsilon < 1.
    The smoothed target distribution is (1 - epsilon) * one_hot(target) + epsilon / V
    (PyTorch's convention: the epsilon mass is spread over all V classes, the
    true one included). Loss per position = -sum_c q_c * log_softmax(logits)_c;
    positions whose target equals ignore_index contribute nothing and are not
    counted in the mean. Equals
    F.cross_entropy(logits, target, label_smoothing=epsilon, ignore_index=ignore_index).
    Returns a 0-dim tensor. Do not call F.cross_entropy or F.nll_loss.
    """
    log_probs = torch.log_softmax(logits, dim=-1)  # (N, V), stable for large logits
    keep = target != ignore_index  # (N,)
    safe_target = torch.where(keep, target, torch.zeros_like(target))  # any valid index; masked out below
    nll = -log_probs.gather(-1, safe_target[:, None]).squeeze(-1)  # -log p(true class)
    uniform = -log_probs.mean(dim=-1)  # -(1/V) sum_c log p_c
    per_position = (1 - epsilon) * nll + epsilon * uniform
    return (per_position * keep).sum() / keep.sum()
