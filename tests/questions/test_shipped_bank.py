"""The shipped bank itself: clean, complete enough, and cheap to load."""

from __future__ import annotations

import subprocess
import sys

from questions.lint import lint_dirs
from questions.files import BUILTIN_BANK_DIR, bank_files
from questions.topics import TOPIC_TITLES

MIN_QUESTIONS = 100  # the five documents ask well over a hundred questions
MIN_CHOICES_SHARE = 0.6


def test_the_shipped_bank_lints_clean():
    report = lint_dirs()
    assert not report.problems, f"{len(report.problems)} problems:\n" + "\n".join(p.format() for p in report.problems)
    assert report.notes == (), report.notes  # the verifier ids were checked too


def test_there_is_one_file_per_topic_of_the_curriculum():
    assert {path.stem for path in bank_files(BUILTIN_BANK_DIR)} == set(TOPIC_TITLES)


def test_the_bank_is_large_enough_and_mostly_multiple_choice():
    questions = lint_dirs().questions
    assert len(questions) >= MIN_QUESTIONS
    share = sum(1 for q in questions if q.choices) / len(questions)
    assert share >= MIN_CHOICES_SHARE, f"only {share:.0%} of questions have choices"


def test_every_verifier_backs_some_question():
    from verifiers.registry import known_ids

    cited = {v for q in lint_dirs().questions for v in q.verifiers} | {
        e for q in lint_dirs().questions for c in q.caveats for e in c.evidence
    }
    assert not known_ids() - cited, f"verifiers no question names: {sorted(known_ids() - cited)}"


def test_loading_the_bank_imports_neither_torch_nor_sympy():
    code = (
        "import sys; from questions.lint import lint_dirs; lint_dirs(); "
        "print(sorted(m for m in ('torch', 'sympy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
