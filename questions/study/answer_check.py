"""Propose which of a question's key points a typed answer states: a suggestion the candidate confirms.

For each key point the check proposes a tick (``KeyPointMatch.covered``) with a
verdict and the sentence of the answer it rests on, so the review can show
"looks covered: ..." or "negated here: ..." beside every point and let the
candidate flip any tick. The rating follows from the ticks the candidate
confirms (``AnswerCheck.rating_for``); ``suggested_rating`` is the rating of the
proposed ticks. Nothing is rated by the machine alone.

How a point is judged (the language work is in ``answer_text``):

- the answer is cut into sentences, each into polarised content terms: a term a
  negation governs ("not", "never", "instead of", "不", "没有", "而不是", ...) is
  marked negated, so it no longer counts for a point that asserts it;
- a point is looked for in every window of one to three neighbouring sentences;
  its score is the weighted share of its terms found there with the same
  polarity (fuzzily for English words, by synonym group across languages, by
  verbatim or character-pair match for Chinese), and the best window is its
  evidence;
- a point whose terms the window states only negated, or replaces with their
  opposite ("shrinks" for "grows"), is contradicted: not covered, whatever else
  the window shares with it; so is a point whose verb the window denies of the
  point's own subject ("新 token 的 k、v 也不追加进去"), one whose thing the window
  names by its sibling ("Continuous batching isn't ..." for static batching, the
  second matrix for the first, "after" for "before"), and one whose two siblings
  the window swaps ("Q 来自编码器，K、V 来自解码器");
- terms the question itself uses weigh half and count only beside a term it does
  not use (restating the question covers nothing), and an answer that only lists
  terms and bare formulas covers nothing (``AnswerCheck.keyword_list``);
- the question's model answer is a second wording of its key points: each answer
  sentence that clearly carries one point (it states that point, and clearly more
  of it than of any other) lends the point its own words, those no other point,
  other sentence or the question uses ("sit idle", "longest" for "finished
  sequences idle"). A window that states such a word, with the same polarity and
  exactly, not a look-alike, earns it for that point as if it were one of the
  point's terms; a window that denies one contradicts the point. Candidates who
  say a point in their own words often say it in the words the fuller answer uses.

Measured on hand-labelled answers: ``python -m tests.questions.study.answer_eval``
(the tuned and dev sets) and ``python bench/typed_answers.py`` (the frozen
held-out split; aggregate figures only, each run logged in
``bench/typed_answers_log.md``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from fsrs import Rating

from questions.model import Lang, Question, Text
from questions.study.answer_text import (
    NEGATED,
    TOPIC,
    Sentence,
    analyse,
    chinese_aliases,
    clause_terms,
    has_cjk,
    is_keyword_list,
    scoped_words,
    terms,
    warm_up_chinese,
)
from questions.study.grading import rating_for_coverage

__all__ = ["AnswerCheck", "KeyPointMatch", "Verdict", "check_typed_answer", "warm_up_chinese"]

TERM_SIMILARITY = 85.0  # rapidfuzz ratio (0-100) at which two terms count as the same word
EXACT_BELOW = 5  # terms shorter than this must match exactly: "mean" ~ "man" scores 86
COVERED_SCORE = 0.55  # weighted share of a key point's terms needed to call it covered
MATH_WEIGHT = 0.5  # most a term from a $...$ formula weighs: it illustrates the point; the prose states it
BIGRAM_SHARE = 0.5  # share of a long Chinese term's character pairs present for it to count ("初始化" ~ "初始")
ECHO_WEIGHT = 0.5  # a key-point term the question itself uses ("Q, K and V") restates the question
WINDOW_SENTENCES = 3  # a point is stated within this many neighbouring sentences
EVIDENCE_CHARS = 90  # longest evidence snippet shown
DENIED_SHARE = 0.25  # a point a quarter of whose weight the window states negated is denied there
# An answer sentence carries a key point when it states this share of the point's terms, and this
# much more of it than of the question's next-best point; only then does it lend the point words.
ALIGN_SCORE = 0.5
ALIGN_MARGIN = 0.15

# Opposites: a window that states the opposite of a point's term reverses that point ("the
# variance shrinks" for "grows"; "over each column" for "row-wise"), even beside the term itself.
OPPOSITES = {
    "grow": "shrink", "shrink": "grow", "sharp": "flat", "flat": "sharp", "deterministic": "random",
    "random": "deterministic", "exact": "approximation", "approximation": "exact", "rowwise": "columnwise",
    "columnwise": "rowwise", "equal": "change", "change": "equal", "adaptive": "fixed", "fixed": "adaptive",
}
# Complements: denying one states the other ("RNNs cannot be parallelised" states that they are
# sequential, "并行" denied states "串行"), so a point's term is also found as its complement denied.
COMPLEMENTS = {"parallel": "sequential", "sequential": "parallel"}
# Siblings: things of one kind that answers confuse. A window that names the sibling and not
# the point's own is about the other one ("MQA shares one K/V head" is not the GQA point).
SIBLINGS = {
    "mqa": "gqa", "gqa": "mqa", "pre": "post", "post": "pre", "batchnorm": "layernorm", "layernorm": "batchnorm",
    "bert": "gpt", "gpt": "bert", "encoder": "decoder", "decoder": "encoder", "classic": "invert",
    "invert": "classic", "parallel": "sequential", "sequential": "parallel", "bidirectional": "causal",
    "causal": "bidirectional", "static": "continuous", "continuous": "static", "第一个": "第二个", "第二个": "第一个",
    "first": "second", "second": "first", "past": "future", "future": "past",
}


class Verdict(str, enum.Enum):
    """Why a key point's tick is proposed as it is."""

    COVERED = "covered"  # the point's terms are stated, with the right polarity
    NEGATED = "negated"  # the answer denies or reverses the point
    PARTLY = "partly"  # some of its terms, not enough to state it
    ABSENT = "absent"  # nothing of it
    LISTED = "listed"  # the answer only lists terms, so no point counts

    def label(self, lang: Lang) -> str:
        """Short wording for the review screen."""
        return _VERDICT_LABELS[self][lang]


_VERDICT_LABELS = {
    Verdict.COVERED: {"en": "looks covered", "zh": "似乎已答到"},
    Verdict.NEGATED: {"en": "negated here", "zh": "此处被否定"},
    Verdict.PARTLY: {"en": "only partly there", "zh": "只答到一部分"},
    Verdict.ABSENT: {"en": "not found", "zh": "未找到"},
    Verdict.LISTED: {"en": "only listed as a term", "zh": "只是列出了术语"},
}


@dataclass(frozen=True)
class KeyPointMatch:
    """The proposed tick for one key point, and what it rests on."""

    index: int
    text: Text
    score: float  # 0..1: weighted share of the point's terms found in the best window
    covered: bool  # the proposed tick
    lang: Lang  # the language of the key point that scored best
    matched_terms: tuple[str, ...]
    missing_terms: tuple[str, ...]
    verdict: Verdict = Verdict.ABSENT
    evidence: str = ""  # the answer's sentence(s) the verdict rests on ("" when none)

    def reason(self, lang: Lang = "en") -> str:
        """What the review shows beside the tick: "looks covered: “…”", "negated here: “…”", "not found"."""
        label = self.verdict.label(lang)
        colon = "：" if lang == "zh" else ": "  # Chinese takes the full-width colon, with no space
        return f"{label}{colon}“{self.evidence}”" if self.evidence and self.verdict is not Verdict.ABSENT else label


@dataclass(frozen=True)
class AnswerCheck:
    question_id: str
    points: tuple[KeyPointMatch, ...]
    # The answer is a bare list of terms ("Q, K, V, softmax, √d_k ..."): it states no relation
    # between them, so no key point counts as covered whatever terms it names.
    keyword_list: bool = False

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
    def proposed_ticks(self) -> frozenset[int]:
        """Indices of the points the check proposes as covered: the review's starting ticks."""
        return frozenset(point.index for point in self.covered)

    def rating_for(self, ticked: Iterable[int]) -> Rating:
        """The rating that follows from the key points the candidate confirmed (indices)."""
        ticked = set(ticked)
        if not ticked <= set(range(len(self.points))):
            raise ValueError(f"ticked points {sorted(ticked)} are not all among 0..{len(self.points) - 1}")
        return rating_for_coverage(len(ticked) / len(self.points) if self.points else 0.0)

    @property
    def suggested_rating(self) -> Rating:
        """The rating of the proposed ticks, before the candidate confirms them."""
        return self.rating_for(self.proposed_ticks)


def reading_of(question: Question, answer: str) -> tuple[tuple[Lang, ...], frozenset[str]]:
    """The languages ``answer``'s points are tried in, and the question's own terms it echoes
    (which state nothing by themselves)."""
    # No Chinese typed: only the English points are tried, and jieba stays unloaded. With
    # Chinese typed, the Chinese point is tried first so that it is the one shown on a tie.
    langs: tuple[Lang, ...] = ("zh", "en") if has_cjk(answer) else ("en",)
    return langs, frozenset(term for lang in langs for term in _question_terms(question.question.get(lang)))


def answer_windows(sentences: Sequence[Sentence]) -> list[_Window]:
    """Every run of one to ``WINDOW_SENTENCES`` neighbouring sentences: where a point may be stated."""
    return [_Window(sentences[start : start + size]) for size in range(1, WINDOW_SENTENCES + 1) for start in range(len(sentences) - size + 1)]


def check_typed_answer(question: Question, answer: str, *, covered_score: float = COVERED_SCORE) -> AnswerCheck:
    """Propose which of ``question``'s key points ``answer`` states, each with its verdict and evidence."""
    sentences = analyse(answer)
    keyword_list = is_keyword_list(answer) if sentences else False
    langs, echoed = reading_of(question, answer)
    windows = answer_windows(sentences)
    vocabulary = {lang: _answer_vocabulary(question, lang) for lang in langs}
    points = []
    for index, point in enumerate(question.key_points.pairs()):
        best = max(
            (
                _judge(point.get(lang), lang, window, echoed, covered_score, vocabulary[lang][index])
                for lang in langs
                for window in windows
            ),
            key=lambda judged: judged.rank,
            default=_Judged(0.0, langs[0], (), (), Verdict.ABSENT, ""),
        )
        verdict = Verdict.LISTED if keyword_list and best.verdict is Verdict.COVERED else best.verdict
        points.append(
            KeyPointMatch(
                index=index,
                text=point,
                score=round(best.score, 3),
                covered=verdict is Verdict.COVERED,
                lang=best.lang,
                matched_terms=best.matched,
                missing_terms=best.missing,
                verdict=verdict,
                evidence=best.evidence if verdict is not Verdict.ABSENT else "",
            )
        )
    return AnswerCheck(question_id=question.id, points=tuple(points), keyword_list=keyword_list)


@dataclass(frozen=True)
class _Judged:
    score: float
    lang: Lang
    matched: tuple[str, ...]
    missing: tuple[str, ...]
    verdict: Verdict
    evidence: str

    @property
    def rank(self) -> tuple[int, float, int]:
        # A covering window wins; then a contradiction (worth showing); then the best score,
        # the shorter window on a tie.
        order = {Verdict.COVERED: 3, Verdict.NEGATED: 2, Verdict.PARTLY: 1, Verdict.ABSENT: 0, Verdict.LISTED: 0}
        return order[self.verdict], self.score, -len(self.evidence)


class _Window:
    """One to three neighbouring sentences of the answer, with a cache of term look-ups."""

    def __init__(self, sentences: tuple[Sentence, ...]) -> None:
        self.text = " ".join(sentence.text for sentence in sentences)
        self.tokens = {term for sentence in sentences for term in sentence.terms}
        self.affirmed = [term for term in self.tokens if not term.startswith((NEGATED, TOPIC))]
        self.negated = [term for term in self.tokens if term.startswith(NEGATED)]
        # subjects of denied predicates ("classic dropout" in "classic dropout does not scale")
        self.topics = {term.removeprefix(TOPIC) for term in self.tokens if term.startswith(TOPIC)}
        self.denials = [denial for sentence in sentences for denial in sentence.denials]
        self.clauses = [clause for sentence in sentences for clause in sentence.clauses]
        # Chinese words by polarity ("|" keeps words apart), for verbatim and character-pair look-ups
        self.chinese = {
            False: "|".join(sentence.affirmed_chinese for sentence in sentences),
            True: "|".join(sentence.negated_chinese for sentence in sentences),
        }
        self.bigrams = {
            polarity: {word[i : i + 2] for word in text.split("|") for i in range(len(word) - 1)}
            | {text[i : i + 2] for i in range(len(text) - 1) if "|" not in text[i : i + 2]}
            for polarity, text in self.chinese.items()
        }
        self._found: dict[str, bool] = {}

    def states(self, term: str) -> bool:
        """Whether the window states ``term`` with the same polarity (a "¬" term: negated)."""
        if term not in self._found:
            self._found[term] = self._similarity(term) >= TERM_SIMILARITY or self.states_by_complement(term)
        return self._found[term]

    def states_by_complement(self, term: str) -> bool:
        """Whether the window denies ``term``'s complement ("cannot be parallelised" for
        "sequential"), or, for a denied term, states its complement."""
        negated = term.startswith(NEGATED)
        complement = COMPLEMENTS.get(term.removeprefix(NEGATED))
        if complement is None:
            return False
        return self._similarity(complement if negated else NEGATED + complement) >= TERM_SIMILARITY

    def _similarity(self, term: str) -> float:
        from rapidfuzz import fuzz, process

        if term in self.tokens:
            return 100.0
        negated = term.startswith(NEGATED)
        word = term.removeprefix(NEGATED)
        chinese = self.chinese[negated]
        if has_cjk(word):
            if any(_holds(chinese, alias) for alias in (word, *chinese_aliases(word))):
                return 100.0
            if len(word) >= 3 and word[0] not in _NEGATING_CHARACTERS:  # "初始化" ~ "初始": most of its character pairs
                pairs = {word[i : i + 2] for i in range(len(word) - 1)}
                share = len(pairs & self.bigrams[negated]) / len(pairs)
                return 100.0 if share >= BIGRAM_SHARE else 100.0 * share
            return 0.0
        aliases = chinese_aliases(word)
        if any(_holds(chinese, alias) for alias in aliases):
            return 100.0  # "线性关系" holds "线性" (linear) even where jieba keeps the phrase whole
        # "归一化层" ~ "层归一化" (layernorm): most of a long alias's character pairs; never an alias that
        # starts with a negation ("不一致" is not held by "一致", which shares its last pair)
        for alias in (alias for alias in aliases if alias[0] not in _NEGATING_CHARACTERS):
            pairs = {alias[i : i + 2] for i in range(len(alias) - 1)}
            # and its last pair, the head of a Chinese compound: "低维空间" is a kind of "子空间" (subspace),
            # "每一步" (each step) shares the first pair of "每一层" (each layer) and is no layer
            bigrams = self.bigrams[negated]
            if len(alias) >= 3 and alias[-2:] in bigrams and len(pairs & bigrams) / len(pairs) >= BIGRAM_SHARE:
                return 100.0
        if len(word) < EXACT_BELOW:
            return 0.0
        # a typo is a look-alike; the term behind a prefix is another word ("recompute" is not "compute")
        same_polarity = [other for other in (self.negated if negated else self.affirmed) if not _derived(term, other)]
        found = process.extractOne(term, same_polarity, scorer=fuzz.ratio) if same_polarity else None
        return float(found[1]) if found else 0.0

    def states_exactly(self, term: str) -> bool:
        """Whether the window has ``term`` itself with the same polarity (a Chinese one verbatim),
        never a look-alike: "recompute" is not "compute"."""
        if term in self.tokens:
            return True
        word = term.removeprefix(NEGATED)
        chinese = self.chinese[term.startswith(NEGATED)]
        return any(_holds(chinese, alias) for alias in (word, *chinese_aliases(word)) if has_cjk(alias))

    def states_as_subject(self, term: str) -> bool:
        """Whether the window names ``term`` as the subject of a denied predicate."""
        return term in self.topics

    def denies(self, term: str) -> bool:
        """Whether the window states the affirmed ``term`` only negated. (Not the reverse: an answer
        says "drops the mean subtraction" or "少了减均值这一步" for a point's "不减均值".)"""
        return not term.startswith(NEGATED) and self.states(NEGATED + term) and not self.states(term)

    def reverses(self, term: str, point_terms: frozenset[str]) -> bool:
        """Whether the window states the opposite of ``term`` or, in its place, names its sibling."""
        opposite = OPPOSITES.get(term)
        if opposite is not None and opposite not in point_terms and self.states(opposite):
            return True
        # the sibling named as the subject of a denied claim is still what the window is about
        # ("Continuous batching isn't iteration-level: the batch waits ..." is no static-batching point)
        sibling = SIBLINGS.get(term)
        named = sibling is not None and (self.states(sibling) or self.states_as_subject(sibling))
        return named and sibling not in point_terms and not self.states(term)

    def binds_to_sibling(self, term: str, point: str) -> bool:
        """Whether the window swaps what the point's clauses say of ``term`` and of its sibling:
        "Q 来自编码器，K、V 来自解码器" for "Q 来自解码器，K、V 来自编码器" (both name both, so only
        which clause names which tells them apart)."""
        sibling = SIBLINGS.get(term)
        if sibling is None:
            return False
        clauses = _point_clauses(point)

        def said_of(name: str, other: str) -> bool:
            # a clause of the window says of ``name`` most of what only the point's clause about ``other``
            # says (not what the point's clause about ``name`` says too: "mask" in "BERT masks the input;
            # GPT masks attention")
            for told in clauses:
                if other not in told or name in told:
                    continue
                rest = told - SIBLINGS.keys()
                rest -= set().union(*(more for more in clauses if name in more and other not in more))
                if rest and any(name in clause and other not in clause and len(rest & clause) * 2 >= len(rest) for clause in self.clauses):
                    return True
            return False

        return said_of(sibling, term) and said_of(term, sibling)


@lru_cache(maxsize=2048)
def _point_clauses(point: str) -> tuple[frozenset[str], ...]:
    return clause_terms(_FORMULA.sub(" ", point))


_NEGATING_CHARACTERS = frozenset("不没无非未")


def _derived(term: str, other: str) -> bool:
    """Whether one of two words is the other behind a prefix of letters ("recompute", "unnormalis"):
    a word of its own. (A suffix mostly inflects: "weighted" is still "weight"; and in a formula's
    symbols, "6ndtrain" for "6*N*D_train", the factors before are no prefix.)"""
    shorter, longer = sorted((term, other), key=len)
    start = longer.find(shorter)
    return len(longer) - len(shorter) >= 2 and start >= 2 and longer[:start].isalpha()


def _holds(chinese: str, word: str) -> bool:
    """Whether the run of Chinese words ``chinese`` holds ``word`` other than right after a
    negating character: "不一样" and "不相同" are words of their own and do not hold "一样", "相同"."""
    start = chinese.find(word)
    while start != -1:
        if start == 0 or chinese[start - 1] not in _NEGATING_CHARACTERS:
            return True
        start = chinese.find(word, start + 1)
    return False


def _judge(
    point: str,
    lang: Lang,
    window: _Window,
    echoed: frozenset[str],
    covered_score: float,
    answer_words: tuple[tuple[str, float], ...] = (),
) -> _Judged:
    """How well ``window`` states ``point``.

    Terms the question itself uses (``echoed``) weigh less, and count only beside a term
    it does not use: repeating the question's words shows no knowledge. ``answer_words``
    are the words the model answer uses for this point and nothing else (``_answer_vocabulary``):
    each one the window states adds its weight to what is found, never to what is asked,
    and each one it denies counts against the point.
    """
    point_terms = _weighted_terms(point)
    if not point_terms:
        return _Judged(0.0, lang, (), (), Verdict.ABSENT, "")
    names = frozenset(term for term, _weight, _lead in point_terms)
    matched, missing = [], []
    total = found = 0.0
    contradicted = False
    says_more = all(term.removeprefix(NEGATED) in echoed for term in names)  # a point made of the question's words
    contradicted_weight = 0.0
    reversed_ = False
    weights: dict[str, float] = {}
    for term, weight, lead in point_terms:
        echo = term.removeprefix(NEGATED) in echoed
        reversed_ = reversed_ or window.reverses(term, names) or window.binds_to_sibling(term, point)
        if echo:
            weight *= ECHO_WEIGHT
        total += weight
        weights[term] = weight
        # a negated term counts only where its negation is the point's: "不保证整句概率最大"
        # is not stated by "不是每步选概率最大的", whose negation governs another verb
        if window.states(term) and (lead is None or window.states(lead)):
            found += weight
            matched.append(term)
            says_more = says_more or not echo
        else:
            missing.append(term)
            if not echo and window.denies(term):
                contradicted_weight += weight
    contradicted_weight += _denied_subject_weight(window, weights, echoed)
    for term, weight in answer_words:
        if window.states_exactly(term):
            found += weight
            matched.append(term)
            says_more = True
        elif not term.startswith(NEGATED) and window.denies(term):
            contradicted_weight += weight
    found = min(found, total)
    # "classic dropout does not scale in training" states the point "classic dropout: no scaling
    # in training" with its subject; the subject alone ("Q、K、V 不是...") states nothing
    # (a term found as its complement denied is a denial too: "RNNs cannot be parallelised")
    if any(term.startswith(NEGATED) or window.states_by_complement(term) for term in matched):
        for term, weight, _lead in point_terms:
            if term in missing and window.states_as_subject(term):
                echo = term in echoed
                found += weight * (ECHO_WEIGHT if echo else 1.0)
                matched.append(term)
                missing.remove(term)
                says_more = says_more or not echo
    score = found / total if says_more else 0.0
    contradicted = reversed_ or contradicted_weight >= DENIED_SHARE * total or (contradicted_weight and score < covered_score)
    if contradicted:
        verdict = Verdict.NEGATED
    elif score >= covered_score:
        verdict = Verdict.COVERED
    elif score > 0:
        verdict = Verdict.PARTLY
    else:
        verdict = Verdict.ABSENT
    return _Judged(score, lang, tuple(matched), tuple(missing), verdict, _snippet(window.text))


def _denied_subject_weight(window: _Window, weights: dict[str, float], echoed: frozenset[str]) -> float:
    """The weight of the point's terms that are the subject of a claim the window denies with a
    verb of the point ("新 token 的 k、v 也不追加进去" against "... appends k, v to the cache"):
    denying the point's verb of the point's own subject denies the point, however much of it the
    window's other clauses restate ("每一步要为所有 token 重新计算 k、v"). Only the verb the negation
    governs first counts: in "abilities the data does not exercise degrade" the negation reaches
    "degrade" too, but what it denies is the exercising."""
    subject_terms: set[str] = set()
    for subject, lead in window.denials:
        verb = lead.removeprefix(NEGATED)
        if verb in weights and verb not in echoed and window.denies(verb):
            subject_terms |= {term for term in subject if term in weights}
    return sum(weights[term] for term in subject_terms)


def _answer_vocabulary(question: Question, lang: Lang) -> tuple[tuple[tuple[str, float], ...], ...]:
    """For each key point, the words the question's model answer (in ``lang``) uses for that
    point alone, with their weights (empty where no answer sentence clearly carries it)."""
    return _aligned_words(lang, question.key_points.get(lang), question.answer.get(lang), question.question.get(lang))


@lru_cache(maxsize=512)  # once per question and language; a review re-checks the same question
def _aligned_words(
    lang: Lang, points: tuple[str, ...], answer: str, asked: str
) -> tuple[tuple[tuple[str, float], ...], ...]:
    echoed = frozenset(_question_terms(asked))
    own = [{_bare(term) for term, _weight, _lead in _weighted_terms(point)} for point in points]
    carried: list[tuple[int | None, Sentence]] = []
    for sentence in analyse(answer):
        window = _Window((sentence,))
        judged = sorted(
            ((_judge(point, lang, window, echoed, ALIGN_SCORE), index) for index, point in enumerate(points)),
            key=lambda pair: -pair[0].score,
        )
        (best, index), runner_up = judged[0], judged[1][0].score if len(judged) > 1 else 0.0
        clear = best.verdict is Verdict.COVERED and best.score - runner_up >= ALIGN_MARGIN
        carried.append((index if clear else None, sentence))
    vocabulary = []
    for index in range(len(points)):
        # a word any other point, any other sentence or the question uses does not single this point out
        taken = set(echoed).union(*(words for other, words in enumerate(own) if other != index))
        taken |= {_bare(term) for point_index, sentence in carried if point_index != index for term in sentence.terms}
        words: dict[str, float] = {}
        for point_index, sentence in carried:
            if point_index != index:
                continue
            # prose only: a formula's symbols ("z_j", "2i") illustrate, and match by accident
            for term, weight, _lead in _weighted_terms(_FORMULA.sub(" ", sentence.text)):
                bare = _bare(term)
                if bare in own[index] or bare in taken or term.startswith(TOPIC) or not _is_word(bare):
                    continue
                words[term] = max(words.get(term, 0.0), weight)
        vocabulary.append(tuple(words.items()))
    return tuple(vocabulary)


def _bare(term: str) -> str:
    return term.removeprefix(NEGATED).removeprefix(TOPIC)


def _is_word(term: str) -> bool:
    """A word that can carry meaning alone: two Chinese characters or more, three Latin letters or more, not a number."""
    return not term.isdigit() and len(term) >= (2 if has_cjk(term) else 3)


def _snippet(text: str) -> str:
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1].rstrip() + "…"


@lru_cache(maxsize=512)
def _question_terms(text: str) -> tuple[str, ...]:
    return tuple(term for term in terms(text) if not term.startswith(NEGATED))


@lru_cache(maxsize=2048)  # the bank's key points are re-checked with every answer
def _weighted_terms(point: str) -> tuple[tuple[str, float, str | None], ...]:
    """A key point's polarised terms with their weights and, for a negated term, the first term
    its negation governs (its lead); a term in both prose and formula keeps the larger weight."""
    weights: dict[str, float] = {}
    leads: dict[str, str | None] = {}
    prose = _FORMULA.sub(" ", point)
    # "FLOPs 仍是 $O(n^2d)$": when the prose names at most one term, the formula is the claim
    math_weight = MATH_WEIGHT if len(terms(prose)) > 1 else 1.0
    for text, scale in ((prose, 1.0), *((formula, math_weight) for formula in _FORMULA.findall(point))):
        first_of_scope: dict[int, str] = {}
        words = scoped_words(text)
        if scale < 1.0:  # a formula illustrates as one whole: its symbols share one term's weight
            scale = min(scale, 1.0 / max(1, sum(1 for _word, term, _scope in words if term)))
        for _word, term, scope in words:
            if not term or term.startswith(TOPIC):
                continue
            lead = first_of_scope.setdefault(scope, term) if scope else None
            # a single Chinese character or a one-letter symbol carries little meaning alone
            weight = scale * (0.5 if len(_word) == 1 else 1.0)
            weights[term] = max(weights.get(term, 0.0), weight)
            leads.setdefault(term, None if lead == term else lead)
    return tuple((term, weight, leads[term]) for term, weight in weights.items())


_FORMULA = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.DOTALL)
