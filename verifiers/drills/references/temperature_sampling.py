"""Reference solution: sampling with a temperature."""

import torch


def sample_with_temperature(logits, temperature, generator=None):
    """Draw one token per row from softmax(logits / temperature).

    logits: (B, V) float tensor; temperature >= 0. Below 1 the distribution
    sharpens, above 1 it flattens; temperature == 0 means greedy: the argmax
    of each row (no division by zero). Draw the randomness from ``generator``
    (torch.multinomial(..., generator=generator)) so a seeded generator gives
    reproducible samples. Returns a LongTensor (B,) of token ids.
    """
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / temperature, dim=-1)  # stable even for tiny temperatures
    return torch.multinomial(probs, num_samples=1, generator=generator).squeeze(-1)
