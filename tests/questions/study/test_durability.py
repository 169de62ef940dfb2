"""The store under real crashes and real concurrency: separate processes, SIGKILL, no mocks."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from questions.study import ProgressStore

REPO = Path(__file__).resolve().parents[3]

# Rates cards as fast as it can; prints "ACK <log id> <question id>" only after record_review returned.
RATER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from questions.study.scheduler import StudyScheduler
    from questions.study.settings import StudySettings
    from questions.study.store import ProgressStore

    path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    scheduler = StudyScheduler(StudySettings(enable_fuzzing=False, day_timezone=timezone.utc))
    store = ProgressStore.open(path)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    print("READY", flush=True)
    for n in range(count):
        question_id = f"{prefix}-{n % 7}"
        outcome = store.record_review(question_id, 1 + n % 4, scheduler=scheduler, reviewed_at=start + timedelta(seconds=n))
        print("ACK", outcome.record.id, question_id, flush=True)
    store.close()
    """
)


def _start_rater(path: Path, prefix: str, count: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RATER, str(path), prefix, str(count)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def _wait_ready(process: subprocess.Popen) -> None:
    line = process.stdout.readline()
    assert line.strip() == "READY", f"rater failed to start: {line!r} {process.stderr.read()}"


def _finish(process: subprocess.Popen) -> tuple[str, str]:
    # Read through the same buffered pipe as _wait_ready (communicate() would skip what it buffered).
    output = process.stdout.read()
    errors = process.stderr.read()
    process.wait()
    return output, errors


def test_every_acknowledged_rating_survives_sigkill(tmp_path):
    """Kill the writer at random moments; what it acknowledged must be there, and the store must open."""
    path = tmp_path / "progress.sqlite3"
    rng = random.Random(20260302)
    acknowledged: dict[int, str] = {}
    kills = 0
    deadline = time.monotonic() + 6.0  # keep the test short on a busy 2-core machine
    while kills < 10 and time.monotonic() < deadline:
        process = _start_rater(path, f"k{kills}", 100_000)
        _wait_ready(process)
        time.sleep(rng.uniform(0.0, 0.15))
        process.send_signal(signal.SIGKILL)
        output, _ = _finish(process)
        assert process.returncode == -signal.SIGKILL
        for line in output.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "ACK":  # a line cut off by the kill is not an acknowledgement
                acknowledged[int(parts[1])] = parts[2]
        kills += 1
        with ProgressStore.open(path) as store:  # opens cleanly (quick_check passes) after every kill
            logged = {record.id: record.question_id for record in store.reviews()}
            missing = {i: q for i, q in acknowledged.items() if logged.get(i) != q}
            assert not missing, f"acknowledged ratings lost after kill {kills}: {sorted(missing)[:5]}"
            for question_id in set(logged.values()):
                card = store.card(question_id)
                assert card is not None and card.reps == sum(1 for q in logged.values() if q == question_id), (
                    "card state and log were committed together"
                )
    assert kills >= 5 and len(acknowledged) > 0


def test_two_processes_writing_the_same_store(tmp_path):
    path = tmp_path / "progress.sqlite3"
    ProgressStore.open(path).close()
    per_process = 60
    processes = [_start_rater(path, "shared", per_process), _start_rater(path, "shared", per_process)]
    for process in processes:
        _wait_ready(process)
    for process in processes:
        output, errors = _finish(process)
        assert process.returncode == 0, errors
        assert output.count("ACK") == per_process
    with ProgressStore.open(path) as store:
        records = store.reviews()
        assert len(records) == 2 * per_process
        assert len({record.id for record in records}) == 2 * per_process
        for question_id in {record.question_id for record in records}:
            # Both processes reviewed the same seven cards; no update may be lost.
            assert store.card(question_id).reps == sum(1 for r in records if r.question_id == question_id)
        assert store._connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_threads_share_one_store(store, scheduler):
    """The app rates on its UI thread and reads in workers: one connection behind a lock."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import timedelta

    from .factory import T0

    def rate(worker: int) -> None:
        for n in range(25):
            store.record_review(f"t{worker}", 3, scheduler=scheduler, reviewed_at=T0 + timedelta(minutes=n))

    threads = 4
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(rate, range(threads)))
    assert store.review_count() == threads * 25
    assert all(store.card(f"t{w}").reps == 25 for w in range(threads))


def test_two_processes_upgrading_an_old_store_at_once(tmp_path):
    from .test_store import _write_v1_store

    path = tmp_path / "progress.sqlite3"
    _write_v1_store(path)
    processes = [_start_rater(path, f"p{n}", 5) for n in range(2)]
    for process in processes:
        _wait_ready(process)
        output, errors = _finish(process)
        assert process.returncode == 0, errors
        assert output.count("ACK") == 5
    with ProgressStore.open(path) as store:
        assert store.schema_version() == 2
        assert store.review_count() == 2 + 10, "the two v1 rows and both processes' ratings"
        assert store.card("q1").reps == 2
