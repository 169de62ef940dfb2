"""A tiny bank and a verifier result built in code, so export tests don't
depend on the shipped content, plus the real bank for end-to-end checks."""

from __future__ import annotations

import pytest

from questions.model import Bank, Caveat, Choice, Question, Reference, Source, Text, TextList

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'
TRANSFORMER_PAPER = Reference(title="Attention Is All You Need", authors="Vaswani et al.", year=2017, arxiv="1706.03762")


def make_question(qid: str, topic: str = "attention", **overrides) -> Question:
    fields = dict(
        id=qid,
        topic=topic,
        difficulty=2,
        tags=("math",),
        question=Text(zh=f"为什么要除以 $\\sqrt{{d_k}}$？({qid})", en=f"Why divide by $\\sqrt{{d_k}}$? ({qid})"),
        answer=Text(
            zh="点积方差为 $d_k$，缩放后方差为 1，softmax 不饱和。",
            en="The dot product has variance $d_k$; scaling restores variance 1 so softmax does not saturate.",
        ),
        key_points=TextList(zh=("方差为 $d_k$", "缩放后方差为 1", "避免梯度消失"), en=("variance $d_k$", "unit variance after scaling", "no vanishing gradients")),
        sources=(Source(doc="000_b1566269e68ea388.txt", heading="Q5: 为什么注意力计算要除以  $\\sqrt{d_k}$ ?"),),
        choices=(Choice(Text(zh="对", en="right"), correct=True), Choice(Text(zh="错", en="wrong"))),
        verifiers=("sqrt-dk-variance",),
        caveats=(
            Caveat(
                doc="002_f51c8fc0c724f297.txt",
                claim=Text(zh="文档的说法", en="the document's claim"),
                correction=Text(zh="正确的说法", en="the correct statement"),
                evidence=("sqrt-dk-variance",),
            ),
        ),
    )
    fields.update(overrides)
    return Question(**fields)


@pytest.fixture
def small_bank() -> Bank:
    return Bank(
        (
            make_question("attention-scale", references=(TRANSFORMER_PAPER,)),
            make_question("layers-norm", topic="layers", verifiers=()),
            make_question(
                "attention-hostile",
                question=Text(zh=f"恶意 {HOSTILE}", en=f"Hostile {HOSTILE}"),
                answer=Text(zh=HOSTILE, en=HOSTILE),
                key_points=TextList(zh=(HOSTILE, "b", "c"), en=(HOSTILE, "b", "c")),
            ),
        )
    )


@pytest.fixture
def sqrt_dk_result() -> dict:
    return {
        "schema_version": 1,
        "verifier_id": "sqrt-dk-variance",
        "kind": "symbolic",
        "status": "passed",
        "summary": {"zh": "方差恰为 $d_k$", "en": "The variance is exactly $d_k$"},
        "claims": [
            {
                "claim_id": "variance",
                "statement": {"zh": "Var(q·k) = d_k", "en": "Var(q·k) = d_k"},
                "expected": True,
                "observed": True,
                "matched": True,
                "measured": "MC 63.8 for d_k=64",
                "value": 63.8,
            },
            {
                "claim_id": "dividing-by-dk-keeps-variance",
                "statement": {"zh": "除以 d_k 也能让方差保持为 1", "en": "Dividing by d_k would also keep the variance at 1"},
                "expected": False,
                "observed": False,
                "matched": True,
                "measured": "Var = 1/d_k = 0.0156 for d_k=64",
                "value": 0.0156,
            },
        ],
        "plots": [
            {
                "name": "variance",
                "title": {"zh": "方差", "en": "Variance"},
                "x_label": {"zh": "d_k", "en": "d_k"},
                "y_label": {"zh": "方差", "en": "variance"},
                "series": [{"name": "unscaled <b>", "x": [1, 2, 4], "y": [1, 2, 4]}],
                "x_log": True,
                "y_log": False,
            }
        ],
        "started_at": "2026-11-22T20:00:00+00:00",
    }
