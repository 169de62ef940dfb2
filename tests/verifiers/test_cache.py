"""The results cache: latest result per verifier; unreadable files skipped with a warning."""

import json

import pytest

from tests.verifiers.fakes import FAILS, PASSES
from verifiers.cache import CacheWarning, ResultsCache
from verifiers.runner import run_verifiers


def test_save_then_load_the_latest(tmp_path):
    cache = ResultsCache(tmp_path / "results")  # created on first save
    assert cache.load("fake-passes") is None and cache.load_all() == {}
    first = run_verifiers([PASSES], base_seed=1).results[0]
    second = run_verifiers([PASSES], base_seed=2).results[0]
    cache.save(first)
    cache.save(second)
    assert cache.load("fake-passes").to_dict() == second.to_dict()
    assert list((tmp_path / "results").iterdir()) == [tmp_path / "results" / "fake-passes.json"]  # no temp files left


def test_the_stamp_changes_with_every_save_and_removal_and_only_then(tmp_path):
    cache = ResultsCache(tmp_path / "results")
    assert cache.stamp() == ()  # no directory yet
    cache.save(run_verifiers([PASSES], base_seed=1).results[0])
    first = cache.stamp()
    assert first == cache.stamp() and [entry[0] for entry in first] == ["fake-passes.json"]
    cache.save(run_verifiers([PASSES], base_seed=2).results[0])  # at once: even within the clock's resolution
    assert cache.stamp() != first
    cache.save(run_verifiers([FAILS]).results[0])
    assert [entry[0] for entry in cache.stamp()] == ["fake-fails.json", "fake-passes.json"]
    cache.path_for("fake-passes").unlink()
    assert [entry[0] for entry in cache.stamp()] == ["fake-fails.json"]


def test_corrupt_and_foreign_files_are_ignored_with_a_warning(tmp_path):
    cache = ResultsCache(tmp_path)
    good = run_verifiers([PASSES]).results[0]
    cache.save(good)
    (tmp_path / "truncated.json").write_text('{"schema_version": 1, "verifier_id"')
    (tmp_path / "old.json").write_text(json.dumps({"schema_version": 0}))
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    misplaced = run_verifiers([FAILS]).results[0].to_dict()
    (tmp_path / "renamed.json").write_text(json.dumps(misplaced))
    with pytest.warns(CacheWarning) as warned:
        loaded = cache.load_all()
    assert set(loaded) == {"fake-passes"}
    messages = " ".join(str(w.message) for w in warned)
    for name in ("truncated.json", "old.json", "binary.json", "renamed.json"):
        assert name in messages


def test_an_unwritable_cache_warns_instead_of_crashing(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    cache = ResultsCache(blocker)
    with pytest.warns(CacheWarning, match="could not save"):
        assert cache.save(run_verifiers([PASSES]).results[0]) is None
    assert blocker.read_text() == "a file where the cache directory should be"
