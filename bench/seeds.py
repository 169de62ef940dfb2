"""How far each experiment claim is from flipping, over many seeds.

    .venv/bin/python bench/seeds.py [--seeds 0-49] [--profile quick] [--only ID,ID] [--json PATH]

Runs every experiment (or ``--only`` these) once per base seed, exactly as
``tprep verify ID --seed N`` would (the same per-verifier seed derivation), and
prints one row per claim: in how many seeds its verdict was the expected one,
and its smallest margin with the seed where that happened.

A claim's margin comes from the bound its module declares in ``BOUNDS``
(``verifiers.experiments._common.Bound``): the relative distance of the
recorded value from the threshold, positive on the side where the expected
verdict holds (0.25: a quarter of the threshold to spare; -0.10: flipped,
10% past it). Claims decided by a yes/no check (tokens identical, outputs
finite) have no margin, only their count. A bound whose verdict disagrees with
the one the experiment recorded is reported, so the table cannot drift from
the code.

The sweep is long (quick profile, 50 seeds: about 13 experiments x 50 runs of
1-15 s each); the JSON is rewritten after every seed, so a partial run still
leaves its figures.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from verifiers.registry import default_registry  # noqa: E402
from verifiers.runner import derive_seed, run_one  # noqa: E402


def parse_seeds(text: str) -> list[int]:
    """``0-49``, ``3,7,31`` or a mix: ``0-9,31``."""
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            low, high = (int(x) for x in part.split("-", 1))
            seeds.extend(range(low, high + 1))
        elif part:
            seeds.append(int(part))
    if not seeds:
        raise ValueError("no seeds given")
    return seeds


def claim_rows(results: dict[str, dict], bounds: dict[str, dict]) -> list[dict]:
    """Per claim over the seeds so far: matched count, smallest margin and its seed, disagreements."""
    rows = []
    for verifier_id, per_seed in results.items():
        claims: dict[str, dict] = {}
        for seed, result in per_seed.items():
            for verdict in result["claims"]:
                row = claims.setdefault(
                    verdict["claim_id"],
                    {"verifier": verifier_id, "claim": verdict["claim_id"], "expected": verdict["expected"],
                     "matched": 0, "runs": 0, "smallest_margin": None, "seed": None, "value": None,
                     "bound": None, "disagreements": []},
                )
                row["runs"] += 1
                row["matched"] += bool(verdict["matched"])
                bound = bounds.get(verifier_id, {}).get(verdict["claim_id"])
                value = verdict.get("value")
                if bound is None or not isinstance(value, (int, float)):
                    continue
                row["bound"] = bound.describe()
                margin = bound.margin(value, expected=verdict["expected"])
                if bound.holds(value) != verdict["observed"]:  # a compound claim failed on its other condition
                    row["disagreements"].append(seed)
                if row["smallest_margin"] is None or margin < row["smallest_margin"]:
                    row["smallest_margin"], row["seed"], row["value"] = margin, seed, value
        rows.extend(claims.values())
    return rows


def render(rows: list[dict], seeds: list[int], elapsed: float) -> str:
    lines = [
        f"{len(seeds)} seeds ({seeds[0]}..{seeds[-1]}), {elapsed / 60:.1f} min",
        f"{'experiment / claim':64s} {'matched':>9s} {'smallest margin':>16s} {'at seed':>8s}  value   bound",
    ]
    for row in rows:
        name = f"{row['verifier']} / {row['claim']}" + ("" if row["expected"] else " (expected false)")
        matched = f"{row['matched']}/{row['runs']}"
        if row["smallest_margin"] is None:
            margin, seed, value, bound = "yes/no", "", "", ""
        else:
            margin = f"{row['smallest_margin']:+.3f}"
            seed, value, bound = str(row["seed"]), f"{row['value']:.4g}", row["bound"]
        flag = "" if row["matched"] == row["runs"] else "   <-- FLIPPED"
        if row["disagreements"]:
            flag += f"   (bound disagrees with the recorded verdict at seeds {row['disagreements'][:5]})"
        lines.append(f"{name:64s} {matched:>9s} {margin:>16s} {seed:>8s}  {value:7s} {bound}{flag}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-49", help="base seeds: 0-49, or 3,7,31 (default 0-49)")
    parser.add_argument("--profile", choices=("tiny", "quick", "full"), default="quick")
    parser.add_argument("--only", help="comma-separated experiment ids (default: every experiment)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="write the figures as JSON (rewritten after every seed)")
    args = parser.parse_args(argv)
    try:
        seeds = parse_seeds(args.seeds)
    except ValueError as error:
        parser.error(f"--seeds: {error}")
    registry = default_registry()
    chosen = args.only.split(",") if args.only else None
    try:
        specs = registry.select(chosen, kind=None if chosen else "experiment")
    except (KeyError, ValueError) as error:
        print(f"bench/seeds.py: {error}", file=sys.stderr)
        return 2
    bounds = {spec.id: getattr(importlib.import_module(spec.module), "BOUNDS", {}) for spec in specs}

    results: dict[str, dict] = {spec.id: {} for spec in specs}
    started = time.perf_counter()
    for seed in seeds:
        for spec in specs:
            result = run_one(spec, profile=args.profile, seed=derive_seed(seed, spec.id), timeout_s=spec.timeout_s(args.profile) * 3)
            if result is None or result.error:
                print(f"seed {seed} {spec.id}: error {None if result is None else result.error.splitlines()[-1]}", flush=True)
                results[spec.id][seed] = {"claims": [], "status": "error"}
                continue
            results[spec.id][seed] = {
                "status": result.status.value,
                "elapsed_s": result.elapsed_s,
                "claims": [c.to_dict() for c in result.claims],
            }
            missed = [c.claim_id for c in result.claims if not c.matched]
            if missed:
                print(f"seed {seed} {spec.id}: {', '.join(missed)} did not match", flush=True)
        print(f"seed {seed} done ({(time.perf_counter() - started) / 60:.1f} min)", flush=True)
        if args.json:
            rows = claim_rows(results, bounds)
            args.json.write_text(json.dumps({"profile": args.profile, "seeds_done": seeds[: seeds.index(seed) + 1],
                                             "claims": rows}, indent=2) + "\n", encoding="utf-8")
    rows = claim_rows(results, bounds)
    print(render(rows, seeds, time.perf_counter() - started))
    return 0 if all(row["matched"] == row["runs"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
