"""Marks that tell a state by their shape, never by colour alone: one vocabulary for the app,
the command line and every export.

Colour may repeat what a mark says, never replace it: on a monochrome
terminal, with ``NO_COLOR`` set, printed in grey, or for a colour-blind
reader, the shapes below still differ.

==================  ==========  =========================================================
what                marks       where
==================  ==========  =========================================================
a tick              ☑ ☐         checklists: key points in a mock interview, selections,
                                filters (``tick(on)``)
a single choice     ◉ ◌         multiple-choice options: chosen / not chosen (``choice()``)
pass or fail        ✓ ✗         the candidate's answer, a drill's check (``pass_fail()``)
the current row     ▸           the row the cursor is on, besides its highlight
a verifier's claim  ✓ ✗ ! ?     ``claim_mark()``: holds as expected / a document's claim,
                                refuted as expected / the verdict did not match (the
                                verifier failed) / not checked
a verifier run      ✓ ! ?       ``run_mark()``: passed / failed / error
==================  ==========  =========================================================

A refuted claim is the verifier's success, and its statement is false: its
mark is ✗ with the words "document's claim — refuted, as expected", never a
✓ beside a false statement; a verdict that did not match what was expected
is ``!``, a shape of its own, so "false as expected" and "the check failed"
can never be confused.

Every mark is one cell wide in every terminal: none is East Asian Wide or
Ambiguous (○ or • would take two cells in a terminal set up for CJK and push
the rest of the line out of place); ``tests/questions/test_marks.py`` checks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from questions.model import Lang, Text

TICKED, UNTICKED = "☑", "☐"
CHOSEN, NOT_CHOSEN = "◉", "◌"
PASSED, FAILED = "✓", "✗"
CURRENT_ROW = "▸"
MISMATCH = "!"  # a verdict that did not match: the verifier failed
NO_VERDICT = "?"  # not checked, or the run raised


class ClaimOutcome(str, Enum):
    HOLDS = "holds"  # the statement holds, as expected
    REFUTED = "refuted"  # a document's claim, shown false, as expected
    MISMATCH = "mismatch"  # the verdict was not the expected one: the verifier failed
    UNCHECKED = "unchecked"  # the run never checked it: the verifier failed


@dataclass(frozen=True)
class ClaimMark:
    outcome: ClaimOutcome
    glyph: str
    words: Text  # what the mark means, said in full

    def label(self, lang: Lang) -> str:
        """The mark and its words: ``✗ document's claim — refuted, as expected``."""
        return f"{self.glyph} {self.words.get(lang)}"

    @property
    def passed(self) -> bool:
        """Whether this claim is as the verifier expected (held, or was refuted as expected)."""
        return self.outcome in (ClaimOutcome.HOLDS, ClaimOutcome.REFUTED)


_HOLDS = Text(zh="成立，符合预期", en="holds, as expected")
_REFUTED = Text(zh="文档的说法——被推翻，符合预期", en="document's claim — refuted, as expected")
_HELD_WRONGLY = Text(zh="文档的说法预期被推翻，却成立了——验证失败", en="expected to be refuted, but it held — the verifier failed")
_FAILED_TO_HOLD = Text(zh="预期成立，却不成立——验证失败", en="expected to hold, but it did not — the verifier failed")
_UNCHECKED = Text(zh="未检查——验证失败", en="not checked — the verifier failed")


def claim_mark(expected: bool, observed: bool | None) -> ClaimMark:
    """How a verifier's claim is shown, from what was expected of it and what the run observed.

    ``expected=False`` marks a claim the documents make wrongly; ``observed`` is
    whether the statement held in the run (``None``: never checked).
    """
    if observed is None:
        return ClaimMark(ClaimOutcome.UNCHECKED, NO_VERDICT, _UNCHECKED)
    if observed != expected:
        return ClaimMark(ClaimOutcome.MISMATCH, MISMATCH, _HELD_WRONGLY if observed else _FAILED_TO_HOLD)
    if expected:
        return ClaimMark(ClaimOutcome.HOLDS, PASSED, _HOLDS)
    return ClaimMark(ClaimOutcome.REFUTED, FAILED, _REFUTED)


_RUN_MARKS = {"passed": PASSED, "failed": MISMATCH, "error": NO_VERDICT}
_RUN_WORDS = {
    "passed": Text(zh="通过：每条结论都符合预期", en="passed: every claim as expected"),
    "failed": Text(zh="失败：有结论不符合预期", en="failed: a claim was not as expected"),
    "error": Text(zh="出错：运行没有完成", en="error: the run did not finish"),
}


def run_mark(status: str) -> str:
    """The mark of a verifier run's status (``passed``, ``failed``, ``error``; anything else: ``?``)."""
    return _RUN_MARKS.get(status, NO_VERDICT)


def run_words(status: str, lang: Lang) -> str:
    words = _RUN_WORDS.get(status)
    return words.get(lang) if words is not None else status


def tick(on: bool) -> str:
    return TICKED if on else UNTICKED


def choice(chosen: bool) -> str:
    return CHOSEN if chosen else NOT_CHOSEN


def pass_fail(passed: bool) -> str:
    return PASSED if passed else FAILED


ALL_MARKS = (TICKED, UNTICKED, CHOSEN, NOT_CHOSEN, PASSED, FAILED, CURRENT_ROW, MISMATCH, NO_VERDICT)
