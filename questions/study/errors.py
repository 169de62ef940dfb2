"""Errors of the study engine that the user can act on.

Each carries ``exit_code = 2`` (bad input, see ``docs/contracts.md``) and a
message that says what is wrong, where, and how to fix it, so ``tprep`` prints
it without a traceback and the app can show it in a dialog.
"""

from __future__ import annotations

from pathlib import Path


class StudyError(Exception):
    """Base class: a problem with the user's progress or input, not a bug."""

    exit_code = 2


class StoreError(StudyError):
    """The progress store cannot be opened or written (permissions, a directory, a lock)."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = Path(path)
        super().__init__(message)


class CorruptStoreError(StoreError):
    """The file at ``path`` is not a usable progress store; it has not been modified.

    The app offers ``ProgressStore.backup_and_reset(path)``, which moves the file
    aside (nothing is deleted) and starts a fresh store.
    """

    def __init__(self, path: Path, reason: str) -> None:
        self.reason = reason
        super().__init__(
            path,
            f"the progress store {path} cannot be used: {reason}. "
            "The file has not been changed. To keep studying, start a fresh store "
            "(the app offers this; the old file is kept as a backup beside it), "
            "or point --store / $TPREP_STORE at another file.",
        )


class StoreVersionError(StoreError):
    """The store was written by a newer tprep whose schema this version does not know."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            path,
            f"the progress store {path} has schema version {found}, but this tprep "
            f"understands versions up to {supported}. Upgrade transformer-prep, or "
            "point --store / $TPREP_STORE at another file. The file has not been changed.",
        )


class ProgressImportError(StudyError):
    """A progress JSON file (``tprep`` export) is malformed; ``where`` locates the problem."""

    def __init__(self, source: str, where: str, message: str) -> None:
        self.source = source
        self.where = where
        super().__init__(
            f"{source}: {where}: {message}. Nothing was imported; "
            "use a file written by the progress export."
        )


class UndoError(StudyError):
    """There is nothing to undo, or the card has been reviewed again since."""


class NotEnoughReviewsError(StudyError):
    """The review log is too short for FSRS's optimizer to fit parameters to it."""

    def __init__(self, eligible: int, needed: int, reviews: int, questions: int) -> None:
        self.eligible = eligible
        self.needed = needed
        super().__init__(
            f"your review log has {eligible} reviews the FSRS optimizer can learn from, and it needs {needed} "
            f"(below that it returns the default parameters unchanged). A review counts when it comes at least "
            f"a day after the previous review of the same question, up to 64 per question; your log has "
            f"{reviews} scheduled reviews of {questions} questions. Keep reviewing (about {needed - eligible} "
            "more such reviews) and run 'tprep progress optimize' again. Nothing was changed."
        )


class OptimizerUnavailableError(StudyError):
    """The optional packages FSRS's optimizer needs (pandas, tqdm) are not installed."""

    def __init__(self, missing: str) -> None:
        super().__init__(
            f"fitting FSRS parameters needs the optimizer's extra packages ({missing} is missing). "
            "Install them with: pip install 'transformer-prep[optimizer]' (or: pip install 'fsrs[optimizer]'). "
            "Nothing was changed."
        )
