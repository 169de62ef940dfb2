"""Wrong BPE learners."""

from tests.verifiers.drills.mistakes import Wrong

_LEARN = """
from collections import Counter
def learn_bpe(word_counts, num_merges):
    WORDS
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for symbols, count in words.items():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] += COUNT
        if not pairs:
            break
        best = BEST
        merges.append(best)
        words = {merge(symbols, best): count for symbols, count in words.items()}
    return merges

def merge(symbols, pair):
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1]); i += 2
        else:
            out.append(symbols[i]); i += 1
    return tuple(out)
"""


def _learn(words="words = {tuple(w) + ('</w>',): c for w, c in word_counts.items()}", count="count", best="min(pairs, key=lambda p: (-pairs[p], p))"):
    return _LEARN.replace("WORDS", words).replace("COUNT", count).replace("BEST", best)


WRONG = {
    "bpe-merges": [
        Wrong("no-end-of-word-symbol", "sennrich-example", _learn(words="words = {tuple(w): c for w, c in word_counts.items()}")),
        Wrong("unweighted-counts", "counts-and-ties", _learn(count="1")),
        Wrong("ties-by-first-seen", "counts-and-ties", _learn(best="max(pairs, key=pairs.get)")),
        Wrong(
            "string-replace-merge",
            "left-to-right-merging",
            """
            from collections import Counter
            def learn_bpe(word_counts, num_merges):
                words = {" ".join(w) + " </w>": c for w, c in word_counts.items()}
                merges = []
                for _ in range(num_merges):
                    pairs = Counter()
                    for word, count in words.items():
                        symbols = word.split()
                        for pair in zip(symbols, symbols[1:]):
                            pairs[pair] += count
                    if not pairs:
                        break
                    best = min(pairs, key=lambda p: (-pairs[p], p))
                    merges.append(best)
                    words = {w.replace(" ".join(best), "".join(best)): c for w, c in words.items()}
                return merges
            """,
        ),
        Wrong(
            "pairs-across-words",
            "counts-and-ties",
            """
            from collections import Counter
            def learn_bpe(word_counts, num_merges):
                corpus = []
                for w, c in word_counts.items():
                    corpus += (list(w) + ["</w>"]) * c
                merges = []
                for _ in range(num_merges):
                    pairs = Counter(zip(corpus, corpus[1:]))
                    pairs = Counter({p: n for p, n in pairs.items() if p[0] != "</w>"} )
                    if not pairs:
                        break
                    best = min(pairs, key=lambda p: (-pairs[p], p))
                    merges.append(best)
                    out, i = [], 0
                    while i < len(corpus):
                        if i + 1 < len(corpus) and (corpus[i], corpus[i + 1]) == best:
                            out.append(corpus[i] + corpus[i + 1]); i += 2
                        else:
                            out.append(corpus[i]); i += 1
                    corpus = out
                return merges
            """,
        ),
        Wrong(
            "crashes-when-nothing-left",
            "random-corpora",
            _learn().replace("        if not pairs:\n            break\n", ""),
            outcome="raised",
        ),
    ],
}
