"""Claims and their evidence: a registry of verifiers (sympy derivations and
torch experiments on ``transformer_core``), a result model, a runner and a
results cache.

Importing this package must stay cheap: sympy and torch are imported only
inside the verifiers that need them.
"""
