"""Export speed: the whole shipped bank to each format, with evidence.

Targets (issue #8): HTML and Anki <= 2 s each, PDF <= 20 s. The peer in the
same run is the bare work every format starts from — loading the bank and
serialising the same selection as JSON — so the table shows what rendering
itself costs.

    python bench/export.py [--runs N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

TARGETS_S = {"md": None, "html": 2.0, "anki": 2.0, "pdf": 20.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per format (median reported; PDF runs once; default 3)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()

    from questions import load_bank
    from questions.export import EXTENSIONS, build_sheet, export_sheet

    figures: dict[str, dict] = {}

    def timed(label: str, work, runs: int) -> None:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        figures[label] = {"median_s": statistics.median(times), "runs": runs, "target_s": TARGETS_S.get(label)}

    bank = load_bank()
    sheet = build_sheet(bank, "both", evidence=_cached_evidence())
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)

        def peer() -> None:
            fresh = load_bank()
            (out / "peer.json").write_text(
                json.dumps([asdict(q) for q in fresh], default=str, ensure_ascii=False), encoding="utf-8"
            )

        timed("peer: load bank + JSON dump", peer, args.runs)
        for fmt in ("md", "html", "anki", "pdf"):
            target = out / f"sheet{EXTENSIONS[fmt]}"
            timed(fmt, lambda fmt=fmt, target=target: export_sheet(sheet, fmt, target, force=True),
                  1 if fmt == "pdf" else args.runs)
            figures[fmt]["bytes"] = target.stat().st_size

    print(f"Export of the whole bank: {len(bank)} questions, both languages, {len(sheet.evidence)} cached results")
    print(f"{'what':32} {'median':>10} {'target':>8} {'size':>10}")
    for label, row in figures.items():
        target = f"{row['target_s']:.1f} s" if row.get("target_s") else "-"
        size = f"{row['bytes'] / 1024:.0f} KiB" if "bytes" in row else ""
        print(f"{label:32} {row['median_s'] * 1000:8.0f} ms {target:>8} {size:>10}")
    if args.json:
        args.json.write_text(json.dumps({"questions": len(bank), "figures": figures}, indent=2), encoding="utf-8")


def _cached_evidence() -> dict:
    """The cached verifier results, if any, so the benchmark includes evidence and plots."""
    try:
        from tui.paths import results_dir
        from verifiers.cache import ResultsCache

        return {key: result.to_dict() for key, result in ResultsCache(results_dir()).load_all().items()}
    except Exception:  # noqa: BLE001 - the benchmark still runs without evidence
        return {}


if __name__ == "__main__":
    main()
