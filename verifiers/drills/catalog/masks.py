"""Drills: the causal mask and a padding mask from lengths."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verifiers.drills.catalog._common import text
from verifiers.drills.spec import Drill, check

if TYPE_CHECKING:
    from verifiers.drills.context import DrillContext

# -- causal mask -----------------------------------------------------------------------------

CAUSAL_SIZES = (1, 2, 3, 5, 8)


def _causal_mistakes(n: int) -> list:
    import torch

    ones = torch.ones(n, n, dtype=torch.bool)
    return [
        (
            text("对角线被遮住了：每个位置也要能看到自己（tril 的 diagonal=0）。", "The diagonal is hidden: each position must also see itself (tril with diagonal=0)."),
            ones.tril(-1),
        ),
        (
            text(
                "方向反了：你返回的是要屏蔽的位置（True = 屏蔽），本练习的约定是 True = 可以关注。",
                "Inverted: you return the positions to hide (True = masked); here True means may attend.",
            ),
            ones.triu(1),
        ),
        (
            text(
                "行和列搞反了：第 i 行是查询 i，它可以看第 0..i 列（下三角），不是上三角。",
                "Rows and columns are swapped: row i is query i, which sees columns 0..i (the lower triangle), not the upper one.",
            ),
            ones.triu(),
        ),
    ]


@check(
    "sees-itself-and-past",
    en=f"For n in {CAUSAL_SIZES}, returns exactly transformer_core's causal_mask(n): an (n, n) torch.bool tensor, "
    "True on and below the diagonal.",
    zh=f"对 n ∈ {CAUSAL_SIZES}，结果与 transformer_core 的 causal_mask(n) 完全相同：(n, n) 的 torch.bool 张量，对角线及以下为 True。",
    hint_en="torch.ones(n, n, dtype=torch.bool).tril(): query i (row) may see keys j <= i (columns).",
    hint_zh="torch.ones(n, n, dtype=torch.bool).tril()：查询 i（行）可以看到 j <= i 的键（列）。",
)
def _causal_matches(causal_mask: Any, ctx: "DrillContext") -> None:
    from transformer_core.masks import causal_mask as reference

    for n in CAUSAL_SIZES:
        ctx.equal(ctx.call(causal_mask, n), reference(n), inputs={"n": n}, mistakes=lambda: _causal_mistakes(n))


@check(
    "no-future-leak",
    en="Used as the mask of attention over 6 positions, changing the tokens after position i never changes the "
    "output at position i, while every position still sees itself.",
    zh="把它用作 6 个位置上注意力的 mask 时，修改位置 i 之后的词元永远不会改变位置 i 的输出，同时每个位置仍能看到自己。",
    hint_en="A position that sees a later key leaks the future; one that sees nothing gets no information at all.",
    hint_zh="能看到后面键的位置会泄露未来；什么都看不到的位置则得不到任何信息。",
)
def _causal_no_leak(causal_mask: Any, ctx: "DrillContext") -> None:
    import torch

    from verifiers.drills.catalog.attention import attention_reference

    n = 6
    mask = ctx.call(causal_mask, n)
    ctx.require(
        isinstance(mask, torch.Tensor) and mask.dtype == torch.bool and tuple(mask.shape) == (n, n),
        text("应返回 (n, n) 的 torch.bool 张量", "it should return an (n, n) torch.bool tensor"),
        inputs={"n": n},
        got=mask,
    )
    x = ctx.randn(n, 4)
    out = attention_reference(x, x, x, mask)
    for i in range(n - 1):
        changed = x.clone()
        changed[i + 1 :] = ctx.randn(n - i - 1, 4)
        after = attention_reference(changed, changed, changed, mask)
        ctx.require(
            torch.allclose(out[: i + 1], after[: i + 1]),
            text(f"位置 {i} 的输出随后面的词元而变：未来信息泄露了", f"the output at position {i} changes with later tokens: the future leaks"),
            inputs={"n": n},
            got=mask,
        )
    ctx.require(
        bool(mask.diagonal().all()),
        text("有位置看不到自己", "some position cannot see itself"),
        inputs={"n": n},
        got=mask,
    )


CAUSAL_MASK = Drill(
    id="causal-mask",
    entry="causal_mask",
    reference="causal_mask.py",
    title=text("因果（look-ahead）mask", "Causal (look-ahead) mask"),
    task=text(
        "实现 causal_mask(n)：返回 (n, n) 的 torch.bool 张量，True 表示可以关注。第 i 行是位置 i 的查询，它能看到自己和之前的位置（列 0..i），看不到未来。",
        "Write causal_mask(n): an (n, n) torch.bool tensor, True = may attend. Row i is the query at position i; it "
        "sees itself and the past (columns 0..i), never the future.",
    ),
    hints=(
        text("允许的位置满足 j <= i：下三角，包括对角线。", "The allowed positions are j <= i: the lower triangle, diagonal included."),
        text("torch.tril 保留下三角；dtype 要是 torch.bool。", "torch.tril keeps the lower triangle; make the dtype torch.bool."),
    ),
    questions=("masks-why-causal", "masks-decoder-vs-encoder-self-attention", "foundations-decoder-parallelism"),
    checks=(_causal_matches, _causal_no_leak),
)

# -- padding mask ------------------------------------------------------------------------------


def _padding_reference(lengths: Any, max_len: Any = None) -> Any:
    import torch

    if max_len is None:
        max_len = int(lengths.max()) if lengths.numel() else 0
    return torch.arange(max_len)[None, :] < lengths[:, None]


def _padding_mistakes(lengths: Any, max_len: Any) -> list:
    import torch

    T = max_len if max_len is not None else (int(lengths.max()) if lengths.numel() else 0)
    positions = torch.arange(T)[None, :]
    return [
        (text("差一：位置 < 长度 才是真实词元，不是 <=。", "Off by one: a position is real when position < length, not <=."), positions <= lengths[:, None]),
        (text("方向反了：真实词元处应为 True，padding 处为 False。", "Inverted: True at real tokens, False at padding."), positions >= lengths[:, None]),
    ]


@check(
    "matches-lengths",
    en="For seeded batches of lengths (1 to 5 sequences, lengths 1 to 7), with max_len None and larger than every "
    "length, returns exactly arange(T) < lengths[:, None]: (B, T) torch.bool, True at real tokens.",
    zh="对随机长度批次（1 到 5 条序列，长度 1 到 7），max_len 为 None 以及大于所有长度时，结果与 arange(T) < lengths[:, None] "
    "完全相同：(B, T) 的 torch.bool，真实词元处为 True。",
    hint_en="Compare a row of positions (1, T) with a column of lengths (B, 1); broadcasting gives (B, T).",
    hint_zh="用一行位置 (1, T) 与一列长度 (B, 1) 比较，广播得到 (B, T)。",
)
def _padding_matches(padding_mask: Any, ctx: "DrillContext") -> None:
    for batch in (1, 2, 5):
        lengths = ctx.randint(1, 8, batch)
        for max_len in (None, int(lengths.max()) + 3):
            ctx.equal(
                ctx.call(padding_mask, lengths, max_len=max_len),
                _padding_reference(lengths, max_len),
                inputs={"lengths": lengths, "max_len": max_len},
                mistakes=lambda: _padding_mistakes(lengths, max_len),
            )


@check(
    "edge-lengths",
    en="Handles a sequence of length 0 (an all-False row), a sequence filling max_len (an all-True row), and int32 "
    "lengths; with max_len given, T is max_len even when every sequence is shorter.",
    zh="能处理长度为 0 的序列（整行 False）、长度等于 max_len 的序列（整行 True）和 int32 的长度；给定 max_len 时，即使所有序列都更短，T 也等于 max_len。",
    hint_en="Do not derive T from the lengths when max_len is given, and keep the comparison strict (<).",
    hint_zh="给定 max_len 时不要从长度推出 T；比较要用严格的 <。",
)
def _padding_edges(padding_mask: Any, ctx: "DrillContext") -> None:
    import torch

    cases = (
        (torch.tensor([0, 3, 5]), None),
        (torch.tensor([5, 5]), 5),
        (torch.tensor([2, 0], dtype=torch.int32), 6),
        (torch.tensor([1]), 1),
    )
    for lengths, max_len in cases:
        ctx.equal(
            ctx.call(padding_mask, lengths, max_len=max_len),
            _padding_reference(lengths.long(), max_len),
            inputs={"lengths": lengths, "max_len": max_len},
            mistakes=lambda: _padding_mistakes(lengths.long(), max_len),
        )


PADDING_MASK = Drill(
    id="padding-mask",
    entry="padding_mask",
    reference="padding_mask.py",
    title=text("由长度构造 padding mask", "Padding mask from lengths"),
    task=text(
        "实现 padding_mask(lengths, max_len=None)：lengths 是 (B,) 的整数张量（每条序列的真实词元数，真实词元在前、padding 在后）。"
        "返回 (B, T) 的 torch.bool，真实词元处为 True、padding 处为 False；T = max_len，为 None 时取 lengths.max()。",
        "Write padding_mask(lengths, max_len=None): lengths is a (B,) integer tensor (each sequence's number of real "
        "tokens; real tokens first, padding after). Return a (B, T) torch.bool mask, True at real tokens and False at "
        "padding; T = max_len, or lengths.max() when it is None.",
    ),
    hints=(
        text("位置 t 是真实词元当且仅当 t < length。", "Position t is a real token exactly when t < length."),
        text("torch.arange(T)[None, :] < lengths[:, None] 一步得到整个 mask。", "torch.arange(T)[None, :] < lengths[:, None] gives the whole mask at once."),
    ),
    questions=("masks-padding-how", "masks-variable-length", "masks-no-padding-mask"),
    checks=(_padding_matches, _padding_edges),
)
