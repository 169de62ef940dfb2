"""Full-text search over the bank, in both languages at once.

    from questions.search import search_questions
    hits = search_questions(bank, "为什么 除以 sqrt dk")
    for hit in hits: hit.question, hit.score, hit.fields

The query is split into terms at whitespace and wherever Chinese meets Latin
script ("除以dk" is two terms). A question matches when *every* term is found
in one of its fields (id, topic, tags, question, key points, answer, choices,
caveats); its score adds, for each term, the best field weight times the match
quality, plus a bonus when the whole query appears in the question text or the id.
Results come best first, ties in bank order.

Matching is forgiving where it helps:

- text is compared after Unicode NFKC folding and case folding, so full-width
  letters and ``ＱＫＶ`` match ``qkv``, and without LaTeX markup (``$ \\ { } _ ^``),
  so ``dk`` matches ``$\\sqrt{d_k}$``;
- Chinese terms match as substrings (no word segmentation needed), and a
  longer Chinese term whose character pairs mostly occur in a field still
  matches, more weakly ("除以根号维度" finds "除以根号 d_k 的维度");
- Latin words of four letters or more tolerate typos (``atention`` finds
  ``attention``) through rapidfuzz, imported only when a search runs.

An empty query returns every question, in bank order, with score 0.
"""

from __future__ import annotations

import pickle
import re
import sys
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Collection, Sequence

if TYPE_CHECKING:
    from questions.model import Bank, Question

# How much a match in each field counts: the question's own words matter most.
FIELD_WEIGHTS: dict[str, float] = {
    "question": 5.0,
    "id": 4.0,
    "tags": 3.0,
    "topic": 2.0,
    "key_points": 2.0,
    "answer": 1.0,
    "choices": 0.5,
    "caveats": 0.5,
}
PHRASE_BONUS = 3.0  # the whole query, verbatim, in the question text or the id
FUZZY_MIN_LENGTH = 4  # shorter Latin words must match exactly
FUZZY_CUTOFF = 80.0  # rapidfuzz ratio (0-100) for a typo-tolerant word match
FUZZY_QUALITY = 0.6  # a fuzzy word match counts this much of an exact one
CJK_PAIR_CUTOFF = 0.6  # share of a Chinese term's character pairs a field must contain
CJK_PAIR_QUALITY = 0.6

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TERM = re.compile(rf"[{_CJK}]+|[^\s{_CJK}]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


@dataclass(frozen=True)
class SearchHit:
    question: "Question"
    score: float
    fields: tuple[str, ...]  # where the terms were found, best field first


# One searchable field of a question: (name, folded text, its distinct Latin words for
# typo-tolerant matching). A plain tuple of strings, not a class: the bank cache stores the index
# with the bank (``index_questions``), and plain tuples unpickle fastest; and once searched, the
# index stays in memory for the session, where Python's garbage collector stops tracking a plain
# tuple of strings (a NamedTuple, a subclass, is tracked for good: 2,000 more objects that every
# full collection walks). Words are interned strings, one object however many fields hold them.
IndexedField = tuple[str, str, tuple[str, ...]]


_MATH_MARKUP = ("$", "\\", "{", "}", "_", "^")


def fold(text: str) -> str:
    """The form both queries and fields are compared in: NFKC, case-folded, and
    without LaTeX markup, so that "dk" finds "$d_k$" and "sqrt" finds "\\sqrt{d_k}"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    for mark in _MATH_MARKUP:  # str.replace: far faster than str.translate on CJK text
        folded = folded.replace(mark, "")
    return folded


def query_terms(query: str) -> list[str]:
    """The query's terms: whitespace-separated, split again where scripts change."""
    return _TERM.findall(fold(query))


def search_questions(bank: "Bank", query: str, *, limit: int | None = None) -> list[SearchHit]:
    """Questions matching every term of ``query``, best first (see the module docstring)."""
    terms = query_terms(query)
    if not terms:
        hits = [SearchHit(question, 0.0, ()) for question in bank]
        return hits[:limit] if limit is not None else hits
    index = _index(bank)
    vocabulary = _vocabulary(index) if any(_is_fuzzy(term) for term in terms) else frozenset()
    matchers = [_term_matcher(term, vocabulary) for term in terms]
    phrase = fold(query).strip()
    hits = []
    for position, (question, fields) in enumerate(index):
        score = 0.0
        matched: dict[str, float] = {}
        for match in matchers:
            best_score, best_field = 0.0, ""
            for name, text, words in fields:
                weighted = match(text, words) * FIELD_WEIGHTS[name]
                if weighted > best_score:
                    best_score, best_field = weighted, name
            if best_score == 0.0:
                break  # every term must match
            score += best_score
            matched[best_field] = matched.get(best_field, 0.0) + best_score
        else:
            if phrase and any(name in ("question", "id") and phrase in text for name, text, _ in fields):
                score += PHRASE_BONUS
            ordered = tuple(sorted(matched, key=lambda name: -matched[name]))
            hits.append((-score, position, SearchHit(question, round(score, 4), ordered)))
    hits.sort(key=lambda item: item[:2])
    found = [hit for _, _, hit in hits]
    return found[:limit] if limit is not None else found


def prepare_search(bank: "Bank") -> None:
    """Pay now what the first search of ``bank`` pays once: importing rapidfuzz and loading the
    stored index (``index_questions``; built here when the bank came without one).

    Searching never needs it called first. Browse calls it off the UI thread once shown, so that
    the key that submits the first search of a session does not wait for these (~10 ms).
    """
    from rapidfuzz import fuzz, process  # noqa: F401 - imported for the searches to come

    _index(bank)


def _is_fuzzy(term: str) -> bool:
    """Whether a term tolerates typos: a Latin word of ``FUZZY_MIN_LENGTH`` letters or more."""
    return len(term) >= FUZZY_MIN_LENGTH and not _IS_CJK.match(term)


def _term_matcher(term: str, vocabulary: Collection[str]) -> Callable[[str, tuple[str, ...]], float]:
    """How well ``term`` matches a field, from its folded ``text`` and its Latin ``words``: 1 for
    an exact substring of the text, less for a near match, 0 for none.

    What is the same for every field is worked out here, once a search: the character pairs of a
    Chinese term, and for a Latin one the words of ``vocabulary`` (the searched bank's) near
    enough to count as a typo of it, with rapidfuzz in one call over the bank's few thousand
    distinct words rather than once for each of its two thousand fields (most of a search's time).
    """
    if _IS_CJK.match(term):
        if len(term) < 3:
            return lambda text, words: 1.0 if term in text else 0.0
        pairs = {term[i : i + 2] for i in range(len(term) - 1)}

        def chinese(text: str, words: tuple[str, ...]) -> float:
            if term in text:
                return 1.0
            share = sum(pair in text for pair in pairs) / len(pairs)
            return CJK_PAIR_QUALITY * share if share >= CJK_PAIR_CUTOFF else 0.0

        return chinese
    if not _is_fuzzy(term):
        return lambda text, words: 1.0 if term in text else 0.0
    from rapidfuzz import fuzz, process

    near = process.extract(term, vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None)
    if not near:
        return lambda text, words: 1.0 if term in text else 0.0
    near_words = tuple((word, ratio) for word, ratio, _ in near)

    def latin(text: str, words: tuple[str, ...]) -> float:
        if term in text:
            return 1.0
        # The best ratio of a near word in this field: what rapidfuzz's extractOne over its words gives.
        best = 0.0
        for word, ratio in near_words:
            if ratio > best and word in words:
                best = ratio
        return FUZZY_QUALITY * best / 100.0

    return latin


def _vocabulary(index: list[tuple["Question", tuple[IndexedField, ...]]]) -> frozenset[str]:
    """Every distinct Latin word of the indexed fields."""
    words: set[str] = set()
    for _, fields in index:
        for _, _, field_words in fields:
            words.update(field_words)
    return frozenset(words)


def index_questions(questions: Sequence["Question"]) -> None:
    """Build the questions' search fields now, to be pickled with them in one piece.

    ``questions.bank_cache`` calls this before storing a validated bank. Building the index of
    the whole bank takes about 100 ms, which the first search of a session paid; unpickling it
    takes a few. The fields go into one ``StoredIndex`` that every question refers to, held as
    pickled bytes until a search asks, so a cached bank loads at start-up no slower for it.
    """
    stored = StoredIndex([_question_fields(question) for question in questions])
    for position, question in enumerate(questions):
        question.__dict__.pop("_search_fields", None)  # kept once, in ``stored``
        object.__setattr__(question, "_search_index", (stored, position))  # frozen, but this is a cache


class StoredIndex:
    """The search fields of a list of questions, pickled as one bytes string and unpickled on
    first use (see ``index_questions``)."""

    def __init__(self, fields: list[tuple[IndexedField, ...]]) -> None:
        self._fields: list[tuple[IndexedField, ...]] | None = fields
        self._pickled: bytes | None = None

    def __reduce__(self):
        if self._pickled is None:
            self._pickled = pickle.dumps(self._fields, protocol=pickle.HIGHEST_PROTOCOL)
        return (StoredIndex._from_pickled, (self._pickled,))

    @classmethod
    def _from_pickled(cls, pickled: bytes) -> "StoredIndex":
        stored = cls.__new__(cls)
        stored._fields, stored._pickled = None, pickled
        return stored

    def fields(self, position: int) -> tuple[IndexedField, ...]:
        if self._fields is None:
            self._fields = pickle.loads(self._pickled)
        return self._fields[position]


def _index(bank: "Bank") -> list[tuple["Question", tuple[IndexedField, ...]]]:
    """Each question's folded fields, built once per question and kept on it,
    so that the filtered sub-banks a browser searches reuse the work."""
    return [(question, _question_fields(question)) for question in bank]


def _question_fields(question: "Question") -> tuple[IndexedField, ...]:
    fields = question.__dict__.get("_search_fields")
    if fields is None:
        stored = question.__dict__.get("_search_index")
        if stored is not None:  # stored with the bank: no need to build it
            return stored[0].fields(stored[1])
        fields = _fields(question)
        object.__setattr__(question, "_search_fields", fields)  # frozen, but this is a cache
    return fields


def _fields(question: "Question") -> tuple[IndexedField, ...]:
    both = lambda text: f"{text.zh}\n{text.en}"  # noqa: E731 - a local shorthand
    raw = {
        "question": both(question.question),
        "id": f"{question.id} {question.id.replace('-', ' ')}",
        "tags": " ".join(question.tags),
        "topic": f"{question.topic} {question.topic.replace('-', ' ')}",
        "key_points": "\n".join(question.key_points.zh + question.key_points.en),
        "answer": both(question.answer),
        "choices": "\n".join(both(choice.text) for choice in question.choices),
        "caveats": "\n".join(f"{both(c.claim)}\n{both(c.correction)}" for c in question.caveats),
    }
    fields = []
    for name, text in raw.items():
        folded = fold(text)
        if folded.strip():
            # Interned, so that a word is one object however many fields hold it (a pickle keeps it once).
            words = tuple(dict.fromkeys(map(sys.intern, _LATIN_WORD.findall(folded))))
            fields.append((name, folded, words))
    return tuple(fields)
