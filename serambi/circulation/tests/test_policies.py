"""The pure rules: due dates, late days, fines, which rule applies. No database."""

import datetime

import pytest

from serambi.circulation import policies
from serambi.circulation.models import LoanRule
from serambi.core.errors import DomainError

D = datetime.date


def closed_on(*days: datetime.date, weekdays: tuple[int, ...] = ()):
    def is_open(day: datetime.date) -> bool:
        return day not in days and day.weekday() not in weekdays

    return is_open


def always_open(day: datetime.date) -> bool:
    return True


SUNDAY = (6,)


class TestDueDate:
    def test_due_date_is_start_plus_loan_days_when_open(self):
        assert policies.due_date(
            start=D(2026, 3, 4), loan_days=14, is_open=always_open, expires_on=None
        ) == D(2026, 3, 18)

    def test_due_date_on_a_sunday_moves_to_monday(self):
        # 2026-03-08 is a Sunday.
        due = policies.due_date(
            start=D(2026, 3, 1), loan_days=7, is_open=closed_on(weekdays=SUNDAY), expires_on=None
        )
        assert due == D(2026, 3, 9)

    def test_due_date_skips_a_holiday_and_the_weekly_closing_day_after_it(self):
        # Saturday 14 March a holiday, Sunday 15 closed every week: due Monday 16.
        is_open = closed_on(D(2026, 3, 14), weekdays=SUNDAY)
        due = policies.due_date(
            start=D(2026, 2, 28), loan_days=14, is_open=is_open, expires_on=None
        )
        assert due == D(2026, 3, 16)

    def test_due_date_crosses_a_month_end(self):
        assert policies.due_date(
            start=D(2026, 1, 25), loan_days=14, is_open=always_open, expires_on=None
        ) == D(2026, 2, 8)

    def test_due_date_crosses_the_end_of_february_in_a_leap_year(self):
        assert policies.due_date(
            start=D(2028, 2, 20), loan_days=10, is_open=always_open, expires_on=None
        ) == D(2028, 3, 1)

    def test_due_date_crosses_a_year_end_with_closed_new_year(self):
        is_open = closed_on(D(2027, 1, 1))
        due = policies.due_date(
            start=D(2026, 12, 18), loan_days=14, is_open=is_open, expires_on=None
        )
        assert due == D(2027, 1, 2)

    def test_due_date_never_passes_the_card_expiry(self):
        due = policies.due_date(
            start=D(2026, 3, 4), loan_days=14, is_open=always_open, expires_on=D(2026, 3, 10)
        )
        assert due == D(2026, 3, 10)

    def test_expiry_on_a_closed_day_moves_the_due_date_back_to_the_last_open_day(self):
        # 2026-03-08 is a Sunday.
        due = policies.due_date(
            start=D(2026, 3, 4),
            loan_days=14,
            is_open=closed_on(weekdays=SUNDAY),
            expires_on=D(2026, 3, 8),
        )
        assert due == D(2026, 3, 7)

    def test_expiry_cap_is_not_moved_before_the_start(self):
        due = policies.due_date(
            start=D(2026, 3, 7),
            loan_days=14,
            is_open=closed_on(D(2026, 3, 7), weekdays=SUNDAY),
            expires_on=D(2026, 3, 8),
        )
        assert due == D(2026, 3, 8)

    def test_an_already_expired_card_does_not_cap(self):
        due = policies.due_date(
            start=D(2026, 3, 4), loan_days=14, is_open=always_open, expires_on=D(2026, 3, 1)
        )
        assert due == D(2026, 3, 18)

    def test_a_branch_never_open_does_not_loop_forever(self):
        due = policies.due_date(
            start=D(2026, 3, 4), loan_days=14, is_open=lambda day: False, expires_on=None
        )
        assert due == D(2026, 3, 18)


class TestPickupDeadline:
    def test_counts_only_open_days(self):
        # From Friday 6 March, 3 open days with Sunday closed: Sat 7, Mon 9, Tue 10.
        assert policies.pickup_deadline(
            start=D(2026, 3, 6), days=3, is_open=closed_on(weekdays=SUNDAY)
        ) == D(2026, 3, 10)


class TestLateDays:
    def test_returned_on_time_is_not_late(self):
        assert (
            policies.late_days(
                due_on=D(2026, 3, 10),
                returned_on=D(2026, 3, 10),
                is_open=always_open,
                open_days_only=True,
            )
            == 0
        )

    def test_counts_calendar_days_when_asked(self):
        assert (
            policies.late_days(
                due_on=D(2026, 3, 10),
                returned_on=D(2026, 3, 17),
                is_open=closed_on(weekdays=SUNDAY),
                open_days_only=False,
            )
            == 7
        )

    def test_closed_days_are_not_counted_when_fines_count_open_days_only(self):
        # 11..17 March: Sunday 15 and the holiday on 12 are not counted.
        assert (
            policies.late_days(
                due_on=D(2026, 3, 10),
                returned_on=D(2026, 3, 17),
                is_open=closed_on(D(2026, 3, 12), weekdays=SUNDAY),
                open_days_only=True,
            )
            == 5
        )


class TestFine:
    def test_no_fine_within_grace_days(self):
        assert policies.fine_for(late_days=2, per_day=500, grace_days=2, cap=None) == 0

    def test_past_grace_every_late_day_counts(self):
        assert policies.fine_for(late_days=3, per_day=500, grace_days=2, cap=None) == 1_500

    def test_fine_is_capped(self):
        assert policies.fine_for(late_days=40, per_day=500, grace_days=0, cap=10_000) == 10_000

    def test_no_cap_means_no_cap(self):
        assert policies.fine_for(late_days=40, per_day=500, grace_days=0, cap=None) == 20_000

    def test_free_material_has_no_fine(self):
        assert policies.fine_for(late_days=40, per_day=0, grace_days=0, cap=None) == 0


def rule(pk, *, branch_id=None, category_id=None, material_type=""):
    return LoanRule(
        pk=pk, branch_id=branch_id, category_id=category_id, material_type=material_type
    )


class TestPickRule:
    RULES = [
        rule(1),
        rule(2, material_type="video"),
        rule(3, category_id=7),
        rule(4, category_id=7, material_type="video"),
        rule(5, branch_id=9),
        rule(6, branch_id=9, material_type="video"),
    ]

    def pick(self, **facts):
        return policies.pick_rule(self.RULES, **facts).pk

    def test_default_rule_when_nothing_more_specific(self):
        assert self.pick(category_id=1, material_type="book", branch_id=2) == 1

    def test_material_type_beats_default(self):
        assert self.pick(category_id=1, material_type="video", branch_id=2) == 2

    def test_category_beats_material_type(self):
        assert self.pick(category_id=7, material_type="book", branch_id=2) == 3

    def test_category_and_material_type_beat_category_alone(self):
        assert self.pick(category_id=7, material_type="video", branch_id=2) == 4

    def test_branch_beats_category_and_material_type(self):
        assert self.pick(category_id=7, material_type="video", branch_id=9) == 6
        assert self.pick(category_id=7, material_type="book", branch_id=9) == 5

    def test_no_rule_at_all_is_a_domain_error(self):
        with pytest.raises(DomainError) as error:
            policies.pick_rule(
                [rule(2, material_type="video")], category_id=1, material_type="book", branch_id=1
            )
        assert error.value.code == "circulation.no_loan_rule"


class TestMisc:
    def test_rupiah_has_dots_between_thousands(self):
        assert policies.rupiah(12_500) == "Rp 12.500"
        assert policies.rupiah(1_250_000) == "Rp 1.250.000"
        assert policies.rupiah(500) == "Rp 500"

    def test_overdue_level_is_the_latest_step_reached(self):
        assert policies.overdue_level(days_overdue=9, notice_days=[1, 7, 14]) == 7
        assert policies.overdue_level(days_overdue=0, notice_days=[1, 7, 14]) is None

    def test_notice_days_are_parsed_and_checked(self):
        assert policies.parse_notice_days("14, 1,7") == [1, 7, 14]
        with pytest.raises(DomainError):
            policies.parse_notice_days("1,x")

    def test_illegal_transition_is_refused(self):
        from serambi.circulation.models import Hold

        with pytest.raises(DomainError) as error:
            policies.check_transition(Hold.TRANSITIONS, "ready", "waiting", what="hold")
        assert error.value.code == "circulation.illegal_transition"

    def test_renewal_refused_at_the_limit_and_when_someone_waits(self):
        codes = [b.code for b in policies.renewal_blocks(renewals=1, max_renewals=1, waiting=2)]
        assert codes == ["circulation.max_renewals", "circulation.others_waiting"]
