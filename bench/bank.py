"""Bank speed: load and validate the whole shipped bank; `tprep bank lint` end to end.

Targets (issue #3): loading and validating the shipped bank <= 50 ms;
`tprep bank lint` end to end well under 1 s. The peer in the same run is a
bare ``yaml.safe_load`` of the same files (no validation, no line numbers), the
obvious way to read them; libyaml's ``CSafeLoader`` is shown beside it.

Rows:
- load + validate (warm): ``load_bank()``'s work (``questions.lint.lint_dirs``
  plus the indexed ``Bank``) in this process, the verifier registry already
  imported: what the app pays each time it reloads the bank.
- load, cached: ``load_bank(cache_dir=...)`` when the bank has not changed
  since the last load: the files are read and hashed, not parsed (see
  ``questions.bank_cache``); what the app pays at start-up on most days.
- load + validate (fresh process): the uncached load, timed inside a new interpreter,
  so it includes importing ``questions`` and yaml and discovering the verifier
  registry (no target: most of it is imports, paid once per process).
- tprep bank lint: the command in a new process, start to exit; the Python
  start-up alone is its peer.

    python bench/bank.py [--runs N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPOSITORY = Path(__file__).resolve().parents[1]
TARGETS_MS = {
    "load + validate (warm)": 50.0,
    "load, cached (unchanged bank)": 50.0,
    "tprep bank lint": 1000.0,
}

_FRESH_LOAD = """
import time
start = time.perf_counter()
from questions.lint import lint_dirs
from questions.model import Bank
bank = Bank(lint_dirs().questions)
print((time.perf_counter() - start) * 1000)
"""


def median_ms(work: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def run_ms(command: list[str], runs: int) -> tuple[float, float]:
    return median_ms(lambda: subprocess.run(command, cwd=REPOSITORY, capture_output=True, check=False), runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per in-process row (median reported; default 20)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    sys.path.insert(0, str(REPOSITORY))

    import yaml

    from questions.bank_cache import lint_with_cache
    from questions.files import files_in_dirs
    from questions.lint import known_verifier_ids, lint_dirs
    from questions.files import BUILTIN_BANK_DIR, bank_files
    from questions.model import Bank

    files = bank_files(BUILTIN_BANK_DIR)
    size_kib = sum(path.stat().st_size for path in files) / 1024
    known_verifier_ids()  # the warm rows measure the bank, not the registry's discovery
    report = lint_dirs()

    rows: dict[str, dict] = {}

    def row(label: str, figures: tuple[float, float], peer: str | None = None) -> None:
        rows[label] = {"median_ms": round(figures[0], 2), "min_ms": round(figures[1], 2), "target_ms": TARGETS_MS.get(label), "peer": peer}

    runs, processes = max(args.runs, 1), max(args.runs // 4, 3)
    row("peer: yaml.safe_load", median_ms(lambda: [yaml.safe_load(p.read_text(encoding="utf-8")) for p in files], runs))
    row("yaml.load(CSafeLoader)", median_ms(lambda: [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for p in files], runs))
    row("load + validate (warm)", median_ms(lambda: Bank(lint_dirs().questions), runs), peer="peer: yaml.safe_load")
    with tempfile.TemporaryDirectory() as cache:
        files_now = files_in_dirs([])
        lint_with_cache(files_now, Path(cache))  # fill it
        row("load, cached (unchanged bank)",
            median_ms(lambda: Bank(lint_with_cache(files_in_dirs([]), Path(cache)).questions), runs),
            peer="peer: yaml.safe_load")  # fmt: skip
    fresh = [float(subprocess.run([sys.executable, "-c", _FRESH_LOAD], cwd=REPOSITORY, capture_output=True, text=True, check=True).stdout)
             for _ in range(processes)]  # fmt: skip
    row("load + validate (fresh process)", (statistics.median(fresh), min(fresh)), peer="peer: yaml.safe_load")
    row("peer: python start-up", run_ms([sys.executable, "-c", "pass"], processes))
    row("tprep bank lint", run_ms([sys.executable, "-m", "tui", "bank", "lint"], processes), peer="peer: python start-up")

    print(f"Shipped bank: {len(report.questions)} questions in {len(files)} files, {size_kib:.0f} KiB; "
          f"{len(report.problems)} lint problems")  # fmt: skip
    print(f"{'what':34} {'median':>10} {'min':>10} {'target':>9} {'x peer':>7}")
    for label, figures in rows.items():
        target = f"{figures['target_ms']:.0f} ms" if figures["target_ms"] else "-"
        ratio = f"{figures['median_ms'] / rows[figures['peer']]['median_ms']:.2f}" if figures["peer"] else ""
        print(f"{label:34} {figures['median_ms']:7.1f} ms {figures['min_ms']:7.1f} ms {target:>9} {ratio:>7}")
    if args.json:
        summary = {"questions": len(report.questions), "files": len(files), "kib": round(size_kib, 1), "problems": len(report.problems)}
        args.json.write_text(json.dumps({**summary, "rows": rows}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
