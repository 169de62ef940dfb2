"""Reference solution: learning byte-pair-encoding merges on a toy corpus (Sennrich et al. 2016)."""

from collections import Counter

END_OF_WORD = "</w>"


def learn_bpe(word_counts, num_merges):
    """Learn up to ``num_merges`` BPE merges from a corpus given as {word: count}.

    Every word starts as its characters followed by the end-of-word symbol
    END_OF_WORD, e.g. "low" -> ("l", "o", "w", "</w>"). Each round:
      - count every pair of adjacent symbols inside each word (never across
        words), each occurrence weighted by the word's count;
      - the most frequent pair wins; ties go to the smallest pair in Python's
        tuple order (("a", "b") < ("a", "c") < ("b", "a"));
      - merge every occurrence of that pair in every word, scanning left to
        right ("a a a" with ("a", "a") becomes "aa a");
      - record the pair.
    Stop early when no word has two symbols left.
    Returns the merges in order, a list of (left, right) string pairs.
    """
    words = {tuple(word) + (END_OF_WORD,): count for word, count in word_counts.items()}
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for symbols, count in words.items():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))  # most frequent, then smallest
        merges.append(best)
        words = {_merge(symbols, best): count for symbols, count in words.items()}
    return merges


def _merge(symbols, pair):
    merged, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            merged.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            merged.append(symbols[i])
            i += 1
    return tuple(merged)
