"""Wrong positional encodings."""

from tests.verifiers.drills.mistakes import Wrong

WRONG = {
    "sinusoidal-positional-encoding": [
        Wrong(
            "halves-not-interleaved",
            "matches-vaswani",
            """
            import math, torch
            def sinusoidal_positional_encoding(length, d_model):
                pos = torch.arange(length, dtype=torch.float64)[:, None]
                freq = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model))
                return torch.cat([torch.sin(pos * freq), torch.cos(pos * freq)], dim=-1).float()
            """,
        ),
        Wrong(
            "exponent-i-not-2i",
            "matches-vaswani",
            """
            import torch
            def sinusoidal_positional_encoding(length, d_model):
                pos = torch.arange(length, dtype=torch.float64)[:, None]
                i = torch.arange(d_model // 2, dtype=torch.float64)
                angles = pos / 10000 ** (i / d_model)
                pe = torch.zeros(length, d_model, dtype=torch.float64)
                pe[:, 0::2], pe[:, 1::2] = torch.sin(angles), torch.cos(angles)
                return pe.float()
            """,
        ),
        Wrong(
            "sin-cos-swapped",
            "matches-vaswani",
            """
            import torch
            def sinusoidal_positional_encoding(length, d_model):
                pos = torch.arange(length, dtype=torch.float64)[:, None]
                angles = pos / 10000 ** (torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
                pe = torch.zeros(length, d_model, dtype=torch.float64)
                pe[:, 0::2], pe[:, 1::2] = torch.cos(angles), torch.sin(angles)
                return pe.float()
            """,
        ),
        Wrong(
            "returns-float64",
            "matches-vaswani",
            """
            import torch
            def sinusoidal_positional_encoding(length, d_model):
                pos = torch.arange(length, dtype=torch.float64)[:, None]
                angles = pos / 10000 ** (torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
                pe = torch.zeros(length, d_model, dtype=torch.float64)
                pe[:, 0::2], pe[:, 1::2] = torch.sin(angles), torch.cos(angles)
                return pe
            """,
        ),
        Wrong(
            "positions-from-one",
            "properties",
            """
            import torch
            def sinusoidal_positional_encoding(length, d_model):
                pos = torch.arange(1, length + 1, dtype=torch.float64)[:, None]
                angles = pos / 10000 ** (torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
                pe = torch.zeros(length, d_model, dtype=torch.float64)
                pe[:, 0::2], pe[:, 1::2] = torch.sin(angles), torch.cos(angles)
                return pe.float()
            """,
        ),
    ],
    "rotary-embedding": [
        Wrong(
            "interleaved-pairs",
            "matches-rotate-half",
            """
            import torch
            def apply_rotary_embedding(x, positions, base=10000.0):
                d = x.size(-1)
                theta = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
                angles = positions.double()[:, None] * theta
                cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
                x1, x2 = x[..., 0::2], x[..., 1::2]
                return torch.stack([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1).flatten(-2)
            """,
        ),
        Wrong(
            "rotates-backwards",
            "matches-rotate-half",
            """
            import torch
            def apply_rotary_embedding(x, positions, base=10000.0):
                d = x.size(-1)
                theta = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
                angles = positions.double()[:, None] * theta
                cos = torch.cat([angles.cos()] * 2, -1).to(x.dtype)
                sin = torch.cat([angles.sin()] * 2, -1).to(x.dtype)
                x1, x2 = x[..., : d // 2], x[..., d // 2 :]
                return x * cos + torch.cat([x2, -x1], -1) * sin
            """,
        ),
        Wrong(
            "ignores-positions",
            "matches-rotate-half",
            """
            import torch
            def apply_rotary_embedding(x, positions, base=10000.0):
                d, T = x.size(-1), x.size(-2)
                theta = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
                angles = torch.arange(T, dtype=torch.float64)[:, None] * theta
                cos = torch.cat([angles.cos()] * 2, -1).to(x.dtype)
                sin = torch.cat([angles.sin()] * 2, -1).to(x.dtype)
                x1, x2 = x[..., : d // 2], x[..., d // 2 :]
                return x * cos + torch.cat([-x2, x1], -1) * sin
            """,
        ),
        Wrong(
            "different-angle-per-dim",
            "relative-position",
            """
            import torch
            def apply_rotary_embedding(x, positions, base=10000.0):
                d = x.size(-1)
                theta = base ** (-torch.arange(d, dtype=torch.float64) / d)   # one angle per dim, not per pair
                angles = positions.double()[:, None] * theta
                cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
                x1, x2 = x[..., : d // 2], x[..., d // 2 :]
                return x * cos + torch.cat([-x2, x1], -1) * sin
            """,
        ),
        Wrong(
            "numpy-round-trip",
            "gradients",
            """
            import numpy as np, torch
            def apply_rotary_embedding(x, positions, base=10000.0):
                a = x.detach().numpy()
                d = a.shape[-1]
                theta = base ** (-np.arange(0, d, 2) / d)
                angles = positions.numpy()[:, None] * theta
                cos = np.concatenate([np.cos(angles)] * 2, -1)
                sin = np.concatenate([np.sin(angles)] * 2, -1)
                rotated = np.concatenate([-a[..., d // 2 :], a[..., : d // 2]], -1)
                return torch.from_numpy(a * cos + rotated * sin).to(x.dtype)
            """,
        ),
    ],
}
