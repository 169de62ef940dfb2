"""`tprep progress`: move study progress between machines, recover a damaged store, fit FSRS.

    tprep progress export [--out PATH] [--force]
                                           write every card and the review log as JSON
                                           (default: tprep-progress.json here); the older form
                                           'export PATH' still works, with a notice
    tprep progress import PATH             merge such a file (never drops newer progress)
    tprep progress reset --yes             move the store aside (kept as a backup) and start fresh
    tprep progress optimize [--dry-run]    fit FSRS parameters to your review log, show old vs new
                                           and the improvement, then save them and reschedule
    tprep progress optimize --defaults     back to FSRS's default parameters (cards rescheduled)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


DEFAULT_EXPORT = "tprep-progress.json"


class ProgressUsageError(Exception):
    exit_code = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "progress",
        help="export, import or reset your study progress",
        description="Export or import study progress as JSON, or set a damaged store aside and start fresh.",
    )
    actions = parser.add_subparsers(dest="progress_action", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="write your progress (cards and review log) to a JSON file",
        description="Write every card and the review log as JSON, to move them to another machine "
        "('tprep progress import' there).",
    )
    export.add_argument(
        "--out", type=Path, default=None, metavar="PATH", help=f"file to write (default: {DEFAULT_EXPORT} here)"
    )
    # The form before --out existed ('tprep progress export PATH'): still accepted, with a notice.
    export.add_argument("path", type=Path, nargs="?", default=None, help=argparse.SUPPRESS)
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    imported = actions.add_parser("import", help="merge a progress JSON file into your store")
    imported.add_argument("path", type=Path, metavar="PATH")
    reset = actions.add_parser("reset", help="move the progress store aside as a backup and start a fresh one")
    reset.add_argument("--yes", action="store_true", help="confirm; nothing is deleted, the old store is kept as a backup")
    optimize = actions.add_parser(
        "optimize",
        help="fit FSRS parameters to your own review log (needs the 'optimizer' extra)",
        description="Fit the FSRS model's parameters to your review log with py-fsrs's optimizer, compare them with "
        "the ones in use on your own history (log loss, calibration RMSE), then save them in the settings and "
        "reschedule every card. Needs 512 reviews the optimizer can learn from.",
    )
    choice = optimize.add_mutually_exclusive_group()
    choice.add_argument("--dry-run", action="store_true", help="fit and show the comparison; save nothing")
    choice.add_argument("--defaults", action="store_true", help="go back to FSRS's default parameters and reschedule")
    optimize.add_argument("--json", action="store_true", help="print the fit as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from questions.study import ProgressStore
    from tui.paths import store_path

    store_file = store_path(args.store)
    if args.progress_action == "optimize":
        return _optimize(args, store_file)
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

    target: Path = _export_target(args) if args.progress_action == "export" else args.path.expanduser()
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


def _export_target(args: argparse.Namespace) -> Path:
    if args.path is not None and args.out is not None:
        raise ProgressUsageError(f"give the file once: --out {args.out} or {args.path}, not both.")
    if args.path is not None:
        print(
            f"tprep progress: 'export PATH' is the old form; write 'tprep progress export --out {args.path}' "
            "(as for 'tprep export'). The file is written all the same.",
            file=sys.stderr,
        )
        return args.path.expanduser()
    return (args.out or Path(DEFAULT_EXPORT)).expanduser()


def _optimize(args: argparse.Namespace, store_file: Path) -> int:
    from questions.study import ProgressStore
    from questions.study.parameters import PARAMETER_NAMES, apply_parameters, fit_parameters
    from tui.paths import settings_path
    from tui.settings import load_settings, save_settings

    settings_file = settings_path()
    loaded = load_settings(settings_file)
    if loaded.notice:
        print(f"tprep progress: {loaded.notice}", file=sys.stderr)
    if not store_file.exists():
        raise ProgressUsageError(f"no progress store at {store_file}: there are no reviews to fit; study first.")
    settings = loaded.settings
    with ProgressStore.open(store_file) as store:
        if args.defaults:
            moved = apply_parameters(store, settings.study_settings(), None)
            _save(settings.with_changes(fsrs_parameters=None), settings_file, save_settings)
            print(f"back to FSRS's default parameters (saved in {settings_file}); {moved} cards rescheduled.")
            return 0
        print("fitting FSRS parameters to your review log (a few seconds per thousand reviews)...", file=sys.stderr)
        fit = fit_parameters(store, settings.study_settings())
        if args.json:
            print(json.dumps({**fit.to_dict(), "names": list(PARAMETER_NAMES), "dry_run": args.dry_run}, indent=2))
        else:
            print(_fit_report(fit, PARAMETER_NAMES))
        if args.dry_run:
            print("dry run: nothing was saved.", file=sys.stderr)
            return 0
        if not fit.improved:
            print(
                "the fitted parameters do not predict your history better than the ones in use; nothing was saved.",
                file=sys.stderr,
            )
            return 0
        moved = apply_parameters(store, settings.study_settings(), fit.new, expect_last_review_id=fit.last_review_id)
    _save(settings.with_changes(fsrs_parameters=fit.new), settings_file, save_settings)
    print(f"saved the new parameters in {settings_file}; {moved} cards rescheduled with them.", file=sys.stderr)
    return 0


def _save(settings, settings_file: Path, save_settings) -> None:
    try:
        save_settings(settings, settings_file)
    except OSError as error:
        raise ProgressUsageError(
            f"the cards were rescheduled, but the parameters could not be saved to {settings_file} ({error}); "
            "fix the folder's permissions and run the command again (your reviews are all kept)."
        ) from None


def _fit_report(fit, names) -> str:
    lines = [
        f"{fit.eligible} reviews the optimizer learns from (needs 512), out of {fit.reviews} scheduled reviews "
        f"of {fit.questions} questions.",
        "",
        f"{'':>4} {'parameter':<38} {'old':>9} {'new':>9}",
    ]
    for index, (name, old, new) in enumerate(zip(names, fit.old, fit.new)):
        lines.append(f"{'w' + str(index):>4} {name:<38} {old:>9.4f} {new:>9.4f}")
    lines += [
        "",
        f"on your own history ({fit.before.reviews} predictions)     old      new",
        f"  log loss (lower is better)            {fit.before.log_loss:7.4f}  {fit.after.log_loss:7.4f}",
        f"  calibration RMSE (lower is better)    {fit.before.rmse_bins:7.4f}  {fit.after.rmse_bins:7.4f}",
    ]
    return "\n".join(lines)
