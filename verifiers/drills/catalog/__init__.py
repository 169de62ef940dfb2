"""The drills, one module per group of related pieces.

``MODULE_ORDER`` is the curriculum order in which ``tprep drill list`` shows
them: the order in which an interviewer builds a Transformer up.
"""

MODULE_ORDER: tuple[str, ...] = (
    "attention",
    "masks",
    "multi_head",
    "normalization",
    "positions",
    "layers",
    "decoding",
    "training",
    "efficient",
    "tokenization",
)
