"""The runner: isolation, timeouts, seeds, progress, cancel, device."""

import threading

import pytest

from tests.verifiers.fakes import FAILS, FORGETS, HANGS, PASSES, RAISES
from verifiers.cache import ResultsCache
from verifiers.result import Status
from verifiers.runner import DeviceUnavailableError, derive_seed, resolve_device, run_verifiers


def test_an_exception_and_a_timeout_become_errors_and_the_run_goes_on():
    outcome = run_verifiers([RAISES, HANGS, PASSES], timeout_s=0.5)
    by_id = {r.verifier_id: r for r in outcome.results}
    assert [r.verifier_id for r in outcome.results] == ["fake-raises", "fake-hangs", "fake-passes"]

    raised = by_id["fake-raises"]
    assert raised.status is Status.ERROR
    assert "RuntimeError: boom inside the verifier" in raised.error and "Traceback" in raised.error
    assert raised.claims[0].observed is True  # what it recorded before raising is kept
    assert "boom inside the verifier" in raised.summary.en

    hung = by_id["fake-hangs"]
    assert hung.status is Status.ERROR and "timed out" in hung.error
    assert 0.4 < hung.elapsed_s < 5

    assert by_id["fake-passes"].status is Status.PASSED
    assert not outcome.all_passed
    assert outcome.count(Status.ERROR) == 2


def test_passing_result_carries_the_evidence():
    (result,) = run_verifiers([PASSES], base_seed=7).results
    assert result.passed and all(c.matched for c in result.claims)
    assert result.claims[1].expected is False and result.claims[1].observed is False
    assert result.steps[0].prose.en == "one plus one is two"
    assert result.metric("sum").value == 2.0
    assert result.tables[0].rows == ((1, 1, 2), (2, 2, 4))
    assert result.plots[0].series[0].y == (0.0, 2.0, 4.0)
    assert result.seed == derive_seed(7, "fake-passes")
    assert result.summary.en == f"passed with seed {result.seed}"
    assert set(result.versions) == {"python", "numpy"}
    assert result.started_at.endswith("+00:00") and result.device == "cpu"


def test_a_mismatched_or_unchecked_claim_fails_the_run():
    failed, forgot = run_verifiers([FAILS, FORGETS]).results
    assert failed.status is Status.FAILED
    assert [c.matched for c in failed.claims] == [False, True]
    assert forgot.status is Status.FAILED
    assert forgot.claims[1].observed is None and forgot.claims[1].measured == "not checked"
    assert "1 of 2 claims" in forgot.summary.en


def test_seeds_depend_only_on_base_seed_and_id():
    assert derive_seed(0, "a") == derive_seed(0, "a")
    assert derive_seed(0, "a") != derive_seed(0, "b")
    assert derive_seed(0, "a") != derive_seed(1, "a")
    alone = run_verifiers([PASSES]).results[0].seed
    with_others = run_verifiers([FAILS, PASSES]).results[1].seed
    assert alone == with_others


def test_progress_events_come_before_and_after_each_verifier():
    events = []
    run_verifiers([PASSES, FAILS], progress=lambda e: events.append((e.index, e.total, e.verifier.id, e.finished)))
    assert events == [
        (0, 2, "fake-passes", False),
        (0, 2, "fake-passes", True),
        (1, 2, "fake-fails", False),
        (1, 2, "fake-fails", True),
    ]


def test_cancel_between_verifiers_stops_the_run():
    cancel = threading.Event()

    def cancel_after_first(event):
        if event.finished:
            cancel.set()

    outcome = run_verifiers([PASSES, FAILS, RAISES], progress=cancel_after_first, cancel=cancel)
    assert [r.verifier_id for r in outcome.results] == ["fake-passes"]
    assert outcome.cancelled and outcome.not_run == ("fake-fails", "fake-raises")
    assert not outcome.all_passed


def test_cancel_interrupts_a_cooperative_verifier_in_flight_and_drops_its_result(tmp_path):
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    cache = ResultsCache(tmp_path)
    outcome = run_verifiers([HANGS, PASSES], cancel=cancel, timeout_s=30, cache=cache)
    timer.join()
    assert outcome.results == () and outcome.cancelled
    assert outcome.not_run == ("fake-hangs", "fake-passes")
    assert cache.load_all() == {}


def test_results_are_cached_as_they_finish(tmp_path):
    cache = ResultsCache(tmp_path)
    run_verifiers([PASSES, RAISES], cache=cache)
    cached = cache.load_all()
    assert set(cached) == {"fake-passes", "fake-raises"}
    assert cached["fake-raises"].status is Status.ERROR


def test_devices(monkeypatch):
    assert resolve_device("cpu", [PASSES]) == "cpu"
    # auto with only symbolic verifiers never asks torch
    monkeypatch.setattr("verifiers.runner.cuda_available", lambda: pytest.fail("torch was asked"))
    assert resolve_device("auto", [PASSES]) == "cpu"
    monkeypatch.setattr("verifiers.runner.cuda_available", lambda: False)
    with pytest.raises(DeviceUnavailableError, match="no CUDA device") as caught:
        resolve_device("cuda", [PASSES])
    assert caught.value.exit_code == 2
    with pytest.raises(ValueError, match="tpu"):
        resolve_device("tpu", [PASSES])


def test_bad_profile_is_refused():
    with pytest.raises(ValueError, match="profile"):
        run_verifiers([PASSES], profile="huge")


def test_a_verifier_that_ignores_the_stop_event_still_becomes_a_timeout_error():
    from tests.verifiers.fakes import STUBBORN

    outcome = run_verifiers([STUBBORN, PASSES], timeout_s=0.2)
    stubborn, passes = outcome.results
    assert stubborn.status is Status.ERROR and "timed out" in stubborn.error
    assert passes.passed


def test_context_random_streams_are_seeded_and_independent():
    from verifiers.spec import Context

    a, b = Context(seed=5), Context(seed=5)
    assert (a.numpy_rng().random(4) == b.numpy_rng().random(4)).all()
    assert (a.numpy_rng(1).random(4) != a.numpy_rng(0).random(4)).all()
    assert (Context(seed=6).numpy_rng().random(4) != a.numpy_rng().random(4)).all()
    first, second = a.seed_torch().initial_seed(), b.seed_torch().initial_seed()
    assert first == second == 5


def test_check_cancelled_raises_once_stopped():
    from verifiers.spec import Cancelled, Context

    ctx = Context()
    ctx.check_cancelled()
    ctx.stop.set()
    with pytest.raises(Cancelled):
        ctx.check_cancelled()
