"""Reference solution: rotary position embedding (RoPE), rotate-half convention."""

import torch


def apply_rotary_embedding(x: torch.Tensor, positions: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """Rotate the features of x by their positions (RoPE, Su et al. 2021).

    x: (..., T, d), float32 or float64, d even (a query or key tensor, e.g.
    (B, H, T, d_head)); positions: (T,) integer positions of the T rows (they
    need not start at 0: a decoding step passes the position it is at).
    Convention: rotate-half, as GPT-NeoX and Hugging Face Llama: dimension i
    is paired with dimension i + d/2 (not with i + 1). With
    theta_i = base^(-2i/d) and angle = position * theta_i, for i < d/2:
        out[..., i]       = x[..., i] * cos(angle) - x[..., i + d/2] * sin(angle)
        out[..., i + d/2] = x[..., i + d/2] * cos(angle) + x[..., i] * sin(angle)
    i.e. out = x * cos + rotate_half(x) * sin with rotate_half(x) = cat(-x2, x1).
    Returns the shape and dtype of x.
    """
    d = x.size(-1)
    half = d // 2
    theta = base ** (-torch.arange(half, dtype=torch.float64) * 2 / d)  # (d/2,)
    angles = positions.to(torch.float64)[:, None] * theta[None, :]  # (T, d/2)
    cos = torch.cat([angles.cos(), angles.cos()], dim=-1).to(x.dtype)  # (T, d)
    sin = torch.cat([angles.sin(), angles.sin()], dim=-1).to(x.dtype)
    x1, x2 = x[..., :half], x[..., half:]
    rotated_half = torch.cat([-x2, x1], dim=-1)
    return x * cos + rotated_half * sin
