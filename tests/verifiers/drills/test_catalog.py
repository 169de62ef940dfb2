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
