"""Wrong softmax and attention implementations."""

from tests.verifiers.drills.mistakes import Wrong

WRONG = {
    "softmax": [
        Wrong(
            "no-max-subtraction",
            "large-logits",
            """
            import torch
            def softmax(x, dim=-1):
                e = torch.exp(x)
                return e / e.sum(dim=dim, keepdim=True)
            """,
        ),
        Wrong(
            "global-max",
            "large-logits",
            """
            def softmax(x, dim=-1):
                e = (x - x.max()).exp()   # one maximum for the whole tensor, not per row
                return e / e.sum(dim=dim, keepdim=True)
            """,
        ),
        Wrong(
            "always-last-dim",
            "matches-torch",
            """
            def softmax(x, dim=-1):
                e = (x - x.amax(-1, keepdim=True)).exp()
                return e / e.sum(-1, keepdim=True)
            """,
        ),
        Wrong(
            "in-place-shift",
            "matches-torch",
            """
            def softmax(x, dim=-1):
                x -= x.amax(dim=dim, keepdim=True)
                e = x.exp()
                return e / e.sum(dim=dim, keepdim=True)
            """,
        ),
        Wrong(
            "float32-inside",
            "matches-torch",
            """
            def softmax(x, dim=-1):
                y = x.float()
                e = (y - y.amax(dim=dim, keepdim=True)).exp()
                return (e / e.sum(dim=dim, keepdim=True)).to(x.dtype)
            """,
        ),
        Wrong(
            "calls-torch-softmax",
            "matches-torch",
            """
            import torch.nn.functional as F
            def softmax(x, dim=-1):
                return F.softmax(x, dim=dim)
            """,
        ),
        Wrong(
            "detached",
            "gradient",
            """
            def softmax(x, dim=-1):
                x = x.detach()
                e = (x - x.amax(dim=dim, keepdim=True)).exp()
                return e / e.sum(dim=dim, keepdim=True)
            """,
        ),
    ],
    "scaled-dot-product-attention": [
        Wrong(
            "no-scale",
            "matches-reference",
            """
            import torch
            def scaled_dot_product_attention(q, k, v, mask=None):
                scores = q @ k.transpose(-2, -1)
                if mask is not None:
                    scores = scores.masked_fill(~mask, float("-inf"))
                return torch.softmax(scores, dim=-1) @ v
            """,
        ),
        Wrong(
            "softmax-over-queries",
            "matches-reference",
            """
            import math, torch
            def scaled_dot_product_attention(q, k, v, mask=None):
                scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
                return torch.softmax(scores, dim=-2) @ v
            """,
        ),
        Wrong(
            "mask-inverted",
            "boolean-mask",
            """
            import math, torch
            def scaled_dot_product_attention(q, k, v, mask=None):
                scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
                if mask is not None:
                    scores = scores.masked_fill(mask, float("-inf"))
                return torch.softmax(scores, dim=-1) @ v
            """,
        ),
        Wrong(
            "mask-zero-fill",
            "boolean-mask",
            """
            import math, torch
            def scaled_dot_product_attention(q, k, v, mask=None):
                scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
                if mask is not None:
                    scores = scores.masked_fill(~mask, 0.0)
                return torch.softmax(scores, dim=-1) @ v
            """,
        ),
        Wrong(
            "big-negative-no-zeroing",
            "fully-masked-row",
            """
            import math, torch
            def scaled_dot_product_attention(q, k, v, mask=None):
                scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
                if mask is not None:
                    scores = scores.masked_fill(~mask, -1e9)
                return torch.softmax(scores, dim=-1) @ v
            """,
        ),
        Wrong(
            "minus-inf-gives-nan",
            "fully-masked-row",
            """
            import math, torch
            def scaled_dot_product_attention(q, k, v, mask=None):
                scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
                if mask is not None:
                    scores = scores.masked_fill(~mask, float("-inf"))
                return torch.softmax(scores, dim=-1) @ v
            """,
        ),
        Wrong(
            "naive-exp",
            "large-scores",
            """
            import math, torch
            def scaled_dot_product_attention(q, k, v, mask=None):
                scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
                e = scores.exp()
                if mask is not None:
                    e = e * mask
                    e = e / e.sum(-1, keepdim=True).clamp(min=1e-30)
                    return e @ v
                return e / e.sum(-1, keepdim=True) @ v
            """,
        ),
        Wrong(
            "calls-sdpa",
            "matches-reference",
            """
            import torch.nn.functional as F
            def scaled_dot_product_attention(q, k, v, mask=None):
                return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            """,
        ),
    ],
}
