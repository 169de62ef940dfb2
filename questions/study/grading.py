"""How an answer's key-point coverage becomes a suggested FSRS rating, in one place.

Used by typed-answer checking and mock interviews, so the same answer earns
the same suggestion in both. The user always confirms or overrides it.
"""

from __future__ import annotations

from fsrs import Rating

PASS_COVERAGE = 0.5  # at least half the key points: recalled, with effort
# Three fifths or more: recalled. A strong answer in the candidate's own words often leaves out
# a point or two of five (a citation, a typical value, a consequence), and calling that "serious
# difficulty" (Hard) would shorten the interval of a card the candidate knows. Hard is left for
# answers that state about half the points.
GOOD_COVERAGE = 0.6


def rating_for_coverage(coverage: float, *, over_time: bool = False, skipped: bool = False) -> Rating:
    """At least three fifths of the key points -> Good; at least half, or Good but too
    slowly -> Hard; less -> Again."""
    if not 0.0 <= coverage <= 1.0:
        raise ValueError(f"coverage must be between 0 and 1, got {coverage}")
    if skipped or coverage < PASS_COVERAGE:
        return Rating.Again
    if coverage < GOOD_COVERAGE or over_time:
        return Rating.Hard
    return Rating.Good
