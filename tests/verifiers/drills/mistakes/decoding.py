"""Wrong decoding strategies and logit filters."""

from tests.verifiers.drills.mistakes import Wrong

_BEAM = """
import torch
def beam_search(next_token_logits, prompt, beam_size, max_new_tokens, eos_id, length_penalty=1.0):
    live, finished = [(prompt, 0.0)], []
    for _ in range(max_new_tokens):
        candidates = []
        for tokens, log_prob in live:
            STEP_SCORES
            for token in range(scores.size(0)):
                candidates.append((torch.cat([tokens, torch.tensor([token])]), log_prob + float(scores[token])))
        candidates.sort(key=lambda c: c[1], reverse=True)
        live = []
        for tokens, log_prob in candidates[:beam_size]:
            (finished if int(tokens[-1]) == eos_id else live).append((tokens, log_prob))
        if not live:
            break
    finished.extend(live)
    score = lambda h: h[1] / (len(h[0]) - len(prompt)) ** length_penalty
    best = max(finished, key=score)
    return best[0], score(best)
"""


def _beam(step_scores: str) -> str:
    return _BEAM.replace("STEP_SCORES", step_scores)


WRONG = {
    "greedy-decoding": [
        Wrong(
            "drops-eos",
            "eos-and-limits",
            """
            import torch
            def greedy_decode(next_token_logits, prompt, max_new_tokens, eos_id=None):
                tokens = prompt
                for _ in range(max_new_tokens):
                    nxt = torch.argmax(next_token_logits(tokens))
                    if eos_id is not None and int(nxt) == eos_id:
                        break
                    tokens = torch.cat([tokens, nxt.view(1)])
                return tokens
            """,
        ),
        Wrong(
            "never-stops-at-eos",
            "eos-and-limits",
            """
            import torch
            def greedy_decode(next_token_logits, prompt, max_new_tokens, eos_id=None):
                tokens = prompt
                for _ in range(max_new_tokens):
                    tokens = torch.cat([tokens, torch.argmax(next_token_logits(tokens)).view(1)])
                return tokens
            """,
        ),
        Wrong(
            "feeds-last-token-only",
            "matches-transformer-core",
            """
            import torch
            def greedy_decode(next_token_logits, prompt, max_new_tokens, eos_id=None):
                tokens = prompt
                for _ in range(max_new_tokens):
                    nxt = torch.argmax(next_token_logits(tokens[-1:]))
                    tokens = torch.cat([tokens, nxt.view(1)])
                    if eos_id is not None and int(nxt) == eos_id:
                        break
                return tokens
            """,
        ),
        Wrong(
            "one-too-many",
            "matches-transformer-core",
            """
            import torch
            def greedy_decode(next_token_logits, prompt, max_new_tokens, eos_id=None):
                tokens = prompt
                for _ in range(max_new_tokens + 1):
                    nxt = torch.argmax(next_token_logits(tokens))
                    tokens = torch.cat([tokens, nxt.view(1)])
                    if eos_id is not None and int(nxt) == eos_id:
                        break
                return tokens
            """,
        ),
        Wrong(
            "returns-generated-only",
            "matches-transformer-core",
            """
            import torch
            def greedy_decode(next_token_logits, prompt, max_new_tokens, eos_id=None):
                tokens = prompt
                for _ in range(max_new_tokens):
                    nxt = torch.argmax(next_token_logits(tokens))
                    tokens = torch.cat([tokens, nxt.view(1)])
                    if eos_id is not None and int(nxt) == eos_id:
                        break
                return tokens[len(prompt):]
            """,
        ),
    ],
    "beam-search": [
        Wrong("raw-logits-not-log-probs", "matches-specification", _beam("scores = next_token_logits(tokens).double()")),
        Wrong(
            "no-length-penalty-in-ranking",
            "matches-specification",
            _BEAM.replace("STEP_SCORES", "scores = torch.log_softmax(next_token_logits(tokens).double(), -1)").replace(
                "best = max(finished, key=score)", "best = max(finished, key=lambda h: h[1])"
            ),
        ),
        Wrong(
            "top-k-per-beam",
            "matches-specification",
            """
            import torch
            def beam_search(next_token_logits, prompt, beam_size, max_new_tokens, eos_id, length_penalty=1.0):
                live, finished = [(prompt, 0.0)], []
                for _ in range(max_new_tokens):
                    candidates = []
                    for tokens, log_prob in live:
                        scores = torch.log_softmax(next_token_logits(tokens).double(), -1)
                        best = scores.argmax()          # only the best extension of each beam
                        candidates.append((torch.cat([tokens, best.view(1)]), log_prob + float(scores[best])))
                    candidates.sort(key=lambda c: c[1], reverse=True)
                    live = []
                    for tokens, log_prob in candidates[:beam_size]:
                        (finished if int(tokens[-1]) == eos_id else live).append((tokens, log_prob))
                    if not live:
                        break
                finished.extend(live)
                score = lambda h: h[1] / (len(h[0]) - len(prompt)) ** length_penalty
                best = max(finished, key=score)
                return best[0], score(best)
            """,
        ),
        Wrong(
            "extends-past-eos",
            "exhaustive-when-wide",
            """
            import torch
            def beam_search(next_token_logits, prompt, beam_size, max_new_tokens, eos_id, length_penalty=1.0):
                live = [(prompt, 0.0)]
                for _ in range(max_new_tokens):
                    candidates = []
                    for tokens, log_prob in live:
                        scores = torch.log_softmax(next_token_logits(tokens).double(), -1)
                        for token in range(scores.size(0)):
                            candidates.append((torch.cat([tokens, torch.tensor([token])]), log_prob + float(scores[token])))
                    candidates.sort(key=lambda c: c[1], reverse=True)
                    live = candidates[:beam_size]
                score = lambda h: h[1] / (len(h[0]) - len(prompt)) ** length_penalty
                best = max(live, key=score)
                return best[0], score(best)
            """,
        ),
        Wrong(
            "length-counts-prompt",
            "matches-specification",
            _BEAM.replace("STEP_SCORES", "scores = torch.log_softmax(next_token_logits(tokens).double(), -1)").replace(
                "(len(h[0]) - len(prompt)) ** length_penalty", "len(h[0]) ** length_penalty"
            ),
        ),
    ],
    "temperature-sampling": [
        Wrong(
            "multiplies-by-temperature",
            "distribution",
            """
            import torch
            def sample_with_temperature(logits, temperature, generator=None):
                if temperature == 0:
                    return logits.argmax(-1)
                return torch.multinomial(torch.softmax(logits * temperature, -1), 1, generator=generator).squeeze(-1)
            """,
        ),
        Wrong(
            "temperature-ignored",
            "distribution",
            """
            import torch
            def sample_with_temperature(logits, temperature, generator=None):
                if temperature == 0:
                    return logits.argmax(-1)
                return torch.multinomial(torch.softmax(logits, -1), 1, generator=generator).squeeze(-1)
            """,
        ),
        Wrong(
            "divides-by-zero",
            "zero-and-tiny-temperature",
            """
            import torch
            def sample_with_temperature(logits, temperature, generator=None):
                return torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=generator).squeeze(-1)
            """,
            outcome="raised",
        ),
        Wrong(
            "naive-exp-overflows",
            "zero-and-tiny-temperature",
            """
            import torch
            def sample_with_temperature(logits, temperature, generator=None):
                if temperature == 0:
                    return logits.argmax(-1)
                e = torch.exp(logits / temperature)
                return torch.multinomial(e / e.sum(-1, keepdim=True), 1, generator=generator).squeeze(-1)
            """,
            outcome="raised",
        ),
        Wrong(
            "ignores-generator",
            "uses-generator",
            """
            import torch
            def sample_with_temperature(logits, temperature, generator=None):
                if temperature == 0:
                    return logits.argmax(-1)
                return torch.multinomial(torch.softmax(logits / temperature, -1), 1).squeeze(-1)
            """,
        ),
    ],
    "top-k-filter": [
        Wrong(
            "zero-instead-of-minus-inf",
            "matches-transformer-core",
            """
            import torch
            def top_k_filter(logits, k):
                if k >= logits.size(-1):
                    return logits
                kth = torch.topk(logits, k, dim=-1).values[..., -1:]
                return logits.masked_fill(logits < kth, 0.0)
            """,
        ),
        Wrong(
            "drops-ties",
            "ties-and-negatives",
            """
            import torch
            def top_k_filter(logits, k):
                if k >= logits.size(-1):
                    return logits
                index = torch.topk(logits, k, dim=-1).indices
                keep = torch.zeros_like(logits, dtype=torch.bool).scatter(-1, index, True)
                return logits.masked_fill(~keep, float("-inf"))
            """,
        ),
        Wrong(
            "multiplies-by-mask",
            "ties-and-negatives",
            """
            import torch
            def top_k_filter(logits, k):
                if k >= logits.size(-1):
                    return logits
                kth = torch.topk(logits, k, dim=-1).values[..., -1:]
                keep = (logits >= kth).to(logits.dtype)
                return logits * keep + (1 - keep) * -1e9
            """,
        ),
        Wrong(
            "breaks-when-k-exceeds-vocab",
            "matches-transformer-core",
            """
            import torch
            def top_k_filter(logits, k):
                kth = torch.topk(logits, k, dim=-1).values[..., -1:]
                return logits.masked_fill(logits < kth, float("-inf"))
            """,
            outcome="raised",
        ),
        Wrong(
            "returns-probabilities",
            "matches-transformer-core",
            """
            import torch
            def top_k_filter(logits, k):
                if k >= logits.size(-1):
                    return logits
                kth = torch.topk(logits, k, dim=-1).values[..., -1:]
                return torch.softmax(logits.masked_fill(logits < kth, float("-inf")), -1)
            """,
        ),
    ],
    "top-p-filter": [
        Wrong(
            "drops-the-crossing-token",
            "nucleus-edges",
            """
            import torch
            def top_p_filter(logits, p):
                sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
                cumulative = torch.softmax(sorted_logits, -1).cumsum(-1)
                remove_sorted = cumulative > p
                return logits.masked_fill(remove_sorted.scatter(-1, order, remove_sorted), float("-inf"))
            """,
        ),
        Wrong(
            "not-scattered-back",
            "matches-transformer-core",
            """
            import torch
            def top_p_filter(logits, p):
                sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
                probs = torch.softmax(sorted_logits, -1)
                return sorted_logits.masked_fill(probs.cumsum(-1) - probs >= p, float("-inf"))
            """,
        ),
        Wrong(
            "mask-applied-in-sorted-order",
            "matches-transformer-core",
            """
            import torch
            def top_p_filter(logits, p):
                sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
                probs = torch.softmax(sorted_logits, -1)
                return logits.masked_fill(probs.cumsum(-1) - probs >= p, float("-inf"))
            """,
        ),
        Wrong(
            "removes-top-token",
            "nucleus-edges",
            """
            import torch
            def top_p_filter(logits, p):
                sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
                remove_sorted = torch.softmax(sorted_logits, -1).cumsum(-1) > p
                remove_sorted[..., 1:] = remove_sorted[..., 1:] | remove_sorted[..., :-1]
                return logits.masked_fill(remove_sorted.scatter(-1, order, remove_sorted), float("-inf"))
            """,
        ),
        Wrong(
            "cumsum-of-logits",
            "matches-transformer-core",
            """
            import torch
            def top_p_filter(logits, p):
                sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
                remove_sorted = sorted_logits.cumsum(-1) - sorted_logits >= p
                return logits.masked_fill(remove_sorted.scatter(-1, order, remove_sorted), float("-inf"))
            """,
        ),
    ],
}
