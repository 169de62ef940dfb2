"""Numeric helpers shared by the symbolic verifiers' cross-checks (numpy imported lazily)."""

from __future__ import annotations

from typing import Any


def softmax(logits: Any, axis: int = -1) -> Any:
    """Softmax along ``axis``, stable for large logits (the maximum is subtracted first)."""
    import numpy as np

    logits = np.asarray(logits, dtype=np.float64)
    shifted = logits - logits.max(axis=axis, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=axis, keepdims=True)


def softmax_jacobian(probabilities: Any) -> Any:
    """∂p_i/∂z_j = p_i(δ_ij − p_j) for each row of ``probabilities`` (shape (..., n) -> (..., n, n))."""
    import numpy as np

    p = np.asarray(probabilities, dtype=np.float64)
    return p[..., :, None] * np.eye(p.shape[-1]) - p[..., :, None] * p[..., None, :]


def entropy(probabilities: Any, axis: int = -1) -> Any:
    """Shannon entropy in nats; 0·log 0 counts as 0."""
    import numpy as np

    p = np.asarray(probabilities, dtype=np.float64)
    safe = np.where(p > 0, p, 1.0)
    return -(p * np.log(safe)).sum(axis=axis)


def is_monotone(values: Any, *, increasing: bool, strict: bool = True) -> bool:
    import numpy as np

    steps = np.diff(np.asarray(values, dtype=np.float64))
    if not increasing:
        steps = -steps
    return bool((steps > 0).all() if strict else (steps >= 0).all())


def sinusoidal_positional_encoding(positions: Any, d_model: int, base: float = 10000.0) -> Any:
    """The original paper's encoding: PE[p, 2i] = sin(p·ω_i), PE[p, 2i+1] = cos(p·ω_i), ω_i = base^(−2i/d_model).

    Returns shape (len(positions), d_model), float64.
    """
    import numpy as np

    positions = np.asarray(positions, dtype=np.float64)[:, None]
    frequencies = pe_frequencies(d_model, base)[None, :]
    encoding = np.empty((positions.shape[0], d_model))
    encoding[:, 0::2] = np.sin(positions * frequencies)
    encoding[:, 1::2] = np.cos(positions * frequencies)
    return encoding


def pe_frequencies(d_model: int, base: float = 10000.0) -> Any:
    """ω_i = base^(−2i/d_model) for i = 0 … d_model/2 − 1."""
    import numpy as np

    return base ** (-np.arange(0, d_model, 2, dtype=np.float64) / d_model)
