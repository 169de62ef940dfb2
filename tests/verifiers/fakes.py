"""Test-only verifiers: they exercise the runner and the CLI without the shipped ones."""

from __future__ import annotations

import time

from verifiers.registry import Registry
from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, Verifier, verifier


def _text(s: str) -> Bilingual:
    return Bilingual(zh=f"{s}（中文）", en=s)


def _spec(verifier_id: str, run, claims=None, kind="symbolic") -> Verifier:
    return verifier(
        id=verifier_id,
        kind=kind,
        title=_text(f"fake {verifier_id}"),
        explanation=_text("a verifier that only exists in the tests"),
        cost=Cost(quick_s=0.01),
        claims=claims or (Claim("holds", _text("one plus one is two")), Claim("wrong", _text("one plus one is three"), expected=False)),
        libraries=("numpy",),
    )(run)


def _passes(ctx: Context, evidence: Evidence) -> None:
    evidence.step("1 + 1 = 2", "一加一等于二", "one plus one is two")
    evidence.metric("sum", 2.0, zh="和", en="sum")
    evidence.table("sums", _text("sums"), ("a", "b", "a+b"), [(1, 1, 2), (2, 2, 4)])
    evidence.plot("line", _text("line"), _text("x"), _text("y"), {"y=2x": ([0, 1, 2], [0, 2, 4])})
    evidence.claim("holds", holds=1 + 1 == 2, measured="1 + 1 = 2", value=2)
    evidence.claim("wrong", holds=1 + 1 == 3, measured="1 + 1 = 2, not 3", value=2)
    evidence.set_summary("通过", f"passed with seed {ctx.seed}")


def _fails(ctx: Context, evidence: Evidence) -> None:
    evidence.claim("holds", holds=False, measured="measured something else")
    evidence.claim("wrong", holds=False, measured="fine")


def _raises(ctx: Context, evidence: Evidence) -> None:
    evidence.claim("holds", holds=True, measured="ok")
    raise RuntimeError("boom inside the verifier")


def _hangs(ctx: Context, evidence: Evidence) -> None:
    while True:  # cooperative: stops once the runner sets the stop event
        ctx.check_cancelled()
        time.sleep(0.01)


def _forgets_a_claim(ctx: Context, evidence: Evidence) -> None:
    evidence.claim("holds", holds=True, measured="ok")


PASSES = _spec("fake-passes", _passes)
FAILS = _spec("fake-fails", _fails)
RAISES = _spec("fake-raises", _raises)
HANGS = _spec("fake-hangs", _hangs)
FORGETS = _spec("fake-forgets-a-claim", _forgets_a_claim)
EXPERIMENT = _spec("fake-experiment", _passes, kind="experiment")

FAKE_REGISTRY = Registry.of([PASSES, FAILS, RAISES, FORGETS, EXPERIMENT])


def _ignores_the_stop_event(ctx: Context, evidence: Evidence) -> None:
    time.sleep(1.0)  # never calls ctx.check_cancelled()
    evidence.claim("holds", holds=True, measured="too late")


STUBBORN = _spec("fake-stubborn", _ignores_the_stop_event)
