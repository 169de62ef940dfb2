"""The drill catalogue: every reference passes its checks, every kept wrong
implementation is rejected by the check that should catch it, and every drill
is fully described and linked to questions that exist."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from questions import load_bank
from tests.verifiers.drills.mistakes import all_wrong
from verifiers.drills.harness import run_checks
from verifiers.drills.loading import load_candidate
from verifiers.drills.registry import default_drills
from verifiers.drills.result import CheckOutcome

DRILLS = default_drills()
WRONG = all_wrong()


def run(drill, path):
    entry = load_candidate(path, drill.entry)
    return {result.check_id: result for result in run_checks(drill, entry, candidate_file=str(path))}


@pytest.mark.parametrize("drill", DRILLS, ids=lambda d: d.id)
def test_the_reference_passes_every_check(drill):
    results = run(drill, drill.reference_path)
    failed = {cid: (r.outcome.value, r.message and r.message.en, r.counterexample) for cid, r in results.items() if not r.passed}
    assert failed == {}


CASES = [(drill_id, wrong) for drill_id, wrongs in sorted(WRONG.items()) for wrong in wrongs]


@pytest.mark.parametrize("drill_id,wrong", CASES, ids=[f"{d}:{w.name}" for d, w in CASES])
def test_the_checks_reject_a_typical_mistake(drill_id, wrong, tmp_path):
    drill = DRILLS.get(drill_id)
    assert wrong.catches in {c.id for c in drill.checks}, f"{wrong.name}: no check {wrong.catches!r}"
    path = tmp_path / drill.file_name
    path.write_text(wrong.code, encoding="utf-8")
    result = run(drill, path)[wrong.catches]
    assert result.outcome.value == wrong.outcome, (result.outcome, result.message, result.detail)
    assert result.message is not None and result.message.en and result.message.zh
    assert result.hint is not None and result.hint.en and result.hint.zh
    if result.outcome is CheckOutcome.FAILED:
        assert result.counterexample is not None or "by hand" in result.message.en


def test_every_drill_keeps_at_least_three_wrong_implementations():
    thin = {d.id: len(WRONG.get(d.id, [])) for d in DRILLS if len(WRONG.get(d.id, [])) < 3}
    assert thin == {}
    assert set(WRONG) <= set(DRILLS.ids()), set(WRONG) - set(DRILLS.ids())


# The issue fixes these ids, entry names and signatures exactly.
FIXED_SIGNATURES = {
    "softmax": "softmax(x, dim=-1)",
    "scaled-dot-product-attention": "scaled_dot_product_attention(q, k, v, mask=None)",
    "layer-norm": "layer_norm(x, weight, bias, eps=1e-5)",
    "rms-norm": "rms_norm(x, weight, eps=1e-6)",
    "causal-mask": "causal_mask(n)",
    "top-p-filter": "top_p_filter(logits, p)",
    "sinusoidal-positional-encoding": "sinusoidal_positional_encoding(length, d_model)",
    "label-smoothed-cross-entropy": "label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=-100)",
    "noam-schedule": "noam_lr(step, d_model, warmup)",
}


def test_the_issue_fixes_nine_ids_and_signatures_and_there_are_at_least_24_drills():
    assert len(DRILLS) >= 24 and not DRILLS.problems
    assert {drill_id: DRILLS.get(drill_id).signature for drill_id in FIXED_SIGNATURES} == FIXED_SIGNATURES


def test_every_drill_practises_questions_that_exist_in_the_shipped_bank():
    bank = load_bank()
    missing = {d.id: [q for q in d.questions if q not in bank] for d in DRILLS}
    assert {k: v for k, v in missing.items() if v} == {}
    assert all(d.questions for d in DRILLS)
    assert DRILLS.by_question("attention-scale-sqrt-dk")  # the reverse lookup a question screen would use


@pytest.mark.parametrize("drill", DRILLS, ids=lambda d: d.id)
def test_every_drill_is_fully_described_in_both_languages(drill):
    for text in (drill.title, drill.task, *drill.hints, *(c.statement for c in drill.checks), *(c.hint for c in drill.checks)):
        assert text.zh.strip() and text.en.strip()
        assert text.zh != text.en, f"{drill.id}: a Chinese text is a copy of the English"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text.zh), f"{drill.id}: {text.zh!r} has no Chinese"
    assert len(drill.checks) >= 2, "one property is not enough to catch real mistakes"


@pytest.mark.parametrize("drill", DRILLS, ids=lambda d: d.id)
def test_the_stub_keeps_the_references_signature_and_docstring_and_is_not_an_attempt(drill, tmp_path):
    stub = drill.stub_source()
    tree = ast.parse(stub)  # the stub is valid Python
    assert ast.get_docstring(tree) and drill.id in ast.get_docstring(tree)
    entry = next(node for node in tree.body if getattr(node, "name", None) == drill.entry)
    reference = next(node for node in ast.parse(drill.reference_source()).body if getattr(node, "name", None) == drill.entry)
    assert ast.get_docstring(entry) == ast.get_docstring(reference)
    assert "NotImplementedError" in ast.unparse(entry)
    path = tmp_path / drill.file_name
    path.write_text(stub, encoding="utf-8")
    results = run(drill, path)
    # An untouched stub fails the first check as "not implemented", never as a wrong answer.
    first = results[drill.checks[0].id]
    assert first.outcome is CheckOutcome.NOT_IMPLEMENTED, (first.outcome, first.message)


def test_forbidden_library_functions_resolve_to_something_torch_calls():
    from verifiers.drills.context import _resolve

    for drill in DRILLS:
        resolved = _resolve(drill.forbidden)
        # a name torch does not have would silently forbid nothing (rms_norm is new in torch 2.4)
        unresolved = set(drill.forbidden) - set(resolved.values()) - {"torch.nn.functional.rms_norm", "torch.rms_norm"}
        assert unresolved == set(), (drill.id, unresolved)


def test_listing_the_drills_imports_no_torch():
    code = (
        "import sys; from verifiers.drills.registry import default_drills; d = default_drills(); "
        "assert len(d) >= 24 and not d.problems; [x.signature for x in d]; "
        "print(sorted(m for m in ('torch', 'numpy', 'sympy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
