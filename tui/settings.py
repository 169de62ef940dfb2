"""The app's saved settings: language, desired retention, daily new cards, theme.

Stored as JSON at ``tui.paths.settings_path()`` and written atomically (a
temporary file beside it, then ``os.replace``), so a crash mid-write never
leaves half a file. A file that cannot be read is never overwritten: it is
copied aside first and the app starts from the defaults with a notice that
says where the copy went.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from questions.study.settings import StudySettings

Language = Literal["zh", "en", "both"]
LANGUAGES: tuple[Language, ...] = ("zh", "en", "both")
SETTINGS_VERSION = 1

# Bounds a user can pick in the Settings screen; anything outside is a bad file.
RETENTION_RANGE = (0.70, 0.99)
DAILY_NEW_RANGE = (0, 500)
DEFAULT_THEME = "textual-dark"


class SettingsError(ValueError):
    """A setting with a value the app cannot use; ``str()`` says which and why."""

    exit_code = 2


@dataclass(frozen=True)
class Settings:
    language: Language = "both"
    desired_retention: float = 0.9  # FSRS: the recall probability reviews are scheduled for
    daily_new_cards: int = 20
    theme: str = DEFAULT_THEME

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise SettingsError(f"language must be one of {', '.join(LANGUAGES)}, not {self.language!r}")
        if isinstance(self.desired_retention, bool) or not isinstance(self.desired_retention, (int, float)):
            raise SettingsError(f"desired_retention must be a number, not {self.desired_retention!r}")
        low, high = RETENTION_RANGE
        if not low <= self.desired_retention <= high:
            raise SettingsError(f"desired_retention must be between {low} and {high}, not {self.desired_retention}")
        if isinstance(self.daily_new_cards, bool) or not isinstance(self.daily_new_cards, int):
            raise SettingsError(f"daily_new_cards must be a whole number, not {self.daily_new_cards!r}")
        low_new, high_new = DAILY_NEW_RANGE
        if not low_new <= self.daily_new_cards <= high_new:
            raise SettingsError(f"daily_new_cards must be between {low_new} and {high_new}, not {self.daily_new_cards}")
        if not isinstance(self.theme, str) or not self.theme:
            raise SettingsError(f"theme must be a theme name, not {self.theme!r}")

    @property
    def ui_lang(self) -> Literal["zh", "en"]:
        """The language of the app's own labels: Chinese only when asked for Chinese only."""
        return "zh" if self.language == "zh" else "en"

    def with_changes(self, **changes: Any) -> "Settings":
        return replace(self, **changes)

    def study_settings(self, day_timezone: tzinfo | None = None) -> "StudySettings":
        """The study engine's settings from these (the local time zone unless one is given)."""
        from questions.study.settings import StudySettings

        zone = {} if day_timezone is None else {"day_timezone": day_timezone}
        return StudySettings(desired_retention=self.desired_retention, daily_new_limit=self.daily_new_cards, **zone)

    def to_dict(self) -> dict[str, Any]:
        return {"version": SETTINGS_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, raw: object) -> "Settings":
        """Settings from parsed JSON; unknown keys are ignored (a newer version may add some)."""
        if not isinstance(raw, dict):
            raise SettingsError(f"expected a JSON object, found {type(raw).__name__}")
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in raw.items() if key in known})


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    notice: str | None = None  # set when the file was unusable and the defaults are in use


def load_settings(path: Path) -> LoadedSettings:
    """The saved settings, or the defaults when there are none or the file is unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except (OSError, UnicodeDecodeError) as error:
        return LoadedSettings(Settings(), _set_aside(path, f"cannot be read ({error})"))
    try:
        return LoadedSettings(Settings.from_dict(json.loads(text)))
    except json.JSONDecodeError as error:
        problem = f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
    except (SettingsError, TypeError) as error:
        problem = f"has a bad value: {error}"
    return LoadedSettings(Settings(), _set_aside(path, problem))


def _set_aside(path: Path, problem: str) -> str:
    """Copy an unusable settings file aside so that saving new settings never destroys it."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.unusable-{stamp}{path.suffix}")
    try:
        shutil.copy2(path, backup)
        kept = f"the original is kept as {backup}"
    except OSError as error:
        kept = f"it could not be copied aside ({error}) and is left untouched until you save"
    return f"Settings file {path} {problem}; using the defaults, {kept}."


def save_settings(settings: Settings, path: Path) -> None:
    """Write atomically: readers see either the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(settings.to_dict(), handle, ensure_ascii=False, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
