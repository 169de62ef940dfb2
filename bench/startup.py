"""Start-up and keypress latency of the app, side by side with a bare Textual app (the peer).

    .venv/bin/python bench/startup.py [--runs N] [--json PATH]

Cold start: wall time from spawning a fresh Python process until the first
screen has been drawn and the app waits for keys, measured for ``tprep``'s
real start path (settings, the built-in bank, the progress store, the home
screen) and for a bare Textual app with one label and a footer, alternating
so both see the same machine load. Target: tprep <= 0.6 s, about 2.5x the
bare app, with torch and sympy not imported.

Keypress latency: in one headless app each (80x24), every frame the shown
screen draws is timed and its text read back. For each key, "shown" is the
time from the key press to the first frame that already shows what the screen
finally shows for that key (text equal to the last frame's); "settled" is the
time to the last frame (Textual lays a screen out again after sizes change,
e.g. to update a scrollbar, so a key can draw two to four frames). The keys
are a study session's (reveal, rate, undo, a multiple-choice pick, check and
next, typing a search), then one opening each screen home offers, each
reported with the screen it leads to; a key that changes the screen counts as
opening one. "cpu" is the processor time the app's process spent on the key (all
its threads), which, unlike wall time, does not grow when other work shares the
machine. A full garbage collection (generation 2, 40-70 ms with the app's heap) runs on
whichever key allocates past the collector's threshold, and which key that is shifts
with any change to what is allocated: each key's line says how many of its presses had
one and the longest, and the overall maxima are also given less the collections that
ran before the frame that showed the result. Each of ``--runs`` passes starts a fresh app on a fresh progress
store and presses the keys twice: the first round meets every screen, import and cache for the
first time (the heap grows from ~58k to ~93k objects, and the collector, which runs a full
collection each time the objects kept since the last one reach a quarter of those it kept then,
runs several); the warm round is the same app a minute later, as a candidate uses it. Totals are
given for each round, with the presses over their target and those a full collection landed on. Peers, in the same run: a bare Textual app whose key changes one label,
and one whose keys make a reveal's change with stock widgets (a long text in a
scrolling view, a bar of four buttons shown or hidden). All three run at the
frame rate the app sets (``tui/__init__.py``). Targets: a study key shown
<= 50 ms, a screen opened <= 100 ms.

Textual has no public hook for "a frame was drawn": the bench (and only the
bench) wraps ``Screen._compositor_refresh`` and reads the frame's text back
from the screen's compositor, both private.
The app's own packages are byte-compiled first, as they are on a candidate's second and
every later start (``PYTHONDONTWRITEBYTECODE``, set on this project's machines, would
otherwise leave each first opening compiling its modules from source).
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

# Shared with bench/frames.py: every frame the shown screen draws, as (time, its rows of text)
# in ``frames``; the child imports time and Screen first.
FRAME_RECORDER = textwrap.dedent(
    """
    # Every frame the shown screen draws, with its time and its text. Textual has no public
    # hook for "a frame was drawn", so the bench wraps the screen's own drawing step (private).
    frames = []
    draw = Screen._compositor_refresh

    def recording_draw(screen):
        draw(screen)
        if screen is screen.app.screen:
            drawn_at = time.perf_counter()  # before reading the text back, which takes a while
            frames.append((drawn_at, tuple(strip.text for strip in screen._compositor.render_strips())))

    Screen._compositor_refresh = recording_draw
    """
)

LATENCY_CHILD = textwrap.dedent(
    """
    import asyncio, gc, json, sys, time
    import tui  # first: it sets the app's frame rate (TEXTUAL_FPS), which the peers here share
    from textual import constants
    from textual.app import App
    from textual.containers import Horizontal, VerticalScroll
    from textual.screen import Screen
    from textual.widgets import Button, Footer, Header, Label, Static

    """
) + FRAME_RECORDER + textwrap.dedent(
    """
    # Time spent in full garbage collections (generation 2) during each key, which land on
    # whichever key allocates past the collector's threshold (Python's own gc.callbacks).
    full_gc = {"started": 0.0, "done": []}  # done: (ended at, ms) of each full collection

    def on_gc(phase, info):
        if info["generation"] == 2:
            if phase == "start":
                full_gc["started"] = time.perf_counter()
            else:
                ended = time.perf_counter()
                full_gc["done"].append((ended, (ended - full_gc["started"]) * 1000))

    gc.callbacks.append(on_gc)

    async def timed_press(pilot, key):
        # Press the key: its shown and settled times (ms) and frame count; None if nothing was drawn.
        frames.clear()
        full_gc["done"].clear()
        pressed, cpu_before = time.perf_counter(), time.process_time()
        await pilot.press(key)  # returns once the app is idle again
        cpu_ms = (time.process_time() - cpu_before) * 1000  # every thread of the app, workers included
        if not frames:
            return None
        final = frames[-1][1]
        shown = next(drawn_at for drawn_at, text in frames if text == final)
        return {"shown_ms": (shown - pressed) * 1000, "settled_ms": (frames[-1][0] - pressed) * 1000,
                "cpu_ms": cpu_ms, "frames": len(frames), "full_gc_ms": sum(ms for _, ms in full_gc["done"]),
                "full_gc_before_shown_ms": sum(ms for ended, ms in full_gc["done"] if ended <= shown)}

    async def measure(app, keys, rounds=1):
        # One dict of timings per round of the keys, all in the same app: the first round meets
        # every screen, import and cache for the first time; later rounds are the app warmed up.
        all_rounds = []
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()  # the home screen's numbers
            await pilot.pause()
            for _ in range(rounds):
                timings = {}
                for key in keys:
                    before = type(app.screen).__name__
                    timing = await timed_press(pilot, key)
                    if timing is not None:  # else nothing on screen changed
                        after = type(app.screen).__name__
                        timing["opens"] = after != before
                        timings.setdefault(f"{key} ({after})", []).append(timing)
                all_rounds.append(timings)
        return all_rounds if rounds > 1 else all_rounds[0]

    class BareLabel(App):
        # The smallest change a key can make: one label's text.
        BINDINGS = [("x", "bump", "Bump")]
        count = 0

        def compose(self):
            yield Label("0", id="count")
            yield Footer()

        def action_bump(self):
            self.count += 1
            self.query_one("#count", Label).update(str(self.count))

    class BareReveal(App):
        # The change a reveal makes, with stock widgets and nothing else: a long answer appears in
        # a scrolling view and a bar of four buttons is shown (space); the next key hides both (1).
        CSS = "#bar { height: 3; } #bar.-hidden { display: none; } VerticalScroll { overflow-y: scroll; }"
        BINDINGS = [("space", "reveal", "Reveal"), ("1", "hide", "Again")]
        ANSWER = "\\n".join(f"Line {n}: scaling by sqrt(d_k) keeps the logits' variance at one." for n in range(40))

        def compose(self):
            yield Header()
            with VerticalScroll():
                yield Static("Why are attention scores divided by sqrt(d_k)?", id="body")
            with Horizontal(id="bar", classes="-hidden"):
                for rating in "1234":
                    yield Button(rating)
            yield Footer()

        def action_reveal(self):
            self.query_one("#body", Static).update("Why are attention scores divided by sqrt(d_k)?\\n\\n" + self.ANSWER)
            self.query_one("#bar").remove_class("-hidden")

        def action_hide(self):
            self.query_one("#body", Static).update("What does the causal mask do?")
            self.query_one("#bar").add_class("-hidden")

    async def main():
        from tui.app import TPrepApp, load_app_bank

        bank, _error = load_app_bank([])
        # A review session (reveal, rate; undo, rate again), then Browse: a search typed, a
        # question opened; language switches; multiple choice (pick, check, next); and every
        # other screen home opens, with scrolling in Stats, a step in the verifier list, and a
        # step and a hint in the drill list.
        tprep_keys = (
            ["r"] + ["space", "3"] * 5 + ["space", "3", "u", "3", "escape"]
            + ["b", "s", "o", "f", "t", "enter", "enter", "escape", "escape", "l", "l", "l"]
            + ["c", "1", "enter", "enter", "2", "enter", "enter", "escape"]
            + ["m", "escape", "s", "down", "pagedown", "end", "escape", "e", "escape", "comma", "escape"]
            + ["question_mark", "escape"]
            + ["k", "escape", "v", "down", "escape"]
            + ["d", "down", "h", "escape"]
        )
        tprep, tprep_warm = await measure(TPrepApp(bank), tprep_keys, rounds=2)
        label = await measure(BareLabel(), ["x"] * 10)
        reveal = await measure(BareReveal(), ["space", "1"] * 5)
        print(json.dumps({"tprep": tprep, "tprep_warm": tprep_warm, "bare_label": label, "bare_reveal": reveal,
                          "fps": constants.MAX_FPS}))

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


def compile_sources() -> None:
    """Byte-compile the app's own packages, wherever this interpreter finds them (an A/B run
    points ``PYTHONPATH`` at another tree). A candidate's second and every later start reads
    compiled modules; where ``PYTHONDONTWRITEBYTECODE`` is set (as on this project's machines)
    nothing else writes them, and each first opening of a screen would time compiling its
    modules from source (~47 ms on Drills)."""
    import compileall
    import importlib.util

    for package in ("tui", "questions", "verifiers", "transformer_core"):
        spec = importlib.util.find_spec(package)
        for folder in spec.submodule_search_locations if spec and spec.submodule_search_locations else ():
            compileall.compile_dir(folder, quiet=1)


def app_env() -> dict[str, str]:
    """The environment a bench's app children run in, its sources compiled first: this one's,
    without ``TPREP_STORE`` (each child gets a fresh ``TPREP_HOME`` and store)."""
    compile_sources()
    env = {**os.environ}
    env.pop("TPREP_STORE", None)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="cold starts of each app, and passes of the keys (default 10)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    env = app_env()
    with tempfile.TemporaryDirectory(prefix="tprep-bench-") as home:
        env["TPREP_HOME"] = home
        cold_start(TPREP_CHILD, env)  # warm the disk cache and create the store once
        tprep_runs, peer_runs = [], []
        for _ in range(args.runs):
            tprep_runs.append(cold_start(TPREP_CHILD, env))
            peer_runs.append(cold_start(PEER_CHILD, env))
    passes = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="tprep-bench-") as home:  # the same queue each pass
            env["TPREP_HOME"] = home
            latency_out = subprocess.run(
                [sys.executable, "-c", LATENCY_CHILD], capture_output=True, text=True, env=env, cwd=ROOT, timeout=900
            )
        if latency_out.returncode != 0:
            raise SystemExit(f"bench: the latency run failed:\n{latency_out.stderr[-2000:]}")
        passes.append(json.loads(latency_out.stdout.strip().splitlines()[-1]))
    latency = {
        app: {key: [press for one in passes for press in one[app].get(key, [])] for key in passes[0][app]}
        for app in ("tprep", "tprep_warm", "bare_label", "bare_reveal")
    }

    tprep_s = [run["seconds"] for run in tprep_runs]
    peer_s = [run["seconds"] for run in peer_runs]

    def summary(timings: dict[str, list[dict]]) -> dict[str, dict]:
        return {
            key: {
                "shown_ms": {"median": statistics.median(p["shown_ms"] for p in presses),
                             "max": max(p["shown_ms"] for p in presses)},
                "settled_ms": {"median": statistics.median(p["settled_ms"] for p in presses),
                               "max": max(p["settled_ms"] for p in presses)},
                "cpu_ms": {"median": statistics.median(p["cpu_ms"] for p in presses),
                           "max": max(p["cpu_ms"] for p in presses)},
                "full_gc_ms": {"max": max(p["full_gc_ms"] for p in presses),
                               "presses_with_one": sum(p["full_gc_ms"] > 0 for p in presses)},
                "shown_less_full_gc_ms": {
                    "median": statistics.median(p["shown_ms"] - p["full_gc_before_shown_ms"] for p in presses),
                    "max": max(p["shown_ms"] - p["full_gc_before_shown_ms"] for p in presses)},
                "frames_max": max(p["frames"] for p in presses),
                "presses": len(presses),
                "opens_a_screen": any(p.get("opens") for p in presses),
            }
            for key, presses in timings.items()
        }

    def totals(timings: dict[str, list[dict]]) -> dict[str, dict]:
        # Keys within a screen and screen openings, each against its target; also less the full
        # garbage collections that ran before the frame that showed the result.
        every = [p for presses in timings.values() for p in presses]
        figures = {}
        for name, opens, target in (("tprep_key_in_a_screen", False, 50), ("tprep_screen_opened", True, 100)):
            shown = [p["shown_ms"] for p in every if p["opens"] == opens]
            less_gc = [p["shown_ms"] - p["full_gc_before_shown_ms"] for p in every if p["opens"] == opens]
            figures[name] = {"median": statistics.median(shown), "max": max(shown), "max_less_full_gc": max(less_gc),
                             "presses": len(shown), "over_target": sum(ms > target for ms in shown),
                             "with_a_full_gc": sum(p["full_gc_ms"] > 0 for p in every if p["opens"] == opens),
                             "target_ms": target}
        return figures

    tprep_keys = summary(latency["tprep"])
    figures = {
        "cold_start_s": {
            "tprep": {"median": statistics.median(tprep_s), "min": min(tprep_s), "max": max(tprep_s)},
            "bare_textual": {"median": statistics.median(peer_s), "min": min(peer_s), "max": max(peer_s)},
            "ratio_median": statistics.median(tprep_s) / statistics.median(peer_s),
            "runs": args.runs,
            "first_screen": tprep_runs[0]["screen"],
            "heavy_modules_imported": sorted({m for run in tprep_runs for m in run["heavy"]}),
            "target_s": 0.6,
        },
        "keypress_ms": {
            "tprep": tprep_keys,
            **totals(latency["tprep"]),
            "tprep_warm": summary(latency["tprep_warm"]),
            "warm": totals(latency["tprep_warm"]),
            "passes": args.runs,
            "bare_label": summary(latency["bare_label"]),
            "bare_reveal": summary(latency["bare_reveal"]),
            "frames_per_second": passes[0]["fps"],
        },
    }
    cold, keys = figures["cold_start_s"], figures["keypress_ms"]
    # On a shared machine wall times grow with the load; the CPU time the app spent on a key does not.
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"cold start to the first screen ({args.runs} runs each, median [min-max]):")
    print(f"  tprep         {cold['tprep']['median']:.3f} s [{cold['tprep']['min']:.3f}-{cold['tprep']['max']:.3f}]"
          f"  first screen {cold['first_screen']}, torch/sympy imported: {cold['heavy_modules_imported'] or 'no'}")
    print(f"  bare Textual  {cold['bare_textual']['median']:.3f} s [{cold['bare_textual']['min']:.3f}-{cold['bare_textual']['max']:.3f}]")
    print(f"  ratio         {cold['ratio_median']:.2f}x   (target: tprep <= 0.6 s)")
    print(f"keypress to the frame that shows its result, and to the last frame it draws (ms, median / max over"
          f" {args.runs} passes; all apps at {keys['frames_per_second']} fps, the app's setting):")

    def line(name: str, figure: dict) -> str:
        return (f"  {name:38s} shown {figure['shown_ms']['median']:5.1f} / {figure['shown_ms']['max']:5.1f}"
                f"   settled {figure['settled_ms']['median']:5.1f} / {figure['settled_ms']['max']:5.1f}"
                f"   cpu {figure['cpu_ms']['median']:5.1f} / {figure['cpu_ms']['max']:5.1f}"
                f"   ({figure['presses']} presses, up to {figure['frames_max']} frames"
                f"{full_gc_note(figure)})")

    def full_gc_note(figure: dict) -> str:
        gc_figure = figure["full_gc_ms"]
        if not gc_figure["presses_with_one"]:
            return ""
        less = figure["shown_less_full_gc_ms"]
        return (f"; a full gc in {gc_figure['presses_with_one']}, up to {gc_figure['max']:.0f} ms;"
                f" shown less it {less['median']:.1f} / {less['max']:.1f}")

    for key, figure in tprep_keys.items():
        print(line(f"tprep {key}", figure))
    for peer, peer_keys in (("bare label", keys["bare_label"]), ("bare reveal", keys["bare_reveal"])):
        for key, figure in peer_keys.items():
            print(line(f"{peer} {key}", figure))
    for key, figure in keys["tprep_warm"].items():
        target = 100 if figure["opens_a_screen"] else 50
        if figure["shown_ms"]["max"] > target:
            print(line(f"warm {key}", figure))
    for when, figures_of in (("first round", keys), ("warm round", keys["warm"])):
        for name, key in (("a key within a screen", "tprep_key_in_a_screen"), ("a screen opened", "tprep_screen_opened")):
            figure = figures_of[key]
            print(f"  tprep, {when}, {name}: shown median {figure['median']:.1f}, max {figure['max']:.1f}"
                  f" ({figure['max_less_full_gc']:.1f} less the full garbage collections before it);"
                  f" {figure['over_target']} of {figure['presses']} presses over the target of {figure['target_ms']} ms,"
                  f" {figure['with_a_full_gc']} with a full gc")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
