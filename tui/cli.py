"""``tprep``: the command line. With no subcommand it opens the app.

Each subcommand lives in ``tui/commands/<name>.py`` and exposes
``add_parser(subparsers)``, which registers its options and sets
``handler=run``; ``run(args) -> int`` returns the exit code. Subcommand
modules import their heavy dependencies inside ``run`` so that ``tprep --help``
and the app's start-up stay fast.

Exit codes: 0 success, 1 a verifier (or a drill's check) failed, 2 bad input or usage.
An exception that carries an integer ``exit_code`` attribute is a message for
the user (what, where, how to fix): it is printed without a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Sequence

from tui.commands import bank, drill, export, plan, progress, verify

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DISTRIBUTION = "transformer-prep"
SUBCOMMANDS = (verify, bank, export, progress, plan, drill)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors say how to get help and exit 2 (as argparse does)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(run '{self.prog} --help' for the options)\n")


class _VersionAction(argparse.Action):
    """``--version``: read from the installed distribution when asked, not at every start."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, help="show tprep's version and exit")

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
        print(f"tprep {installed_version()}")
        parser.exit()


def installed_version() -> str:
    """The version of the installed ``transformer-prep`` distribution (its metadata, as pip sees it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return f"(unknown: the {DISTRIBUTION} distribution is not installed; run pip install -e . in the repository)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tprep",
        description="Prepare for Transformer and LLM interviews. "
        "With no command, opens the quiz app on the built-in question bank.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--bank",
        metavar="DIR",
        type=Path,
        action="append",
        default=[],
        help="a directory of your own question YAML files, merged with the built-in bank (repeatable)",
    )
    parser.add_argument(
        "--store",
        metavar="PATH",
        type=Path,
        default=None,
        help="the progress database (default: $TPREP_STORE, else the user data directory)",
    )
    parser.add_argument(
        "--lang",
        choices=("zh", "en", "both"),
        default=None,
        help="language to show (default: the app's saved setting, else both)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in SUBCOMMANDS:
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from tui.app import run_app

            return run_app(args)
        return args.handler(args)
    except KeyboardInterrupt:
        print("tprep: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - the last line of defence against tracebacks
        code = getattr(error, "exit_code", None)
        if isinstance(code, int):
            print(f"tprep: {error}", file=sys.stderr)
            return code
        return _report_internal_error(error)


def _report_internal_error(error: Exception) -> int:
    """A bug of ours: one clear line, the traceback kept in a file for the report."""
    fd, log_path = tempfile.mkstemp(prefix="tprep-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as log:
        traceback.print_exception(error, file=log)
    print(
        f"tprep: internal error ({type(error).__name__}: {error}).\n"
        f"This is a bug in tprep, not in your input; the details are in {log_path}.",
        file=sys.stderr,
    )
    return 70  # EX_SOFTWARE


if __name__ == "__main__":
    sys.exit(main())
