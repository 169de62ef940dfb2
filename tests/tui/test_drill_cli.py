"""`tprep drill`: list (without torch), show, start (never clobbering the candidate's file),
check (exit 0 pass, 1 a check failed, 2 an unusable file or bad usage), solution."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from questions.study import ProgressStore
from tui.cli import main
from verifiers.drills.registry import default_drills

SOFTMAX = default_drills().get("softmax")
NO_MAX = "import torch\ndef softmax(x, dim=-1):\n    e = torch.exp(x)\n    return e / e.sum(dim=dim, keepdim=True)\n"


def workspace(home: Path) -> Path:
    return home / "drills"


def test_list_shows_every_drill_as_new_and_json_has_the_fields(capsys):
    assert main(["--lang", "en", "drill", "list"]) == 0
    out = capsys.readouterr().out
    for drill in default_drills():
        assert drill.id in out
    assert f"{len(default_drills())} drills: {len(default_drills())} new, 0 due, 0 passed" in out
    assert main(["drill", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    first = rows[0]
    assert first["id"] == "softmax" and first["signature"] == "softmax(x, dim=-1)"
    assert first["status"]["state"] == "new" and first["last_result"] is None and first["file_exists"] is False
    assert "attention-why-softmax" in first["questions"] and first["title"]["zh"]


def test_list_does_not_import_torch_or_textual(isolated_data_dir):
    code = (
        "import sys; from tui.cli import main; code = main(['drill', 'list']); "
        "print('MODULES', sorted(m for m in ('torch', 'textual', 'sympy') if m in sys.modules)); sys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "TPREP_HOME": str(isolated_data_dir)})
    assert done.returncode == 0, done.stderr
    assert "MODULES []" in done.stdout


def test_start_writes_the_stub_and_never_overwrites_the_candidates_file(isolated_data_dir, capsys):
    target = workspace(isolated_data_dir) / "softmax.py"
    assert main(["drill", "start", "softmax"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(target)
    assert target.read_text(encoding="utf-8") == SOFTMAX.stub_source()
    assert "tprep drill check softmax" in captured.err

    target.write_text("# my work in progress\n", encoding="utf-8")
    assert main(["drill", "start", "softmax"]) == 0
    assert "already exists and was kept" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "# my work in progress\n"

    assert main(["drill", "start", "softmax", "--force"]) == 0
    out = capsys.readouterr().out
    backups = list(target.parent.glob("softmax.py.*.bak"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == "# my work in progress\n"
    assert str(backups[0]) in out and target.read_text(encoding="utf-8") == SOFTMAX.stub_source()


def test_start_into_a_folder_and_open_the_editor(tmp_path, capsys, monkeypatch):
    editor = f"{shlex.quote(sys.executable)} -c \"import sys; open(sys.argv[1], 'a').write('# edited')\""
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    assert main(["drill", "start", "top-p-filter", "--dir", str(tmp_path / "mine"), "--edit"]) == 0
    written = tmp_path / "mine" / "top_p_filter.py"
    assert capsys.readouterr().out.strip() == str(written)
    assert written.read_text(encoding="utf-8").endswith("# edited")
    monkeypatch.delenv("EDITOR")
    assert main(["drill", "start", "top-p-filter", "--dir", str(tmp_path / "mine"), "--edit"]) == 2
    assert "$EDITOR" in capsys.readouterr().err


def test_bad_usage_exits_2_with_a_message_not_a_traceback(capsys, tmp_path):
    assert main(["drill", "check", "sofmax"]) == 2
    err = capsys.readouterr().err
    assert "unknown drill id: 'sofmax'" in err and "did you mean 'softmax'" in err and "Traceback" not in err
    assert main(["drill", "check", "softmax"]) == 2
    assert "tprep drill start softmax" in capsys.readouterr().err
    assert main(["drill", "check", "softmax", str(tmp_path / "nope.py")]) == 2
    assert "no file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["drill"])
    assert stop.value.code == 2


def test_a_syntax_error_exits_2_shows_its_line_and_is_cached_but_not_scheduled(isolated_data_dir, tmp_path, capsys):
    broken = tmp_path / "softmax.py"
    broken.write_text("import torch\ndef softmax(x, dim=-1)\n    return x\n", encoding="utf-8")
    assert main(["--lang", "en", "drill", "check", "softmax", str(broken)]) == 2
    err = capsys.readouterr().err
    assert f"{broken}, line 2: SyntaxError" in err and "^" in err
    assert not (isolated_data_dir / "progress.sqlite3").exists()
    assert main(["--lang", "en", "drill", "list"]) == 0
    softmax_line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("softmax "))
    assert "new" in softmax_line and "unusable file" in softmax_line


@pytest.mark.slow
def test_check_passes_records_progress_and_list_shows_it(isolated_data_dir, tmp_path, capsys):
    solution = tmp_path / "softmax.py"
    assert main(["drill", "solution", "softmax"]) == 0
    solution.write_text(capsys.readouterr().out, encoding="utf-8")
    assert solution.read_text(encoding="utf-8") == SOFTMAX.reference_source()

    assert main(["--lang", "en", "drill", "check", "softmax", str(solution)]) == 0
    out = capsys.readouterr().out
    assert "All 3 checks passed." in out and "comes back on" in out
    with ProgressStore.open(isolated_data_dir / "progress.sqlite3") as store:
        (record,) = store.reviews(question_id="drill:softmax")
    assert record.mode.value == "drill"

    assert main(["drill", "list", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["status"]["state"] == "passed" and row["status"]["last_passed"] is True
    assert row["last_result"]["status"] == "passed" and row["last_result"]["passed_checks"] == 3


@pytest.mark.slow
def test_a_failed_check_exits_1_with_a_counterexample_and_a_hint_in_the_chosen_language(tmp_path, capsys):
    wrong = tmp_path / "softmax.py"
    wrong.write_text(NO_MAX, encoding="utf-8")
    assert main(["--lang", "zh", "drill", "check", "softmax", str(wrong), "--json", str(tmp_path / "r.json")]) == 1
    out = capsys.readouterr().out
    assert "large-logits: FAILED" in out
    assert "input x: float32 (4, 3)" in out and "expected:" in out and "got:" in out and "nan" in out
    assert "largest error: inf at index (0, 0)" in out
    assert "hint: exp(1e4) 会溢出成 inf" in out and "Subtract" not in out
    saved = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert saved["drill_id"] == "softmax" and saved["status"] == "failed"


@pytest.mark.slow
def test_an_untouched_stub_fails_but_is_not_recorded(isolated_data_dir, capsys):
    assert main(["drill", "start", "noam-schedule"]) == 0
    capsys.readouterr()
    assert main(["--lang", "en", "drill", "check", "noam-schedule"]) == 1
    out = capsys.readouterr().out
    assert "not implemented" in out and "Nothing is implemented yet" in out
    assert not (isolated_data_dir / "progress.sqlite3").exists()


def test_show_prints_the_task_the_checks_and_hints_on_request(capsys):
    assert main(["--lang", "en", "drill", "show", "top-p-filter"]) == 0
    out = capsys.readouterr().out
    assert "top_p_filter(logits, p)" in out and "What the checks test" in out and "[nucleus-edges]" in out
    assert "decoding-top-p-sampling" in out and "--hints" in out
    assert main(["--lang", "zh", "drill", "show", "top-p-filter", "--hints"]) == 0
    out = capsys.readouterr().out
    assert "Hints:" in out and "降序排序" in out
