"""The malformed-bank corpus: one case per kind of problem, each reported with
its message at the right line, and nothing else reported.

Each case is a folder of ``tests/questions/malformed/``; files in its
``shipped/`` subfolder are checked with the built-in bank's extra rules, the
others as a user's files. The expected problems are written in the files
themselves, as a trailing comment on the line the problem must point at::

    folow_ups: []  # expect: folow_ups: did you mean 'follow_ups'?

meaning: a problem at this line, for this field, whose message contains the
text after the second colon.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from questions.files import BankFile
from questions.lint import lint_files

CORPUS = Path(__file__).parent / "malformed"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
KNOWN_VERIFIERS = frozenset({"sqrt-dk-variance", "softmax-saturation"})
EXPECT = re.compile(rb"#\s*expect:\s*(?P<field>[^:]+?):\s*(?P<text>.+?)\s*$")


def case_files(case: str) -> list[BankFile]:
    folder = CORPUS / case
    shipped = [BankFile(p, shipped=True) for p in sorted((folder / "shipped").glob("*.yaml"))]
    user = [BankFile(p) for p in sorted(folder.glob("*.yaml"))]
    return shipped + user


def expectations(files: list[BankFile]) -> list[tuple[str, int, str, str]]:
    found = []
    for bank_file in files:
        # Bytes, not text: one case is deliberately not UTF-8.
        for number, raw in enumerate(bank_file.path.read_bytes().splitlines(), start=1):
            match = EXPECT.search(raw)
            if match:
                found.append(
                    (bank_file.path.name, number, match["field"].decode().strip(), match["text"].decode("utf-8", "replace"))
                )
    return found


def test_the_corpus_covers_every_kind_of_problem():
    kinds = {
        "yaml-syntax", "unknown-key", "missing-field", "empty-field", "language-missing", "wrong-type",
        "bad-difficulty", "duplicate-id", "duplicate-id-across-files", "builtin-conflict", "bad-id-format",
        "dangling-reference", "follow-up-cycle", "unknown-verifier", "key-point-mismatch", "key-point-range",
        "choices", "non-utf8", "python-tag", "topic-mismatch", "seed-documents", "caveat-fields",
        "repeated-key", "empty-file", "not-a-mapping", "no-questions", "control-character", "wrong-language", "repeated-question",
        "references",
    }  # fmt: skip
    assert kinds <= set(CASES)
    for case in CASES:
        assert expectations(case_files(case)), f"case {case} states no expected problem"


@pytest.mark.parametrize("case", CASES)
def test_each_problem_is_reported_at_its_line(case):
    files = case_files(case)
    report = lint_files(files, verifier_ids=KNOWN_VERIFIERS)
    got = [(p.path.name, p.line, p.field, p.message) for p in report.problems]
    expected = expectations(files)
    for name, line, field, text in expected:
        matching = [g for g in got if g[:3] == (name, line, field) and text in g[3]]
        assert matching, f"expected {name}:{line}: {field}: ...{text}...; the linter said:\n" + "\n".join(map(str, got))
    assert len(got) == len(expected), "unexpected extra problems:\n" + "\n".join(map(str, got))
    assert not report.ok


def test_problems_format_as_file_line_id_field_message():
    report = lint_files(case_files("unknown-key"), verifier_ids=KNOWN_VERIFIERS)
    (problem,) = report.problems
    assert problem.format().endswith("unknown-key.yaml:5: typo: folow_ups: unknown key 'folow_ups': did you mean 'follow_ups'?")


def test_a_python_tag_is_reported_and_never_constructed(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr("os.system", lambda *args: calls.append(args))
    lint_files(case_files("python-tag"), verifier_ids=KNOWN_VERIFIERS)
    assert calls == []


def test_a_broken_file_does_not_hide_the_problems_of_the_others():
    files = case_files("yaml-syntax") + case_files("bad-difficulty")
    report = lint_files(files, verifier_ids=KNOWN_VERIFIERS)
    assert {p.path.name for p in report.problems} == {"yaml-syntax.yaml", "bad-difficulty.yaml"}
    assert len(report.problems) == 3


def test_the_clean_questions_of_a_file_still_load():
    report = lint_files(case_files("bad-difficulty") + case_files("duplicate-id"), verifier_ids=KNOWN_VERIFIERS)
    assert [q.id for q in report.questions] == ["same-id", "same-id"]
