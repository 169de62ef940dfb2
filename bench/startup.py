"""Start-up and keypress latency of the app, side by side with a bare Textual app (the peer).

    .venv/bin/python bench/startup.py [--runs N] [--json PATH]

Cold start: wall time from spawning a fresh Python process until the first
screen has been drawn and the app waits for keys, measured for ``tprep``'s
real start path (settings, the built-in bank, the progress store, the home
screen) and for a bare Textual app with one label and a footer, alternating
so both see the same machine load. Target: tprep <= 0.6 s, about 2.5x the
bare app, with torch and sympy not imported.

Keypress latency: in one headless app each, the time from a key press until
the app is idle again with the screen updated (Textual's pilot), for the keys a
study session uses; the peer's key updates a label. Target: <= 50 ms each.
Figures go to stdout, and as JSON to ``--json PATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each child prints one JSON line when its first screen is up, then exits.
TPREP_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from tui import paths
    from tui.app import TPrepApp, load_app_bank
    from tui.settings import load_settings

    class Bench(TPrepApp):
        def on_mount(self):
            super().on_mount()
            self.call_after_refresh(self.ready)

        def ready(self):
            print(json.dumps({"ready": time.time(), "screen": type(self.screen).__name__,
                              "heavy": sorted(m for m in ("torch", "sympy") if m in sys.modules)}), flush=True)
            self.exit()

    loaded = load_settings(paths.settings_path())
    bank, _error = load_app_bank([])
    Bench(bank, settings=loaded.settings).run(headless=True)
    """
)

PEER_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from textual.app import App
    from textual.widgets import Footer, Label

    class Bare(App):
        BINDINGS = [("q", "quit", "Quit")]

        def compose(self):
            yield Label("Hello")
            yield Footer()

        def on_mount(self):
            self.call_after_refresh(self.ready)

        def ready(self):
            print(json.dumps({"ready": time.time(), "screen": type(self.screen).__name__, "heavy": []}), flush=True)
            self.exit()

    Bare().run(headless=True)
    """
)

LATENCY_CHILD = textwrap.dedent(
    """
    import asyncio, json, statistics, sys, time
    from textual.app import App
    from textual.widgets import Footer, Label

    async def measure(app, keys):
        timings = {}
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for key in keys:
                started = time.perf_counter()
                await pilot.press(key)
                timings.setdefault(key, []).append((time.perf_counter() - started) * 1000)
        return timings

    class Bare(App):
        BINDINGS = [("x", "bump", "Bump")]
        count = 0

        def compose(self):
            yield Label("0", id="count")
            yield Footer()

        def action_bump(self):
            self.count += 1
            self.query_one("#count", Label).update(str(self.count))

    async def main():
        from tui.app import TPrepApp, load_app_bank

        bank, _error = load_app_bank([])
        # A review session: open it, reveal, rate, ... then browse and type a query, switch language.
        tprep_keys = ["r"] + ["space", "3"] * 5 + ["escape", "b", "s", "o", "f", "t", "escape", "l", "l", "l"]
        tprep = await measure(TPrepApp(bank), tprep_keys)
        peer = await measure(Bare(), ["x"] * len(tprep_keys))
        print(json.dumps({"tprep": tprep, "peer": peer}))

    asyncio.run(main())
    """
)


def cold_start(child: str, env: dict[str, str]) -> dict:
    started = time.time()
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    if out.returncode != 0 or not out.stdout.strip():
        raise SystemExit(f"bench: the child failed (exit {out.returncode}):\n{out.stderr[-2000:]}")
    report = json.loads(out.stdout.strip().splitlines()[0])
    report["seconds"] = report["ready"] - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="cold starts of each app (default 10)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tprep-bench-") as home:
        env = {**os.environ, "TPREP_HOME": home}
        env.pop("TPREP_STORE", None)
        cold_start(TPREP_CHILD, env)  # warm the disk cache and create the store once
        tprep_runs, peer_runs = [], []
        for _ in range(args.runs):
            tprep_runs.append(cold_start(TPREP_CHILD, env))
            peer_runs.append(cold_start(PEER_CHILD, env))
        latency_out = subprocess.run(
            [sys.executable, "-c", LATENCY_CHILD], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
        )
        if latency_out.returncode != 0:
            raise SystemExit(f"bench: the latency run failed:\n{latency_out.stderr[-2000:]}")
        latency = json.loads(latency_out.stdout.strip().splitlines()[-1])

    tprep_s = [run["seconds"] for run in tprep_runs]
    peer_s = [run["seconds"] for run in peer_runs]
    tprep_keys = [ms for values in latency["tprep"].values() for ms in values]
    peer_keys = [ms for values in latency["peer"].values() for ms in values]
    figures = {
        "cold_start_s": {
            "tprep": {"median": statistics.median(tprep_s), "min": min(tprep_s), "max": max(tprep_s)},
            "bare_textual": {"median": statistics.median(peer_s), "min": min(peer_s), "max": max(peer_s)},
            "ratio_median": statistics.median(tprep_s) / statistics.median(peer_s),
            "runs": args.runs,
            "first_screen": tprep_runs[0]["screen"],
            "heavy_modules_imported": sorted({m for run in tprep_runs for m in run["heavy"]}),
        },
        "keypress_ms": {
            "tprep": {"median": statistics.median(tprep_keys), "max": max(tprep_keys), "keys": len(tprep_keys)},
            "bare_textual": {"median": statistics.median(peer_keys), "max": max(peer_keys), "keys": len(peer_keys)},
            "tprep_by_key_max": {key: max(values) for key, values in latency["tprep"].items()},
            # Per key: what tprep's handling adds beyond the bare app's median key (the pilot's own
            # waiting, about 60 ms here, is in both and cancels out). Target: <= 50 ms each.
            "tprep_by_key_over_bare": {
                key: {"median": statistics.median(values) - statistics.median(peer_keys),
                      "max": max(values) - statistics.median(peer_keys), "presses": len(values)}
                for key, values in latency["tprep"].items()
            },
            # The pilot waits for idle after every key, so even the bare app shows tens of ms;
            # the difference is what tprep's own handling adds.
            "tprep_over_bare_median": statistics.median(tprep_keys) - statistics.median(peer_keys),
        },
    }
    cold, keys = figures["cold_start_s"], figures["keypress_ms"]
    print(f"cold start to the first screen ({args.runs} runs each, median [min-max]):")
    print(f"  tprep         {cold['tprep']['median']:.3f} s [{cold['tprep']['min']:.3f}-{cold['tprep']['max']:.3f}]"
          f"  first screen {cold['first_screen']}, torch/sympy imported: {cold['heavy_modules_imported'] or 'no'}")
    print(f"  bare Textual  {cold['bare_textual']['median']:.3f} s [{cold['bare_textual']['min']:.3f}-{cold['bare_textual']['max']:.3f}]")
    print(f"  ratio         {cold['ratio_median']:.2f}x   (target: tprep <= 0.6 s, about 2.5x)")
    print("keypress to idle, screen updated (ms):")
    print(f"  tprep         median {keys['tprep']['median']:.1f}  max {keys['tprep']['max']:.1f}  over {keys['tprep']['keys']} keys")
    print(f"  bare Textual  median {keys['bare_textual']['median']:.1f}  max {keys['bare_textual']['max']:.1f}")
    print(f"  tprep beyond the bare app (the pilot's own waiting cancels out): median {keys['tprep_over_bare_median']:.1f}")
    slowest = sorted(keys["tprep_by_key_max"].items(), key=lambda item: -item[1])[:3]
    print("  slowest tprep keys: " + ", ".join(f"{key} {ms:.1f}" for key, ms in slowest))
    print("per key, beyond the bare app's median key (target: <= 50 ms each):")
    for key, over in keys["tprep_by_key_over_bare"].items():
        print(f"  {key:8s} median {over['median']:6.1f}  max {over['max']:6.1f}  ({over['presses']} presses)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
