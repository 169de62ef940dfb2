"""Drill: learning BPE merges on a toy corpus."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verifiers.drills.catalog._common import reference_module, text
from verifiers.drills.spec import Drill, check

if TYPE_CHECKING:
    from verifiers.drills.context import DrillContext

SENNRICH_CORPUS = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
# The merges the rules above learn from the example corpus of Sennrich et al. (2016), worked out by hand
# (count in brackets; ties go to the smallest pair): e+s (9), es+t (9), est+</w> (9), l+o (7), lo+w (7),
# then e+w, n+e and w+est</w> tie at 6 and e+w is smallest, ew+est</w> (6), n+ewest</w> (6), low+</w> (5),
# and d+est</w>, i+d, w+i tie at 3.
SENNRICH_MERGES = [
    ("e", "s"),
    ("es", "t"),
    ("est", "</w>"),
    ("l", "o"),
    ("lo", "w"),
    ("e", "w"),
    ("ew", "est</w>"),
    ("n", "ewest</w>"),
    ("low", "</w>"),
    ("d", "est</w>"),
]


def _as_pairs(got: Any) -> Any:
    """The candidate's merges as a list of tuples (lists of two strings are accepted too)."""
    if isinstance(got, (list, tuple)) and all(isinstance(m, (list, tuple)) and len(m) == 2 for m in got):
        return [tuple(m) for m in got]
    return got


def _reference(word_counts: dict, num_merges: int) -> list:
    return reference_module("bpe-merges").learn_bpe(word_counts, num_merges)


def _bpe_mistakes(word_counts: dict, num_merges: int) -> list:
    unweighted = _reference({word: 1 for word in word_counts}, num_merges)
    return [(text("每个词的相邻符号对要乘以该词的出现次数。", "Weight each word's pairs by the word's count."), unweighted)]


@check(
    "sennrich-example",
    en=f"On Sennrich et al.'s corpus {SENNRICH_CORPUS}, 10 merges are exactly {SENNRICH_MERGES[:4]} ... {SENNRICH_MERGES[-2:]}, "
    "with the end-of-word symbol </w>.",
    zh=f"在 Sennrich 等人的语料 {SENNRICH_CORPUS} 上，10 次合并恰好是 {SENNRICH_MERGES[:4]} ... {SENNRICH_MERGES[-2:]}，并使用词尾符号 </w>。",
    hint_en="Start each word as characters + '</w>'; count adjacent pairs weighted by word count; merge the most frequent pair everywhere; repeat.",
    hint_zh="每个词从“字符 + '</w>'”开始；按词频加权统计相邻符号对；把最频繁的符号对在所有位置合并；重复。",
)
def _bpe_sennrich(learn_bpe: Any, ctx: "DrillContext") -> None:
    corpus = dict(SENNRICH_CORPUS)
    ctx.equal(
        _as_pairs(ctx.call(learn_bpe, corpus, 10)),
        SENNRICH_MERGES,
        inputs={"word_counts": corpus, "num_merges": 10},
        mistakes=lambda: _bpe_mistakes(corpus, 10) + [(text("每个词末尾要加词尾符号 '</w>'，它参与合并。", "Append the end-of-word symbol '</w>' to every word; it takes part in merges."), _without_marker(corpus, 10))],
    )


def _without_marker(word_counts: dict, num_merges: int) -> list:
    """What the algorithm learns without '</w>', for diagnosing."""
    from collections import Counter

    words = {tuple(word): count for word, count in word_counts.items()}
    merge = reference_module("bpe-merges")._merge
    merges = []
    for _ in range(num_merges):
        pairs: Counter = Counter()
        for symbols, count in words.items():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        merges.append(best)
        words = {merge(symbols, best): count for symbols, count in words.items()}
    return merges


@check(
    "counts-and-ties",
    en="Pairs are weighted by word counts and counted inside words only (never across two words); ties go to the "
    "smallest pair in tuple order; a corpus where these rules decide the answer gives the specified merges.",
    zh="符号对按词频加权，且只在词内统计（不跨词）；并列时取元组顺序最小的那对；在由这些规则决定结果的语料上，得到规定的合并序列。",
    hint_en="Keep the words separate (a dict of symbol tuples -> count); break ties with min(pairs, key=lambda p: (-count[p], p)).",
    hint_zh="各个词分开保存（符号元组 -> 次数 的字典）；并列时用 min(pairs, key=lambda p: (-count[p], p)) 决定。",
)
def _bpe_counts(learn_bpe: Any, ctx: "DrillContext") -> None:
    for corpus, merges in (({"ab": 1, "bc": 1, "ca": 1, "xy": 4}, 4), ({"ba": 2, "ab": 2, "cd": 1}, 3), ({"ab": 3, "ba": 1}, 2)):
        ctx.equal(
            _as_pairs(ctx.call(learn_bpe, dict(corpus), merges)),
            _reference(corpus, merges),
            inputs={"word_counts": corpus, "num_merges": merges},
            mistakes=lambda: _bpe_mistakes(corpus, merges),
        )


@check(
    "left-to-right-merging",
    en="Overlapping occurrences merge left to right without overlap ('aaa' with ('a', 'a') becomes 'aa a'), and a merged "
    "symbol only joins whole symbols (merging ('e', 's') never touches the 'e' inside 'ne').",
    zh="重叠出现时从左到右、不重叠地合并（'aaa' 按 ('a', 'a') 合并成 'aa a'）；合并只作用于完整的符号（合并 ('e', 's') 不会动到 'ne' 里面的 'e'）。",
    hint_en="Walk the symbol tuple: when (symbols[i], symbols[i+1]) is the pair, emit the joined symbol and skip two; "
    "string replace on a space-joined word also matches inside longer symbols.",
    hint_zh="遍历符号元组：当 (symbols[i], symbols[i+1]) 是该对时输出合并后的符号并跳过两个；对空格连接的字符串做 replace 会匹配到更长符号的内部。",
)
def _bpe_left_to_right(learn_bpe: Any, ctx: "DrillContext") -> None:
    for corpus, merges in (({"aaaa": 2, "aaa": 3}, 4), ({"nes": 4, "ne": 5, "es": 3, "n": 1}, 4)):
        ctx.equal(_as_pairs(ctx.call(learn_bpe, dict(corpus), merges)), _reference(corpus, merges), inputs={"word_counts": corpus, "num_merges": merges})


@check(
    "random-corpora",
    en="On seeded random corpora (up to 8 words over the letters a-e, counts 1 to 9), 12 merges equal the specified "
    "algorithm's; asking for more merges than possible stops early without error.",
    zh="在随机语料（最多 8 个由 a-e 组成的词，次数 1 到 9）上，12 次合并与规定算法一致；请求的合并次数超过可能的次数时提前停止且不报错。",
    hint_en="Stop when no word has two symbols left (no pairs to count) instead of failing on an empty count.",
    hint_zh="当没有任何词还剩两个以上的符号（没有可统计的符号对）时就停止，而不是在空计数上出错。",
)
def _bpe_random(learn_bpe: Any, ctx: "DrillContext") -> None:
    for _ in range(4):
        corpus = {}
        for _ in range(int(ctx.randint(2, 9))):
            length = int(ctx.randint(1, 7))
            corpus["".join("abcde"[int(i)] for i in ctx.randint(0, 5, length))] = int(ctx.randint(1, 10))
        ctx.equal(_as_pairs(ctx.call(learn_bpe, dict(corpus), 12)), _reference(corpus, 12), inputs={"word_counts": corpus, "num_merges": 12}, mistakes=lambda: _bpe_mistakes(corpus, 12))
    tiny = {"ab": 1}
    ctx.equal(_as_pairs(ctx.call(learn_bpe, dict(tiny), 10)), _reference(tiny, 10), inputs={"word_counts": tiny, "num_merges": 10})


BPE_MERGES = Drill(
    id="bpe-merges",
    entry="learn_bpe",
    reference="bpe_merges.py",
    title=text("在玩具语料上学习 BPE 合并", "Learning BPE merges on a toy corpus"),
    task=text(
        "实现 learn_bpe(word_counts, num_merges)：word_counts 是 {词: 次数}。每个词先拆成字符并在末尾加词尾符号 '</w>'。每一轮：按词频加权统计词内相邻符号对，"
        "选最频繁的一对（并列时取元组顺序最小的），在所有词中从左到右合并，记录这一对。没有可合并的符号对时提前停止。返回 (left, right) 字符串对的列表。",
        "Write learn_bpe(word_counts, num_merges): word_counts is {word: count}. Each word starts as its characters followed "
        "by the end-of-word symbol '</w>'. Each round: count adjacent symbol pairs inside words, weighted by word count; "
        "take the most frequent pair (ties: the smallest in tuple order); merge it everywhere, left to right; record it. "
        "Stop early when no pair is left. Return the list of (left, right) string pairs.",
    ),
    hints=(
        text("用 {符号元组: 次数} 表示语料，每轮重建。", "Represent the corpus as {symbol tuple: count} and rebuild it each round."),
        text("collections.Counter 适合统计符号对。", "collections.Counter counts the pairs nicely."),
        text("'</w>' 让 BPE 区分词尾的 'est' 和词中的 'est'。", "'</w>' lets BPE tell a word-final 'est' from one inside a word."),
    ),
    questions=("tokenization-bpe-algorithm", "tokenization-bpe-vs-wordpiece", "tokenization-oov"),
    checks=(_bpe_sennrich, _bpe_counts, _bpe_left_to_right, _bpe_random),
)
