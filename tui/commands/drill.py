"""`tprep drill`: implement a piece of a Transformer by hand; tprep checks it.

    tprep drill list [--json]                  the drills, their status (new / due / passed) and last check
    tprep drill show ID [--hints]              the task, what the checks test, the questions it practises
    tprep drill start ID [--dir DIR] [--edit] [--force]
                                               write the stub (signature + docstring) and print its path
    tprep drill check ID [FILE] [--timeout S] [--no-record] [--json PATH]
                                               run the checks on your file in a sandboxed process
    tprep drill solution ID                    print the reference solution

Exit codes of ``check``: 0 every check passed, 1 a check failed (a wrong
answer, an exception, a hang, a crash), 2 bad usage or a file that cannot be
used (a syntax error, with its line; an import that fails; no function of the
drill's name). ``list`` never imports torch; ``check`` imports it only in the
checking process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from tui.commands import checked_json_path, positive_seconds, texts, use_colour, write_json_text
from tui.drills import DrillUsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "drill",
        help="implement attention, LayerNorm, top-p, beam search, ... by hand; tprep checks your code",
        description="Coding drills: write a piece of a Transformer by hand, as in the coding round of an interview; "
        "tprep runs seeded checks against reference implementations and shows a counterexample when one fails. "
        "Drills are scheduled like cards: a passed drill comes back days later, a failed one soon.",
        epilog="examples: tprep drill list; tprep drill start softmax --edit; tprep drill check softmax; "
        "tprep drill show softmax --hints; tprep drill solution softmax",
    )
    actions = parser.add_subparsers(dest="drill_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list the drills with their status and last check")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    show = actions.add_parser("show", help="the task of a drill, what its checks test, and the questions it practises")
    show.add_argument("id", metavar="ID")
    show.add_argument("--hints", action="store_true", help="also print the hints (try without them first)")
    start = actions.add_parser("start", help="write a drill's stub into your drill workspace and print its path")
    start.add_argument("id", metavar="ID")
    start.add_argument("--dir", type=Path, metavar="DIR", help="write it into DIR instead of the drill workspace")
    start.add_argument("--edit", action="store_true", help="open the file in $VISUAL or $EDITOR")
    start.add_argument(
        "--force", action="store_true", help="start over from the stub; your current file is renamed aside, not deleted"
    )
    check = actions.add_parser("check", help="check your implementation of a drill (in a separate, limited process)")
    check.add_argument("id", metavar="ID")
    check.add_argument("file", nargs="?", type=Path, metavar="FILE", help="your file (default: the one 'drill start' wrote)")
    check.add_argument(
        "--timeout", type=positive_seconds, default=None, metavar="SECONDS", help="time limit per check (default 10 s)"
    )
    check.add_argument("--no-record", action="store_true", help="do not record the result in your progress (the schedule)")
    check.add_argument("--json", metavar="PATH", help="also write the result as JSON to PATH ('-' for standard output)")
    solution = actions.add_parser("solution", help="print the reference solution")
    solution.add_argument("id", metavar="ID")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    lang = args.lang or "both"
    action = args.drill_action
    if action == "list":
        return _list(args, lang)
    from verifiers.drills.registry import default_drills

    registry = default_drills()
    for problem in registry.problems:
        print(f"tprep drill: warning: {problem}", file=sys.stderr)
    drill = registry.get(args.id)  # UnknownDrillError: exit 2 with the known ids
    if action == "show":
        return _show(drill, args, lang)
    if action == "start":
        return _start(drill, args, lang)
    if action == "check":
        return _check(drill, args, lang)
    sys.stdout.write(drill.reference_source())
    return EXIT_OK


# -- list ----------------------------------------------------------------------------------------


def _list(args: argparse.Namespace, lang: str) -> int:
    from tui.drills import drill_rows, last_result_text, status_text
    from tui.paths import store_path

    rows = drill_rows(store_path(args.store))
    if args.json:
        json.dump([row.to_dict() for row in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return EXIT_OK
    width = max(len(row.drill.id) for row in rows)
    for row in rows:
        titles = texts(row.drill.title, lang)
        status = status_text(row.status)
        print(f"{row.drill.id:<{width}}  {status:<22}  {last_result_text(row):<28}  {titles[0]}")
        for extra in titles[1:]:
            print(f"{'':<{width}}  {'':<22}  {'':<28}  {extra}")
    counts = {state: sum(1 for row in rows if row.status.state == state) for state in ("new", "due", "passed")}
    print(
        f"{len(rows)} drills: {counts['new']} new, {counts['due']} due, {counts['passed']} passed. "
        "Start one with 'tprep drill start ID', check it with 'tprep drill check ID'."
    )
    return EXIT_OK


# -- show / start -----------------------------------------------------------------------------------


def _show(drill: Any, args: argparse.Namespace, lang: str) -> int:
    out = sys.stdout
    for title in texts(drill.title, lang):
        print(title, file=out)
    print(f"id: {drill.id}    write: {drill.signature}", file=out)
    print(file=out)
    for task in texts(drill.task, lang):
        _wrapped(task, out)
    print(file=out)
    print("What the checks test:", file=out)
    for index, item in enumerate(drill.checks, start=1):
        lines = texts(item.statement, lang)
        _wrapped(f"{index}. [{item.id}] {lines[0]}", out, indent="   ", first="")
        for extra in lines[1:]:
            _wrapped(extra, out, indent="   ")
    print(file=out)
    print(f"Practises the bank questions: {', '.join(drill.questions)}", file=out)
    if args.hints:
        print(file=out)
        print("Hints:", file=out)
        for index, hint in enumerate(drill.hints, start=1):
            for number, line in enumerate(texts(hint, lang)):
                _wrapped(f"{index}. {line}" if number == 0 else line, out, indent="   ", first="" if number == 0 else "   ")
    else:
        print(f"{len(drill.hints)} hint(s): tprep drill show {drill.id} --hints", file=out)
    return EXIT_OK


def _wrapped(text: str, out: TextIO, *, indent: str = "", first: str | None = None) -> None:
    from questions.wrapping import wrap_text

    # Chinese and mixed text wrap by character with the usual punctuation rules (not only at spaces).
    lines = wrap_text(text, 100, initial_indent=indent if first is None else first, subsequent_indent=indent)
    for line in lines or [""]:
        print(line, file=out)


def _start(drill: Any, args: argparse.Namespace, lang: str) -> int:
    from tui.drills import start_drill

    directory = args.dir.expanduser() if args.dir is not None else None
    outcome = start_drill(drill, directory, force=args.force)
    if outcome.written:
        if outcome.backup is not None:
            print(f"your previous file was kept as {outcome.backup}")
        print(outcome.path)
    else:
        print(outcome.path)
        print(
            f"tprep drill: {outcome.path} already exists and was kept as it is; "
            "use --force to start over from the stub (your file is then kept as a backup).",
            file=sys.stderr,
        )
    check_command = f"tprep drill check {drill.id}" + ("" if directory is None else f" {outcome.path}")
    print(f"{texts(drill.title, lang)[0]}: write {drill.signature}, then run: {check_command}", file=sys.stderr)
    if args.edit:
        _edit(outcome.path)
    return EXIT_OK


def _edit(path: Path) -> None:
    from tui.drills import editor_command

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    try:
        command = editor_command(path)
    except ValueError as error:
        raise DrillUsageError(f"--edit: cannot run the editor {editor!r} ({error}); the file is {path}") from None
    if command is None:
        raise DrillUsageError(f"--edit: neither $VISUAL nor $EDITOR is set (e.g. export EDITOR=vim); the file is {path}")
    try:
        finished = subprocess.run(command, check=False)
    except OSError as error:
        raise DrillUsageError(f"--edit: cannot run the editor {editor!r} ({error}); the file is {path}") from None
    if finished.returncode != 0:
        print(f"tprep drill: the editor exited with status {finished.returncode}; the file is {path}", file=sys.stderr)


# -- check ------------------------------------------------------------------------------------------------


def _check(drill: Any, args: argparse.Namespace, lang: str) -> int:
    from tui.drills import save_check, schedule_text, workspace_file
    from tui.paths import store_path
    from verifiers.drills.sandbox import DrillProgress, Limits, Phase, check_drill
    from verifiers.result import Status

    path = (args.file or workspace_file(drill)).expanduser()
    if not path.exists():
        if args.file is None:
            raise DrillUsageError(
                f"there is no file {path} yet: run 'tprep drill start {drill.id}' to write the stub there, "
                f"or give your file: tprep drill check {drill.id} FILE"
            )
        raise DrillUsageError(f"there is no file {path}; check the path")
    json_path = checked_json_path(args.json, DrillUsageError, "result.json")
    limits = Limits() if args.timeout is None else Limits(check_s=args.timeout)
    out = sys.stderr if args.json == "-" else sys.stdout
    colour = use_colour(out)
    interactive = out.isatty()
    total = len(drill.checks)
    width = len(str(total))
    print(f"Checking {drill.id} ({drill.signature}) in {path}: {total} checks, at most {limits.check_s:g} s each", file=out, flush=True)

    def show(event: DrillProgress) -> None:
        if event.phase is Phase.STARTING and interactive:
            print("  starting the checker (importing torch) ...", file=out, end="", flush=True)
        if event.phase is not Phase.CHECKING:
            return
        prefix = f"  [{event.index + 1:>{width}}/{total}] {event.check.id}"
        if interactive:
            print("\r\033[K", file=out, end="")
        if not event.finished:
            if interactive:  # overwritten by the outcome line when the check finishes
                print(f"{prefix} ...", file=out, end="", flush=True)
            return
        _print_check(event.result, prefix, lang, out, colour)

    started = time.perf_counter()
    result = check_drill(drill, path, limits=limits, progress=show)
    assert result is not None  # only a cancel event makes it None, and the CLI passes none
    if interactive:
        print("\r\033[K", file=out, end="")
    if result.problem is not None:
        _print_problem(result, path, lang)
    else:
        for line in texts(result.summary, lang):
            print(line, file=out)
    _print_output(result, out)
    status = save_check(result, store_path(args.store), record=not args.no_record)
    if status is not None:
        print(schedule_text(status), file=out)
    elif result.problem is None and not result.attempted:
        print(f"Nothing is implemented yet: write {drill.signature} in {path}.", file=out)
    _write_json(result, args.json, json_path)
    print(f"Checked in {time.perf_counter() - started:.1f} s.", file=out)
    if result.status is Status.PASSED:
        return EXIT_OK
    return EXIT_USAGE if result.status is Status.ERROR else EXIT_FAILED


_GREEN, _RED, _YELLOW, _RESET = "\033[32m", "\033[31m", "\033[33m", "\033[0m"


def _print_check(result: Any, prefix: str, lang: str, out: TextIO, colour: bool) -> None:
    from tui.drills import check_details, outcome_word

    word = outcome_word(result.outcome)
    if colour:
        word = f"{_GREEN if result.passed else _YELLOW if result.outcome.value == 'not-implemented' else _RED}{word}{_RESET}"
    print(f"{prefix}: {word} ({result.elapsed_s:.2f} s)", file=out)
    for detail in check_details(result):
        values = texts(detail.text, lang) if detail.bilingual else [detail.text]
        if detail.kind == "statement":
            for value in values:
                _wrapped(f"{detail.label}: {value}", out, indent="      ", first="      ")
        elif detail.kind == "message":
            for value in values:
                _wrapped(value, out, indent="      ", first="      ")
        elif detail.kind == "traceback":
            print(f"      | {detail.text}", file=out)
        elif detail.kind == "hint":
            for number, line in enumerate(values):
                _wrapped((f"{detail.label}: " if number == 0 else "      ") + line, out, indent="            ", first="      ")
        elif detail.kind == "difference":
            print(f"      {detail.label} at {detail.text}", file=out)
        elif detail.kind in ("expected", "got"):  # aligned, to compare the two by eye
            print(f"      {detail.label + ':':<9} {detail.text}", file=out)
        else:
            print(f"      {detail.label}: {detail.text}", file=out)


def _print_problem(result: Any, path: Path, lang: str) -> None:
    """Why the file could not be used, where (file, line), and the offending line."""
    from tui.drills import problem_detail_lines

    problem = result.problem
    prefix = f"tprep drill: {path}, line {problem.line}: " if problem.line else f"tprep drill: {path}: "
    for line in texts(problem.message, lang):
        print(f"{prefix}{line}", file=sys.stderr)
        prefix = " " * len(prefix)
    for line in problem_detail_lines(problem):
        print(f"    {line}", file=sys.stderr)


def _print_output(result: Any, out: TextIO) -> None:
    from tui.drills import output_excerpt

    if not result.output_bytes:
        return
    shown, more = output_excerpt(result)
    print(f"Your code printed {result.output_bytes} bytes; the first lines:", file=out)
    for line in shown:
        print(f"  > {line}", file=out)
    if more:
        print("  > ...", file=out)


def _write_json(result: Any, option: str | None, path: Path | None) -> None:
    text = json.dumps(result.to_dict(), ensure_ascii=False, indent=1)
    write_json_text(text, option, path, DrillUsageError, what="the result", kept="it is still cached")
