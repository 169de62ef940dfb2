"""The Textual app (not built yet: the tui issue replaces this)."""

from __future__ import annotations

import argparse
import sys


def run_app(args: argparse.Namespace) -> int:
    print("tprep: the quiz app is not built yet; see 'tprep --help' for the commands.", file=sys.stderr)
    return 2
