"""Errors a user of the model can act on.

Both carry ``exit_code = 2`` (bad input, see ``docs/contracts.md``) so that
``tprep`` prints them as one message instead of a traceback. Both subclass
``ValueError`` so plain Python callers can catch them the usual way.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A ``TransformerConfig`` field (or combination of fields) is invalid.

    The message names the field, the value given and what would be valid.
    """

    exit_code = 2

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"TransformerConfig.{field}: {message}")


class TransformerInputError(ValueError):
    """Tensors handed to a model are unusable: ids outside the vocabulary,
    sequences longer than ``max_len``, masks whose shape does not match.

    The message says which argument, what was wrong and how to fix it.
    """

    exit_code = 2


class DeviceUnavailableError(RuntimeError):
    """The requested device does not exist on this machine (e.g. ``cuda`` without a GPU)."""

    exit_code = 2
