"""What each entry point imports, and the shape of our imports.

The commands a user runs without the app never import the UI (textual) nor the heavy numeric
libraries (torch, sympy: seconds each); the app reaches its first screen without torch or
sympy. Each is run in a fresh interpreter, which then reports ``sys.modules``.

And our modules import each other in one direction: no circles at module level (imports inside
functions, made lazily, may go anywhere), ``questions`` and ``transformer_core`` import nothing
of ours outside themselves at module level, and no screen or widget imports ``tui.app``.
"""

from __future__ import annotations

import ast
import graphlib
import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("questions", "verifiers", "transformer_core", "tui")
HEAVY = ("textual", "torch", "sympy")

# Runs ``tprep ARGS`` in-process, output discarded, then prints the top-level modules imported.
COMMAND_RUNNER = textwrap.dedent(
    """
    import contextlib, io, json, sys
    from tui.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = main(sys.argv[1:])
        except SystemExit as exit:  # --help exits through argparse
            code = exit.code
    print(json.dumps({"exit": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
    """
)

# Starts the app headless on the built-in bank, waits for its first screen and the home
# screen's worker, then prints the same.
APP_RUNNER = textwrap.dedent(
    """
    import asyncio, json, sys
    from tui.app import TPrepApp, load_app_bank

    async def main():
        app = TPrepApp(load_app_bank([])[0])
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            return type(app.screen).__name__

    screen = asyncio.run(main())
    print(json.dumps({"exit": 0, "screen": screen, "modules": sorted({name.split(".")[0] for name in sys.modules}),
                      "ours": sorted(name for name in sys.modules if name.split(".")[0] in ("questions", "verifiers"))}))
    """
)


# Opens the Drills screen, writes softmax's reference solution as the candidate's file and
# checks it (the checks run in the sandbox's child process), then prints what the app imported.
DRILL_CHECK_RUNNER = textwrap.dedent(
    """
    import asyncio, json, sys
    from tui.app import TPrepApp, load_app_bank
    from tui.drills import workspace_file
    from verifiers.drills.registry import default_drills

    async def main():
        app = TPrepApp(load_app_bank([])[0])
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("d")
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            opened = sorted({name.split(".")[0] for name in sys.modules})
            softmax = default_drills().get("softmax")
            path = workspace_file(softmax)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(softmax.reference_source(), encoding="utf-8")
            await pilot.press("c")
            await app.workers.wait_for_complete()
            await pilot.pause()
            row = next(row for row in screen.rows if row.drill.id == "softmax")
            return type(screen).__name__, opened, row.last_result.status.value

    screen, opened, status = asyncio.run(main())
    print(json.dumps({"exit": 0, "screen": screen, "status": status, "opened": opened,
                      "modules": sorted({name.split(".")[0] for name in sys.modules})}))
    """
)


def run_child(code: str, *args: str, tmp_path: Path) -> dict:
    env = {"TPREP_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip(), done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("args", "did_its_work"),  # the command, and a package it cannot run without (it did run)
    [
        (["--help"], "argparse"),
        (["bank", "lint"], "yaml"),
        (["export", "--format", "md", "--out", "sheet.md"], "questions"),
        (["verify", "--list"], "verifiers"),
    ],
    ids=lambda value: " ".join(value[:2]) if isinstance(value, list) else "",
)
def test_commands_without_the_app_import_no_ui_and_no_heavy_library(args, did_its_work, tmp_path):
    report = run_child(COMMAND_RUNNER, *args, tmp_path=tmp_path)
    assert report["exit"] in (0, None)
    assert did_its_work in report["modules"]
    assert [name for name in HEAVY if name in report["modules"]] == []


def test_the_app_starts_without_torch_or_sympy(tmp_path):
    report = run_child(APP_RUNNER, tmp_path=tmp_path)
    assert report["screen"] == "HomeScreen"
    assert "textual" in report["modules"]
    assert [name for name in ("torch", "sympy") if name in report["modules"]] == []


def test_the_app_started_on_its_cached_bank_imports_neither_the_linter_nor_the_verifiers(tmp_path):
    # The first start validates the bank and caches the result; the next ones read it back, which
    # needs neither the linter and yaml (~15 ms of the start) nor the verifier registry and the
    # ~50 modules its discovery imports (~20 ms): the cache's key reads their source as bytes.
    # Each also leaves ~2,000 objects that every full garbage collection of the session walks.
    run_child(APP_RUNNER, tmp_path=tmp_path)
    report = run_child(APP_RUNNER, tmp_path=tmp_path)
    assert report["screen"] == "HomeScreen"
    assert [name for name in report["ours"] if name.startswith("verifiers")] == ["verifiers", "verifiers.sources"]
    assert "questions.lint" not in report["ours"] and "yaml" not in report["modules"]


@pytest.mark.slow
def test_the_drills_screen_opens_and_checks_code_without_torch_in_the_app(tmp_path):
    report = run_child(DRILL_CHECK_RUNNER, tmp_path=tmp_path)
    assert report["screen"] == "DrillsScreen" and report["status"] == "passed"  # torch ran: in the child
    assert [name for name in ("torch", "sympy") if name in report["opened"]] == []
    assert [name for name in ("torch", "sympy") if name in report["modules"]] == []


# --------------------------------------------------------------------------- static import graph


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def imports_at_module_level(path: Path, modules: dict[str, Path]) -> set[str]:
    """Our modules that ``path`` imports outside any function (``if TYPE_CHECKING:`` blocks count:
    a type checker follows them, and they show the same dependency)."""
    this = module_name(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found: set[str] = set()

    def add(name: str) -> None:
        # The module itself when it is one of ours (``from package import module``), else its package.
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name and name != this:
            found.add(name)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue  # imported when called: lazily
            if isinstance(child, ast.Import):
                for alias in child.names:
                    add(alias.name)
            elif isinstance(child, ast.ImportFrom):
                base = importlib.util.resolve_name("." * child.level + (child.module or ""), package) if child.level else child.module or ""
                for alias in child.names:
                    add(f"{base}.{alias.name}")
            else:
                visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def import_graph() -> dict[str, set[str]]:
    modules = our_modules()
    return {name: imports_at_module_level(path, modules) for name, path in modules.items()}


def test_the_import_graph_is_read_right():
    graph = import_graph()
    assert "questions.model" in graph["questions.loader"]
    assert "tui.context" in graph["tui.screens.base"]  # under TYPE_CHECKING
    assert "tui.screens.review" not in graph["tui.app"]  # imported inside a function only


def test_no_import_circles_among_our_modules():
    graph = import_graph()
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        pytest.fail(f"import circle: {' -> '.join(reversed(error.args[1]))}")
    assert set(order) == set(graph)


def test_imports_run_one_way():
    graph = import_graph()
    allowed = {
        "transformer_core": {"transformer_core"},
        "questions": {"questions"},
        "verifiers": {"verifiers", "transformer_core"},
        "tui": set(PACKAGES),
    }
    wrong = [
        f"{module} imports {imported}"
        for module, imports in graph.items()
        for imported in imports
        if imported.split(".")[0] not in allowed[module.split(".")[0]]
    ]
    assert wrong == []


def test_screens_and_widgets_reach_the_app_through_its_context_never_by_importing_it():
    importers = []
    for path in [*(ROOT / "tui" / "screens").glob("*.py"), *(ROOT / "tui" / "widgets").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # lazy imports too
            names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in getattr(node, "names", [])]
            if isinstance(node, (ast.Import, ast.ImportFrom)) and "tui.app" in names:
                importers.append(path.name)
    assert importers == []


def test_the_app_provides_the_context_screens_rely_on():
    from tests.tui.factory import make_app
    from tui.context import AppContext

    assert isinstance(make_app(), AppContext)
