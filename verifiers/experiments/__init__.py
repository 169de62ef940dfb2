"""Experiments on transformer_core (owned by the experiments issue)."""
