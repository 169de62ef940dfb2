"""Typed-answer checking on the frozen held-out split: quality figures and time per check.

The held-out split (``tests/questions/study/heldout2_typed_answers.yaml``, 120
answers to 24 bank questions no other set uses) was written by someone who had
only the bank: never the matcher, its code or its other labelled sets. (The
first split, ``heldout1_typed_answers.yaml``, was demoted to development after
seven runs; ``--set heldout-1`` still prints its table.) The third split,
``heldout3_typed_answers.yaml`` (``--set heldout-3``, 120 answers to 24 other
questions), was written the same way on 2026-12-06, after the second had been
run five times; it is frozen the same way. Only a split's aggregate
figures are printed: per-key-point precision and recall overall and by kind and language, the share of negated
answers credited with any point, the share of strong answers whose suggested
rating is Again or Hard, and the issue #13 targets each run meets or misses.

Time per check is taken over every answer of the set, ``--runs`` times, after
a warm-up pass (so jieba's dictionary is loaded and each question's model answer
is aligned with its key points), beside its peer in the same run: segmenting the
same answer alone (jieba for Chinese, the regex tokeniser for the rest), the
floor any matcher that reads words pays. The first check of each question, which
also aligns its model answer, is timed on its own.

Every run on the held-out split is a milestone: ``--log`` appends its figures
to ``bench/typed_answers_log.md`` with the date and commit.

    python bench/typed_answers.py [--set heldout|heldout-3|heldout-1|dev|tuned] [--runs N] [--json PATH] [--log NOTE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from tests.questions.study.answer_eval import (  # noqa: E402
    SETS,
    check_times_ms,
    evaluate,
    first_check_times_ms,
    labelled_answers,
    table,
)

LOG = REPOSITORY / "bench" / "typed_answers_log.md"


def segmentation_times_ms(name: str, runs: int) -> list[float]:
    """The peer: cut each answer into words and nothing else."""
    import re

    import jieba

    answers = [answer.text for answer in labelled_answers(name)]
    cjk = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[^\u3400-\u4dbf\u4e00-\u9fff]+")
    latin = re.compile(r"[a-z0-9]+")

    def segment(text: str) -> list[str]:
        words = []
        for piece in cjk.findall(text.lower()):
            words.extend(jieba.lcut(piece, HMM=False) if "\u4e00" <= piece[0] <= "\u9fff" else latin.findall(piece))
        return words

    for text in answers:
        segment(text)
    times = []
    for _ in range(runs):
        for text in answers:
            start = time.perf_counter()
            segment(text)
            times.append((time.perf_counter() - start) * 1000)
    return times


def commit() -> str:
    run = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPOSITORY, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPOSITORY, capture_output=True, text=True)
    return run.stdout.strip() + ("+uncommitted" if dirty.stdout.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="heldout")
    parser.add_argument("--runs", type=int, default=3, help="timed passes over the set (default 3)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--log", metavar="NOTE", help="append the figures to bench/typed_answers_log.md with this note")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    evaluation = evaluate(args.set)
    first_ms = first_check_times_ms(args.set)
    check_ms = check_times_ms(args.set, args.runs)
    peer_ms = segmentation_times_ms(args.set, args.runs)
    timing = {
        "check a typed answer (warm)": {"median_ms": statistics.median(check_ms), "max_ms": max(check_ms), "n": len(check_ms)},
        "first check of a question (cold)": {"median_ms": statistics.median(first_ms), "max_ms": max(first_ms), "n": len(first_ms)},
        "peer: segment the answer only": {"median_ms": statistics.median(peer_ms), "max_ms": max(peer_ms), "n": len(peer_ms)},
    }
    report = table(evaluation)
    lines = [report, "", f"{'time per check':<34} {'median ms':>10} {'max ms':>8} {'checks':>7}"]
    lines += [f"{name:<34} {row['median_ms']:>10.2f} {row['max_ms']:>8.2f} {row['n']:>7}" for name, row in timing.items()]
    print("\n".join(lines))

    figures = {**evaluation.to_dict(), "timing": timing, "commit": commit(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.log:
        with LOG.open("a", encoding="utf-8") as log:
            log.write(
                f"\n## {figures['date'][:10]} · commit {figures['commit']} · {args.set} · {args.log}\n\n"
                f"```\n" + "\n".join(lines) + "\n```\n"
            )


if __name__ == "__main__":
    main()
