"""Typed answers scored against key points, with the bank's real wording (LaTeX included)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from questions.study import Rating, check_typed_answer

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


def test_half_the_points_suggests_hard():
    answer = (
        "The variance of q·k equals d_k so its spread grows like sqrt(d_k); large logits saturate the softmax to one-hot; "
        "dividing by sqrt(d_k) brings the variance back to 1 whatever the head width."
    )
    check = check_typed_answer(SQRT_DK, answer)
    assert _covered(check) == [1, 2, 4] and check.suggested_rating == Rating.Hard


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
