"""What the user can tune about studying; the app saves these in its settings file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta, tzinfo

from questions.study.clock import local_timezone
from questions.study.plan import InterviewPlan


@dataclass(frozen=True)
class StudySettings:
    desired_retention: float = 0.9  # FSRS target probability of recall when a card comes due
    daily_new_limit: int = 20  # new cards introduced per study day (0 = review only)
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval_days: int = 36500
    enable_fuzzing: bool = True  # spread due dates a little so cards learnt together do not stay together
    learn_ahead: timedelta = timedelta(minutes=20)  # show a learning card early rather than end the session
    weak_retrievability: float = 0.8  # below this a studied card counts as weak (cram filter, stats)
    day_timezone: tzinfo = field(default_factory=local_timezone)  # where a study day starts and ends
    fsrs_parameters: tuple[float, ...] | None = None  # fitted by `tprep progress optimize`; None: FSRS defaults
    interview: InterviewPlan | None = None  # caps intervals and paces new cards (see questions.study.plan)

    def __post_init__(self) -> None:
        if not 0.7 <= self.desired_retention <= 0.99:
            raise ValueError(
                f"desired_retention must be between 0.70 and 0.99, got {self.desired_retention}"
            )
        if self.daily_new_limit < 0:
            raise ValueError(f"daily_new_limit must be 0 or more, got {self.daily_new_limit}")
        if self.maximum_interval_days < 1:
            raise ValueError(f"maximum_interval_days must be at least 1, got {self.maximum_interval_days}")
        if not 0.0 < self.weak_retrievability < 1.0:
            raise ValueError(f"weak_retrievability must be between 0 and 1, got {self.weak_retrievability}")
        if self.fsrs_parameters is not None:
            object.__setattr__(self, "fsrs_parameters", tuple(float(w) for w in self.fsrs_parameters))
