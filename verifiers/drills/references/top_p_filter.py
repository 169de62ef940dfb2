"""Reference solution: the nucleus (top-p) filter on logits."""

import torch


def top_p_filter(logits, p):
    """Keep the nucleus of each row: the smallest set of most likely tokens whose
    probability reaches p; set every other logit to -inf.

    logits: (..., V) float tensor; 0 < p <= 1. Sort by probability
    (softmax of the logits); a token is in the nucleus when the tokens ranked
    above it have total probability below p -- so the token that crosses p is
    kept, and the most likely token always is. Kept logits are unchanged, in
    their original positions. Same shape and dtype as logits.
    """
    sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
    probs = torch.softmax(sorted_logits, dim=-1)
    mass_above = torch.cumsum(probs, dim=-1) - probs  # probability of the tokens ranked higher
    remove_sorted = mass_above >= p
    remove = remove_sorted.scatter(-1, order, remove_sorted)  # back to the original token order
    return logits.masked_fill(remove, float("-inf"))
