"""A cache of validated banks, so that an unchanged bank loads without re-parsing.

Parsing YAML dominates loading the bank (libyaml composes ~10 MB/s here, and
the shipped bank is several hundred KiB). The result of a full lint is stored
under a key that covers everything the result depends on:

- the bytes of every bank file, with its path, its order and whether the
  shipped bank's rules apply to it;
- the verifiers' source (``verifiers.sources.declarations_digest``), from which the registry
  finds the verifier ids the bank may name: read as bytes, so that a hit imports no verifier;
- the source of the modules that decide the result (schema, linter, its report, files, model,
  errors, search), read by path, so a change of rules or types never reuses an old result;
- the Python version (pickles are not portable across every version).

So a cached result is exactly what a fresh lint would return (with every verifier module
loading: a lint that could not load some is partial, and never stored). Only the file
bytes are read on a hit; nothing is parsed. The questions are stored with their
search index built (``questions.search.index_questions``; ``search`` is among
the modules in the key), so the first search of a cached bank builds nothing. Entries are written atomically;
a corrupt or unreadable entry is treated as a miss, and a cache that cannot be
written is ignored: caching never turns a good load into an error.

The cache directory is chosen by the caller (``tui.paths`` decides paths);
a library default would write where the user did not ask.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from questions.files import BankFile
from questions.lint_report import LintReport

CACHE_PREFIX = "bank-"
CACHE_SUFFIX = ".pickle"
# The modules whose source decides the result, read by path: a hit needs neither the linter nor
# yaml, which importing the linter to find its file would cost the start (~15 ms).
_RULE_SOURCES = tuple(
    Path(__file__).with_name(f"{name}.py")
    for name in ("schema", "lint", "lint_report", "files", "model", "errors", "search", "bank_cache")
)


def cache_key(files: Sequence[BankFile], verifiers: str) -> str | None:
    """The key of this exact input (``verifiers``: ``verifiers_digest()``), or ``None`` when a file
    cannot be read (no caching then)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{sys.version_info[:2]}|{pickle.HIGHEST_PROTOCOL}".encode())
    for source in _RULE_SOURCES:
        digest.update(source.read_bytes())
    digest.update(verifiers.encode())
    for bank_file in files:
        try:
            content = bank_file.path.read_bytes()
        except OSError:
            return None
        digest.update(f"\0{bank_file.path}\0{bank_file.shipped}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def load_cached(cache_dir: Path, key: str) -> LintReport | None:
    try:
        with open(cache_dir / f"{CACHE_PREFIX}{key}{CACHE_SUFFIX}", "rb") as stream:
            report = pickle.load(stream)
    except Exception:  # noqa: BLE001 - missing, truncated or from another version: a miss
        return None
    return report if isinstance(report, LintReport) else None


def store(cache_dir: Path, key: str, report: LintReport) -> None:
    """Keep this result (and only this one: older entries are removed)."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".bank-", suffix=".tmp")
        with os.fdopen(fd, "wb") as stream:
            pickle.dump(report, stream, protocol=pickle.HIGHEST_PROTOCOL)
        target = cache_dir / f"{CACHE_PREFIX}{key}{CACHE_SUFFIX}"
        os.replace(temporary, target)
        for old in cache_dir.glob(f"{CACHE_PREFIX}*{CACHE_SUFFIX}"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full disk only costs speed


def verifiers_digest() -> str | None:
    """What the verifier ids depend on, found without importing the verifiers; ``None`` when the
    registry cannot say (not installed, or its files unreadable): no caching then."""
    try:
        from verifiers.sources import declarations_digest

        return declarations_digest()
    except Exception:  # noqa: BLE001 - a broken registry only costs the cache
        return None


def lint_with_cache(files: Sequence[BankFile], cache_dir: Path) -> LintReport:
    """``lint.lint_files(files)``, reusing the stored result when nothing it depends on changed."""
    verifiers = verifiers_digest()
    key = cache_key(files, verifiers) if verifiers is not None else None
    if key is not None:
        cached = load_cached(cache_dir, key)
        if cached is not None:
            return cached
    from questions import lint, search  # a miss: parse and check

    verifier_ids, note = lint.known_verifier_ids()
    if note is not None:  # a partial check (registry missing or broken) is not worth keeping
        return lint.lint_files(files)
    report = lint.lint_files(files, verifier_ids=verifier_ids)
    if key is not None:
        search.index_questions(report.questions)  # stored with them
        store(cache_dir, key, report)
    return report
