"""Reference solution: greedy decoding."""

import torch


def greedy_decode(next_token_logits, prompt, max_new_tokens, eos_id=None):
    """Generate by always taking the most likely next token.

    next_token_logits: a function taking the whole sequence so far, a 1-D
    LongTensor (T,), and returning the logits of the next token, (V,).
    prompt: 1-D LongTensor (T0,), at least one token.
    Returns a 1-D LongTensor: the prompt followed by the generated tokens.
    Stops after max_new_tokens new tokens, or right after generating eos_id
    (which is included); eos_id=None never stops early. Ties go to the lowest
    token id (torch.argmax does that).
    """
    tokens = prompt
    for _ in range(max_new_tokens):
        next_token = torch.argmax(next_token_logits(tokens))  # the whole prefix goes in every step
        tokens = torch.cat([tokens, next_token.view(1)])
        if eos_id is not None and int(next_token) == eos_id:
            break
    return tokens
