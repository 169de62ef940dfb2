"""Wrong causal and padding masks."""

from tests.verifiers.drills.mistakes import Wrong

WRONG = {
    "causal-mask": [
        Wrong(
            "hides-diagonal",
            "sees-itself-and-past",
            """
            import torch
            def causal_mask(n):
                return torch.ones(n, n, dtype=torch.bool).tril(diagonal=-1)
            """,
        ),
        Wrong(
            "inverted",
            "sees-itself-and-past",
            """
            import torch
            def causal_mask(n):
                return torch.ones(n, n, dtype=torch.bool).triu(diagonal=1)
            """,
        ),
        Wrong(
            "upper-triangle",
            "sees-itself-and-past",
            """
            import torch
            def causal_mask(n):
                return torch.ones(n, n, dtype=torch.bool).triu()
            """,
        ),
        Wrong(
            "float-mask",
            "sees-itself-and-past",
            """
            import torch
            def causal_mask(n):
                return torch.tril(torch.ones(n, n))
            """,
        ),
    ],
    "padding-mask": [
        Wrong(
            "off-by-one",
            "matches-lengths",
            """
            import torch
            def padding_mask(lengths, max_len=None):
                T = int(lengths.max()) if max_len is None else max_len
                return torch.arange(T)[None, :] <= lengths[:, None]
            """,
        ),
        Wrong(
            "true-at-padding",
            "matches-lengths",
            """
            import torch
            def padding_mask(lengths, max_len=None):
                T = int(lengths.max()) if max_len is None else max_len
                return torch.arange(T)[None, :] >= lengths[:, None]
            """,
        ),
        Wrong(
            "ignores-max-len",
            "matches-lengths",
            """
            import torch
            def padding_mask(lengths, max_len=None):
                T = int(lengths.max())
                return torch.arange(T)[None, :] < lengths[:, None]
            """,
        ),
        Wrong(
            "int-mask",
            "matches-lengths",
            """
            import torch
            def padding_mask(lengths, max_len=None):
                T = int(lengths.max()) if max_len is None else max_len
                return (torch.arange(T)[None, :] < lengths[:, None]).long()
            """,
        ),
        Wrong(
            "breaks-on-int32",
            "edge-lengths",
            """
            import torch
            def padding_mask(lengths, max_len=None):
                T = int(lengths.max()) if max_len is None else max_len
                mask = torch.zeros(len(lengths), T, dtype=torch.bool)
                for b, n in enumerate(lengths.tolist()):
                    mask[b, :n] = True
                assert lengths.dtype == torch.int64
                return mask
            """,
            outcome="raised",
        ),
    ],
}
