"""The validated-bank cache: reused only when nothing the result depends on changed."""

from __future__ import annotations

import pytest

import questions.files as files
import questions.lint as lint
from questions import load_bank
from questions.bank_cache import CACHE_PREFIX
from questions.errors import BankError
from tests.questions.bank_factory import question_yaml, write_question_file


@pytest.fixture
def bank_dir(tmp_path, monkeypatch):
    directory = tmp_path / "builtin"
    write_question_file(directory, "attention", [question_yaml("attention-a", verifiers=["v-one"])])
    monkeypatch.setattr(files, "BUILTIN_BANK_DIR", directory)
    monkeypatch.setattr(lint, "known_verifier_ids", lambda: (frozenset({"v-one"}), None))
    return directory


@pytest.fixture
def lint_runs(monkeypatch):
    """Counts full lints, to tell a cache hit from a miss."""
    calls = []
    real = lint.lint_files

    def counting(files, **kwargs):
        calls.append(files)
        return real(files, **kwargs)

    monkeypatch.setattr(lint, "lint_files", counting)
    return calls


def test_an_unchanged_bank_is_loaded_from_the_cache(bank_dir, tmp_path, lint_runs):
    cache = tmp_path / "cache"
    first = load_bank(cache_dir=cache)
    second = load_bank(cache_dir=cache)
    assert len(lint_runs) == 1
    assert second == first and second.get("attention-a").origin == first.get("attention-a").origin
    assert len(list(cache.glob(f"{CACHE_PREFIX}*"))) == 1


def test_a_cached_bank_comes_with_its_search_index_and_finds_the_same(bank_dir, tmp_path, lint_runs, monkeypatch):
    from questions import search

    cache = tmp_path / "cache"
    load_bank(cache_dir=cache)  # a miss: linted, indexed, stored
    cached = load_bank(cache_dir=cache)
    assert len(lint_runs) == 1
    assert all("_search_index" in question.__dict__ for question in cached)  # loaded, not built
    fresh = load_bank()  # no cache: the index is built by the first search
    assert not any("_search_index" in question.__dict__ for question in fresh)

    def built_on_search(question):
        raise AssertionError(f"{question.id}: the index was built again")

    expected = [(hit.question.id, hit.score, hit.fields) for hit in search.search_questions(fresh, "atention answr")]
    assert expected  # a typo in each term: the stored words are used
    monkeypatch.setattr(search, "_fields", built_on_search)
    assert [(hit.question.id, hit.score, hit.fields) for hit in search.search_questions(cached, "atention answr")] == expected


def test_prepare_search_leaves_the_first_search_nothing_to_load(bank_dir, tmp_path, monkeypatch):
    import pickle

    from questions import search

    cache = tmp_path / "cache"
    load_bank(cache_dir=cache)
    bank = load_bank(cache_dir=cache)
    search.prepare_search(bank)
    loads = []
    real_loads = pickle.loads
    monkeypatch.setattr(pickle, "loads", lambda data: loads.append(data) or real_loads(data))
    assert [hit.question.id for hit in search.search_questions(bank, "atention")] == ["attention-a"]
    assert loads == []  # the stored index was loaded already


def test_an_edited_file_or_edited_verifiers_are_linted_again(bank_dir, tmp_path, lint_runs, monkeypatch):
    from questions import bank_cache

    cache = tmp_path / "cache"
    load_bank(cache_dir=cache)
    path = bank_dir / "attention.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Answer", "A better answer"), encoding="utf-8")
    assert load_bank(cache_dir=cache).get("attention-a").answer.en == "A better answer"
    # The verifiers' source changed, and with it the ids they declare.
    monkeypatch.setattr(bank_cache, "verifiers_digest", lambda: "edited verifiers")
    monkeypatch.setattr(lint, "known_verifier_ids", lambda: (frozenset({"v-two"}), None))
    with pytest.raises(BankError, match="unknown verifier id 'v-one'"):
        load_bank(cache_dir=cache)
    assert len(lint_runs) == 3
    assert len(list(cache.glob(f"{CACHE_PREFIX}*"))) == 1  # only the latest result is kept


def test_a_hit_imports_neither_the_linter_nor_the_verifiers(bank_dir, tmp_path):
    """The key holds the linter's and the verifiers' source, read as bytes: loading a cached bank
    imports neither the linter (nor yaml), nor the registry and the ~50 verifier modules its
    discovery imports, which the app's start would pay."""
    import subprocess
    import sys
    from pathlib import Path

    cache = tmp_path / "cache"
    load_bank(cache_dir=cache)
    child = (
        "import sys, questions.files as files; from pathlib import Path; from questions import load_bank; "
        f"files.BUILTIN_BANK_DIR = Path({str(bank_dir)!r}); "
        f"bank = load_bank(cache_dir=Path({str(cache)!r})); "
        "print(bank.ids, sorted(m for m in sys.modules if m.startswith('verifiers')), "
        "[m for m in ('questions.lint', 'yaml') if m in sys.modules])"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True, cwd=root)
    assert done.stdout.strip() == "('attention-a',) ['verifiers', 'verifiers.sources'] []"


def test_problems_are_cached_too_and_still_raised(bank_dir, tmp_path, lint_runs):
    (bank_dir / "attention.yaml").write_text("topic: attention\nquestions: [1]\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(BankError, match="expected a question"):
            load_bank(cache_dir=tmp_path / "cache")
    assert len(lint_runs) == 1


def test_a_corrupt_entry_is_a_miss_and_an_unwritable_cache_is_ignored(bank_dir, tmp_path, lint_runs):
    cache = tmp_path / "cache"
    load_bank(cache_dir=cache)
    (entry,) = cache.glob(f"{CACHE_PREFIX}*")
    entry.write_bytes(b"not a pickle")
    assert load_bank(cache_dir=cache).ids == ("attention-a",)
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    assert load_bank(cache_dir=blocked / "cache").ids == ("attention-a",)  # cannot create it: no error
    assert len(lint_runs) == 3


def test_a_loaded_bank_gives_the_garbage_collector_little_to_walk(bank_dir, tmp_path):
    # Every full collection walks every object it tracks, and a full collection lands on
    # whichever key of the app allocates past its threshold: the bank, kept all session,
    # should add as few as it can. Model objects carry no per-instance dict (slots), and the
    # search index, once unpickled by a search, is plain tuples of strings, which the collector
    # stops tracking.
    import gc

    from questions.search import search_questions

    cache = tmp_path / "cache"
    load_bank(cache_dir=cache)
    bank = load_bank(cache_dir=cache)
    question = bank.get("attention-a")
    assert search_questions(bank, "answer")
    for _ in range(3):  # a collection untracks a tuple whose items it has untracked already: a level each
        gc.collect()
    stored, position = question.__dict__["_search_index"]
    fields = stored.fields(position)
    assert fields and not gc.is_tracked(fields) and not any(gc.is_tracked(field) for field in fields)
    for part in (question.question, question.key_points, *question.sources, question.origin):
        assert not hasattr(part, "__dict__"), type(part).__name__
