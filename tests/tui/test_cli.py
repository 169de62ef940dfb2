"""The command line: help works, usage errors exit 2 without a traceback."""

import subprocess
import sys

from tui.cli import main


def test_help_lists_every_subcommand(capsys):
    try:
        main(["--help"])
    except SystemExit as stop:
        assert stop.code == 0
    out = capsys.readouterr().out
    for command in ("verify", "bank", "export", "progress", "drill"):
        assert command in out


def test_unknown_subcommand_exits_2_with_a_hint(capsys):
    try:
        main(["frobnicate"])
    except SystemExit as stop:
        assert stop.code == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and "--help" in err


def test_help_does_not_import_torch_or_sympy():
    code = "import sys; from tui.cli import build_parser; build_parser(); print(sorted(m for m in ('torch', 'sympy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_version_comes_from_the_installed_distribution(capsys):
    from importlib.metadata import version

    import pytest

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"tprep {version('transformer-prep')}\n"
