"""`tprep bank lint [PATH...]` and `tprep bank stats [--json]`.

``lint`` checks the built-in bank and the ``--bank`` directories, or only the
files and directories given (against the rest of the bank, so references
across files resolve). Clean: one summary line, exit 0. Otherwise one
``file:line: id: field: message`` line per problem on stdout, a count on
stderr, exit 2.

``stats`` loads the bank (so it refuses a broken one, like the app does) and
prints counts by topic, difficulty and seed document, and how many questions
carry choices, verifiers and caveats; ``--json`` prints them as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bank",
        help="validate and summarise the question bank",
        description="Validate and summarise the question bank (the built-in one plus any --bank directories).",
    )
    actions = parser.add_subparsers(dest="bank_command", metavar="ACTION", parser_class=type(parser))
    actions.required = True

    lint = actions.add_parser(
        "lint",
        help="check bank files; exit 2 with file:line messages on problems",
        description="Check bank files strictly and report every problem as 'file:line: id: field: message'. "
        "With no PATH, checks the built-in bank and the --bank directories. "
        "Given files or directories are checked against the rest of the bank.",
    )
    lint.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="bank files (*.yaml) or directories to check")
    lint.set_defaults(handler=run_lint)

    stats = actions.add_parser(
        "stats",
        help="counts by topic, difficulty, document; choices, verifiers, caveats",
        description="Summarise the bank (built-in plus --bank directories).",
    )
    stats.add_argument("--json", action="store_true", help="print the counts as JSON")
    stats.set_defaults(handler=run_stats)


def run(args: argparse.Namespace) -> int:
    """The protocol's entry point: the chosen action's handler."""
    return {"lint": run_lint, "stats": run_stats}[args.bank_command](args)


def run_lint(args: argparse.Namespace) -> int:
    from questions.errors import display_path
    from questions.lint import lint_dirs, lint_targets

    paths: list[Path] = list(getattr(args, "paths", []) or [])
    user_dirs: list[Path] = list(args.bank or [])
    report = lint_targets(paths, user_dirs) if paths else lint_dirs(user_dirs)
    for note in report.notes:
        print(f"tprep bank lint: note: {note}", file=sys.stderr)
    files = len(report.files)
    scope = ", ".join(display_path(p) for p in paths) if paths else _default_scope(user_dirs)
    if report.ok:
        count = len(report.questions)
        print(f"bank ok: {count} question{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''} ({scope})")
        return EXIT_OK
    for problem in report.problems:
        print(problem.format())
    count = len(report.problems)
    bad_files = len({p.path for p in report.problems})
    print(
        f"tprep bank lint: {count} problem{'s' if count != 1 else ''} in {bad_files} of {files} file{'s' if files != 1 else ''} ({scope}); "
        "the schema is in docs/bank-schema.md",
        file=sys.stderr,
    )
    return EXIT_BAD_INPUT


def _default_scope(user_dirs: list[Path]) -> str:
    from questions.errors import display_path

    return " + ".join(["built-in bank", *(display_path(d) for d in user_dirs)])


def run_stats(args: argparse.Namespace) -> int:
    from questions.bank_stats import bank_stats
    from questions.loader import load_bank
    from tui.paths import cache_dir

    stats = bank_stats(load_bank(list(args.bank or []), cache_dir=cache_dir()))
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        print(format_stats(stats))
    return EXIT_OK


def format_stats(stats: dict) -> str:
    """The counts as aligned plain-text tables."""
    from questions.documents import document_title
    total = stats["questions"]

    def share(count: int) -> str:
        return f"{count / total:6.1%}" if total else "     -"

    lines = [f"questions: {total}", ""]
    sections = (
        ("by topic", stats["by_topic"]),
        ("by difficulty (1 basic, 2 standard, 3 deep)", stats["by_difficulty"]),
        # Readers know the documents by title; the file name stays in --json, where scripts want it.
        ("by seed document (questions citing it)", {document_title(doc, "en"): n for doc, n in stats["by_document"].items()}),
    )
    for title, counts in sections:
        lines.append(title)
        width = max((len(name) for name in counts), default=0)
        lines.extend(f"  {name:<{width}}  {count:4d}  {share(count)}" for name, count in counts.items())
        lines.append("")
    summary = {
        "with choices": stats["with_choices"],
        "without choices": stats["without_choices"],
        "with verifiers": stats["with_verifiers"],
        "with caveats": stats["with_caveats"],
        "with follow-ups": stats["with_follow_ups"],
    }
    lines.append("coverage")
    width = max(len(name) for name in summary)
    lines.extend(f"  {name:<{width}}  {count:4d}  {share(count)}" for name, count in summary.items())
    lines.append(f"  {'caveats in all':<{width}}  {stats['caveats']:4d}")
    lines.append(f"  {'sources in all':<{width}}  {stats['sources']:4d}")
    lines.append(f"  {'distinct tags':<{width}}  {stats['tags']:4d}")
    if stats["by_verifier"]:
        lines.extend(["", "questions per verifier"])
        width = max(len(name) for name in stats["by_verifier"])
        lines.extend(f"  {name:<{width}}  {count:4d}" for name, count in stats["by_verifier"].items())
    return "\n".join(lines)
