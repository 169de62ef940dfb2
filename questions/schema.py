"""The bank file schema in one place: field names, limits, id format, seed documents.

``docs/bank-schema.md`` explains every rule; the linter (``questions.lint``)
enforces them. Keep the three in step.
"""

from __future__ import annotations

import re

LANGUAGES = ("zh", "en")

FILE_KEYS = ("topic", "questions")

# Question fields in the order a bank file writes them.
REQUIRED_QUESTION_KEYS = ("id", "difficulty", "tags", "question", "answer", "key_points")
OPTIONAL_QUESTION_KEYS = ("choices", "follow_ups", "related", "sources", "references", "verifiers", "caveats")
QUESTION_KEYS = REQUIRED_QUESTION_KEYS + OPTIONAL_QUESTION_KEYS

CHOICE_KEYS = ("zh", "en", "correct")
SOURCE_KEYS = ("doc", "heading")
REFERENCE_KEYS = ("title", "authors", "year", "arxiv", "url")
REFERENCE_REQUIRED_KEYS = ("title", "authors", "year")
# A reference is found by its arXiv id (new style, optionally versioned, or old
# style such as "cs/0510034") or, for work not on arXiv, by a web address.
ARXIV_PATTERN = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")
URL_PATTERN = re.compile(r"https?://[^\s/$.?#][^\s]*")
REFERENCE_YEARS = (1900, 2100)
CAVEAT_KEYS = ("doc", "claim", "correction", "evidence")
CAVEAT_REQUIRED_KEYS = ("doc", "claim", "correction")

# Ids of questions and topics: lower-case words joined by single hyphens.
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ID_RULE = "lower-case letters and digits in words joined by single hyphens, e.g. 'attention-scale-sqrt-dk'"

DIFFICULTIES = {1: "basic", 2: "standard", 3: "deep"}
KEY_POINTS_MIN, KEY_POINTS_MAX = 3, 6
CHOICES_MIN_CORRECT, CHOICES_MIN_WRONG = 1, 3
# An English question or answer may quote a Chinese term; beyond this share of
# Chinese characters it is the Chinese text pasted into the wrong language.
MAX_CJK_SHARE_IN_ENGLISH = 0.3

# The five seed documents the shipped bank is built from (../shared/seeds/).
SEED_DOCUMENTS = (
    "000_b1566269e68ea388.txt",
    "001_4e44fbacfd5b86c1.txt",
    "002_f51c8fc0c724f297.txt",
    "003_272b2778acc6e0a6.txt",
    "004_9edf2fc9252e0cf8.txt",
)

_LEADING_HASHES = re.compile(r"^#+")
_LEADING_BULLET = re.compile(r"^[-*] ")


def normalise_heading(line: str) -> str:
    """A seed document line as a ``sources[].heading`` cites it.

    Remove leading whitespace, leading ``#`` characters, a leading list bullet
    (``- `` or ``* ``) and every ``**``; then trim surrounding whitespace.
    Everything else (numbering, inner spacing, full-width punctuation) is kept.
    """
    text = _LEADING_HASHES.sub("", line.lstrip()).lstrip()
    text = _LEADING_BULLET.sub("", text)
    return text.replace("**", "").strip()
