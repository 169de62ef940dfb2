"""`tprep bank lint` and `tprep bank stats`: exit codes, output, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import questions.files as files
import questions.lint as lint
from tests.questions.bank_factory import question_yaml, write_question_file
from tui.cli import main

CORPUS = Path(__file__).parent / "malformed"


@pytest.fixture
def builtin(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "builtin"
    write_question_file(directory, "attention", [question_yaml("attention-a", choices=True, verifiers=["v-one"]),
                                                   question_yaml("attention-b", difficulty=3)])  # fmt: skip
    write_question_file(directory, "layers", [question_yaml("layers-a", difficulty=1, source="Q2: Transformer 中的参数主要集中在哪里？")])
    monkeypatch.setattr(files, "BUILTIN_BANK_DIR", directory)
    monkeypatch.setattr(lint, "known_verifier_ids", lambda: (frozenset({"v-one"}), None))
    return directory


def test_lint_clean_bank_prints_one_summary_line_and_exits_0(builtin, capsys):
    assert main(["bank", "lint"]) == 0
    out, err = capsys.readouterr()
    assert out == "bank ok: 3 questions in 2 files (built-in bank)\n"
    assert err == ""


def test_lint_reports_every_problem_as_file_line_id_field_message_and_exits_2(builtin, capsys):
    target = CORPUS / "choices" / "choices.yaml"
    assert main(["bank", "lint", str(target)]) == 2
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith("choices.yaml:5: no-correct-option: choices: no option is marked 'correct: true'; mark the right one(s)")
    assert "3 problems in 1 of 1 file" in err and "Traceback" not in err


def test_lint_paths_and_bank_dirs_are_checked_together(builtin, tmp_path, capsys):
    mine = tmp_path / "mine"
    write_question_file(mine, "mine", [question_yaml("attention-a")])
    assert main(["--bank", str(mine), "bank", "lint"]) == 2
    out, _ = capsys.readouterr()
    assert "mine.yaml:3: attention-a: id: conflicts with the built-in question 'attention-a'" in out
    assert main(["bank", "lint", str(mine)]) == 2  # a directory argument is checked against the built-in bank too


# Cases with a shipped/ part need the built-in bank's rules, which only the corpus test can give them.
@pytest.mark.parametrize("case", sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not (p / "shipped").exists()))
def test_every_malformed_case_exits_2_without_a_traceback(builtin, case, capsys):
    assert main(["bank", "lint", str(CORPUS / case)]) == 2
    out, err = capsys.readouterr()
    assert out and all(line.count(": ") >= 3 for line in out.splitlines())
    assert "Traceback" not in out + err and "internal error" not in err


def test_missing_paths_and_bank_dirs_exit_2_with_a_message(builtin, tmp_path, capsys):
    assert main(["bank", "lint", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    assert main(["--bank", str(tmp_path / "nowhere"), "bank", "stats"]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err


def test_bank_without_an_action_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["bank"])
    assert stop.value.code == 2
    assert "the following arguments are required: ACTION" in capsys.readouterr().err


def test_stats_json_counts_topics_difficulty_documents_and_coverage(builtin, capsys):
    assert main(["bank", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["questions"] == 3
    assert stats["by_topic"] == {"attention": 2, "layers": 1}
    assert stats["by_difficulty"] == {"1": 1, "2": 1, "3": 1}
    assert stats["by_document"] == {"000_b1566269e68ea388.txt": 3}
    assert (stats["with_choices"], stats["without_choices"], stats["choices_share"]) == (1, 2, 0.3333)
    assert (stats["with_verifiers"], stats["by_verifier"]) == (1, {"v-one": 1})
    assert (stats["with_caveats"], stats["caveats"], stats["sources"]) == (0, 0, 3)


def test_stats_text_is_a_readable_table(builtin, capsys):
    assert main(["bank", "stats"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("questions: 3\n")
    assert "  attention     2   66.7%" in out
    assert "  with choices        1   33.3%" in out
    # Documents by title (#14); the file name is for --json only.
    assert "Transformer (完全版), the complete guide     3  100.0%" in out
    assert "000_b1566269e68ea388.txt" not in out


def test_stats_refuses_a_broken_bank_like_the_app(builtin, capsys):
    (builtin / "layers.yaml").write_text("topic: layers\nquestions: [1]\n", encoding="utf-8")
    assert main(["bank", "stats"]) == 2
    err = capsys.readouterr().err
    assert "layers.yaml:2: -: questions[]: expected a question" in err


def test_the_real_command_exits_2_on_a_malformed_file():
    result = subprocess.run(
        [sys.executable, "-m", "tui", "bank", "lint", str(CORPUS / "python-tag" / "python-tag.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "python-tag.yaml:5: -: yaml: YAML tag '!!python/object/apply:os.system' is not allowed" in result.stdout
