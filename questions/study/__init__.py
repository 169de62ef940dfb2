"""The study engine behind the app: scheduling, progress, sessions, answer checking, stats.

No UI code here; the app (``tui``) drives these objects and renders them.
Nothing here imports torch or sympy; jieba (slow to load) is imported on the
first Chinese answer checked.

Typical use by the app::

    settings = StudySettings(desired_retention=0.9, daily_new_limit=20)
    store = ProgressStore.open(tui.paths.store_path(args.store))   # CorruptStoreError -> offer
                                                                  # ProgressStore.backup_and_reset(path)
    session = ReviewSession(store, bank, settings)
    while (question := session.current) is not None:
        ...show question, reveal answer, labels from session.preview()...
        session.rate(Rating.Good, duration=elapsed)               # committed before returning
    session.undo()                                                # reverts the last rating

Public types, one module each:

* ``StudySettings`` (settings): desired retention, daily new-card limit, steps, day time zone.
* ``StudyScheduler`` (scheduler): FSRS over ``CardState``; ``review``, ``retrievability``, ``preview``.
* ``CardState`` (card): a question's FSRS state keyed by question id; ``ReviewRecord``,
  ``ReviewMode``, ``ReviewOutcome`` (review_record): the review log.
* ``ProgressStore`` (store): SQLite, WAL, schema migrations, durable ``record_review``,
  ``undo_review``, JSON ``export_to``/``import_from``, ``backup_and_reset``.
* ``build_review_queue`` / ``ReviewQueue`` (queue); ``ReviewSession`` (review_session):
  moves the schedule. ``CramSession``, ``CramFilter`` (cram): practice, logged but off
  the schedule unless ``reschedule=True``. ``MultipleChoiceSession``, ``ChoiceItem``,
  ``ChoiceResult``, ``ChoiceAnswer``, ``shuffle_choices`` (multiple_choice): ``answer``
  commits by the recognition rule (right = Hard, wrong = Again) and moves the schedule.
  ``MockInterview``, ``MockResult``, ``follow_up_chain`` (mock_interview): each answer is
  a review; bound to a store it commits as it goes and can ``undo``. Every session's
  ``rate`` commits before returning; ``undo`` reverts.
* ``ProgressSnapshot`` (snapshot): cards and each question's latest answer, now or rebuilt
  from the log at a past instant.
* ``is_weak``, ``weak_ids``, ``weak_question_ids`` (weak): the one definition of a weak card.
* ``predicted_recall``, ``forecast_recall``, ``mastery`` -> ``RecallForecast`` with
  ``legend(lang)``, ``recall_trend`` (forecast): the one definition of mastery and readiness.
* ``InterviewPlan`` (plan): the interview date's cap on intervals and pace of new cards;
  ``plan_report`` -> ``PlanReport``, ``pacing`` -> ``PlanPacing`` (behind message),
  ``apply_interview_cap`` (readiness).
* ``fit_parameters`` -> ``ParameterFit``, ``apply_parameters`` (parameters): personal FSRS
  parameters fitted to the review log (needs the ``optimizer`` extra).
* ``check_typed_answer`` -> ``AnswerCheck`` (answer_check); ``rating_for_coverage`` (grading):
  the one coverage -> rating rule shared by typed answers and mock interviews.
* ``compute_stats`` -> ``StudyStats`` (stats).
* Errors (errors): ``StudyError`` and subclasses, all with ``exit_code = 2``.
"""

from fsrs import Rating, State

from questions.study.answer_check import AnswerCheck, KeyPointMatch, check_typed_answer, warm_up_chinese
from questions.study.card import CardState
from questions.study.clock import require_utc, utc_now
from questions.study.cram import CramFilter, CramSession, FilteredSession, select_questions
from questions.study.errors import (
    CorruptStoreError,
    NotEnoughReviewsError,
    OptimizerUnavailableError,
    ProgressImportError,
    StoreError,
    StoreVersionError,
    StudyError,
    UndoError,
)
from questions.study.forecast import (
    MASTERY_HORIZON,
    RecallForecast,
    TopicRecall,
    TrendPoint,
    forecast_recall,
    mastery,
    predicted_recall,
    recall_trend,
)
from questions.study.grading import rating_for_coverage
from questions.study.mock_interview import MockInterview, MockResult, MockStep, WeakPoint, follow_up_chain
from questions.study.multiple_choice import (
    ChoiceAnswer,
    ChoiceItem,
    ChoiceOption,
    ChoiceResult,
    MultipleChoiceSession,
    shuffle_choices,
)
from questions.study.parameters import ParameterFit, apply_parameters, fit_parameters
from questions.study.plan import InterviewPlan
from questions.study.queue import ReviewQueue, build_review_queue
from questions.study.readiness import PlanPacing, PlanReport, apply_interview_cap, pacing, plan_report
from questions.study.review_record import ReviewMode, ReviewOutcome, ReviewRecord
from questions.study.review_session import QueueCounts, ReviewSession
from questions.study.scheduler import StudyScheduler, format_interval
from questions.study.session import StudySession
from questions.study.settings import StudySettings
from questions.study.snapshot import ProgressSnapshot
from questions.study.stats import DayCount, Retention, StudyStats, TopicMastery, compute_stats
from questions.study.store import ImportSummary, ProgressStore
from questions.study.weak import is_weak, weak_ids, weak_question_ids

__all__ = [
    "AnswerCheck",
    "CardState",
    "ChoiceAnswer",
    "ChoiceItem",
    "ChoiceOption",
    "ChoiceResult",
    "CorruptStoreError",
    "CramFilter",
    "CramSession",
    "DayCount",
    "FilteredSession",
    "ImportSummary",
    "InterviewPlan",
    "KeyPointMatch",
    "MASTERY_HORIZON",
    "MockInterview",
    "MockResult",
    "MockStep",
    "MultipleChoiceSession",
    "NotEnoughReviewsError",
    "OptimizerUnavailableError",
    "ParameterFit",
    "PlanPacing",
    "PlanReport",
    "ProgressImportError",
    "ProgressSnapshot",
    "ProgressStore",
    "QueueCounts",
    "Rating",
    "RecallForecast",
    "Retention",
    "ReviewMode",
    "ReviewOutcome",
    "ReviewQueue",
    "ReviewRecord",
    "ReviewSession",
    "State",
    "StoreError",
    "StoreVersionError",
    "StudyError",
    "StudyScheduler",
    "StudySession",
    "StudySettings",
    "StudyStats",
    "TopicMastery",
    "TopicRecall",
    "TrendPoint",
    "UndoError",
    "WeakPoint",
    "apply_interview_cap",
    "apply_parameters",
    "build_review_queue",
    "check_typed_answer",
    "compute_stats",
    "fit_parameters",
    "follow_up_chain",
    "forecast_recall",
    "format_interval",
    "is_weak",
    "mastery",
    "pacing",
    "plan_report",
    "predicted_recall",
    "rating_for_coverage",
    "recall_trend",
    "require_utc",
    "select_questions",
    "shuffle_choices",
    "utc_now",
    "warm_up_chinese",
    "weak_ids",
    "weak_question_ids",
]
