"""Where tprep keeps the user's data. The one place that decides it.

``TPREP_HOME`` moves the whole data directory (tests point it at a temporary
folder); ``TPREP_STORE`` or ``--store`` moves only the progress database.
Libraries below ``tui`` never pick paths themselves: they are handed these.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "transformer-prep"


def data_dir() -> Path:
    """The user data directory (created on first use by whoever writes to it)."""
    override = os.environ.get("TPREP_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def store_path(option: Path | None = None) -> Path:
    """The progress database: ``--store``, else ``$TPREP_STORE``, else in the data directory."""
    if option is not None:
        return option.expanduser()
    override = os.environ.get("TPREP_STORE")
    if override:
        return Path(override).expanduser()
    return data_dir() / "progress.sqlite3"


def cache_dir() -> Path:
    """Caches that only save time (the validated bank): deleting them loses nothing."""
    return data_dir() / "cache"


def results_dir() -> Path:
    """The cache of the latest result of each verifier."""
    return data_dir() / "results"


def drill_workspace_dir() -> Path:
    """Where ``tprep drill start`` writes the candidate's files, one ``<drill_id>.py`` each."""
    return data_dir() / "drills"


def drill_results_dir() -> Path:
    """The cache of the latest check of each drill (kept apart from the verifiers' results)."""
    return data_dir() / "drill-results"


def settings_path() -> Path:
    """The app's saved settings (language, retention, daily new cards, theme)."""
    return data_dir() / "settings.json"
