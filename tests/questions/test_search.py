"""Full-text search: both languages, every term required, ranked, CJK- and typo-friendly."""

from __future__ import annotations

import subprocess
import sys

from questions.model import Bank, Caveat, Choice, Question, Text, TextList
from questions.search import query_terms, search_questions


def question(qid: str, zh: str, en: str, *, tags=("t",), answer=("答", "answer"), points=None, choices=(), caveats=()):
    points = points or (("一", "二", "三"), ("one", "two", "three"))
    return Question(
        id=qid,
        topic="attention",
        difficulty=2,
        tags=tuple(tags),
        question=Text(zh, en),
        answer=Text(*answer),
        key_points=TextList(*points),
        sources=(),
        choices=tuple(choices),
        caveats=tuple(caveats),
    )


BANK = Bank(
    (
        question("attention-scale-sqrt-dk", "为什么注意力计算要除以根号 d_k？", "Why divide attention scores by sqrt(d_k)?", tags=("math", "softmax")),
        question("decoding-beam-search", "集束搜索是如何工作的？", "How does beam search work?", tags=("decoding",)),
        question(
            "decoding-greedy",
            "贪心搜索有什么缺点？",
            "What is wrong with greedy decoding?",
            answer=("它短视，不如集束搜索。", "It is myopic; beam search looks further ahead."),
        ),
        question(
            "layers-layernorm",
            "为什么用 LayerNorm 而不是 BatchNorm？",
            "Why LayerNorm rather than BatchNorm?",
            choices=(Choice(Text("批归一化依赖批内统计", "BatchNorm depends on batch statistics"), correct=True),),
            caveats=(Caveat("002_f51c8fc0c724f297.txt", Text("文档说法", "the document says padding"), Text("更正", "correction")),),
        ),
    )
)


def ids(hits) -> list[str]:
    return [hit.question.id for hit in hits]


def test_terms_split_at_whitespace_and_where_scripts_meet():
    assert query_terms("  除以dk  Beam ") == ["除以", "dk", "beam"]
    assert query_terms("ＫＶ　Cache") == ["kv", "cache"]  # full-width letters and space fold


def test_english_and_chinese_queries_find_the_same_question():
    assert ids(search_questions(BANK, "beam search"))[0] == "decoding-beam-search"
    assert ids(search_questions(BANK, "集束搜索"))[0] == "decoding-beam-search"


def test_a_match_in_the_question_outranks_one_in_the_answer():
    # Both mention beam search; only one asks about it.
    assert ids(search_questions(BANK, "beam search")) == ["decoding-beam-search", "decoding-greedy"]
    assert ids(search_questions(BANK, "集束搜索")) == ["decoding-beam-search", "decoding-greedy"]


def test_every_term_must_match_somewhere():
    assert ids(search_questions(BANK, "beam layernorm")) == []
    assert ids(search_questions(BANK, "layernorm batch")) == ["layers-layernorm"]


def test_chinese_substrings_match_without_segmentation():
    assert ids(search_questions(BANK, "根号")) == ["attention-scale-sqrt-dk"]
    # Most character pairs present: still found, though the exact string is not.
    assert ids(search_questions(BANK, "注意力除以根号")) == ["attention-scale-sqrt-dk"]


def test_typos_in_longer_english_words_are_tolerated():
    assert ids(search_questions(BANK, "layrnorm")) == ["layers-layernorm"]
    assert ids(search_questions(BANK, "serach"))[0] == "decoding-beam-search"
    assert ids(search_questions(BANK, "sqrtt")) == ["attention-scale-sqrt-dk"]
    # Short words must be exact: "dk" does not fuzzily match anything else.
    assert ids(search_questions(BANK, "dx")) == []


def test_ids_tags_choices_and_caveats_are_searched():
    assert ids(search_questions(BANK, "attention-scale-sqrt-dk")) == ["attention-scale-sqrt-dk"]
    assert ids(search_questions(BANK, "softmax")) == ["attention-scale-sqrt-dk"]
    hits = search_questions(BANK, "padding")
    assert ids(hits) == ["layers-layernorm"] and hits[0].fields == ("caveats",)
    assert ids(search_questions(BANK, "批内统计")) == ["layers-layernorm"]


def test_empty_query_lists_everything_in_bank_order_and_limit_applies():
    assert ids(search_questions(BANK, "   ")) == list(BANK.ids)
    assert len(search_questions(BANK, "search", limit=1)) == 1


def test_scores_are_descending_and_fields_name_the_match():
    hits = search_questions(BANK, "beam")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].fields[0] in ("question", "id")


def test_importing_questions_does_not_import_search_dependencies():
    code = "import sys, questions; print(sorted(m for m in ('rapidfuzz', 'torch', 'sympy', 'jieba') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_sub_banks_reuse_the_index_of_their_questions():
    search_questions(BANK, "beam")
    subset = BANK.subset(q for q in BANK if q.id.startswith("decoding"))
    assert all("_search_fields" in q.__dict__ for q in subset)
    assert ids(search_questions(subset, "集束搜索")) == ["decoding-beam-search", "decoding-greedy"]
    assert subset == Bank(tuple(q for q in BANK if q.id.startswith("decoding")))  # the cache is not part of equality


def test_latex_markup_does_not_hide_words():
    assert query_terms("$\\sqrt{d_k}$") == ["sqrtdk"]
    assert ids(search_questions(BANK, "dk")) == ["attention-scale-sqrt-dk"]  # the question writes d_k


def test_a_typo_scores_as_the_best_near_word_of_the_field_does():
    """Near words are found once a search over the bank's vocabulary, then looked up in each
    field: the quality must be what rapidfuzz's extractOne over the field's own words gives."""
    from rapidfuzz import fuzz, process

    from questions import load_bank
    from questions.search import FUZZY_CUTOFF, FUZZY_QUALITY, _index, _term_matcher, _vocabulary

    index = _index(load_bank())
    vocabulary = _vocabulary(index)
    for term in ("atention", "layrnorm", "serach", "sofmax", "embeding", "cache"):
        match = _term_matcher(term, vocabulary)
        for _, fields in index:
            for _, text, words in fields:
                best = process.extractOne(term, words, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF) if words else None
                expected = 1.0 if term in text else FUZZY_QUALITY * best[1] / 100.0 if best else 0.0
                assert match(text, words) == expected, (term, words)
