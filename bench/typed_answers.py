"""Typed-answer checking on the frozen held-out split: quality figures and time per check.

The held-out split (``tests/questions/study/heldout_typed_answers.yaml``, 168
answers to 36 bank questions) was written by someone who never saw the matcher
or its other labelled sets. Only its aggregate figures are printed: per-key-point
precision and recall overall and by kind and language, the share of negated
answers credited with any point, the share of strong answers whose suggested
rating is Again or Hard, and the issue #13 targets each run meets or misses.

Time per check is taken over every answer of the set, ``--runs`` times, after
a warm-up pass (so jieba's dictionary and, where installed, the paraphrase model
are loaded), beside its peers in the same run: the rules alone, and segmenting
the same answer alone (jieba for Chinese, the regex tokeniser for the rest), the
floor any matcher that reads words pays. The model's one-time load (imports,
weights) is timed separately, before anything else touches torch.

Every run on the held-out split is a milestone: ``--log`` appends its figures
to ``bench/typed_answers_log.md`` with the date and commit.

    python bench/typed_answers.py [--set heldout|dev|tuned] [--runs N] [--json PATH] [--log NOTE]
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

from tests.questions.study.answer_eval import SETS, check_times_ms, evaluate, labelled_answers, table  # noqa: E402

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
            words.extend(jieba.lcut(piece) if "\u4e00" <= piece[0] <= "\u9fff" else latin.findall(piece))
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

    from questions.study.answer_semantic import warm_up_semantic

    start = time.perf_counter()
    model_used = warm_up_semantic()
    load_s = time.perf_counter() - start
    evaluation = evaluate(args.set)
    timed = {"check a typed answer": check_times_ms(args.set, args.runs)}
    if model_used:
        timed["peer: the rules alone"] = check_times_ms(args.set, args.runs, semantic=False)
    timed["peer: segment the answer only"] = segmentation_times_ms(args.set, args.runs)
    timing = {name: {"median_ms": statistics.median(ms), "max_ms": max(ms), "n": len(ms)} for name, ms in timed.items()}
    report = table(evaluation)
    lines = [report, "", f"{'time per check (warm)':<32} {'median ms':>10} {'max ms':>8} {'checks':>7}"]
    lines += [f"{name:<32} {row['median_ms']:>10.2f} {row['max_ms']:>8.2f} {row['n']:>7}" for name, row in timing.items()]
    if model_used:
        lines.append(f"paraphrase model load, once (imports + weights): {load_s:.1f} s")
    print("\n".join(lines))

    figures = {**evaluation.to_dict(), "timing": timing, "model_load_s": load_s if model_used else None, "commit": commit(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
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
