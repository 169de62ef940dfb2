"""Symbolic verifiers: exact sympy derivations, each cross-checked numerically.

One verifier per module; see ``verifiers/README.md`` for how to add one.
"""
