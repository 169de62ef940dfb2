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
  moves the schedule. ``CramSession``, ``CramFilter``, ``is_weak``, ``weak_question_ids``
  (cram) and ``MultipleChoiceSession``, ``ChoiceItem``, ``ChoiceResult``,
  ``shuffle_choices`` (multiple_choice): practice, logged but off the schedule unless
  ``reschedule=True``. ``MockInterview``, ``MockResult``, ``follow_up_chain``
  (mock_interview). Every session's ``rate`` commits before returning; ``undo`` reverts.
* ``check_typed_answer`` -> ``AnswerCheck`` (answer_check); ``rating_for_coverage`` (grading):
  the one coverage -> rating rule shared by typed answers and mock interviews.
* ``compute_stats`` -> ``StudyStats`` (stats).
* Errors (errors): ``StudyError`` and subclasses, all with ``exit_code = 2``.
"""

from fsrs import Rating, State

from questions.study.answer_check import AnswerCheck, KeyPointMatch, check_typed_answer, warm_up_chinese
from questions.study.card import CardState
from questions.study.clock import require_utc, utc_now
from questions.study.cram import CramFilter, CramSession, FilteredSession, is_weak, select_questions, weak_question_ids
from questions.study.errors import (
    CorruptStoreError,
    ProgressImportError,
    StoreError,
    StoreVersionError,
    StudyError,
    UndoError,
)
from questions.study.grading import rating_for_coverage
from questions.study.mock_interview import MockInterview, MockResult, MockStep, WeakPoint, follow_up_chain
from questions.study.multiple_choice import (
    ChoiceItem,
    ChoiceOption,
    ChoiceResult,
    MultipleChoiceSession,
    shuffle_choices,
)
from questions.study.queue import ReviewQueue, build_review_queue
from questions.study.review_record import ReviewMode, ReviewOutcome, ReviewRecord
from questions.study.review_session import QueueCounts, ReviewSession
from questions.study.scheduler import StudyScheduler, format_interval
from questions.study.session import StudySession
from questions.study.settings import StudySettings
from questions.study.stats import DayCount, Retention, StudyStats, TopicMastery, compute_stats
from questions.study.store import ImportSummary, ProgressStore

__all__ = [
    "AnswerCheck",
    "CardState",
    "ChoiceItem",
    "ChoiceOption",
    "ChoiceResult",
    "CorruptStoreError",
    "CramFilter",
    "CramSession",
    "FilteredSession",
    "DayCount",
    "ImportSummary",
    "KeyPointMatch",
    "MockInterview",
    "MockResult",
    "MockStep",
    "MultipleChoiceSession",
    "ProgressImportError",
    "ProgressStore",
    "QueueCounts",
    "Rating",
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
    "UndoError",
    "WeakPoint",
    "build_review_queue",
    "check_typed_answer",
    "compute_stats",
    "follow_up_chain",
    "format_interval",
    "is_weak",
    "rating_for_coverage",
    "require_utc",
    "select_questions",
    "shuffle_choices",
    "utc_now",
    "warm_up_chinese",
    "weak_question_ids",
]
