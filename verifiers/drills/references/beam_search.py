"""Reference solution: beam search with EOS and a length penalty."""

import torch


def beam_search(next_token_logits, prompt, beam_size, max_new_tokens, eos_id, length_penalty=1.0):
    """Find a likely continuation of ``prompt`` with beam search.

    next_token_logits: a function from the sequence so far (1-D LongTensor)
    to the next token's logits (V,); prompt: 1-D LongTensor (T0,).
    The algorithm (follow it exactly; the checks compare with it):
      - keep a list of live hypotheses, each with its total log-probability
        (the sum of log_softmax(logits)[token] over its generated tokens),
        starting with the prompt alone at 0;
      - each step, extend every live hypothesis by every token, and keep the
        beam_size best extensions overall by total log-probability;
      - a kept extension ending in eos_id is finished: it moves to the
        finished list and is never extended; the others are the new live
        hypotheses;
      - stop when no hypothesis is live or after max_new_tokens steps; the
        hypotheses still live then count as finished.
    Score of a finished hypothesis = total log-probability / L ** length_penalty,
    L = number of generated tokens (EOS included, prompt not).
    Returns (tokens, score) for the best-scoring finished hypothesis: tokens a
    1-D LongTensor (prompt + generated), score a float.
    """
    live = [(prompt, 0.0)]
    finished = []
    for _ in range(max_new_tokens):
        candidates = []
        for tokens, log_prob in live:
            log_probs = torch.log_softmax(next_token_logits(tokens).double(), dim=-1)
            for token in range(log_probs.size(0)):
                candidates.append((torch.cat([tokens, torch.tensor([token])]), log_prob + float(log_probs[token])))
        candidates.sort(key=lambda c: c[1], reverse=True)  # stable: ties keep their order
        live = []
        for tokens, log_prob in candidates[:beam_size]:
            (finished if int(tokens[-1]) == eos_id else live).append((tokens, log_prob))
        if not live:
            break
    finished.extend(live)

    def score(hypothesis):
        tokens, log_prob = hypothesis
        return log_prob / (len(tokens) - len(prompt)) ** length_penalty

    best = max(finished, key=score)
    return best[0], score(best)
