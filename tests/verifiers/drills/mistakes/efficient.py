"""Wrong blockwise attention."""

from tests.verifiers.drills.mistakes import Wrong

WRONG = {
    "online-softmax-attention": [
        Wrong(
            "no-rescaling",
            "rescales-across-blocks",
            """
            import math, torch
            def online_softmax_attention(q, k, v, block_size):
                m = torch.full(q.shape[:-1] + (1,), float("-inf"), dtype=q.dtype)
                l = torch.zeros(q.shape[:-1] + (1,), dtype=q.dtype)
                acc = torch.zeros(q.shape[:-1] + (v.size(-1),), dtype=q.dtype)
                for s0 in range(0, k.size(-2), block_size):
                    s = q @ k[..., s0:s0 + block_size, :].transpose(-2, -1) / math.sqrt(q.size(-1))
                    m = torch.maximum(m, s.amax(-1, keepdim=True))
                    w = torch.exp(s - m)
                    l = l + w.sum(-1, keepdim=True)
                    acc = acc + w @ v[..., s0:s0 + block_size, :]
                return acc / l
            """,
        ),
        Wrong(
            "no-running-max",
            "rescales-across-blocks",
            """
            import math, torch
            def online_softmax_attention(q, k, v, block_size):
                l = torch.zeros(q.shape[:-1] + (1,), dtype=q.dtype)
                acc = torch.zeros(q.shape[:-1] + (v.size(-1),), dtype=q.dtype)
                for s0 in range(0, k.size(-2), block_size):
                    w = torch.exp(q @ k[..., s0:s0 + block_size, :].transpose(-2, -1) / math.sqrt(q.size(-1)))
                    l = l + w.sum(-1, keepdim=True)
                    acc = acc + w @ v[..., s0:s0 + block_size, :]
                return acc / l
            """,
        ),
        Wrong(
            "softmax-per-block-averaged",
            "matches-full-attention",
            """
            import math, torch
            def online_softmax_attention(q, k, v, block_size):
                outs = []
                for s0 in range(0, k.size(-2), block_size):
                    s = q @ k[..., s0:s0 + block_size, :].transpose(-2, -1) / math.sqrt(q.size(-1))
                    outs.append(torch.softmax(s, -1) @ v[..., s0:s0 + block_size, :])
                return torch.stack(outs).mean(0)
            """,
        ),
        Wrong(
            "full-matrix-in-disguise",
            "never-builds-full-scores",
            """
            import math, torch
            def online_softmax_attention(q, k, v, block_size):
                scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
                return torch.softmax(scores, -1) @ v
            """,
        ),
        Wrong(
            "drops-the-last-partial-block",
            "matches-full-attention",
            """
            import math, torch
            def online_softmax_attention(q, k, v, block_size):
                m = torch.full(q.shape[:-1] + (1,), float("-inf"), dtype=q.dtype)
                l = torch.zeros(q.shape[:-1] + (1,), dtype=q.dtype)
                acc = torch.zeros(q.shape[:-1] + (v.size(-1),), dtype=q.dtype)
                n_blocks = max(1, k.size(-2) // block_size)
                for b in range(n_blocks):
                    s0 = b * block_size
                    s = q @ k[..., s0:s0 + block_size, :].transpose(-2, -1) / math.sqrt(q.size(-1))
                    new_m = torch.maximum(m, s.amax(-1, keepdim=True))
                    w = torch.exp(s - new_m)
                    c = torch.exp(m - new_m)
                    l = l * c + w.sum(-1, keepdim=True)
                    acc = acc * c + w @ v[..., s0:s0 + block_size, :]
                    m = new_m
                return acc / l
            """,
        ),
    ],
}
