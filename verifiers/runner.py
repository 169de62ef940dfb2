"""Runs verifiers one after another, each isolated from the others.

Each verifier runs in its own thread: an exception becomes an ``error`` result
with the traceback kept, and a run that outlives its time limit becomes an
``error`` result too while the runner moves on (Python cannot kill a thread,
so the runner sets the context's stop event, which ``Context.check_cancelled``
turns into an exception inside cooperative verifiers). A separate process per
verifier would isolate harder, but would pay sympy's or torch's import for
every verifier and break the 10-second budget of the symbolic suite.

Seeds are derived from the base seed and the verifier id, so results do not
depend on which other verifiers ran in the same call. Cancelling (the TUI's
cancel button sets the ``cancel`` event) is honoured between verifiers; the
verifier in flight is asked to stop and its partial result is dropped.
"""

from __future__ import annotations

import importlib.metadata
import platform
import sys
import threading
import time
import traceback
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Sequence

from verifiers.cache import ResultsCache
from verifiers.result import Bilingual, ClaimVerdict, Result, Status
from verifiers.spec import PROFILES, Cancelled, Context, Evidence, Verifier

DEVICES: tuple[str, ...] = ("cpu", "cuda", "auto")
# How long a timed-out or cancelled verifier gets to notice the stop event.
_STOP_GRACE_S = 2.0


class DeviceUnavailableError(RuntimeError):
    """``--device cuda`` on a machine where torch sees no CUDA device."""

    exit_code = 2


@dataclass(frozen=True)
class ProgressEvent:
    """Sent before (``result is None``) and after each verifier runs."""

    index: int  # 0-based position in this run
    total: int
    verifier: Verifier
    result: Result | None = None

    @property
    def finished(self) -> bool:
        return self.result is not None


@dataclass(frozen=True)
class RunOutcome:
    results: tuple[Result, ...]
    cancelled: bool = False
    not_run: tuple[str, ...] = ()  # ids skipped because the run was cancelled

    @property
    def all_passed(self) -> bool:
        return not self.cancelled and all(r.passed for r in self.results)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)


def derive_seed(base_seed: int, verifier_id: str) -> int:
    """A per-verifier seed that depends only on the base seed and the id."""
    return (base_seed * 1_000_003 + zlib.crc32(verifier_id.encode("utf-8"))) % (2**31 - 1)


def cuda_available() -> bool:
    import torch  # only asked when a GPU is requested or an experiment may use one

    return bool(torch.cuda.is_available())


def resolve_device(requested: str, verifiers: Sequence[Verifier]) -> str:
    """``cpu`` or ``cuda`` for this run; ``auto`` picks cuda when torch sees one.

    Symbolic verifiers never use a GPU, so a run without experiments resolves
    ``auto`` to ``cpu`` without importing torch.
    """
    if requested not in DEVICES:
        raise ValueError(f"device {requested!r} is not one of {', '.join(DEVICES)}")
    if requested == "cpu":
        return "cpu"
    if requested == "cuda":
        if not cuda_available():
            raise DeviceUnavailableError(
                "--device cuda was requested, but torch sees no CUDA device on this machine "
                "(a CPU-only torch build, or no GPU/driver). Use --device cpu, or --device auto "
                "to use a GPU only when one is present."
            )
        return "cuda"
    needs_torch = any(v.kind == "experiment" for v in verifiers)
    return "cuda" if needs_torch and cuda_available() else "cpu"


def run_verifiers(
    verifiers: Sequence[Verifier],
    *,
    profile: str = "quick",
    device: str = "cpu",
    base_seed: int = 0,
    timeout_s: float | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    cancel: threading.Event | None = None,
    cache: ResultsCache | None = None,
) -> RunOutcome:
    """Run ``verifiers`` in order and return their results.

    ``timeout_s`` overrides each verifier's own limit (``Verifier.timeout_s``).
    Each finished result is saved to ``cache`` when one is given.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(PROFILES)}")
    resolved_device = resolve_device(device, verifiers)
    results: list[Result] = []
    total = len(verifiers)
    for index, spec in enumerate(verifiers):
        if cancel is not None and cancel.is_set():
            return RunOutcome(tuple(results), cancelled=True, not_run=tuple(v.id for v in verifiers[index:]))
        if progress is not None:
            progress(ProgressEvent(index, total, spec))
        result = run_one(
            spec,
            profile=profile,
            device=resolved_device if spec.kind == "experiment" else "cpu",
            seed=derive_seed(base_seed, spec.id),
            timeout_s=spec.timeout_s(profile) if timeout_s is None else timeout_s,
            cancel=cancel,
        )
        if result is None:  # cancelled while it ran
            return RunOutcome(tuple(results), cancelled=True, not_run=tuple(v.id for v in verifiers[index:]))
        results.append(result)
        if cache is not None:
            cache.save(result)
        if progress is not None:
            progress(ProgressEvent(index, total, spec, result))
    return RunOutcome(tuple(results))


def run_one(
    spec: Verifier,
    *,
    profile: str = "quick",
    device: str = "cpu",
    seed: int = 0,
    timeout_s: float = 60.0,
    cancel: threading.Event | None = None,
) -> Result | None:
    """Run one verifier in its own thread; ``None`` if ``cancel`` was set while it ran."""
    ctx = Context(profile=profile, device=device, seed=seed)
    evidence = Evidence(spec)
    failure: list[str] = []

    def target() -> None:
        try:
            spec.run(ctx, evidence)
        except BaseException:  # noqa: BLE001 - anything a verifier raises is its result, not our crash
            failure.append(traceback.format_exc())

    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    started = time.perf_counter()
    worker = threading.Thread(target=target, name=f"verifier:{spec.id}", daemon=True)
    worker.start()
    deadline = started + timeout_s
    timed_out = False
    while worker.is_alive():
        worker.join(timeout=max(0.0, min(0.05, deadline - time.perf_counter())))
        if cancel is not None and cancel.is_set():
            ctx.stop.set()
            worker.join(_STOP_GRACE_S)
            return None
        if worker.is_alive() and time.perf_counter() >= deadline:
            timed_out = True
            ctx.stop.set()
            worker.join(_STOP_GRACE_S)
            break
    elapsed = time.perf_counter() - started

    error: str | None = None
    if timed_out:
        error = (
            f"timed out: still running after {timeout_s:g} s (estimated {spec.cost.seconds(profile):g} s); "
            "it was asked to stop and the run went on without it"
        )
    elif failure:
        error = failure[0]
    claims = _claim_verdicts(spec, evidence)
    if error is not None:
        status = Status.ERROR
    else:
        status = Status.PASSED if all(c.matched for c in claims) else Status.FAILED
    return Result(
        verifier_id=spec.id,
        kind=spec.kind,
        status=status,
        summary=_summary(evidence, status, claims, error),
        claims=claims,
        steps=tuple(evidence.steps),
        metrics=tuple(evidence.metrics),
        tables=tuple(evidence.tables),
        plots=tuple(evidence.plots),
        heatmaps=tuple(evidence.heatmaps),
        seed=seed,
        profile=profile,
        device=device,
        elapsed_s=round(elapsed, 4),
        started_at=started_at,
        versions=library_versions(spec.libraries),
        error=error,
    )


def _claim_verdicts(spec: Verifier, evidence: Evidence) -> tuple[ClaimVerdict, ...]:
    """Every declared claim, in declaration order; unchecked ones say so."""
    verdicts = []
    for claim in spec.claims:
        recorded = evidence.verdicts.get(claim.id)
        verdicts.append(
            recorded
            if recorded is not None
            else ClaimVerdict(
                claim_id=claim.id,
                statement=claim.statement,
                expected=claim.expected,
                observed=None,
                measured="not checked",
            )
        )
    return tuple(verdicts)


def _summary(evidence: Evidence, status: Status, claims: Sequence[ClaimVerdict], error: str | None) -> Bilingual:
    """The verifier's own summary when it finished; otherwise one said from the verdicts."""
    if evidence.summary is not None and status is not Status.ERROR:
        return evidence.summary
    matched = sum(1 for c in claims if c.matched)
    if status is Status.ERROR:
        last_line = (error or "").strip().splitlines()[-1] if error else "unknown error"
        return Bilingual(zh=f"运行出错：{last_line}", en=f"The run failed with an error: {last_line}")
    return Bilingual(
        zh=f"{len(claims)} 条论断中 {matched} 条与预期一致。",
        en=f"{matched} of {len(claims)} claims matched the expected verdict.",
    )


def library_versions(libraries: Sequence[str]) -> dict[str, str]:
    """Python's version and each named library's installed version."""
    versions = {"python": platform.python_version()}
    for name in libraries:
        module = sys.modules.get(name)
        version = getattr(module, "__version__", None) if module is not None else None
        if version is None:
            try:
                version = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                version = "not installed"
        versions[name] = str(version)
    return versions


__all__ = [
    "DEVICES",
    "Cancelled",
    "DeviceUnavailableError",
    "ProgressEvent",
    "RunOutcome",
    "derive_seed",
    "resolve_device",
    "run_one",
    "run_verifiers",
]
