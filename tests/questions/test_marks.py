"""The mark vocabulary (questions.marks): states differ in shape, each mark takes one cell in any
terminal, and a document's wrong claim refuted as expected never gets a ✓."""

from __future__ import annotations

import unicodedata

import pytest
from rich.cells import cell_len

from questions import marks
from questions.marks import ClaimOutcome, claim_mark, run_mark


def test_every_mark_is_one_cell_wide_in_every_terminal():
    for mark in marks.ALL_MARKS:
        assert len(mark) == 1 and cell_len(mark) == 1, mark
        # Ambiguous (A) characters take two cells in terminals set up for CJK; Wide ones always do.
        assert unicodedata.east_asian_width(mark) in ("N", "Na"), (mark, unicodedata.name(mark))


def test_paired_states_differ_in_shape():
    pairs = [(marks.tick(True), marks.tick(False)), (marks.choice(True), marks.choice(False)),
             (marks.pass_fail(True), marks.pass_fail(False))]  # fmt: skip
    for on, off in pairs:
        assert on != off
    outcomes = [claim_mark(True, True), claim_mark(False, False), claim_mark(True, False), claim_mark(True, None)]
    assert len({mark.glyph for mark in outcomes}) == 4


@pytest.mark.parametrize(
    "expected, observed, outcome, glyph",
    [
        (True, True, ClaimOutcome.HOLDS, "✓"),
        (False, False, ClaimOutcome.REFUTED, "✗"),
        (True, False, ClaimOutcome.MISMATCH, "!"),
        (False, True, ClaimOutcome.MISMATCH, "!"),
        (True, None, ClaimOutcome.UNCHECKED, "?"),
        (False, None, ClaimOutcome.UNCHECKED, "?"),
    ],
)
def test_claim_marks(expected, observed, outcome, glyph):
    mark = claim_mark(expected, observed)
    assert (mark.outcome, mark.glyph) == (outcome, glyph)
    assert mark.passed == (outcome in (ClaimOutcome.HOLDS, ClaimOutcome.REFUTED))


def test_a_documents_wrong_claim_refuted_as_expected_says_so_in_both_languages():
    mark = claim_mark(expected=False, observed=False)
    assert mark.label("en") == "✗ document's claim — refuted, as expected"
    assert mark.label("zh").startswith("✗ 文档的说法") and "符合预期" in mark.label("zh")
    assert "✓" not in mark.label("en") + mark.label("zh")


def test_a_verdict_that_did_not_match_says_the_verifier_failed():
    for observed in (True, False):
        mark = claim_mark(expected=not observed, observed=observed)
        assert "verifier failed" in mark.label("en") and "验证失败" in mark.label("zh")


def test_run_marks():
    assert [run_mark(s) for s in ("passed", "failed", "error", "weird")] == ["✓", "!", "?", "?"]
    assert marks.run_words("failed", "en").startswith("failed")
