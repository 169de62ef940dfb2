"""Wall time of ``tprep verify --kind symbolic`` (or ``experiment``), side by side with the import floor (the peer).

    .venv/bin/python bench/verify.py [--kind symbolic|experiment] [--profile quick|full] [--runs N] [--json PATH]

Each run spawns a fresh process, exactly as a user types the command, so the
figure includes Python start-up, discovery, and importing sympy, numpy and
torch. The peer is a fresh process that only imports those libraries: the
floor any verify run pays before it computes anything. The two alternate so
both see the same machine load; the ratio is what to compare across machines.

Targets (issues #4 and #5): symbolic suite <= 10 s, quick experiments <= 120 s,
on a 2-core CPU. Per-verifier times come from the ``--json`` output of each
run (medians over the runs). Figures go to stdout, and as JSON to ``--json PATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = {"symbolic": 10.0, "experiment": 120.0}
PEER_CODE = "import numpy, sympy, sympy.stats, torch"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=("symbolic", "experiment"), default="symbolic")
    parser.add_argument("--profile", choices=("quick", "full"), default="quick")
    parser.add_argument("--runs", type=int, default=3, help="cold runs (median reported; default 3)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()

    totals, peers, per_verifier = [], [], {}
    total_cpu, peer_cpu = [], []
    statuses: dict[str, set[str]] = {}
    with tempfile.TemporaryDirectory(prefix="tprep-bench-verify-") as scratch:
        env = {**os.environ, "TPREP_HOME": scratch}  # never the user's results cache
        for run in range(args.runs):
            report = Path(scratch) / f"run{run}.json"
            command = [sys.executable, "-m", "tui", "verify", "--kind", args.kind, "--profile", args.profile, "--json", str(report)]
            started, cpu_before = time.perf_counter(), _children_cpu_s()
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            totals.append(time.perf_counter() - started)
            total_cpu.append(_children_cpu_s() - cpu_before)
            if done.returncode not in (0, 1):
                print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
                print(f"bench/verify.py: tprep verify exited {done.returncode}", file=sys.stderr)
                return 1
            for result in json.loads(report.read_text(encoding="utf-8"))["results"]:
                per_verifier.setdefault(result["verifier_id"], []).append(result["elapsed_s"])
                statuses.setdefault(result["verifier_id"], set()).add(result["status"])

            started, cpu_before = time.perf_counter(), _children_cpu_s()
            subprocess.run([sys.executable, "-c", PEER_CODE], cwd=ROOT, env=env, check=True)
            peers.append(time.perf_counter() - started)
            peer_cpu.append(_children_cpu_s() - cpu_before)

    budget = BUDGET_S[args.kind]
    figures = {
        "kind": args.kind,
        "profile": args.profile,
        "runs": args.runs,
        "cpu_count": os.cpu_count(),
        "total_s_median": statistics.median(totals),
        "total_s_min": min(totals),
        "import_floor_s_median": statistics.median(peers),
        "ratio_to_import_floor": statistics.median(totals) / statistics.median(peers),
        "total_cpu_s_median": statistics.median(total_cpu),
        "import_floor_cpu_s_median": statistics.median(peer_cpu),
        "load_average": os.getloadavg(),
        "budget_s": budget,
        "within_budget": statistics.median(totals) <= budget,
        "per_verifier_s_median": {k: statistics.median(v) for k, v in sorted(per_verifier.items())},
        "statuses": {k: sorted(v) for k, v in sorted(statuses.items())},
    }
    print(f"tprep verify --kind {args.kind} --profile {args.profile}: {args.runs} cold runs on {os.cpu_count()} CPUs")
    print(f"  total wall time    median {figures['total_s_median']:.2f} s, min {figures['total_s_min']:.2f} s (budget {budget:g} s)")
    print(f"  peer: import floor median {figures['import_floor_s_median']:.2f} s ({PEER_CODE})")
    print(f"  ratio to the floor {figures['ratio_to_import_floor']:.2f}x")
    print(
        f"  CPU time (user + system) median {figures['total_cpu_s_median']:.2f} s, import floor {figures['import_floor_cpu_s_median']:.2f} s; "
        f"load average {', '.join(f'{v:.1f}' for v in figures['load_average'])}"
    )
    print("  per verifier (median; the first verifier to need sympy or torch also pays its import):")
    for verifier_id, seconds in figures["per_verifier_s_median"].items():
        print(f"    {verifier_id:<36} {seconds:6.2f} s  {'/'.join(figures['statuses'][verifier_id])}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


def _children_cpu_s() -> float:
    """User + system CPU seconds of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())
