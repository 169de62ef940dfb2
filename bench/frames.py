"""Every frame one key draws, for finding why a key's result comes late (what ``bench/startup.py`` reports as "shown").

    .venv/bin/python bench/frames.py [--runs N] [--json PATH] KEY [KEY ...]

The keys are pressed in a fresh headless app (80x24, a fresh progress store) from the home
screen; every key but the last only gets there, and the last one is measured: each frame the
shown screen draws after it, with its time from the press, and the rows in which it differs
from the last frame. A key whose result is complete in frame 0 but whose last frame comes
later (a scrollbar's thumb, a footer, a re-wrapped line) shows here which rows came late; the
fix is then to know that thing before the first layout, not to draw faster. "cpu" is the
processor time the app spent on the key. Each of ``--runs`` starts a fresh app.

    bench/frames.py v            # opening Verifiers
    bench/frames.py c 1 enter    # checking a multiple-choice answer

Like ``bench/startup.py`` (and only the benches), it wraps ``Screen._compositor_refresh`` and
reads the frame back from the screen's compositor, both private: Textual has no public hook
for "a frame was drawn". Figures go to stdout, and as JSON to ``--json PATH``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from startup import FRAME_RECORDER, app_env

ROOT = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent(
    """
    import asyncio, gc, json, sys, time
    import tui  # first: it sets the app's frame rate
    from textual.screen import Screen
    from tui.app import TPrepApp, load_app_bank

    """
) + FRAME_RECORDER + textwrap.dedent(
    """
    async def main(keys):
        bank, _error = load_app_bank([])
        app = TPrepApp(bank)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            for key in keys[:-1]:
                await pilot.press(key)
                await pilot.pause()
            gc.collect()  # not on the measured key
            frames.clear()
            pressed, cpu_before = time.perf_counter(), time.process_time()
            await pilot.press(keys[-1])
            cpu_ms = (time.process_time() - cpu_before) * 1000
            screen = type(app.screen).__name__
        final = frames[-1][1] if frames else []
        print(json.dumps({
            "screen": screen,
            "cpu_ms": cpu_ms,
            "frames": [
                {"ms": (drawn_at - pressed) * 1000,
                 "rows_late": [{"row": row, "drawn": text[row], "final": final[row]}
                               for row in range(min(len(text), len(final))) if text[row] != final[row]]}
                for drawn_at, text in frames
            ],
        }))

    asyncio.run(main(sys.argv[1:]))
    """
)


def one_run(keys: list[str], env: dict[str, str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="tprep-frames-") as home:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, *keys], capture_output=True, text=True, env={**env, "TPREP_HOME": home}, cwd=ROOT, timeout=300
        )
    if out.returncode != 0 or not out.stdout.strip():
        raise SystemExit(f"bench: the app failed (exit {out.returncode}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("keys", nargs="+", metavar="KEY", help="Textual key names from home; the last one is measured")
    parser.add_argument("--runs", type=int, default=3, help="fresh apps, one measured press each (default 3)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the frames as JSON")
    args = parser.parse_args(argv)

    env = app_env()
    runs = [one_run(args.keys, env) for _ in range(args.runs)]
    for number, run in enumerate(runs, 1):
        frames = run["frames"]
        shown = next((index for index, frame in enumerate(frames) if not frame["rows_late"]), None)
        print(f"run {number}: {' '.join(args.keys)} -> {run['screen']}, cpu {run['cpu_ms']:.1f} ms, "
              f"{len(frames)} frames, final from frame {shown}")
        for index, frame in enumerate(frames):
            late = [row["row"] for row in frame["rows_late"]]
            print(f"  frame {index} at {frame['ms']:6.1f} ms" + (f", rows not yet final: {late}" if late else ", final"))
            for row in frame["rows_late"][:4]:
                print(f"      {row['row']:2} drawn {row['drawn']!r}\n         final {row['final']!r}")
    if args.json:
        args.json.write_text(json.dumps({"keys": args.keys, "runs": runs}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
