"""Wrong multi-head, grouped-query and cached attention."""

from tests.verifiers.drills.mistakes import Wrong

_MHA_HEAD = """
import math, torch
def multi_head_attention(query, key, value, w_q, w_k, w_v, w_o, num_heads, mask=None):
    B, T_q, d = query.shape
    T_k = key.size(1)
    dh = d // num_heads
"""

WRONG = {
    "multi-head-attention": [
        Wrong(
            "split-without-transpose",
            "self-attention",
            _MHA_HEAD
            + """
    q = (query @ w_q.T).reshape(B, num_heads, T_q, dh)
    k = (key @ w_k.T).reshape(B, num_heads, T_k, dh)
    v = (value @ w_v.T).reshape(B, num_heads, T_k, dh)
    scores = q @ k.transpose(-2, -1) / math.sqrt(dh)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    out = torch.softmax(scores, -1) @ v
    return out.reshape(B, T_q, d) @ w_o.T
""",
        ),
        Wrong(
            "scale-by-d-model",
            "self-attention",
            _MHA_HEAD
            + """
    q = (query @ w_q.T).view(B, T_q, num_heads, dh).transpose(1, 2)
    k = (key @ w_k.T).view(B, T_k, num_heads, dh).transpose(1, 2)
    v = (value @ w_v.T).view(B, T_k, num_heads, dh).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    out = torch.softmax(scores, -1) @ v
    return out.transpose(1, 2).reshape(B, T_q, d) @ w_o.T
""",
        ),
        Wrong(
            "weights-not-transposed",
            "self-attention",
            _MHA_HEAD
            + """
    q = (query @ w_q).view(B, T_q, num_heads, dh).transpose(1, 2)
    k = (key @ w_k).view(B, T_k, num_heads, dh).transpose(1, 2)
    v = (value @ w_v).view(B, T_k, num_heads, dh).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(dh)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    out = torch.softmax(scores, -1) @ v
    return out.transpose(1, 2).reshape(B, T_q, d) @ w_o
""",
        ),
        Wrong(
            "no-output-projection",
            "self-attention",
            _MHA_HEAD
            + """
    q = (query @ w_q.T).view(B, T_q, num_heads, dh).transpose(1, 2)
    k = (key @ w_k.T).view(B, T_k, num_heads, dh).transpose(1, 2)
    v = (value @ w_v.T).view(B, T_k, num_heads, dh).transpose(1, 2)
    out = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(dh), -1) @ v
    return out.transpose(1, 2).reshape(B, T_q, d)
""",
        ),
        Wrong(
            "query-length-for-keys",
            "cross-attention",
            _MHA_HEAD
            + """
    q = (query @ w_q.T).view(B, T_q, num_heads, dh).transpose(1, 2)
    k = (key @ w_k.T).view(B, T_q, num_heads, dh).transpose(1, 2)
    v = (value @ w_v.T).view(B, T_q, num_heads, dh).transpose(1, 2)
    out = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(dh), -1) @ v
    return out.transpose(1, 2).reshape(B, T_q, d) @ w_o.T
""",
            outcome="raised",
        ),
        Wrong(
            "mask-ignored",
            "mask",
            _MHA_HEAD
            + """
    q = (query @ w_q.T).view(B, T_q, num_heads, dh).transpose(1, 2)
    k = (key @ w_k.T).view(B, T_k, num_heads, dh).transpose(1, 2)
    v = (value @ w_v.T).view(B, T_k, num_heads, dh).transpose(1, 2)
    out = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(dh), -1) @ v
    return out.transpose(1, 2).reshape(B, T_q, d) @ w_o.T
""",
        ),
    ],
    "gqa-attention": [
        Wrong(
            "repeat-instead-of-interleave",
            "matches-reference",
            """
            import math, torch
            def grouped_query_attention(q, k, v, mask=None):
                g = q.size(1) // k.size(1)
                k, v = k.repeat(1, g, 1, 1), v.repeat(1, g, 1, 1)
                scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
                if mask is not None:
                    scores = scores.masked_fill(~mask, float("-inf"))
                return torch.softmax(scores, -1) @ v
            """,
        ),
        Wrong(
            "group-index-h-over-hkv",
            "matches-reference",
            """
            import math, torch
            def grouped_query_attention(q, k, v, mask=None):
                H_q, H_kv = q.size(1), k.size(1)
                index = torch.tensor([h // H_kv for h in range(H_q)]).clamp(max=H_kv - 1)
                k, v = k[:, index], v[:, index]
                scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
                if mask is not None:
                    scores = scores.masked_fill(~mask, float("-inf"))
                return torch.softmax(scores, -1) @ v
            """,
        ),
        Wrong(
            "only-first-kv-head",
            "matches-reference",
            """
            import math, torch
            def grouped_query_attention(q, k, v, mask=None):
                k, v = k[:, :1], v[:, :1]
                scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
                if mask is not None:
                    scores = scores.masked_fill(~mask, float("-inf"))
                return torch.softmax(scores, -1) @ v
            """,
        ),
        Wrong(
            "mask-ignored",
            "mask",
            """
            import math, torch
            def grouped_query_attention(q, k, v, mask=None):
                g = q.size(1) // k.size(1)
                k, v = k.repeat_interleave(g, 1), v.repeat_interleave(g, 1)
                return torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.size(-1)), -1) @ v
            """,
        ),
    ],
    "kv-cache-step": [
        Wrong(
            "no-causal-mask-in-prompt",
            "prefill",
            """
            import math, torch
            def kv_cache_step(x, w_q, w_k, w_v, w_o, num_heads, cache=None):
                B, T, d = x.shape
                dh = d // num_heads
                split = lambda t: t.view(B, T, num_heads, dh).transpose(1, 2)
                q, k, v = split(x @ w_q.T), split(x @ w_k.T), split(x @ w_v.T)
                if cache is not None:
                    k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
                out = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(dh), -1) @ v
                return out.transpose(1, 2).reshape(B, T, d) @ w_o.T, (k, v)
            """,
        ),
        Wrong(
            "new-token-misses-itself",
            "token-by-token",
            """
            import math, torch
            def kv_cache_step(x, w_q, w_k, w_v, w_o, num_heads, cache=None):
                B, T, d = x.shape
                dh = d // num_heads
                split = lambda t: t.view(B, T, num_heads, dh).transpose(1, 2)
                q, k, v = split(x @ w_q.T), split(x @ w_k.T), split(x @ w_v.T)
                if cache is None:
                    mask = torch.ones(T, T, dtype=torch.bool).tril()
                    scores = (q @ k.transpose(-2, -1) / math.sqrt(dh)).masked_fill(~mask, float("-inf"))
                    out = torch.softmax(scores, -1) @ v
                    return out.transpose(1, 2).reshape(B, T, d) @ w_o.T, (k, v)
                # attends to the cache only, then appends
                out = torch.softmax(q @ cache[0].transpose(-2, -1) / math.sqrt(dh), -1) @ cache[1]
                k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
                return out.transpose(1, 2).reshape(B, T, d) @ w_o.T, (k, v)
            """,
        ),
        Wrong(
            "mask-diagonal-not-shifted",
            "chunk-after-cache",
            """
            import math, torch
            def kv_cache_step(x, w_q, w_k, w_v, w_o, num_heads, cache=None):
                B, T, d = x.shape
                dh = d // num_heads
                split = lambda t: t.view(B, T, num_heads, dh).transpose(1, 2)
                q, k, v = split(x @ w_q.T), split(x @ w_k.T), split(x @ w_v.T)
                if cache is not None:
                    k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
                mask = torch.ones(T, k.size(2), dtype=torch.bool).tril()
                scores = (q @ k.transpose(-2, -1) / math.sqrt(dh)).masked_fill(~mask, float("-inf"))
                out = torch.softmax(scores, -1) @ v
                return out.transpose(1, 2).reshape(B, T, d) @ w_o.T, (k, v)
            """,
        ),
        Wrong(
            "cache-only-new-keys",
            "token-by-token",
            """
            import math, torch
            def kv_cache_step(x, w_q, w_k, w_v, w_o, num_heads, cache=None):
                B, T, d = x.shape
                dh = d // num_heads
                split = lambda t: t.view(B, T, num_heads, dh).transpose(1, 2)
                q, k_new, v_new = split(x @ w_q.T), split(x @ w_k.T), split(x @ w_v.T)
                k, v = k_new, v_new
                if cache is not None:
                    k, v = torch.cat([cache[0], k_new], 2), torch.cat([cache[1], v_new], 2)
                T_past = k.size(2) - T
                mask = torch.ones(T, k.size(2), dtype=torch.bool).tril(T_past)
                scores = (q @ k.transpose(-2, -1) / math.sqrt(dh)).masked_fill(~mask, float("-inf"))
                out = torch.softmax(scores, -1) @ v
                return out.transpose(1, 2).reshape(B, T, d) @ w_o.T, (k_new, v_new)
            """,
        ),
        Wrong(
            "concat-on-heads-axis",
            "token-by-token",
            """
            import math, torch
            def kv_cache_step(x, w_q, w_k, w_v, w_o, num_heads, cache=None):
                B, T, d = x.shape
                dh = d // num_heads
                split = lambda t: t.view(B, T, num_heads, dh).transpose(1, 2)
                q, k, v = split(x @ w_q.T), split(x @ w_k.T), split(x @ w_v.T)
                if cache is not None:
                    k, v = torch.cat([cache[0], k], 1), torch.cat([cache[1], v], 1)
                mask = torch.ones(T, k.size(2), dtype=torch.bool).tril(k.size(2) - T)
                scores = (q @ k.transpose(-2, -1) / math.sqrt(dh)).masked_fill(~mask, float("-inf"))
                out = torch.softmax(scores, -1) @ v
                return out.transpose(1, 2).reshape(B, T, d) @ w_o.T, (k, v)
            """,
            outcome="raised",
        ),
    ],
}
