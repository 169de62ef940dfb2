"""`tprep progress`: move study progress between machines and recover a damaged store.

    tprep progress export PATH [--force]   write every card and the review log as JSON
    tprep progress import PATH             merge such a file (never drops newer progress)
    tprep progress reset --yes             move the store aside (kept as a backup) and start fresh
"""

from __future__ import annotations

import argparse
from pathlib import Path


class ProgressUsageError(Exception):
    exit_code = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "progress",
        help="export, import or reset your study progress",
        description="Export or import study progress as JSON, or set a damaged store aside and start fresh.",
    )
    actions = parser.add_subparsers(dest="progress_action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write your progress (cards and review log) to a JSON file")
    export.add_argument("path", type=Path, metavar="PATH")
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    imported = actions.add_parser("import", help="merge a progress JSON file into your store")
    imported.add_argument("path", type=Path, metavar="PATH")
    reset = actions.add_parser("reset", help="move the progress store aside as a backup and start a fresh one")
    reset.add_argument("--yes", action="store_true", help="confirm; nothing is deleted, the old store is kept as a backup")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from questions.study import ProgressStore
    from tui.paths import store_path

    store_file = store_path(args.store)
    if args.progress_action == "reset":
        if not args.yes:
            raise ProgressUsageError(
                f"this moves {store_file} aside and starts an empty store; run again with --yes to confirm "
                "(the old store is kept as a backup, nothing is deleted)."
            )
        if not store_file.exists():
            print(f"no progress store at {store_file}; nothing to reset.")
            return 0
        backup = ProgressStore.backup_and_reset(store_file)
        print(f"moved {store_file} to {backup}; the next run starts a fresh store.")
        return 0

    target: Path = args.path.expanduser()
    if args.progress_action == "export":
        if target.is_dir():
            raise ProgressUsageError(f"{target} is a directory; give a file name, e.g. {target / 'progress.json'}.")
        if target.exists() and not args.force:
            raise ProgressUsageError(f"{target} already exists; pass --force to overwrite it, or choose another path.")
        if not target.parent.is_dir():
            raise ProgressUsageError(f"cannot write {target}: the folder {target.parent} does not exist.")
        with ProgressStore.open(store_file) as store:
            store.export_to(target)
            cards, reviews = len(store.cards()), store.review_count()
        print(f"wrote {target} ({cards} cards, {reviews} reviews)")
        return 0

    if not target.is_file():
        raise ProgressUsageError(f"cannot import {target}: no such file.")
    with ProgressStore.open(store_file) as store:
        summary = store.import_from(target)
    print(
        f"imported {target}: {summary.cards_added} cards added, {summary.cards_updated} updated, "
        f"{summary.cards_kept} kept (yours were newer); {summary.reviews_added} reviews added, "
        f"{summary.reviews_skipped} already present."
    )
    return 0
