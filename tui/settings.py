"""The app's saved settings: language, desired retention, daily new cards, theme, interview plan,
personal FSRS parameters.

Stored as JSON at ``tui.paths.settings_path()`` and written atomically (a
temporary file beside it, then ``os.replace``), so a crash mid-write never
leaves half a file. A file that cannot be read is never overwritten: it is
copied aside first and the app starts from the defaults with a notice that
says where the copy went.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime, timezone, tzinfo
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
FINAL_DAYS_RANGE = (1, 30)  # as questions.study.plan (not imported: the app starts without the study engine)
FSRS_PARAMETER_COUNT = 21  # FSRS-6


class SettingsError(ValueError):
    """A setting with a value the app cannot use; ``str()`` says which and why."""

    exit_code = 2


@dataclass(frozen=True)
class Settings:
    language: Language = "both"
    desired_retention: float = 0.9  # FSRS: the recall probability reviews are scheduled for
    daily_new_cards: int = 20
    theme: str = DEFAULT_THEME
    interview_date: date | None = None  # saved as "YYYY-MM-DD"; caps intervals and paces new cards
    plan_topics: tuple[str, ...] = ()  # the interview plan's scope; empty: the whole bank
    plan_final_days: int = 3  # review-only days before the interview (questions.study.plan)
    fsrs_parameters: tuple[float, ...] | None = None  # fitted by `tprep progress optimize`; None: FSRS defaults

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
        if isinstance(self.interview_date, str):
            object.__setattr__(self, "interview_date", parse_date(self.interview_date, "interview_date"))
        if self.interview_date is not None and (isinstance(self.interview_date, datetime) or not isinstance(self.interview_date, date)):
            raise SettingsError(f"interview_date must be a date (YYYY-MM-DD) or null, not {self.interview_date!r}")
        if isinstance(self.plan_topics, str) or not isinstance(self.plan_topics, (list, tuple)):
            raise SettingsError(f"plan_topics must be a list of topic names, not {self.plan_topics!r}")
        if not all(isinstance(topic, str) and topic for topic in self.plan_topics):
            raise SettingsError(f"plan_topics must be a list of topic names, not {list(self.plan_topics)!r}")
        object.__setattr__(self, "plan_topics", tuple(sorted(set(self.plan_topics))))
        low_days, high_days = FINAL_DAYS_RANGE
        if isinstance(self.plan_final_days, bool) or not isinstance(self.plan_final_days, int) or not low_days <= self.plan_final_days <= high_days:
            raise SettingsError(f"plan_final_days must be a whole number from {low_days} to {high_days}, not {self.plan_final_days!r}")
        if self.fsrs_parameters is not None:
            values = self.fsrs_parameters
            if (
                isinstance(values, str)
                or not isinstance(values, (list, tuple))
                or len(values) != FSRS_PARAMETER_COUNT
                or not all(isinstance(w, (int, float)) and not isinstance(w, bool) and math.isfinite(w) for w in values)
            ):
                raise SettingsError(
                    f"fsrs_parameters must be a list of {FSRS_PARAMETER_COUNT} numbers or null, not {values!r}; "
                    "run 'tprep progress optimize --defaults' to go back to the defaults"
                )
            object.__setattr__(self, "fsrs_parameters", tuple(float(w) for w in values))
            from fsrs import Scheduler  # only here: a light import, and only when parameters were fitted

            try:
                Scheduler(parameters=self.fsrs_parameters)
            except ValueError as error:
                raise SettingsError(
                    f"fsrs_parameters are outside the bounds FSRS accepts ({error}); "
                    "run 'tprep progress optimize --defaults' to go back to the defaults"
                ) from None

    @property
    def ui_lang(self) -> Literal["zh", "en"]:
        """The language of the app's own labels: Chinese only when asked for Chinese only."""
        return "zh" if self.language == "zh" else "en"

    def with_changes(self, **changes: Any) -> "Settings":
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["interview_date"] = None if self.interview_date is None else self.interview_date.isoformat()
        data["plan_topics"] = list(self.plan_topics)
        data["fsrs_parameters"] = None if self.fsrs_parameters is None else list(self.fsrs_parameters)
        return {"version": SETTINGS_VERSION, **data}

    def study_settings(self, *, day_timezone: tzinfo | None = None) -> "StudySettings":
        """The study engine's settings from these (the one place that maps them)."""
        from questions.study.plan import InterviewPlan
        from questions.study.settings import StudySettings

        plan = (
            None
            if self.interview_date is None
            else InterviewPlan(date=self.interview_date, topics=frozenset(self.plan_topics), final_days=self.plan_final_days)
        )
        zone = {} if day_timezone is None else {"day_timezone": day_timezone}
        return StudySettings(
            desired_retention=self.desired_retention,
            daily_new_limit=self.daily_new_cards,
            fsrs_parameters=self.fsrs_parameters,
            interview=plan,
            **zone,
        )

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


def parse_date(text: str, what: str = "date") -> date:
    """A calendar date written YYYY-MM-DD; ``SettingsError`` (exit code 2) saying so otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise SettingsError(f"{what} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-12") from None


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
