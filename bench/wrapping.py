"""Wrapping speed: ``questions.wrapping.wrap_text`` on the whole bank, against Textual's own wrapping.

The app wraps an answer each time it is revealed and again when the window
is resized, so a long answer must wrap in well under 5 ms (target, issue #14).
The peer in the same run is Textual's ``Content.wrap`` (public API) on the same
text with its math already rendered: what a widget does when it is handed the
text unwrapped (spaces only, then a hard fold at the width).

Every text is every question, answer and key point of the shipped bank, in
both languages. Math is rendered once before timing (``latex_to_unicode`` is
cached in the app too), and ``wrap_text``'s own cache is cleared before each
pass, so the rows time the wrapping itself, as on the first reveal.

Rows: the longest answer (median over runs); every text, one after another
(total per pass, median over runs); and the median and 99th percentile of a
single text. Widths: 80 (a standard terminal) and 40 (a narrow pane).

    python bench/wrapping.py [--runs N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

REPOSITORY = Path(__file__).resolve().parents[1]
TARGET_LONGEST_MS = 5.0
WIDTHS = (80, 40)


def timed_ms(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="passes over the bank (median reported)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="write the figures as JSON")
    args = parser.parse_args()
    sys.path.insert(0, str(REPOSITORY))

    from textual.content import Content

    from questions import load_bank
    from questions.render import render_math
    from questions.wrapping import _wrap_cached, wrap_text

    bank = load_bank()
    texts = [
        text
        for question in bank
        for lang in ("zh", "en")
        for text in (question.question.get(lang), question.answer.get(lang), *question.key_points.get(lang))
    ]
    rendered = {text: render_math(text) for text in texts}  # math rendered (and cached) before timing
    answers = [question.answer.get(lang) for question in bank for lang in ("zh", "en")]
    longest = max(answers, key=len)
    runs = max(args.runs, 1)

    def ours(text: str, width: int) -> None:
        wrap_text(text, width)

    def textual(text: str, width: int) -> None:
        Content(rendered[text]).wrap(width)

    results: dict[str, dict] = {}
    for width in WIDTHS:
        for name, wrap in (("wrap_text", ours), ("peer: Textual Content.wrap", textual)):
            longest_ms, total_ms, singles = [], [], []
            for _ in range(runs):
                _wrap_cached.cache_clear()
                longest_ms.append(timed_ms(lambda: wrap(longest, width)))
                _wrap_cached.cache_clear()
                times = [timed_ms(lambda text=text: wrap(text, width)) for text in texts]
                total_ms.append(sum(times))
                singles.extend(times)
            singles.sort()
            results[f"{name} @{width}"] = {
                "longest_answer_ms": round(statistics.median(longest_ms), 3),
                "whole_bank_ms": round(statistics.median(total_ms), 1),
                "one_text_median_ms": round(statistics.median(singles), 4),
                "one_text_p99_ms": round(singles[int(0.99 * (len(singles) - 1))], 3),
            }
    _wrap_cached.cache_clear()
    wrap_text(longest, 80)
    cached_ms = statistics.median(timed_ms(lambda: wrap_text(longest, 80)) for _ in range(100))

    print(f"{len(texts)} texts ({sum(map(len, texts))} characters); longest answer {len(longest)} characters")
    print(f"{'what':34} {'longest':>10} {'whole bank':>12} {'one, median':>12} {'one, p99':>10}")
    for label, row in results.items():
        print(f"{label:34} {row['longest_answer_ms']:7.2f} ms {row['whole_bank_ms']:9.1f} ms "
              f"{row['one_text_median_ms']:9.3f} ms {row['one_text_p99_ms']:7.2f} ms")  # fmt: skip
    print(f"longest answer again at the same width (cached): {cached_ms * 1000:.1f} µs; target for the longest: "
          f"<< {TARGET_LONGEST_MS:g} ms")  # fmt: skip
    if args.json:
        document = {
            "texts": len(texts),
            "characters": sum(map(len, texts)),
            "longest_answer_characters": len(longest),
            "runs": runs,
            "target_longest_ms": TARGET_LONGEST_MS,
            "cached_longest_us": round(cached_ms * 1000, 2),
            "rows": results,
        }
        args.json.write_text(json.dumps(document, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
