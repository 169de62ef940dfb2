"""The bilingual term table learnt from the bank's parallel text, and what it lets a check credit.

The examples are hand-written answers to bank questions that no labelled set uses (checked below,
never by looking at a frozen split's answers)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from questions import load_bank
from questions.study import check_typed_answer
from questions.study.term_table import MIN_COUNT, MIN_DICE, bank_table, build_table, parallel_segments, translations

from .answer_eval import SETS, labelled_answers

EXPLANATION = "attention-weights-as-explanation"  # point 3: "注意力与梯度归因常不一致，不是忠实解释" / "... not a faithful explanation"
SPECULATIVE = "decoding-inference-cost"  # point 4: "投机解码减少串行步数且不改变输出分布" / "Speculative decoding reduces ..."


def _question(question_id):
    return load_bank().get(question_id)


def _point(question_id, answer, index):
    return check_typed_answer(_question(question_id), answer).points[index]


def test_the_examples_use_questions_no_labelled_set_uses():
    used = set().union(*({answer.question.id for answer in labelled_answers(name)} for name in SETS))
    clash = bool({EXPLANATION, SPECULATIVE} & used)
    assert not clash, "an example question is in a labelled set"  # never the ids: some sets are frozen


def test_the_table_pairs_the_bank_s_chinese_words_with_their_english_terms():
    table = bank_table()
    for chinese, english in (("吞吐", "throughput"), ("延迟", "latenc"), ("忠实", "faith"), ("投机", "specul"), ("探针", "probe"), ("冻结", "frozen")):
        assert translations(chinese) == (english,) and chinese in translations(english)
    # both directions, one partner each (competitive linking), and only words that carry meaning alone
    assert all(len(partners) == 1 for partners in table.values())
    assert all(len(term) >= 2 for term in table)
    assert "非线性" not in table  # its negating character is a polarity English writes apart
    assert "自注意力" not in table  # a compound of a word the synonym groups already translate (注意力)
    assert translations("no-such-term") == ()


def test_the_table_is_the_same_on_every_build_and_its_thresholds_matter():
    segments = list(parallel_segments(load_bank().questions))
    assert build_table(segments) == build_table(reversed(segments)) == bank_table()
    looser = build_table(segments, min_count=MIN_COUNT - 1, min_dice=MIN_DICE - 0.2)
    assert len(looser) > len(bank_table())


def test_chinese_words_in_an_english_answer_meet_the_english_point():
    # 忠实 is the bank's word for "faithful"; without the table the point had only "attention" and
    # "disagrees" (0.38)
    point = _point(EXPLANATION, "Attention disagrees with attribution; it is not a 忠实 解释.", 3)
    assert point.covered and point.lang == "en" and "¬faith" in point.matched_terms


def test_english_terms_in_a_chinese_answer_meet_the_chinese_point():
    point = _point(SPECULATIVE, "speculative decoding 减少串行步数，而且不改变输出分布。", 4)
    assert point.covered and point.lang == "zh" and "投机" in point.matched_terms


@pytest.mark.parametrize(
    "question_id, answer, index",
    [
        (EXPLANATION, "Attention 权重本身就是忠实的 explanation，和梯度归因一致。", 3),  # the opposite claim
        (EXPLANATION, "attention 权重和 gradient attribution 总是一致，是 faithful 的 explanation。", 3),
        (EXPLANATION, "可以用 gradient attribution 来做 explanation。", 3),  # names the terms, states nothing of the point
        (SPECULATIVE, "speculative decoding 会改变输出分布，只是近似。", 4),  # denies half of the point
        (SPECULATIVE, "投机解码 changes the output distribution a little to go faster.", 4),
    ],
)
def test_a_wrong_or_partial_answer_gains_no_point_through_the_table(question_id, answer, index):
    assert not _point(question_id, answer, index).covered


def test_english_answers_never_build_the_table():
    code = (
        "from questions import load_bank\n"
        "from questions.study import check_typed_answer, term_table\n"
        f"check_typed_answer(load_bank().get({SPECULATIVE!r}), 'Speculative decoding keeps the output distribution.')\n"
        "print(term_table._table is None)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"
