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


def make_app(language: str = "en", **overrides) -> TPrepApp:
    """A TPrepApp on the fixture bank whose data lives in ``$TPREP_HOME`` (a temp dir per test)."""
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
    return TPrepApp(fixture_bank(), **options)


def footer_keys(app) -> list[str]:
    """The keys the current screen's footer shows, left to right: ["esc Back", "space Reveal", ...]."""
    return [f"{display} {description}" for _key, display, description, _enabled in app.screen.query_one(AppFooter).shown_keys()]
