"""`tprep verify`: list and run the verifiers, print per-claim verdicts, cache the results.

Selection: ``ID...``, ``--all``, ``--question QID`` (the verifiers that the
bank's ``verifiers:`` field names for that question) and ``--kind`` combine:
ids and the question's verifiers are united, ``--kind`` filters, and
``--kind`` alone selects every verifier of that kind. ``--list`` lists the
selection (everything when nothing is selected) instead of running it.

Exit codes: 0 every selected verifier passed, 1 any failed or errored (or the
run was interrupted), 2 bad usage.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, TextIO

from tui.commands import checked_json_path, positive_seconds, texts, use_colour, write_json_text

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class VerifyUsageError(ValueError):
    """A selection or option that cannot be run; ``str()`` says why and what to do."""

    exit_code = EXIT_USAGE


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="run the verifiers (sympy derivations and torch experiments) that back the answers",
        description="Run the verifiers that back the bank's answers and print each claim's verdict with "
        "the value measured. The latest result of each verifier is kept for the app and the exports.",
        epilog="examples: tprep verify --list; tprep verify sqrt-dk-variance; tprep verify --kind symbolic; "
        "tprep verify --question attention-scale-sqrt-dk; tprep verify --all --json results.json",
    )
    parser.add_argument("ids", nargs="*", metavar="ID", help="verifier ids to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the verifiers (or the selected ones) and exit")
    parser.add_argument("--all", action="store_true", help="run every verifier")
    parser.add_argument("--kind", choices=("symbolic", "experiment"), help="only verifiers of this kind")
    parser.add_argument(
        "--question", metavar="QID", action="append", default=[], help="the verifiers backing this bank question (repeatable)"
    )
    parser.add_argument(
        "--profile", choices=("quick", "full"), default="quick", help="quick: seconds on a CPU (default); full: larger, meant for a GPU"
    )
    parser.add_argument(
        "--device", choices=("cpu", "cuda", "auto"), default="cpu", help="where experiments run (default cpu; auto: cuda when present)"
    )
    parser.add_argument("--seed", type=int, default=0, help="base seed; each verifier derives its own from it (default 0)")
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        metavar="SECONDS",
        help="time limit per verifier (default: 20x its estimated cost, at least 60 s); past it the verifier is an error",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH ('-' for standard output)")
    parser.add_argument(
        "--steps", action="store_true", help="also print what each verifier checks and its derivation, step by step"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from verifiers.registry import default_registry

    registry = default_registry()
    lang = args.lang or "both"
    json_path = checked_json_path(args.json, VerifyUsageError, "results.json")
    for problem in registry.problems:
        print(f"tprep verify: warning: {problem}", file=sys.stderr)

    selected = _select(registry, args)
    if args.list:
        _print_listing(selected if _has_selection(args) else tuple(registry), lang, args.profile, sys.stdout)
        return EXIT_OK
    if not selected:
        raise VerifyUsageError(
            f"no verifier of kind {args.kind!r} is among the ones selected; run 'tprep verify --list' to see them"
        )
    return _run_selected(selected, args, lang, json_path)


def _has_selection(args: argparse.Namespace) -> bool:
    return bool(args.ids or args.all or args.kind or args.question)


def _select(registry: Any, args: argparse.Namespace) -> tuple:
    if not _has_selection(args):
        if args.list:
            return tuple(registry)
        raise VerifyUsageError(
            "say what to verify: verifier ids, --all, --kind symbolic|experiment, or --question QID "
            "(run 'tprep verify --list' to see the verifiers)"
        )
    if args.all or (args.kind and not args.ids and not args.question):
        return registry.select(None, kind=args.kind)
    wanted = list(args.ids)
    if args.question:
        wanted.extend(_verifiers_of_questions(args.question, args.bank))
    return registry.select(wanted, kind=args.kind)


def _verifiers_of_questions(question_ids: list[str], bank_dirs: list[Path]) -> list[str]:
    """The bank's ``verifiers:`` field is the one link from questions to verifiers."""
    from questions import load_bank

    bank = load_bank(bank_dirs)
    verifier_ids: list[str] = []
    for question_id in question_ids:
        if question_id not in bank:
            close = difflib.get_close_matches(question_id, bank.ids, n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise VerifyUsageError(
                f"--question {question_id}: no question with that id in the bank.{hint} "
                "Question ids are the 'id:' fields of the bank's YAML files and are shown in the app's browser."
            )
        named = bank.get(question_id).verifiers
        if not named:
            raise VerifyUsageError(f"--question {question_id}: this question names no verifiers in its 'verifiers:' field")
        verifier_ids.extend(named)
    return verifier_ids


def _print_listing(verifiers: tuple, lang: str, profile: str, out: TextIO) -> None:
    width = max((len(v.id) for v in verifiers), default=0)
    current_kind = None
    for spec in verifiers:
        if spec.kind != current_kind:
            current_kind = spec.kind
            print(f"{spec.kind}:", file=out)
        estimate = f"~{spec.cost.seconds(profile):g} s"
        titles = texts(spec.title, lang)
        print(f"  {spec.id:<{width}}  {estimate:>7}  {titles[0]}", file=out)
        for extra in titles[1:]:
            print(f"  {'':<{width}}  {'':>7}  {extra}", file=out)
        print(f"  {'':<{width}}  {'':>7}  {len(spec.claims)} claim(s)", file=out)
    print(f"{len(verifiers)} verifier(s)", file=out)


def _run_selected(selected: tuple, args: argparse.Namespace, lang: str, json_path: Path | None) -> int:
    from tui.paths import results_dir
    from verifiers.cache import CacheWarning, ResultsCache
    from verifiers.runner import ProgressEvent, resolve_device, run_verifiers

    out = sys.stderr if args.json == "-" else sys.stdout
    device = resolve_device(args.device, selected)  # fails early and clearly if cuda is missing
    print(
        f"Running {len(selected)} verifier(s), profile {args.profile}, device {device}, seed {args.seed}",
        file=out,
        flush=True,
    )
    width = len(str(len(selected)))
    interactive = out.isatty()

    def show(event: ProgressEvent) -> None:
        prefix = f"[{event.index + 1:>{width}}/{event.total}] {event.verifier.id}"
        if not event.finished:
            # On a terminal the "running" line is overwritten by the result line.
            print(f"{prefix} ...", file=out, end="" if interactive else "\n", flush=True)
            return
        if interactive:
            print("\r\033[K", file=out, end="")
        _print_result(event.result, prefix, lang, out, colour=use_colour(out))
        if args.steps:
            _print_derivation(event.verifier, event.result, lang, out)

    cancel = threading.Event()
    started = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as cache_warnings:
            warnings.simplefilter("always", CacheWarning)
            outcome = run_verifiers(
                selected,
                profile=args.profile,
                device=device,
                base_seed=args.seed,
                timeout_s=args.timeout,
                progress=show,
                cancel=cancel,
                cache=ResultsCache(results_dir()),
            )
    except KeyboardInterrupt:
        # The finished results are already cached; nothing is lost.
        cancel.set()
        print("tprep verify: interrupted; results finished so far are cached", file=sys.stderr)
        return 130
    elapsed = time.perf_counter() - started
    for caught in cache_warnings:
        # Not being able to cache is worth knowing, never worth failing the run for.
        print(f"tprep verify: warning: {caught.message}", file=sys.stderr)

    from verifiers.result import Status

    counts = ", ".join(
        f"{outcome.count(status)} {name}"
        for status, name in ((Status.PASSED, "passed"), (Status.FAILED, "failed"), (Status.ERROR, "errored"))
    )
    print(f"{len(outcome.results)} verifier(s): {counts} in {elapsed:.2f} s", file=out)
    if outcome.results and not cache_warnings:
        print(f"Results cached in {results_dir()}", file=out)
    _write_json(outcome, args, device, elapsed, json_path)
    return EXIT_OK if outcome.all_passed else EXIT_FAILED


_GREEN, _RED, _MAGENTA, _RESET = "\033[32m", "\033[31m", "\033[35m", "\033[0m"
# Colour only repeats what the marks of questions.marks say by their shape: green for a statement
# that holds, magenta for a document's claim refuted as expected, red for a failure.
_OUTCOME_COLOURS = {"holds": _GREEN, "refuted": _MAGENTA, "mismatch": _RED, "unchecked": _RED}


def _print_result(result: Any, prefix: str, lang: str, out: TextIO, *, colour: bool = False) -> None:
    from questions.marks import ClaimOutcome, claim_mark, run_mark
    from questions.render import render_math

    def paint(text: str, ansi: str) -> str:
        return f"{ansi}{text}{_RESET}" if colour else text

    words_lang = "zh" if lang == "zh" else "en"
    status = result.status.value
    status_text = paint(f"{run_mark(status)} {status}", _GREEN if result.passed else _RED)
    print(f"{prefix}: {status_text} in {result.elapsed_s:.2f} s", file=out)
    for line in texts(result.summary, lang):
        print(f"    {render_math(line)}", file=out)
    for verdict in result.claims:
        mark = claim_mark(verdict.expected, verdict.observed)
        glyph = paint(mark.glyph, _OUTCOME_COLOURS[mark.outcome.value])
        words = "" if mark.outcome is ClaimOutcome.HOLDS else f" [{mark.words.get(words_lang)}]"
        statements = [render_math(statement) for statement in texts(verdict.statement, lang)]
        print(f"    {glyph} {statements[0]}{words}", file=out)
        for extra in statements[1:]:
            print(f"      {extra}", file=out)
        print(f"      measured: {render_math(verdict.measured)}", file=out)
    if result.error:
        last_line = result.error.strip().splitlines()[-1]
        print(f"    error: {last_line}", file=out)
        print("    (the full traceback is in the cached result and in --json output)", file=out)
    out.flush()


def _print_derivation(spec: Any, result: Any, lang: str, out: TextIO) -> None:
    """The explanation and the derivation steps, LaTeX shown as Unicode for the terminal (questions.render)."""
    import shutil

    from questions.wrapping import wrap_text

    # Wrapped to the terminal (at most 106 columns: long lines are hard to read); Chinese by
    # character with its punctuation rules, not only at spaces.
    width = max(40, min(106, shutil.get_terminal_size((106, 24)).columns))
    for paragraph in texts(spec.explanation, lang):
        for line in wrap_text(paragraph, width, initial_indent="    | ", subsequent_indent="    | "):
            print(line, file=out)
    for number, step in enumerate(result.steps, start=1):
        # One formula: kept whole when it fits, a long one broken after a relation or operator.
        for line in wrap_text(f"$${step.latex}$$", width, initial_indent=f"    {number}. ", subsequent_indent="       "):
            print(line, file=out)
        for prose in texts(step.prose, lang):
            for line in wrap_text(prose, width, initial_indent="       ", subsequent_indent="       "):
                print(line, file=out)
    out.flush()


def _write_json(outcome: Any, args: argparse.Namespace, device: str, elapsed: float, path: Path | None) -> None:
    if args.json is None:
        return
    from verifiers.result import SCHEMA_VERSION

    document = {
        "schema_version": SCHEMA_VERSION,
        "profile": args.profile,
        "device": device,
        "seed": args.seed,
        "elapsed_s": round(elapsed, 4),
        "all_passed": outcome.all_passed,
        "results": [r.to_dict() for r in outcome.results],
    }
    text = json.dumps(document, ensure_ascii=False, indent=1)
    write_json_text(text, args.json, path, VerifyUsageError, what="the results", kept="they are still cached")
