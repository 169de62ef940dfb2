"""Wall time of ``tprep drill check ID FILE`` with the reference solution, side by side
with a fresh Python that only imports torch (the peer: the floor the sandbox pays),
and the in-process time of the same checks (what the checks themselves cost).

    .venv/bin/python bench/drills.py [--drill ID ...] [--runs N] [--json PATH]

Each CLI run is a fresh process, exactly as a user types the command: Python
start-up, the drill listing, compiling the file, then the sandboxed child that
imports torch, imports the file and runs the checks. The peer and the CLI
alternate so both see the same machine load; the ratio is what to compare
across machines. ``--no-record`` keeps the progress store out of it, and
``TPREP_HOME`` points at a scratch folder. Figures go to stdout, and as JSON
to ``--json PATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PEER_CODE = "import torch"
DEFAULT_DRILLS = ("softmax", "multi-head-attention", "beam-search", "bpe-merges")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drill", action="append", metavar="ID", help=f"drills to time (default: {', '.join(DEFAULT_DRILLS)})")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", metavar="PATH", type=Path)
    args = parser.parse_args()

    from verifiers.drills.harness import run_checks
    from verifiers.drills.loading import load_candidate
    from verifiers.drills.registry import default_drills

    drills = [default_drills().get(drill_id) for drill_id in (args.drill or DEFAULT_DRILLS)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="tprep-bench-drills-") as scratch:
        env = {**os.environ, "TPREP_HOME": scratch}
        for drill in drills:
            cli, peer, in_process = [], [], []
            entry = load_candidate(drill.reference_path, drill.entry)
            for _ in range(args.runs):
                command = [sys.executable, "-m", "tui", "drill", "check", drill.id, str(drill.reference_path), "--no-record"]
                started = time.perf_counter()
                done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
                cli.append(time.perf_counter() - started)
                if done.returncode != 0:
                    print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
                    print(f"bench/drills.py: the reference of {drill.id} did not pass (exit {done.returncode})", file=sys.stderr)
                    return 1
                started = time.perf_counter()
                subprocess.run([sys.executable, "-c", PEER_CODE], cwd=ROOT, env=env, check=True)
                peer.append(time.perf_counter() - started)
                started = time.perf_counter()
                results = run_checks(drill, entry)
                in_process.append(time.perf_counter() - started)
                assert all(r.passed for r in results)
            rows.append(
                {
                    "drill": drill.id,
                    "checks": len(drill.checks),
                    "cli_s_median": statistics.median(cli),
                    "import_torch_s_median": statistics.median(peer),
                    "checks_in_process_s_median": statistics.median(in_process),
                    "overhead_over_floor_s": statistics.median(cli) - statistics.median(peer),
                }
            )

    print(f"tprep drill check ID REFERENCE --no-record: {args.runs} cold runs each on {os.cpu_count()} CPUs")
    print(f"{'drill':<30} {'checks':>6} {'CLI s':>8} {'peer s':>8} {'in-proc s':>10} {'CLI - peer':>11}")
    for row in rows:
        print(
            f"{row['drill']:<30} {row['checks']:>6} {row['cli_s_median']:>8.2f} {row['import_torch_s_median']:>8.2f} "
            f"{row['checks_in_process_s_median']:>10.3f} {row['overhead_over_floor_s']:>11.2f}"
        )
    print(f"peer: a fresh '{sys.executable} -c \"{PEER_CODE}\"'; in-proc: the same checks run in this process (torch already imported)")
    if args.json:
        args.json.write_text(json.dumps({"runs": args.runs, "cpu_count": os.cpu_count(), "rows": rows}, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
