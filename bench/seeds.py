"""How far each experiment claim is from flipping, over many seeds.

    .venv/bin/python bench/seeds.py [--seeds 0-49] [--profile quick] [--only ID,ID] [--jobs N] [--json PATH]
    .venv/bin/python bench/seeds.py --report A.json B.json     # merge the tables of runs over other seeds
    .venv/bin/python bench/seeds.py --report A.json B.json --skip ID   # leave out ID's rows (e.g. A ran an older ID)
    .venv/bin/python bench/seeds.py --report A.json B.json C.json --skip A.json=ID,ID --skip B.json=ID   # from those files

Runs every experiment (or ``--only`` these) once per base seed, exactly as
``tprep verify ID --seed N`` would (the same per-verifier seed derivation), and
prints one row per claim: in how many seeds its verdict was the expected one,
how many flipped (the verdict was not the expected one), and its smallest
margin with the seed where that happened.

A claim's margin comes from the bound its module declares in ``BOUNDS``
(``verifiers.experiments._common.Bound``): the relative distance of the
recorded value from the threshold, positive on the side where the expected
verdict holds (0.25: a quarter of the threshold to spare; -0.10: flipped,
10% past it). Claims decided by a yes/no check (tokens identical, outputs
finite) have no margin, only their count. A bound whose verdict disagrees with
the one the experiment recorded is reported, so the table cannot drift from
the code.

The sweep is long: the quick profile of every experiment takes about 80 s
per seed on a quiet 2-core machine, so 50 seeds take over an hour, and many
hours under load. ``--jobs N`` runs N seeds at once in separate processes
(each experiment uses one thread), for a machine with N free cores. The JSON
is rewritten after every seed, so a partial run still leaves its figures, and
``--report`` merges the JSON of runs over different seeds into one table.
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


def run_seed(seed: int, ids: list[str], profile: str) -> tuple[int, dict[str, dict], list[str]]:
    """Every chosen experiment at one base seed (in a worker process with ``--jobs``)."""
    specs = default_registry().select(ids)
    results, notes = {}, []
    for spec in specs:
        result = run_one(spec, profile=profile, seed=derive_seed(seed, spec.id), timeout_s=spec.timeout_s(profile) * 3)
        if result is None or result.error:
            notes.append(f"seed {seed} {spec.id}: error {None if result is None else result.error.splitlines()[-1]}")
            results[spec.id] = {"claims": [], "status": "error"}
            continue
        results[spec.id] = {
            "status": result.status.value,
            "elapsed_s": result.elapsed_s,
            "claims": [c.to_dict() for c in result.claims],
        }
        missed = [c.claim_id for c in result.claims if not c.matched]
        if missed:
            notes.append(f"seed {seed} {spec.id}: {', '.join(missed)} did not match")
    return seed, results, notes


def merge_rows(tables: list[list[dict]]) -> list[dict]:
    """Claim rows of runs over different seeds, combined: counts added, the smallest margin kept."""
    merged: dict[tuple[str, str], dict] = {}
    for rows in tables:
        for row in rows:
            key = (row["verifier"], row["claim"])
            if key not in merged:
                merged[key] = dict(row, disagreements=list(row["disagreements"]))
                continue
            into = merged[key]
            into["matched"] += row["matched"]
            into["runs"] += row["runs"]
            into["disagreements"] += row["disagreements"]
            into["bound"] = into["bound"] or row["bound"]
            if row["smallest_margin"] is not None and (
                into["smallest_margin"] is None or row["smallest_margin"] < into["smallest_margin"]
            ):
                into["smallest_margin"], into["seed"], into["value"] = row["smallest_margin"], row["seed"], row["value"]
    return list(merged.values())


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
        f"{'experiment / claim':64s} {'matched':>9s} {'flips':>5s} {'smallest margin':>16s} {'at seed':>8s}  value   bound",
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
        flips = str(row["runs"] - row["matched"])
        lines.append(f"{name:64s} {matched:>9s} {flips:>5s} {margin:>16s} {seed:>8s}  {value:7s} {bound}{flag}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-49", help="base seeds: 0-49, or 3,7,31 (default 0-49)")
    parser.add_argument("--profile", choices=("tiny", "quick", "full"), default="quick")
    parser.add_argument("--only", help="comma-separated experiment ids (default: every experiment)")
    parser.add_argument("--jobs", type=int, default=1, help="seeds run at once, in separate processes (default 1)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="write the figures as JSON (rewritten after every seed)")
    parser.add_argument("--report", nargs="+", metavar="JSON", type=Path, help="only print the merged table of these JSON files")
    parser.add_argument(
        "--skip", metavar="[FILE=]ID,ID", action="append", default=[],
        help="with --report: leave these experiments' rows out of FILE (one of the --report files; the first when "
        "omitted), whose seeds a later file ran again; repeatable",
    )
    args = parser.parse_args(argv)
    if args.report:
        try:
            loaded = [json.loads(path.read_text(encoding="utf-8")) for path in args.report]
        except (OSError, ValueError) as error:
            print(f"bench/seeds.py: cannot read {error}", file=sys.stderr)
            return 2
        seeds = sorted({seed for data in loaded for seed in data["seeds_done"]})
        skipped: dict[Path, set[str]] = {}
        for item in args.skip:
            name, _, ids = item.rpartition("=")
            path = Path(name) if name else args.report[0]
            if path not in args.report:
                parser.error(f"--skip {item}: {path} is not one of the --report files")
            skipped.setdefault(path, set()).update(ids.split(","))
        # a skipped experiment's rows come from the later files, which ran those seeds again
        tables = [
            [row for row in data["claims"] if row["verifier"] not in skipped.get(path, set())]
            for path, data in zip(args.report, loaded)
        ]
        rows = merge_rows(tables)
        print(render(rows, seeds, sum(data.get("elapsed_s", 0.0) for data in loaded)))
        return 0 if all(row["matched"] == row["runs"] for row in rows) else 1
    try:
        seeds = parse_seeds(args.seeds)
    except ValueError as error:
        parser.error(f"--seeds: {error}")
    if args.jobs < 1:
        parser.error("--jobs must be >= 1")
    registry = default_registry()
    chosen = args.only.split(",") if args.only else None
    try:
        specs = registry.select(chosen, kind=None if chosen else "experiment")
    except (KeyError, ValueError) as error:
        print(f"bench/seeds.py: {error}", file=sys.stderr)
        return 2
    ids = [spec.id for spec in specs]
    bounds = {spec.id: getattr(importlib.import_module(spec.module), "BOUNDS", {}) for spec in specs}

    results: dict[str, dict] = {spec.id: {} for spec in specs}
    done: list[int] = []
    started = time.perf_counter()

    def collect(seed: int, per_experiment: dict[str, dict], notes: list[str]) -> None:
        for verifier_id, result in per_experiment.items():
            results[verifier_id][seed] = result
        done.append(seed)
        for note in notes:
            print(note, flush=True)
        print(f"seed {seed} done ({len(done)}/{len(seeds)}, {(time.perf_counter() - started) / 60:.1f} min)", flush=True)
        if args.json:
            payload = {"profile": args.profile, "seeds_done": sorted(done), "elapsed_s": time.perf_counter() - started,
                       "claims": claim_rows(results, bounds)}
            args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")

    if args.jobs == 1:
        for seed in seeds:
            collect(*run_seed(seed, ids, args.profile))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(run_seed, seed, ids, args.profile) for seed in seeds]
            for future in as_completed(futures):
                collect(*future.result())
    rows = claim_rows(results, bounds)
    print(render(rows, sorted(done), time.perf_counter() - started))
    return 0 if all(row["matched"] == row["runs"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
