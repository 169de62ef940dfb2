"""`tprep verify`: exit codes 0/1/2, per-claim output, --json, --question, and the cache."""

import json

import pytest

from tests.verifiers.fakes import FAKE_REGISTRY
from tui.cli import main
from verifiers.cache import ResultsCache


@pytest.fixture
def fakes(monkeypatch):
    monkeypatch.setattr("verifiers.registry.default_registry", lambda: FAKE_REGISTRY)
    return FAKE_REGISTRY


def test_all_passed_exits_0_and_shows_each_claim(fakes, capsys, isolated_data_dir):
    assert main(["--lang", "en", "verify", "fake-passes"]) == 0
    out = capsys.readouterr().out
    assert "[1/1] fake-passes: ✓ passed" in out
    assert "✓ one plus one is two" in out
    # A document's wrong claim, refuted as expected: its own mark and words, never a ✓.
    assert "✗ one plus one is three [document's claim — refuted, as expected]" in out
    assert "measured: 1 + 1 = 2, not 3" in out
    assert "1 verifier(s): 1 passed, 0 failed, 0 errored" in out
    assert ResultsCache(isolated_data_dir / "results").load("fake-passes").passed


def test_a_failure_or_error_exits_1_and_says_what_was_measured(fakes, capsys):
    assert main(["--lang", "en", "verify", "fake-passes", "fake-fails", "fake-raises"]) == 1
    out = capsys.readouterr().out
    assert "fake-fails: ! failed" in out
    assert "! one plus one is two [expected to hold, but it did not — the verifier failed]" in out
    assert "fake-raises: ? error" in out and "RuntimeError: boom inside the verifier" in out
    assert "1 passed, 1 failed, 1 errored" in out


def test_chinese_output(fakes, capsys):
    assert main(["--lang", "zh", "verify", "fake-passes"]) == 0
    out = capsys.readouterr().out
    assert "✓ one plus one is two（中文）" in out and "✓ one plus one is two\n" not in out
    assert "✗ one plus one is three（中文） [文档的说法——被推翻，符合预期]" in out


def test_colour_only_on_a_terminal_and_never_with_no_color(fakes, capsys, monkeypatch):
    from tui.commands import use_colour

    class Terminal:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert use_colour(Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Terminal())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not use_colour(Terminal())
    # Captured output is not a terminal: plain text, the marks alone tell the states apart.
    assert main(["--lang", "en", "verify", "fake-passes"]) == 0
    assert "\033[" not in capsys.readouterr().out


def test_unknown_id_exits_2_and_lists_the_known_ones(fakes, capsys):
    assert main(["verify", "fake-pases"]) == 2
    err = capsys.readouterr().err
    assert "unknown verifier id: 'fake-pases' (did you mean 'fake-passes'?)" in err
    assert "fake-experiment, fake-fails" in err and "Traceback" not in err


def test_nothing_selected_exits_2_with_a_hint(fakes, capsys):
    assert main(["verify"]) == 2
    assert "say what to verify" in capsys.readouterr().err


def test_bad_options_exit_2():
    for argv in (["verify", "--profile", "huge"], ["verify", "--device", "tpu"], ["verify", "--kind", "magic"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2


def test_cuda_requested_without_one_exits_2(fakes, capsys, monkeypatch):
    monkeypatch.setattr("verifiers.runner.cuda_available", lambda: False)
    assert main(["verify", "--device", "cuda", "fake-passes"]) == 2
    assert "torch sees no CUDA device" in capsys.readouterr().err


def test_list_shows_ids_titles_and_claim_counts(fakes, capsys):
    assert main(["--lang", "en", "verify", "--list"]) == 0
    out = capsys.readouterr().out
    assert "symbolic:" in out and "experiment:" in out
    assert "fake-passes" in out and "fake fake-passes" in out and "2 claim(s)" in out
    assert "5 verifier(s)" in out
    assert main(["verify", "--list", "--kind", "experiment"]) == 0
    out = capsys.readouterr().out
    assert "fake-experiment" in out and "fake-passes" not in out and "1 verifier(s)" in out


def test_kind_alone_selects_every_verifier_of_that_kind(fakes, capsys):
    assert main(["verify", "--kind", "experiment"]) == 0
    out = capsys.readouterr().out
    assert "[1/1] fake-experiment: ✓ passed" in out


def test_json_output_to_a_file_and_to_stdout(fakes, tmp_path, capsys):
    target = tmp_path / "out.json"
    assert main(["verify", "fake-passes", "fake-fails", "--json", str(target)]) == 1
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["all_passed"] is False
    assert [r["verifier_id"] for r in document["results"]] == ["fake-fails", "fake-passes"]
    capsys.readouterr()
    assert main(["verify", "fake-passes", "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["results"][0]["status"] == "passed"
    assert "fake-passes: ✓ passed" in captured.err  # progress moves out of the way of the JSON


def test_unusable_json_path_exits_2_before_running(fakes, tmp_path, capsys, isolated_data_dir):
    assert main(["verify", "fake-passes", "--json", str(tmp_path / "missing" / "out.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["verify", "fake-passes", "--json", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert not (isolated_data_dir / "results").exists()  # nothing ran


def test_a_json_file_that_cannot_be_written_exits_2_and_says_the_results_are_kept(fakes, tmp_path, capsys, monkeypatch):
    from pathlib import Path

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "write_text", refuse)
    assert main(["verify", "fake-passes", "--json", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert "could not write the results ([Errno 13] Permission denied); they are still cached" in err
    assert "Traceback" not in err


def _write_bank(directory, verifiers):
    directory.mkdir()
    (directory / "mine.yaml").write_text(
        "topic: mine\n"
        "questions:\n"
        "  - id: my-question\n"
        "    difficulty: 1\n"
        "    tags: [test]\n"
        "    question: {zh: 问题, en: question}\n"
        "    answer: {zh: 答案, en: answer}\n"
        "    key_points: {zh: [一, 二, 三], en: [one, two, three]}\n"
        "    sources: [{doc: 000_b1566269e68ea388.txt, heading: h}]\n"
        f"    verifiers: [{', '.join(verifiers)}]\n",
        encoding="utf-8",
    )


def test_question_selects_the_verifiers_its_bank_entry_names(fakes, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("questions.load_bank", _only_user_bank)
    _write_bank(tmp_path / "bank", ["fake-passes", "fake-experiment"])
    assert main(["--bank", str(tmp_path / "bank"), "verify", "--question", "my-question"]) == 0
    out = capsys.readouterr().out
    assert "fake-experiment: ✓ passed" in out and "fake-passes: ✓ passed" in out and "2 verifier(s)" in out
    # --kind narrows the question's verifiers
    assert main(["--bank", str(tmp_path / "bank"), "verify", "--question", "my-question", "--kind", "symbolic"]) == 0
    assert "1 verifier(s)" in capsys.readouterr().out


def test_unknown_question_exits_2_with_suggestions(fakes, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("questions.load_bank", _only_user_bank)
    _write_bank(tmp_path / "bank", ["fake-passes"])
    assert main(["--bank", str(tmp_path / "bank"), "verify", "--question", "my-qestion"]) == 2
    err = capsys.readouterr().err
    assert "no question with that id" in err and "Did you mean: my-question" in err


def _only_user_bank(extra_dirs=(), *, include_builtin=True):
    """The user's directory alone, so these tests do not depend on the shipped bank's state."""
    from questions.loader import load_bank

    return load_bank(extra_dirs, include_builtin=False)


def test_an_unwritable_cache_is_a_warning_not_a_failure(fakes, capsys, isolated_data_dir):
    (isolated_data_dir / "results").write_text("a file where the results folder should be")
    assert main(["verify", "fake-passes"]) == 0
    captured = capsys.readouterr()
    assert "warning: could not save the result of fake-passes" in captured.err
    assert "Results cached" not in captured.out


def test_a_shipped_verifier_end_to_end(capsys, isolated_data_dir):
    assert main(["--lang", "en", "verify", "multihead-parameter-invariance"]) == 0
    out = capsys.readouterr().out
    assert "multihead-parameter-invariance: ✓ passed" in out
    assert "h=64: 1,050,624" in out
    assert ResultsCache(isolated_data_dir / "results").load("multihead-parameter-invariance").passed


def test_steps_prints_the_explanation_and_the_derivation(fakes, capsys):
    assert main(["--lang", "en", "verify", "fake-passes", "--steps"]) == 0
    out = capsys.readouterr().out
    assert "| a verifier that only exists in the tests" in out
    assert "1. 1 + 1 = 2" in out and "one plus one is two" in out


def test_timeout_option(fakes, capsys, monkeypatch):
    from tests.verifiers.fakes import HANGS
    from verifiers.registry import Registry

    monkeypatch.setattr("verifiers.registry.default_registry", lambda: Registry.of([HANGS]))
    assert main(["--lang", "en", "verify", "fake-hangs", "--timeout", "0.3"]) == 1
    assert "timed out: still running after 0.3 s" in capsys.readouterr().out
    for bad in ("0", "-1", "soon"):
        with pytest.raises(SystemExit) as stop:
            main(["verify", "fake-hangs", "--timeout", bad])
        assert stop.value.code == 2


def test_a_question_without_verifiers_exits_2(fakes, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("questions.load_bank", _only_user_bank)
    _write_bank(tmp_path / "bank", [])
    assert main(["--bank", str(tmp_path / "bank"), "verify", "--question", "my-question"]) == 2
    assert "names no verifiers" in capsys.readouterr().err


def test_steps_wrap_to_the_terminal_chinese_by_character(capsys, monkeypatch):
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "60")
    assert main(["--lang", "zh", "verify", "sqrt-dk-variance", "--steps"]) == 0
    explanation = [line for line in capsys.readouterr().out.splitlines() if line.startswith("    | ")]
    assert len(explanation) >= 3 and all(cell_len(line) <= 60 for line in explanation)
    # Lines end between two Chinese characters, where there is no space: wrapped by character.
    assert any(a[-1] >= "\u4e00" and b[6] >= "\u4e00" for a, b in zip(explanation, explanation[1:])), explanation
