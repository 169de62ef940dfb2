"""Every math span the app and the exports show as Unicode reads like math: the shipped bank, every
verifier's declared text and every drill's. (Derivation steps and summaries, which exist only once
a verifier has run, are checked where the verifiers run: tests/verifiers/test_symbolic.py and
tests/verifiers/experiments/test_experiments.py.)"""

from __future__ import annotations

import pytest

from questions import load_bank
from questions.model import Question
from tests.questions.math_checks import math_spans, problems_in_texts, rendering_problems


def question_texts(question: Question) -> dict[str, str]:
    texts = {}
    for lang in ("zh", "en"):
        where = f"{question.id} ({lang})"
        texts[f"{where} question"] = question.question.get(lang)
        texts[f"{where} answer"] = question.answer.get(lang)
        for number, point in enumerate(question.key_points.get(lang), start=1):
            texts[f"{where} key point {number}"] = point
        for number, choice in enumerate(question.choices, start=1):
            texts[f"{where} choice {number}"] = choice.text.get(lang)
        for number, caveat in enumerate(question.caveats, start=1):
            texts[f"{where} caveat {number} claim"] = caveat.claim.get(lang)
            texts[f"{where} caveat {number} correction"] = caveat.correction.get(lang)
    return texts


def bilingual_texts(prefix: str, named: dict[str, object]) -> dict[str, str]:
    return {f"{prefix} {name} ({lang})": getattr(text, lang) for name, text in named.items() for lang in ("zh", "en")}


def test_every_math_span_of_the_shipped_bank_reads_as_math():
    bank = load_bank()
    texts = {where: text for question in bank for where, text in question_texts(question).items()}
    assert sum(len(math_spans(text)) for text in texts.values()) > 1000  # the check does look at the bank's math
    assert problems_in_texts(texts) == []


def test_every_verifiers_declared_text_reads_as_math():
    from verifiers.registry import default_registry

    texts: dict[str, str] = {}
    for spec in default_registry():
        named = {"title": spec.title, "explanation": spec.explanation}
        named.update({f"claim {claim.id}": claim.statement for claim in spec.claims})
        texts.update(bilingual_texts(spec.id, named))
    # Verifiers write their formulas in Unicode text ("Var(q·k) = d_k"); any math span or
    # LaTeX-looking piece of it must still read as math.
    assert len(texts) > 200
    assert problems_in_texts(texts, prose_is_unicode=True) == []


def test_every_drills_text_reads_as_math():
    from verifiers.drills.registry import default_drills

    texts: dict[str, str] = {}
    for drill in default_drills():
        named = {"title": drill.title, "task": drill.task}
        named.update({f"hint {number}": hint for number, hint in enumerate(drill.hints, start=1)})
        for check in drill.checks:
            named.update({f"check {check.id}": check.statement, f"check {check.id} hint": check.hint})
        texts.update(bilingual_texts(drill.id, named))
    assert len(texts) > 200
    assert problems_in_texts(texts, prose_is_unicode=True) == []


@pytest.mark.parametrize(
    "leaky",
    [r"\binom{n}{k}", r"a \bmod b", r"\log\frac{a}{b}", r"p\odot(g - \textstyle\sum_j p_j g_j)", r"\sum_j a_{ij}v_j",
     r"E[q_ik_i]", r"v^\top\tanh(W_qq_i+W_kk_j)", r"[j<P]\lor[j\le i]"],
)  # fmt: skip
def test_the_check_passes_the_cases_of_issue_14(leaky):
    assert rendering_problems(leaky) == []


def test_latex_written_outside_math_is_caught():
    assert problems_in_texts({"claim": r"o → v_{i*} and \sqrt{d}"}, prose_is_unicode=True)
    assert problems_in_texts({"claim": r"o → v_(i*), $\sqrt{d_k}$, d_model"}, prose_is_unicode=True) == []


@pytest.mark.parametrize(
    "rendered_badly, problem",
    [("binom162", "macro names"), ("a_ijv_j", "runs into"), ("W_qq_i", "runs into"), ("\\frac", "backslash")],
)
def test_the_check_catches_what_issue_14_saw(monkeypatch, rendered_badly, problem):
    """The check is not vacuous: fed the renderings the issue reported, it objects."""
    import tests.questions.math_checks as checks

    monkeypatch.setattr(checks, "latex_to_unicode", lambda latex: rendered_badly)
    assert any(problem in found for found in checks.rendering_problems(r"\binom{16}{2}"))
