"""`tprep export`: write study sheets (Markdown, HTML, PDF, Anki) from the bank."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMAT_CHOICES = ("md", "html", "pdf", "anki")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write study sheets: Markdown, offline HTML, PDF or an Anki deck",
        description="Write the question bank (or a filtered part of it) as a study sheet.",
    )
    parser.add_argument("--format", required=True, choices=FORMAT_CHOICES, help="output format")
    parser.add_argument(
        "--out", type=Path, default=None, metavar="PATH", help="file to write (default: transformer-prep.<ext> here)"
    )
    parser.add_argument(
        "--lang", dest="export_lang", choices=("zh", "en", "both"), default=None, help="language (default: both)"
    )
    parser.add_argument("--topic", action="append", default=[], metavar="TOPIC", help="only this topic (repeatable)")
    parser.add_argument("--tag", action="append", default=[], metavar="TAG", help="only questions with this tag (repeatable)")
    parser.add_argument(
        "--difficulty", action="append", type=int, choices=(1, 2, 3), default=[], help="only this difficulty (repeatable)"
    )
    parser.add_argument(
        "--weak",
        action="store_true",
        help="only questions your progress shows as weak: last answered wrong, lapsed, or likely forgotten",
    )
    parser.add_argument(
        "--with-evidence", action="store_true", help="include the cached verifier results beside the answers"
    )
    parser.add_argument(
        "--layout", choices=("single", "two-column"), default="single", help="HTML/PDF layout (two-column: a cheat sheet)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.set_defaults(handler=run)


class UsageError(Exception):
    exit_code = 2


def run(args: argparse.Namespace) -> int:
    from questions import load_bank
    from questions.export import EXTENSIONS, build_sheet, export_sheet

    bank = load_bank(args.bank)
    questions = list(bank)
    unknown_topics = sorted(set(args.topic) - set(bank.topics()))
    if unknown_topics:
        raise UsageError(f"unknown topic {', '.join(unknown_topics)}; the topics are: {', '.join(bank.topics())}.")
    if args.topic:
        questions = [q for q in questions if q.topic in args.topic]
    unknown_tags = sorted(set(args.tag) - set(bank.tags()))
    if unknown_tags:
        raise UsageError(f"unknown tag {', '.join(unknown_tags)}; see 'tprep bank stats' for the tags in use.")
    if args.tag:
        questions = [q for q in questions if set(args.tag) & set(q.tags)]
    if args.difficulty:
        questions = [q for q in questions if q.difficulty in args.difficulty]
    if args.weak:
        weak = _weak_question_ids(args, bank)
        questions = [q for q in questions if q.id in weak]

    evidence = _cached_evidence() if args.with_evidence else {}
    if args.with_evidence and not evidence:
        print("tprep export: no verifier results cached yet; run 'tprep verify --all' to add evidence.", file=sys.stderr)

    lang = args.export_lang or args.lang or "both"
    sheet = build_sheet(questions, lang, evidence)
    out = args.out if args.out is not None else Path(f"transformer-prep{EXTENSIONS[args.format]}")
    if args.format == "pdf":
        from questions.export.pdf import cjk_font_available

        if lang != "en" and not cjk_font_available():
            print(
                "tprep export: warning: no font with Chinese glyphs is installed, so Chinese text will not show in "
                "the PDF; install one (e.g. apt-get install fonts-noto-cjk) or use --lang en.",
                file=sys.stderr,
            )
    written = export_sheet(sheet, args.format, out, force=args.force, layout=args.layout)
    print(f"wrote {written} ({len(sheet.questions)} questions, {args.format}, {lang})")
    return 0


def _cached_evidence() -> dict[str, dict]:
    from tui.paths import results_dir
    from verifiers.cache import ResultsCache

    return {verifier_id: result.to_dict() for verifier_id, result in ResultsCache(results_dir()).load_all().items()}


def _weak_question_ids(args: argparse.Namespace, bank) -> set[str]:
    """The one definition of weak (``questions.study.weak``), with the saved settings' FSRS parameters."""
    from questions.study.weak import weak_question_ids
    from tui.paths import settings_path, store_path
    from tui.settings import load_settings

    settings = load_settings(settings_path()).settings
    return set(weak_question_ids(store_path(args.store), bank, settings=settings.study_settings()))
