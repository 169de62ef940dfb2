"""Apps for the tests and snapshots: a small fixed bank, a fixed clock, UTC days, fixed seeds.

The fixture bank under ``fixtures/bank`` never changes when the shipped bank
does, so snapshots only change when the app does.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from tui import paths
from tui.app import TPrepApp
from tui.settings import Settings
from tui.widgets.footer import AppFooter

FIXTURE_BANK = Path(__file__).parent / "fixtures" / "bank"
FIXED_NOW = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)


@lru_cache(maxsize=1)
def fixture_bank():
    from questions import load_bank

    return load_bank([FIXTURE_BANK], include_builtin=False)


def make_app(language: str = "en", bank=None, **overrides) -> TPrepApp:
    """A TPrepApp on the fixture bank (or ``bank``) whose data lives in ``$TPREP_HOME`` (a temp dir per test)."""
    options = dict(
        settings=Settings(language=language),  # type: ignore[arg-type]
        settings_path=paths.settings_path(),
        store_path=paths.store_path(),
        results_dir=paths.results_dir(),
        clock=lambda: FIXED_NOW,
        day_timezone=timezone.utc,
        seed=7,
    )
    options.update(overrides)
    return TPrepApp(bank if bank is not None else fixture_bank(), **options)


def footer_keys(app) -> list[str]:
    """The keys the current screen's footer shows, left to right: ["esc Back", "space Reveal", ...]."""
    return [f"{display} {description}" for _key, display, description, _enabled in app.screen.query_one(AppFooter).shown_keys()]


def seed_drill_history(app: TPrepApp) -> None:
    """Drill history for the Drills screen's tests and snapshots, at the fixed clock: softmax
    failed an hour ago (its large-logits check, with a counterexample and a hint; due now), the
    causal mask passed yesterday (back in a few days), every other drill new. Written to the
    files the app reads: the drill results cache and the progress store."""
    from datetime import timedelta

    from tui.drills import save_check
    from verifiers.drills.registry import default_drills
    from verifiers.drills.result import CheckOutcome, CheckResult, Counterexample, DrillResult
    from verifiers.result import Bilingual, Status

    drills = default_drills()

    def result(drill_id: str, when, failing: dict[str, CheckResult]) -> DrillResult:
        drill = drills.get(drill_id)
        checks = tuple(
            failing.get(check.id) or CheckResult(check.id, check.statement, CheckOutcome.PASSED, elapsed_s=0.01) for check in drill.checks
        )
        status = Status.FAILED if failing else Status.PASSED
        return DrillResult(drill_id, status, checks, file=f"/home/candidate/{drill.file_name}", started_at=when.isoformat(), elapsed_s=2.4)

    softmax = drills.get("softmax")
    large_logits = softmax.check("large-logits")
    failed = CheckResult(
        "large-logits",
        large_logits.statement,
        CheckOutcome.FAILED,
        message=Bilingual(zh="输出与参考实现不同（容差 rtol 0.0001, atol 1e-05）", en="the output differs from the reference (tolerance rtol 0.0001, atol 1e-05)"),
        counterexample=Counterexample(
            inputs=(("x", "float32 (2, 3) [[1e+04, 0, -1e+04], [0.5, -0.5, 0]]"), ("dim", "-1")),
            expected="float32 (2, 3) [[1, 0, 0], [0.5065, 0.1863, 0.3072]]",
            got="float32 (2, 3) [[nan, 0, 0], [0.5065, 0.1863, 0.3072]]",
            max_error=float("inf"),
            where="index (0, 0): expected 1, got nan",
        ),
        hint=large_logits.hint,
        elapsed_s=0.01,
    )
    settings = app.study_settings()
    store = paths.store_path()
    yesterday, an_hour_ago = FIXED_NOW - timedelta(days=1), FIXED_NOW - timedelta(hours=1)
    save_check(result("causal-mask", yesterday, {}), store, settings=settings, now=yesterday)
    save_check(result("softmax", an_hour_ago, {"large-logits": failed}), store, settings=settings, now=an_hour_ago)


def option_shown(option_list, index: int) -> str:
    """An option's text as a monochrome terminal shows it: wrapped as drawn (a ``WrappedPrompt``
    wraps at the width of an option, the list less the option's padding), no colour."""
    from textual.content import Content

    from tui.widgets.wrapped import WrappedPrompt

    prompt = option_list.get_option_at_index(index).prompt
    if isinstance(prompt, WrappedPrompt):
        prompt = prompt.wrapped(option_list.scrollable_content_region.width - 2)
    return (prompt if not isinstance(prompt, str) else Content.from_markup(prompt)).plain
