from __future__ import annotations

from datetime import datetime, timedelta, timezone

import fsrs
import pytest

from questions.study import CardState, Rating, State, StudyScheduler, StudySettings, format_interval
from questions.study.clock import require_utc

from .factory import T0


def test_first_reviews_follow_the_learning_steps_exactly(scheduler):
    card = CardState.new("q")
    assert card.is_new and card.due is None
    again = scheduler.review(card, Rating.Again, T0)
    good = scheduler.review(card, Rating.Good, T0)
    easy = scheduler.review(card, Rating.Easy, T0)
    assert (again.state, again.due - T0) == (State.Learning, timedelta(minutes=1))
    assert (good.state, good.due - T0) == (State.Learning, timedelta(minutes=10))
    assert easy.state == State.Review and easy.due - T0 >= timedelta(days=1)
    assert card.is_new, "review returns a new object and leaves its input alone"
    assert good.reps == 1 and good.last_review == T0


def test_review_sequence_matches_bare_fsrs(scheduler):
    """Our wrapper must schedule exactly as fsrs does for the same ratings and times."""
    bare = fsrs.Scheduler(enable_fuzzing=False)
    bare_card = fsrs.Card(card_id=1, due=T0)
    ours = CardState.new("q")
    now = T0
    for rating in (Rating.Good, Rating.Good, Rating.Hard, Rating.Again, Rating.Good, Rating.Easy):
        bare_card, _ = bare.review_card(bare_card, rating, now)
        ours = scheduler.review(ours, rating, now)
        assert ours.due == bare_card.due
        assert ours.stability == pytest.approx(bare_card.stability)
        assert ours.difficulty == pytest.approx(bare_card.difficulty)
        now = ours.due
    assert ours.reps == 6
    assert ours.lapses == 1, "the Again came in the Review state"


def test_desired_retention_changes_the_interval():
    card = CardState.new("q")
    strict = StudyScheduler(StudySettings(desired_retention=0.97, enable_fuzzing=False, day_timezone=timezone.utc))
    loose = StudyScheduler(StudySettings(desired_retention=0.8, enable_fuzzing=False, day_timezone=timezone.utc))
    assert strict.review(card, Rating.Easy, T0).due < loose.review(card, Rating.Easy, T0).due


def test_naive_datetimes_are_rejected(scheduler):
    with pytest.raises(ValueError, match="timezone-aware"):
        scheduler.review(CardState.new("q"), Rating.Good, datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        CardState(question_id="q", due=datetime(2026, 3, 2))


def test_aware_non_utc_times_are_converted_to_utc():
    beijing = timezone(timedelta(hours=8))
    assert require_utc(datetime(2026, 3, 2, 17, 0, tzinfo=beijing), "t") == T0
    assert require_utc(datetime(2026, 3, 2, 17, 0, tzinfo=beijing), "t").tzinfo == timezone.utc


def test_retrievability_is_zero_for_new_cards_and_decays(scheduler):
    assert scheduler.retrievability(CardState.new("q"), T0) == 0.0
    card = scheduler.review(scheduler.review(CardState.new("q"), Rating.Good, T0), Rating.Good, T0 + timedelta(minutes=10))
    soon = scheduler.retrievability(card, T0 + timedelta(days=1))
    later = scheduler.retrievability(card, T0 + timedelta(days=30))
    assert 1.0 >= soon > later > 0.0


def test_preview_labels_match_the_real_review_without_fuzz():
    fuzzy = StudyScheduler(StudySettings(enable_fuzzing=True, day_timezone=timezone.utc))
    card = CardState.new("q")
    preview = fuzzy.preview(card, T0)
    assert list(preview) == list(Rating)
    assert preview[Rating.Again] == timedelta(minutes=1)
    assert preview[Rating.Good] == timedelta(minutes=10)
    assert preview[Rating.Again] < preview[Rating.Hard] <= preview[Rating.Good] < preview[Rating.Easy]
    assert fuzzy._fsrs.enable_fuzzing, "preview restores the fuzzing setting"


@pytest.mark.parametrize(
    "interval, label",
    [
        (timedelta(seconds=20), "1m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=5), "5h"),
        (timedelta(days=4), "4d"),
        (timedelta(days=75), "2.5mo"),
        (timedelta(days=365 * 2), "2y"),
    ],
)
def test_format_interval(interval, label):
    assert format_interval(interval) == label


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"desired_retention": 1.2}, "desired_retention"),
        ({"daily_new_limit": -1}, "daily_new_limit"),
        ({"maximum_interval_days": 0}, "maximum_interval_days"),
        ({"weak_retrievability": 1.5}, "weak_retrievability"),
    ],
)
def test_settings_validation_names_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        StudySettings(**kwargs)


def test_card_state_round_trips_through_dict(scheduler):
    card = scheduler.review(CardState.new("attention-scale-sqrt-dk"), Rating.Good, T0)
    assert CardState.from_dict(card.to_dict()) == card
    assert CardState.from_dict(CardState.new("x").to_dict()) == CardState.new("x")
