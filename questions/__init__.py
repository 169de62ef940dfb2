"""The question bank and everything done with it: model, loading, linting,
study (scheduling, progress, sessions, answer checking, stats) and export.

No UI code lives here, and nothing here imports torch or sympy.
"""

from questions.files import BUILTIN_BANK_DIR
from questions.loader import load_bank
from questions.model import LANGS, Bank, Caveat, Choice, Lang, Question, Source, Text, TextList

__all__ = [
    "BUILTIN_BANK_DIR",
    "LANGS",
    "Bank",
    "Caveat",
    "Choice",
    "Lang",
    "Question",
    "Source",
    "Text",
    "TextList",
    "load_bank",
]
