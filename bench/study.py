"""Study engine speed: building today's review queue and committing a rating.

Targets (issue #6): today's queue with 10,000 review-log rows and the whole
bank <= 50 ms; committing a rating <= 5 ms median. Each is shown beside its
peer in the same run, so the overhead of this engine is visible:

- queue peer: the bare SQL a queue needs (due cards by index, ids of reviewed
  cards) plus a set difference against the bank, without parsing card state.
- rating peer: ``fsrs.Scheduler.review_card`` on an in-memory card plus one
  bare ``sqlite3`` INSERT + COMMIT into a table of the same shape, with the
  same pragmas (WAL, ``synchronous=FULL``), on the same disk.

Informational rows (no target): opening the store (header and ``PRAGMA
quick_check`` before anything is written, WAL set-up), a ``ReviewSession`` start (queue plus the
session object, what the app pays when the review screen opens), today's queue
with an interview date set (pacing reads each question's first review), the
stats screen over the same log (with weak cards and mastery a week ahead), the
readiness report of ``tprep plan`` (six snapshots rebuilt from the log for its
trend), and typed-answer checks (English; Chinese warm; the first Chinese
check, which loads jieba's dictionary, in a fresh process).

The store is filled with a year of simulated reviews over the whole shipped
bank (a synthetic bank of the same size if the shipped one does not load).

    python bench/study.py [--runs N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from questions.model import Bank, Question, Source, Text, TextList  # noqa: E402
from questions.study import (  # noqa: E402
    InterviewPlan,
    ProgressStore,
    Rating,
    ReviewSession,
    StudyScheduler,
    StudySettings,
    build_review_queue,
    check_typed_answer,
    compute_stats,
    plan_report,
)
from questions.study.card import CardState  # noqa: E402
from questions.study.clock import to_db  # noqa: E402

LOG_ROWS = 10_000
TARGETS_MS = {"build today's queue": 50.0, "commit a rating": 5.0}
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)


def load_whole_bank() -> tuple[Bank, str]:
    from questions import load_bank

    try:
        bank = load_bank()
        return bank, f"shipped bank, {len(bank)} questions"
    except Exception as error:  # the bank is being written: keep the figures comparable with its size
        import glob

        import yaml

        count = sum(len(yaml.safe_load(open(p, encoding="utf-8")).get("questions") or []) for p in glob.glob(str(REPOSITORY / "questions/bank/*.yaml")))
        count = max(count, 300)
        topics = ["foundations", "attention", "multi-head-attention", "positional-encoding", "layers", "masks", "decoding", "training"]
        questions = tuple(
            Question(
                id=f"synthetic-{i:04d}",
                topic=topics[i % len(topics)],
                difficulty=1 + i % 3,
                tags=("math",),
                question=Text(zh="问题", en="Question"),
                answer=Text(zh="答案", en="Answer"),
                key_points=TextList(zh=("一", "二", "三"), en=("one", "two", "three")),
                sources=(Source(doc="000_b1566269e68ea388.txt", heading="h"),),
            )
            for i in range(count)
        )
        return Bank(questions), f"synthetic bank of {count} questions (shipped bank did not load: {str(error).splitlines()[0]})"


def fill_store(path: Path, bank: Bank, scheduler: StudyScheduler, rows: int) -> None:
    """A year of reviews: realistic card states from the real scheduler, written in one transaction."""
    rng = random.Random(6)
    ids = list(bank.ids)
    studied = ids[: int(len(ids) * 0.85)]  # some questions are still new
    cards = {question_id: CardState.new(question_id) for question_id in studied}
    times = sorted(NOW - timedelta(days=365) + timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(rows))
    log = []
    for at in times:
        question_id = rng.choice(studied)
        before = cards[question_id]
        rating = Rating(rng.choices([1, 2, 3, 4], weights=[10, 15, 60, 15])[0])
        cards[question_id] = scheduler.review(before, rating, at)
        log.append(
            (
                question_id,
                int(rating),
                to_db(at),
                rng.randint(3000, 60000),
                "review",
                1,
                None if before.is_new else int(before.state),
                None if before.is_new else json.dumps(before.to_dict()),
            )
        )
    ProgressStore.open(path).close()  # create the schema
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany(
            "INSERT INTO review_log (question_id, rating, reviewed_at, duration_ms, mode, scheduled, state_before, card_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            log,
        )
        connection.executemany(
            "INSERT INTO cards (question_id, state, step, stability, difficulty, due, last_review, reps, lapses) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [tuple(card.to_dict().values()) for card in cards.values()],
        )
    connection.close()


def timed(function: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))],
        "runs": len(ordered),
    }


def queue_peer(path: Path, bank: Bank, now: datetime) -> Callable[[], object]:
    connection = sqlite3.connect(path)
    until = to_db(now + timedelta(days=1))

    def run() -> object:
        due = connection.execute("SELECT question_id, due FROM cards WHERE due <= ? ORDER BY due", (until,)).fetchall()
        known = {row[0] for row in connection.execute("SELECT question_id FROM cards")}
        return due, [q for q in bank.ids if q not in known][:20]

    return run


def rating_peer(folder: Path) -> Callable[[], object]:
    import fsrs

    connection = sqlite3.connect(folder / "peer.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute(
        "CREATE TABLE review_log (id INTEGER PRIMARY KEY AUTOINCREMENT, question_id TEXT, rating INTEGER, reviewed_at TEXT, duration_ms INTEGER, mode TEXT, scheduled INTEGER, state_before INTEGER, card_before TEXT)"
    )
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    card = fsrs.Card(card_id=1, due=NOW)
    state = {"card": card, "at": NOW}

    def run() -> object:
        state["at"] += timedelta(minutes=1)
        state["card"], _ = scheduler.review_card(state["card"], Rating.Good, state["at"])
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO review_log (question_id, rating, reviewed_at, duration_ms, mode, scheduled) VALUES (?, ?, ?, ?, ?, ?)",
            ("q", 3, state["at"].isoformat(), 5000, "review", 1),
        )
        connection.execute("COMMIT")
        return state["card"]

    return run


_FIRST_CHINESE_CHECK = """
import time
from questions.study import check_typed_answer
from bench.study import typed_fixture
question, _, chinese = typed_fixture()
start = time.perf_counter()
check_typed_answer(question, chinese)
print((time.perf_counter() - start) * 1000)
"""


def typed_fixture() -> tuple[Question, str, str]:
    question = Question(
        id="attention-scale-sqrt-dk",
        topic="attention",
        difficulty=2,
        tags=(),
        question=Text(zh="为什么除以 $\\sqrt{d_k}$？", en="Why divide by $\\sqrt{d_k}$?"),
        answer=Text(zh="", en=""),
        key_points=TextList(
            zh=("$\\mathrm{Var}(q\\cdot k)=d_k$，标准差随 $\\sqrt{d_k}$ 增长", "logit 过大使 softmax 饱和，接近 one-hot", "除以 $\\sqrt{d_k}$ 使方差回到 1，与头宽无关"),
            en=("$\\mathrm{Var}(q\\cdot k)=d_k$, so the spread grows like $\\sqrt{d_k}$", "large logits saturate the softmax towards one-hot", "dividing by $\\sqrt{d_k}$ brings the variance back to 1"),
        ),
        sources=(),
    )
    english = "The variance of q·k grows with d_k; big logits saturate the softmax; scaling by sqrt(d_k) restores unit variance."
    chinese = "点积方差等于 d_k，logit 太大时 softmax 饱和接近 one-hot，除以 √d_k 后方差恢复为 1。"
    return question, english, chinese


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per row (median and p95 reported; default 50)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()

    bank, bank_note = load_whole_bank()
    settings = StudySettings(enable_fuzzing=False, day_timezone=timezone.utc)
    scheduler = StudyScheduler(settings)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "progress.sqlite3"
        fill_store(path, bank, scheduler, LOG_ROWS)
        results["open the store (integrity check)"] = summary(timed(lambda: ProgressStore.open(path).close(), max(5, args.runs // 5)))
        with ProgressStore.open(path) as store:
            assert store.review_count() == LOG_ROWS
            queue = build_review_queue(store, bank, settings, NOW)
            results["build today's queue"] = summary(timed(lambda: build_review_queue(store, bank, settings, NOW), args.runs))
            results["  peer: bare SQL + set difference"] = summary(timed(queue_peer(path, bank, NOW), args.runs))
            results["start a ReviewSession"] = summary(timed(lambda: ReviewSession(store, bank, settings, clock=lambda: NOW), args.runs))
            planned = replace(settings, interview=InterviewPlan(date=(NOW + timedelta(days=30)).date()))
            results["build today's queue, interview date set"] = summary(timed(lambda: build_review_queue(store, bank, planned, NOW), args.runs))
            results["compute stats (10k-row log)"] = summary(timed(lambda: compute_stats(store, bank, NOW, settings), max(5, args.runs // 10)))
            results["readiness report with its 6-week trend"] = summary(timed(lambda: plan_report(store, bank, planned, NOW), max(5, args.runs // 10)))

            ids = iter(bank.ids * 100)
            clock = [NOW]

            def commit() -> None:
                clock[0] += timedelta(seconds=30)
                store.record_review(next(ids), Rating.Good, scheduler=scheduler, reviewed_at=clock[0], duration=timedelta(seconds=8))

            results["commit a rating"] = summary(timed(commit, max(args.runs, 100)))
        results["  peer: fsrs review_card + bare INSERT/COMMIT"] = summary(timed(rating_peer(folder), max(args.runs, 100)))

    question, english, chinese = typed_fixture()
    fresh = subprocess.run([sys.executable, "-c", _FIRST_CHINESE_CHECK], cwd=REPOSITORY, capture_output=True, text=True, check=True)
    results["check a typed answer (English)"] = summary(timed(lambda: check_typed_answer(question, english), args.runs))
    check_typed_answer(question, chinese)  # jieba loaded
    results["check a typed answer (Chinese, warm)"] = summary(timed(lambda: check_typed_answer(question, chinese + str(random.random())), args.runs))
    results["first Chinese check (loads jieba)"] = {"median_ms": float(fresh.stdout.strip()), "p95_ms": float(fresh.stdout.strip()), "runs": 1}

    print(f"study engine: {bank_note}; {LOG_ROWS} review-log rows; queue: {len(queue.due)} due, {len(queue.learning)} learning, {len(queue.new)} new")
    print(f"{'':48} {'median ms':>10} {'p95 ms':>9} {'target':>8}")
    for name, figures in results.items():
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else f"<= {target:g}" + (" ok" if figures["median_ms"] <= target else " MISSED")
        print(f"{name:48} {figures['median_ms']:10.2f} {figures['p95_ms']:9.2f} {verdict:>8}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"bank": bank_note, "log_rows": LOG_ROWS, "targets_ms": TARGETS_MS, "results": results},
                indent=2,
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
