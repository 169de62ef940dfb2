"""`tprep bank`: not built yet (see its issue)."""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bank", help="(bank: not built yet)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print("tprep bank: not built yet; it arrives with its issue.", file=sys.stderr)
    return 2
