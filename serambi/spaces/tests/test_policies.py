"""The booking rules as pure functions: periods, grid, timing, weekly limits (no database)."""

import datetime

import pytest

from serambi.core.errors import DomainError
from serambi.spaces import policies
from serambi.spaces.types import BookingRules

from .conftest import WEDNESDAY, at

RULES = BookingRules(slot_minutes=30, min_minutes=30, max_minutes=120, book_ahead_days=14)
MORNING = ((datetime.time(8), datetime.time(12)), (datetime.time(13), datetime.time(16)))
NOW = at(WEDNESDAY, 7)


def periods(opens=None, closes=None, opening=MORNING):
    return policies.day_periods(WEDNESDAY, opening, opens=opens, closes=closes)


def test_day_periods_cut_the_branch_hours_to_the_rooms_hours():
    assert periods(opens=datetime.time(9), closes=datetime.time(14, 30)) == [
        (at(WEDNESDAY, 9), at(WEDNESDAY, 12)),
        (at(WEDNESDAY, 13), at(WEDNESDAY, 14, 30)),
    ]


def test_a_room_open_only_in_the_lunch_break_has_no_period():
    assert periods(opens=datetime.time(12), closes=datetime.time(13)) == []


def test_a_period_closing_at_midnight_ends_at_the_next_day():
    whole = policies.day_periods(
        WEDNESDAY, ((datetime.time(0), datetime.time(0)),), opens=None, closes=None
    )
    assert whole == [(at(WEDNESDAY, 0), at(WEDNESDAY + datetime.timedelta(days=1), 0))]


def test_slot_starts_stop_where_a_whole_slot_no_longer_fits():
    period = (at(WEDNESDAY, 8), at(WEDNESDAY, 9, 45))
    assert policies.slot_starts(period, 30) == [
        at(WEDNESDAY, 8),
        at(WEDNESDAY, 8, 30),
        at(WEDNESDAY, 9),
    ]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(at(WEDNESDAY, 9, 30), True), (at(WEDNESDAY, 9, 15), False), (at(WEDNESDAY, 12), True)],
)
def test_the_grid_counts_from_the_periods_opening(moment, expected):
    assert policies.on_grid(moment, (at(WEDNESDAY, 8), at(WEDNESDAY, 12)), 30) is expected


def test_overlap_is_half_open():
    assert not policies.overlaps(
        at(WEDNESDAY, 9), at(WEDNESDAY, 10), at(WEDNESDAY, 10), at(WEDNESDAY, 11)
    )
    assert policies.overlaps(
        at(WEDNESDAY, 9), at(WEDNESDAY, 10, 1), at(WEDNESDAY, 10), at(WEDNESDAY, 11)
    )


def test_iso_week_runs_monday_to_monday():
    assert policies.iso_week(datetime.date(2026, 3, 8)) == (
        datetime.date(2026, 3, 2),
        datetime.date(2026, 3, 9),
    )


def refusal(function, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        function(**kwargs)
    return caught.value.code


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (at(WEDNESDAY, 6), at(WEDNESDAY, 7), "spaces.in_the_past"),
        (at(WEDNESDAY, 9), at(WEDNESDAY, 9, 15), "spaces.too_short"),
        (at(WEDNESDAY, 9), at(WEDNESDAY, 11, 30), "spaces.too_long"),
        (at(WEDNESDAY, 10), at(WEDNESDAY, 9), "spaces.invalid_times"),
        (
            at(WEDNESDAY + datetime.timedelta(days=15), 9),
            at(WEDNESDAY + datetime.timedelta(days=15), 10),
            "spaces.too_far_ahead",
        ),
    ],
)
def test_timing_refusals(start, end, code):
    assert (
        refusal(policies.check_timing, starts_at=start, ends_at=end, rules=RULES, now=NOW) == code
    )


def test_timing_accepts_the_last_day_ahead_and_the_longest_booking():
    last = WEDNESDAY + datetime.timedelta(days=14)
    policies.check_timing(starts_at=at(last, 9), ends_at=at(last, 11), rules=RULES, now=NOW)


@pytest.mark.parametrize(
    ("start", "end", "closed", "code"),
    [
        (at(WEDNESDAY, 9), at(WEDNESDAY, 10), True, "spaces.branch_closed"),
        (at(WEDNESDAY, 11, 30), at(WEDNESDAY, 13, 30), False, "spaces.outside_opening_hours"),
        (at(WEDNESDAY, 7, 30), at(WEDNESDAY, 8, 30), False, "spaces.outside_opening_hours"),
        (at(WEDNESDAY, 9, 10), at(WEDNESDAY, 10, 10), False, "spaces.off_grid"),
        (at(WEDNESDAY, 9), at(WEDNESDAY, 9, 45), False, "spaces.off_grid"),
    ],
)
def test_opening_refusals(start, end, closed, code):
    assert (
        refusal(
            policies.check_opening,
            starts_at=start,
            ends_at=end,
            periods=periods(),
            is_closed_day=closed,
            rules=RULES,
        )
        == code
    )


def test_opening_accepts_a_booking_inside_the_afternoon():
    period = policies.check_opening(
        starts_at=at(WEDNESDAY, 13, 30),
        ends_at=at(WEDNESDAY, 16),
        periods=periods(),
        is_closed_day=False,
        rules=RULES,
    )
    assert period == (at(WEDNESDAY, 13), at(WEDNESDAY, 16))


def test_weekly_limits_count_bookings_and_hours():
    hour = datetime.timedelta(hours=1)
    common = {"monday": datetime.date(2026, 3, 2), "length": 2 * hour}
    policies.check_weekly_limits(booked_this_week=[hour], max_hours=3, max_bookings=2, **common)
    with pytest.raises(DomainError) as caught:
        policies.check_weekly_limits(
            booked_this_week=[hour, hour], max_hours=None, max_bookings=2, **common
        )
    assert caught.value.data["max_bookings"] == 2
    with pytest.raises(DomainError) as caught:
        policies.check_weekly_limits(
            booked_this_week=[2 * hour], max_hours=3, max_bookings=None, **common
        )
    assert caught.value.code == "spaces.weekly_limit"
    assert caught.value.data["used_hours"] == 2


@pytest.mark.parametrize(
    ("status", "expires_on", "blocked"),
    [
        ("active", WEDNESDAY, False),
        ("active", WEDNESDAY - datetime.timedelta(days=1), True),
        ("pending", None, True),
        ("suspended", None, True),
        ("expired", None, True),
    ],
)
def test_member_block(status, expires_on, blocked):
    block = policies.member_block(status=status, expires_on=expires_on, today=WEDNESDAY)
    assert (block is not None) is blocked
    if block:
        assert block.code == "spaces.member_blocked"


def test_min_booking_fits_counts_the_buffer_and_the_periods_end():
    rules = BookingRules(
        slot_minutes=30, min_minutes=60, max_minutes=120, book_ahead_days=14, buffer_minutes=15
    )
    period = (at(WEDNESDAY, 8), at(WEDNESDAY, 12))
    other = [(at(WEDNESDAY, 10), at(WEDNESDAY, 11))]
    assert policies.min_booking_fits(
        at(WEDNESDAY, 8, 30), period=period, rules=rules, holding=other
    )
    # 9:00–10:00 plus 15 minutes' buffer runs into the booking at 10:00.
    assert not policies.min_booking_fits(
        at(WEDNESDAY, 9), period=period, rules=rules, holding=other
    )
    assert not policies.min_booking_fits(
        at(WEDNESDAY, 11, 30), period=period, rules=rules, holding=[]
    )


def test_check_transition_refuses_what_the_table_does_not_allow():
    table = {"a": frozenset({"b"})}
    policies.check_transition(table, "a", "b", labels={})
    with pytest.raises(DomainError) as caught:
        policies.check_transition(table, "b", "a", labels={})
    assert caught.value.code == "spaces.illegal_transition"
