"""Score a typed answer against a question's key points, in Chinese or English.

Each key point is reduced to its content terms; a point is covered when enough
of its terms (weighted) appear in the answer. Terms match fuzzily, so typos,
inflections and word-order changes still count, and through a small table of
domain synonyms ("grows" / "increases", "变大" / "增大"), so common
paraphrases count too. Both languages of a key point are tried and the better
score kept: an answer typed in English is checked against the English key
points, one in Chinese against the Chinese ones, a mix against both.

Chinese is segmented with jieba (imported on first use: loading its
dictionary takes about a second, so never at start-up); a Chinese term also
counts when it appears verbatim in the answer, which makes the check
independent of how jieba happens to split a phrase. English uses regex tokens,
a light suffix stemmer and rapidfuzz similarity.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from fsrs import Rating

from questions.model import Lang, Question, Text
from questions.study.grading import rating_for_coverage

TERM_SIMILARITY = 85.0  # rapidfuzz ratio (0-100) at which two terms count as the same word
EXACT_BELOW = 5  # terms shorter than this must match exactly: "mean" ~ "man" scores 86
COVERED_SCORE = 0.5  # weighted share of a key point's terms needed to call it covered
MATH_WEIGHT = 0.5  # a term from a $...$ formula illustrates the point; the prose states it

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_TOKEN = re.compile(r"[a-z0-9]+")

# Math as people type it: "√d_k", "sqrt(dk)", "d k" all mean the same term.
_MATH_REWRITES = (
    (re.compile(r"√"), " sqrt "),
    (re.compile(r"\\sqrt"), " sqrt "),
    (re.compile(r"(?<=[a-z])_\{?([a-z0-9]+)\}?"), r"\1"),  # d_k, d_{model} -> dk, dmodel
    (re.compile(r"\bd\s+(k|v|q|model|ff)\b"), r"d\1"),  # "d k" -> dk
    (re.compile(r"[$\\{}]"), " "),
    (re.compile(r"\bone[- ]hot\b"), "onehot"),  # "one" alone is a stopword
    # "q·k", "QKᵀ", "dot product", "dot-products" (and "dot prodcut") are one concept
    (re.compile(r"\bq\s*·\s*k\b|\bqkᵀ|\bqk\^?t\b|\bdot[- ]?pro\w*"), " dotproduct "),
)

ENGLISH_STOPWORDS = frozenset(
    """a an the of to in on at by for with from as and or but if then than so that this these those it its
    is are was were be been being has have had do does did can could will would should may might must
    which who whom what when where why how there here like toward towards into onto over under about also just only very
    not no each every any all some such more most less many much one we you they he she i our your their
    us them via per same while because thus hence therefore e g ie eg etc""".split()
)
CHINESE_STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 或 等 会 就 也 都 而 把 被 让 使 这 那 这个 那个 一个 我们 它 它们 其 之 为 以 对 从
    中 上 下 里 时 后 前 并 且 但 则 即 如 若 因为 所以 因此 可以 能 能够 进行 通过 一种 一些 很 更 最 较 比较 非常
    要 需要 得 地 着 过 还 又 再 已 已经 用 用于 来 去 个 种 些 之间 的话 这样 那样 如果 就是 也是 不是 有""".split()
)

# Groups of interchangeable words; the first of each is the canonical form. Kept
# small and domain-specific: every entry is a paraphrase seen in interview answers,
# and a broad thesaurus would let unrelated answers match.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("grow", "increase", "rise", "larger", "bigger", "large", "big", "higher", "explode", "blow"),
    ("shrink", "decrease", "reduce", "smaller", "small", "lower", "decline", "diminish", "drop"),
    ("vanish", "disappear"),
    ("gradient", "grad"),
    ("variance", "var", "spread", "std", "deviation", "方差", "标准差", "波动"),
    ("dotproduct", "点积", "内积"),
    ("mean", "expectation", "expected", "average"),
    ("dimension", "dim", "dimensionality", "width"),
    ("saturate", "saturation", "peaky", "peaked"),
    ("sequence", "seq"),
    ("parameter", "param", "weight"),
    ("compute", "computation", "calculate", "calculation", "flop"),
    ("memory", "mem"),
    ("token", "word", "subword"),
    ("position", "positional", "location"),
    ("normalize", "normalise", "normalization", "normalisation", "norm"),
    ("stable", "stability", "stabilize", "stabilise"),
    ("scale", "divide", "rescale"),
    ("keep", "restore", "maintain", "preserve"),
    ("unit", "one", "1"),
    ("zero", "0"),
    ("增大", "变大", "增加", "增长", "上升", "变高", "越大", "扩大", "爆炸"),
    ("减小", "变小", "降低", "下降", "减少", "越小", "缩小"),
    ("消失", "趋于零", "接近零", "趋近于零"),
    ("梯度", "导数"),
    ("均值", "期望", "平均"),
    ("维度", "维数"),
    ("饱和", "尖锐"),
    ("参数", "权重"),
    ("计算量", "计算", "开销"),
    ("稳定", "稳定性"),
    ("缩放", "除以", "除"),
    ("保持", "恢复", "维持"),
    ("位置", "顺序"),
)
# Domain words jieba's general dictionary splits apart ("雅可比" -> "雅" "可比").
CHINESE_TERMS = (
    "雅可比", "点积", "头宽", "归一化", "层归一化", "批归一化", "位置编码", "注意力", "自注意力", "多头",
    "残差", "掩码", "编码器", "解码器", "前馈", "词嵌入", "温度", "困惑度",
)
_CANONICAL: dict[str, str] = {}  # filled below, once the stemmer is defined


@dataclass(frozen=True)
class KeyPointMatch:
    """How well the answer covers one key point."""

    index: int
    text: Text
    score: float  # 0..1: weighted share of the point's terms found in the answer
    covered: bool
    lang: Lang  # the language of the key point that scored best
    matched_terms: tuple[str, ...]
    missing_terms: tuple[str, ...]


@dataclass(frozen=True)
class AnswerCheck:
    question_id: str
    points: tuple[KeyPointMatch, ...]

    @property
    def covered(self) -> tuple[KeyPointMatch, ...]:
        return tuple(point for point in self.points if point.covered)

    @property
    def missed(self) -> tuple[KeyPointMatch, ...]:
        return tuple(point for point in self.points if not point.covered)

    @property
    def coverage(self) -> float:
        return len(self.covered) / len(self.points) if self.points else 0.0

    @property
    def suggested_rating(self) -> Rating:
        return rating_for_coverage(self.coverage)


def check_typed_answer(question: Question, answer: str, *, covered_score: float = COVERED_SCORE) -> AnswerCheck:
    """Which of ``question``'s key points ``answer`` covers, and the rating that suggests."""
    answer_terms = _AnswerTerms(answer)
    points = []
    for index, point in enumerate(question.key_points.pairs()):
        candidates = [_score_point(point.en, "en", answer_terms)]
        if answer_terms.has_cjk:  # no Chinese typed: zh points cannot score, and jieba stays unloaded
            candidates.append(_score_point(point.zh, "zh", answer_terms))
        score, lang, matched, missing = max(candidates, key=lambda c: c[0])
        points.append(
            KeyPointMatch(
                index=index,
                text=point,
                score=round(score, 3),
                covered=score >= covered_score,
                lang=lang,
                matched_terms=matched,
                missing_terms=missing,
            )
        )
    return AnswerCheck(question_id=question.id, points=tuple(points))


def warm_up_chinese() -> None:
    """Load jieba's dictionary now (about a second), e.g. in a worker when a typed-answer
    screen opens, so the first Chinese answer is checked without a pause."""
    _cut_chinese("注意力机制")


class _AnswerTerms:
    """The typed answer, normalised and tokenised once, with a cache of term lookups."""

    def __init__(self, answer: str) -> None:
        self.text = _normalise(answer)
        self.has_cjk = bool(_CJK.search(self.text))
        self.tokens = set(terms(answer))
        self._best: dict[str, float] = {}

    def similarity(self, term: str) -> float:
        """Best similarity (0-100) of ``term`` to any answer token (or a verbatim occurrence)."""
        if term not in self._best:
            from rapidfuzz import fuzz, process

            if _CJK.search(term) and term in self.text:
                best = 100.0
            elif term in self.tokens:
                best = 100.0
            elif len(term) < EXACT_BELOW:
                best = 0.0
            else:
                found = process.extractOne(term, self.tokens, scorer=fuzz.ratio) if self.tokens else None
                best = float(found[1]) if found else 0.0
            self._best[term] = best
        return self._best[term]


def _score_point(point: str, lang: Lang, answer: _AnswerTerms) -> tuple[float, Lang, tuple[str, ...], tuple[str, ...]]:
    point_terms = _weighted_terms(point)
    if not point_terms:
        return 0.0, lang, (), ()
    matched, missing = [], []
    total = found = 0.0
    for term, weight in point_terms.items():
        total += weight
        if answer.similarity(term) >= TERM_SIMILARITY:
            found += weight
            matched.append(term)
        else:
            missing.append(term)
    return found / total, lang, tuple(matched), tuple(missing)


def _weighted_terms(point: str) -> dict[str, float]:
    """A key point's terms with their weights; a term in both prose and formula keeps the larger."""
    weights: dict[str, float] = {}
    prose = _FORMULA.sub(" ", point)
    for text, scale in ((prose, 1.0), *((formula, MATH_WEIGHT) for formula in _FORMULA.findall(point))):
        for term in terms(text):
            # a single Chinese character or a one-letter symbol carries little meaning alone
            weight = scale * (0.5 if len(term) == 1 else 1.0)
            weights[term] = max(weights.get(term, 0.0), weight)
    return weights


_FORMULA = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.DOTALL)


def terms(text: str) -> list[str]:
    """Content terms of ``text``: normalised, stemmed, synonym-canonical, stopwords dropped."""
    out: list[str] = []
    for piece in _segments(_normalise(text)):
        if not _CJK.search(piece):
            out.extend(_latin_terms(piece))
            continue
        for word in _cut_chinese(piece):
            if _CJK.search(word):
                if word not in CHINESE_STOPWORDS:
                    out.append(_CANONICAL.get(word, word))
            else:
                out.extend(_latin_terms(word))  # Latin terms inside Chinese text ("softmax", "d_k")
    return out


def _segments(text: str) -> list[str]:
    """Split text into runs of CJK and runs of everything else."""
    return [m.group(0) for m in re.finditer(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", text)]


def _latin_terms(text: str) -> list[str]:
    out = []
    for token in _LATIN_TOKEN.findall(text):
        if token in ENGLISH_STOPWORDS:
            continue
        stemmed = _stem(token)
        # "scaling" stems to "scal": try the silent-e form before giving up on the synonym table
        out.append(_CANONICAL.get(token) or _CANONICAL.get(stemmed) or _CANONICAL.get(stemmed + "e") or stemmed)
    return out


def _stem(word: str) -> str:
    """A light English suffix stripper: enough for plural, -ing, -ed, -ly forms to meet."""
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "es" and not word.endswith(("ses", "xes", "zes", "ches", "shes")):
                return word[:-1]  # "variances" -> "variance", not "varianc"
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: -len(suffix)] + replacement
    return word


def _normalise(text: str) -> str:
    from questions.render import render_math

    # Key points carry $...$ LaTeX; compare what a reader sees ("Var(q·k)=d_k"), not macro names.
    text = unicodedata.normalize("NFKC", render_math(text)).lower()
    for pattern, replacement in _MATH_REWRITES:
        text = pattern.sub(replacement, text)
    return text


_jieba_lock = threading.Lock()


@lru_cache(maxsize=4096)
def _cut_chinese(text: str) -> tuple[str, ...]:
    with _jieba_lock:  # jieba initialises its dictionary lazily and not thread-safely
        jieba = _jieba()
        return tuple(jieba.lcut(text))


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter would land on the terminal
    for word in (*CHINESE_TERMS, *(w for group in SYNONYM_GROUPS for w in group if _CJK.search(w))):
        jieba.add_word(word)  # keep domain terms and synonyms whole so matching and the table apply
    return jieba


# Inflected forms meet their group too: "dividing" stems to "divid", as does "divide".
_CANONICAL.update({_stem(word): group[0] for group in SYNONYM_GROUPS for word in group if not _CJK.search(word)})
_CANONICAL.update({word: group[0] for group in SYNONYM_GROUPS for word in group})
