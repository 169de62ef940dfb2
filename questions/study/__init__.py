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

from __future__ import annotations

import importlib

# Each public name -> the module that defines it, imported when the name is first used (PEP 562).
# Importing submodules here, eagerly, made every ``questions.study.X`` import run this package's
# imports first: a thread importing ``questions.study.queue`` while another imported
# ``questions.study.store`` then waited for each other (an import circle through the package),
# and CPython broke the tie by failing one import. Lazily, the two imports never wait in a circle.
_EXPORTS: dict[str, str] = {
    "AnswerCheck": "questions.study.answer_check",
    "apply_interview_cap": "questions.study.readiness",
    "apply_parameters": "questions.study.parameters",
    "build_review_queue": "questions.study.queue",
    "CardState": "questions.study.card",
    "check_typed_answer": "questions.study.answer_check",
    "ChoiceAnswer": "questions.study.multiple_choice",
    "ChoiceItem": "questions.study.multiple_choice",
    "ChoiceOption": "questions.study.multiple_choice",
    "ChoiceResult": "questions.study.multiple_choice",
    "compute_stats": "questions.study.stats",
    "CorruptStoreError": "questions.study.errors",
    "CramFilter": "questions.study.cram",
    "CramSession": "questions.study.cram",
    "DayCount": "questions.study.stats",
    "FilteredSession": "questions.study.cram",
    "fit_parameters": "questions.study.parameters",
    "follow_up_chain": "questions.study.mock_interview",
    "forecast_recall": "questions.study.forecast",
    "format_interval": "questions.study.scheduler",
    "ImportSummary": "questions.study.store",
    "InterviewPlan": "questions.study.plan",
    "is_weak": "questions.study.weak",
    "KeyPointMatch": "questions.study.answer_check",
    "mastery": "questions.study.forecast",
    "MASTERY_HORIZON": "questions.study.forecast",
    "MockInterview": "questions.study.mock_interview",
    "MockResult": "questions.study.mock_interview",
    "MockStep": "questions.study.mock_interview",
    "MultipleChoiceSession": "questions.study.multiple_choice",
    "NotEnoughReviewsError": "questions.study.errors",
    "OptimizerUnavailableError": "questions.study.errors",
    "pacing": "questions.study.readiness",
    "ParameterFit": "questions.study.parameters",
    "plan_report": "questions.study.readiness",
    "PlanPacing": "questions.study.readiness",
    "PlanReport": "questions.study.readiness",
    "predicted_recall": "questions.study.forecast",
    "ProgressImportError": "questions.study.errors",
    "ProgressSnapshot": "questions.study.snapshot",
    "ProgressStore": "questions.study.store",
    "QueueCounts": "questions.study.review_session",
    "Rating": "fsrs",
    "rating_for_coverage": "questions.study.grading",
    "recall_trend": "questions.study.forecast",
    "RecallForecast": "questions.study.forecast",
    "require_utc": "questions.study.clock",
    "Retention": "questions.study.stats",
    "ReviewMode": "questions.study.review_record",
    "ReviewOutcome": "questions.study.review_record",
    "ReviewQueue": "questions.study.queue",
    "ReviewRecord": "questions.study.review_record",
    "ReviewSession": "questions.study.review_session",
    "select_questions": "questions.study.cram",
    "shuffle_choices": "questions.study.multiple_choice",
    "State": "fsrs",
    "StoreError": "questions.study.errors",
    "StoreVersionError": "questions.study.errors",
    "StudyError": "questions.study.errors",
    "StudyScheduler": "questions.study.scheduler",
    "StudySession": "questions.study.session",
    "StudySettings": "questions.study.settings",
    "StudyStats": "questions.study.stats",
    "TopicMastery": "questions.study.stats",
    "TopicRecall": "questions.study.forecast",
    "TrendPoint": "questions.study.forecast",
    "UndoError": "questions.study.errors",
    "utc_now": "questions.study.clock",
    "warm_up_chinese": "questions.study.answer_check",
    "weak_ids": "questions.study.weak",
    "weak_question_ids": "questions.study.weak",
    "WeakPoint": "questions.study.mock_interview",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # found directly next time
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
