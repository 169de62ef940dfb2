"""Reference solution: a padding mask from sequence lengths."""

import torch


def padding_mask(lengths: torch.Tensor, max_len=None) -> torch.Tensor:
    """Boolean (B, T) mask: True at real tokens, False at padding.

    lengths: (B,) integer tensor, the number of real tokens of each sequence
    (the real tokens come first, padding after them).
    max_len: T, the padded length; None means lengths.max() (0 for an empty batch).
    Row b is True at positions 0..lengths[b]-1 and False after.
    """
    if max_len is None:
        max_len = int(lengths.max()) if lengths.numel() else 0
    positions = torch.arange(max_len, device=lengths.device)  # (T,)
    return positions[None, :] < lengths[:, None]  # (B, T)
