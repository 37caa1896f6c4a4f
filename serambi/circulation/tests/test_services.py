"""Lending, returning and renewing: every block, the calendar, the audit trail, the receipts."""

import datetime

import pytest

from serambi.catalog.models import Item, MaterialType
from serambi.catalog.tests.factories import BranchFactory, ItemFactory, RecordFactory
from serambi.circulation import selectors, services
from serambi.circulation.calendar import BranchCalendar
from serambi.circulation.models import Channel, Fine, Loan, LoanRule
from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry, ClosedDay, Notification, OpeningHours
from serambi.members.models import Member
from serambi.members.tests.factories import category

from .conftest import WEDNESDAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def refused(code: str, call, **kwargs):
    with pytest.raises(DomainError) as error:
        call(**kwargs)
    assert error.value.code == code, error.value
    return error.value


def lend(item, member, by, now, **kwargs):
    return services.checkout(item=item, member=member, by=by, now=now, **kwargs)


# --- calendar -----------------------------------------------------------------------------


def test_branch_without_opening_hours_is_always_open(branch):
    assert BranchCalendar(branch).is_open(WEDNESDAY)


def test_calendar_reads_weekdays_and_closed_days_in_two_queries(branch, django_assert_num_queries):
    OpeningHours.objects.create(
        branch=branch, weekday=2, opens=datetime.time(8), closes=datetime.time(16)
    )
    ClosedDay.objects.create(branch=None, date=WEDNESDAY + 7 * DAY, reason="Nyepi")
    calendar = BranchCalendar(branch)
    with django_assert_num_queries(2):
        assert calendar.is_open(WEDNESDAY)
        assert not calendar.is_open(WEDNESDAY + DAY)  # Thursday: no hours
        assert not calendar.is_open(WEDNESDAY + 7 * DAY)  # library-wide holiday
        assert calendar.is_open(WEDNESDAY + 14 * DAY)


def test_another_branchs_closed_day_does_not_close_this_one(branch):
    ClosedDay.objects.create(branch=BranchFactory(), date=WEDNESDAY)
    assert BranchCalendar(branch).is_open(WEDNESDAY)


# --- checkout --------------------------------------------------------------------------------


def test_checkout_lends_the_copy_with_the_rules_terms(item, member, librarian, now, default_rule):
    loan = lend(item, member, librarian, now)
    item.refresh_from_db()
    assert item.status == Item.Status.ON_LOAN
    assert loan.status == Loan.Status.ON_LOAN
    assert loan.due_on == WEDNESDAY + 14 * DAY
    assert (loan.fine_per_day, loan.fine_cap, loan.grace_days) == (500, 10_000, 0)
    assert loan.member_category == "umum"
    assert loan.checked_out_by == librarian
    assert AuditEntry.objects.filter(action="circulation.checkout", target_id=str(item.pk)).exists()


def test_checkout_due_date_skips_the_branchs_holiday(item, member, librarian, now, branch):
    ClosedDay.objects.create(branch=branch, date=WEDNESDAY + 14 * DAY, reason="Idul Fitri")
    loan = lend(item, member, librarian, now)
    assert loan.due_on == WEDNESDAY + 15 * DAY


def test_checkout_due_date_never_passes_the_card_expiry(item, member, librarian, now):
    member.expires_on = WEDNESDAY + 5 * DAY
    member.save()
    assert lend(item, member, librarian, now).due_on == WEDNESDAY + 5 * DAY


def test_most_specific_rule_decides_the_loan_period(item, member, librarian, now, branch):
    LoanRule.objects.create(category=category("umum"), loan_days=21)
    LoanRule.objects.create(branch=branch, category=category("umum"), loan_days=7)
    assert lend(item, member, librarian, now).due_on == WEDNESDAY + 7 * DAY


def test_checkout_queues_a_receipt(item, member, librarian, now):
    loan = lend(item, member, librarian, now)
    notices = Notification.objects.filter(kind="circulation.checkout_receipt")
    assert notices.count() == 2  # e-mail and WhatsApp
    assert "Laskar Pelangi" in notices.first().subject
    assert notices.first().target_id == str(loan.pk)


def test_checkout_refused_for_an_expired_card_naming_the_date(item, member, librarian, now):
    member.expires_on = WEDNESDAY - 2 * DAY
    member.save()
    error = refused(
        "circulation.member_expired", lend, item=item, member=member, by=librarian, now=now
    )
    assert "2026" in error.message
    assert error.data["overridable"] is True


def test_checkout_refused_for_a_member_whose_status_is_expired(item, member, librarian, now):
    member.status = Member.Status.EXPIRED
    member.save()
    refused("circulation.member_expired", lend, item=item, member=member, by=librarian, now=now)


def test_checkout_refused_for_a_suspended_member_even_with_an_override(
    item, member, librarian, now
):
    member.status = Member.Status.SUSPENDED
    member.save()
    refused(
        "circulation.member_suspended",
        lend,
        item=item,
        member=member,
        by=librarian,
        now=now,
        override_reason="kenal baik",
    )


def test_checkout_refused_for_a_pending_member(item, member, librarian, now):
    member.status = Member.Status.PENDING
    member.save()
    refused("circulation.member_pending", lend, item=item, member=member, by=librarian, now=now)


def test_checkout_refused_past_the_loan_limit(record, branch, member, librarian, now):
    items = ItemFactory.create_batch(4, record=RecordFactory(), branch=branch)
    for item in items[:3]:
        lend(item, member, librarian, now)
    error = refused(
        "circulation.too_many_loans", lend, item=items[3], member=member, by=librarian, now=now
    )
    assert "3" in error.message


def test_checkout_refused_when_unpaid_fines_reach_the_limit(item, member, librarian, now):
    Fine.objects.create(member=member, kind=Fine.Kind.OTHER, amount=12_500)
    error = refused(
        "circulation.fines_over_limit", lend, item=item, member=member, by=librarian, now=now
    )
    assert "Rp 12.500" in error.message
    assert "Rp 10.000" in error.message


def test_fine_limit_zero_turns_the_block_off(item, member, librarian, now, circ_settings):
    circ_settings.fine_limit = 0
    circ_settings.save()
    Fine.objects.create(member=member, kind=Fine.Kind.OTHER, amount=99_000)
    assert lend(item, member, librarian, now)


def test_checkout_refused_while_an_item_is_overdue(item, member, librarian, branch):
    lend(item, member, librarian, at(WEDNESDAY - 30 * DAY))
    other = ItemFactory(branch=branch)
    refused(
        "circulation.has_overdue", lend, item=other, member=member, by=librarian, now=at(WEDNESDAY)
    )


def test_checkout_refused_for_a_reference_copy(item, member, librarian, now):
    item.is_loanable = False
    item.save()
    refused("circulation.item_not_loanable", lend, item=item, member=member, by=librarian, now=now)


@pytest.mark.parametrize(
    "status",
    [
        Item.Status.LOST,
        Item.Status.MISSING,
        Item.Status.WITHDRAWN,
        Item.Status.IN_PROCESSING,
        Item.Status.DAMAGED,
    ],
)
def test_checkout_refused_for_a_copy_off_the_shelf(item, member, librarian, now, status):
    item.status = status
    item.save()
    refused("circulation.item_unavailable", lend, item=item, member=member, by=librarian, now=now)


def test_checkout_refused_when_the_copy_is_out_to_someone_else(
    item, member, other_member, librarian, now
):
    lend(item, other_member, librarian, now)
    refused("circulation.item_on_loan", lend, item=item, member=member, by=librarian, now=now)


def test_checkout_refused_when_the_member_already_has_the_copy(item, member, librarian, now):
    lend(item, member, librarian, now)
    refused(
        "circulation.already_on_loan_to_member",
        lend,
        item=item,
        member=member,
        by=librarian,
        now=now,
    )


def test_override_with_reason_and_permission_lends_and_is_audited(item, member, librarian, now):
    member.expires_on = WEDNESDAY - DAY
    member.save()
    loan = lend(item, member, librarian, now, override_reason="Perpanjangan kartu sedang diurus")
    assert loan.pk
    entry = AuditEntry.objects.get(action="circulation.override")
    assert entry.data["codes"] == ["circulation.member_expired"]


def test_override_without_the_permission_is_refused(item, member, now):
    from serambi.catalog.tests.factories import UserFactory

    clerk = UserFactory(username="magang", roles=["programs"])
    member.expires_on = WEDNESDAY - DAY
    member.save()
    error = refused(
        "circulation.member_expired",
        lend,
        item=item,
        member=member,
        by=clerk,
        now=now,
        override_reason="tolong",
    )
    assert error.data["override_denied"] is True


def test_override_without_a_reason_is_refused(item, member, librarian, now):
    member.expires_on = WEDNESDAY - DAY
    member.save()
    refused(
        "circulation.member_expired",
        lend,
        item=item,
        member=member,
        by=librarian,
        now=now,
        override_reason="  ",
    )


def test_database_constraint_settles_a_second_open_loan(item, member, other_member, now):
    Loan.objects.create(
        item=item, member=other_member, branch=item.branch, checked_out_at=now, due_on=WEDNESDAY
    )
    # The copy's status still says available: only the constraint stands in the way.
    with pytest.raises(DomainError) as error:
        lend(item, member, None, now)
    assert error.value.code == "circulation.item_on_loan"


def test_self_check_by_the_patron_is_not_audited(item, member, now, patron_user):
    member.user = patron_user
    member.save()
    lend(item, member, patron_user, now, channel=Channel.SELF_CHECK)
    assert not AuditEntry.objects.filter(action="circulation.checkout").exists()


# --- checkin -----------------------------------------------------------------------------------


def test_checkin_on_time_closes_the_loan_and_shelves_the_copy(item, member, librarian, now):
    loan = lend(item, member, librarian, now)
    result = services.checkin(item=item, by=librarian, now=now + 3 * DAY)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED
    assert loan.returned_by == librarian
    assert loan.return_branch == item.branch
    assert result.fine is None
    assert result.item_status == Item.Status.AVAILABLE
    assert result.member == member


def test_checkin_forgets_the_borrower_unless_they_keep_reading_history(
    item, member, librarian, now
):
    loan = lend(item, member, librarian, now)
    services.checkin(item=item, by=librarian, now=now + DAY)
    loan.refresh_from_db()
    assert loan.member is None
    assert loan.member_category == "umum"


def test_checkin_keeps_the_borrower_who_keeps_reading_history(item, member, librarian, now):
    member.keep_reading_history = True
    member.save()
    loan = lend(item, member, librarian, now)
    services.checkin(item=item, by=librarian, now=now + DAY)
    loan.refresh_from_db()
    assert loan.member == member
    assert list(selectors.loan_history(member)) == [loan]


def test_late_return_charges_a_fine_per_late_day(item, member, librarian, now):
    loan = lend(item, member, librarian, now)
    result = services.checkin(item=item, by=librarian, now=at(loan.due_on + 3 * DAY))
    assert result.fine.amount == 1_500
    assert result.fine.kind == Fine.Kind.OVERDUE
    assert result.fine.member == member


def test_late_fine_skips_closed_days(item, member, librarian, now, branch):
    loan = lend(item, member, librarian, now)
    ClosedDay.objects.create(branch=branch, date=loan.due_on + DAY)
    result = services.checkin(item=item, by=librarian, now=at(loan.due_on + 3 * DAY))
    assert result.fine.amount == 1_000


def test_late_fine_is_capped(item, member, librarian, now):
    loan = lend(item, member, librarian, now)
    result = services.checkin(item=item, by=librarian, now=at(loan.due_on + 60 * DAY))
    assert result.fine.amount == 10_000


def test_checkin_of_a_copy_not_out_is_a_calm_refusal(item, librarian, now):
    error = refused("circulation.not_on_loan", services.checkin, item=item, by=librarian, now=now)
    assert item.barcode in error.message


def test_lost_copy_that_comes_back_is_returned_and_the_charge_stays(item, member, librarian, now):
    loan = lend(item, member, librarian, now)
    lost_fine = services.declare_lost(loan=loan, by=librarian, now=now + DAY)
    result = services.checkin(item=item, by=librarian, now=now + 5 * DAY)
    loan.refresh_from_db()
    lost_fine.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED
    assert result.item_status == Item.Status.AVAILABLE
    assert lost_fine.balance == 85_000


# --- renew -------------------------------------------------------------------------------------


def test_renewal_counts_from_today(item, member, librarian, now):
    loan = lend(item, member, librarian, now)
    loan = services.renew(loan=loan, by=librarian, now=now + 10 * DAY)
    assert loan.due_on == WEDNESDAY + 24 * DAY
    assert loan.renewals == 1


def test_renewal_refused_at_the_renewal_limit(item, member, librarian, now):
    loan = lend(item, member, librarian, now)
    services.renew(loan=loan, by=librarian, now=now + DAY)
    refused("circulation.max_renewals", services.renew, loan=loan, by=librarian, now=now + 2 * DAY)


def test_renewal_refused_when_someone_waits(item, member, other_member, librarian, now, branch):
    loan = lend(item, member, librarian, now)
    services.place_hold(
        record=item.record, member=other_member, pickup_branch=branch, by=None, now=now
    )
    error = refused(
        "circulation.others_waiting", services.renew, loan=loan, by=librarian, now=now + DAY
    )
    assert error.data["overridable"]


def test_renewal_refused_when_someone_waits_can_be_overridden(
    item, member, other_member, librarian, now, branch
):
    loan = lend(item, member, librarian, now)
    services.place_hold(
        record=item.record, member=other_member, pickup_branch=branch, by=None, now=now
    )
    loan = services.renew(loan=loan, by=librarian, now=now + DAY, override_reason="skripsi")
    assert loan.renewals == 1


def test_renewal_refused_for_an_expired_card(item, member, librarian, now):
    loan = lend(item, member, librarian, now)
    member.expires_on = WEDNESDAY + DAY
    member.save()
    refused(
        "circulation.member_expired", services.renew, loan=loan, by=librarian, now=now + 3 * DAY
    )


def test_renewing_an_overdue_loan_charges_the_fine_so_far(item, member, librarian, now):
    loan = lend(item, member, librarian, now)
    late_day = loan.due_on + 4 * DAY
    late = at(late_day)
    loan = services.renew(loan=loan, by=librarian, now=late)
    fine = Fine.objects.get(loan=loan)
    assert fine.amount == 2_000
    assert loan.due_on == late_day + 14 * DAY
    # Returned on time after the renewal: nothing more to pay.
    result = services.checkin(item=item, by=librarian, now=late + DAY)
    assert result.fine is None


def test_renewal_of_a_returned_loan_is_refused(item, member, librarian, now):
    loan = lend(item, member, librarian, now)
    services.checkin(item=item, by=librarian, now=now)
    refused("circulation.not_on_loan", services.renew, loan=loan, by=librarian, now=now)


# --- member summary ------------------------------------------------------------------------------


def test_member_summary_shows_loans_fines_and_blocks(item, member, librarian, branch):
    loan = lend(item, member, librarian, at(WEDNESDAY - 20 * DAY))
    Fine.objects.create(member=member, kind=Fine.Kind.OTHER, amount=2_000)
    summary = selectors.member_summary(member, today=WEDNESDAY)
    (line,) = summary.loans
    assert line.loan == loan
    assert line.days_overdue == 6
    assert line.accruing_fine == 3_000
    assert summary.unpaid_total == 2_000
    assert summary.block_codes == ["circulation.has_overdue"]
    assert line.refusal is None  # an overdue loan may be renewed
    assert summary.open_loans == 1 and summary.overdue_loans == 1


def test_loan_rule_matrix_has_a_cell_per_category_and_material_type(branch, default_rule):
    special = LoanRule.objects.create(
        branch=branch, category=category("pelajar"), material_type=MaterialType.VIDEO, loan_days=3
    )
    matrix = selectors.loan_rule_matrix(branch=branch)
    row = matrix.rows[[c.code for c in matrix.categories].index("pelajar")]
    column = [code for code, _label in matrix.material_types].index(MaterialType.VIDEO)
    assert row[column] == special
    assert row[0] == default_rule


def test_access_loan_for_member_hides_other_members_loans(item, member, other_member, now):
    loan = lend(item, member, None, now)
    assert selectors.access_loan_for_member(loan.pk, member) == loan
    refused(
        "circulation.loan_not_found",
        selectors.access_loan_for_member,
        pk=loan.pk,
        member=other_member,
    )


# --- rules and settings ---------------------------------------------------------------------------


def test_save_loan_rule_refuses_a_duplicate(manager, branch):
    services.save_loan_rule(data={"branch": branch, "loan_days": 7}, by=manager)
    refused(
        "circulation.duplicate_rule",
        services.save_loan_rule,
        data={"branch": branch, "loan_days": 10},
        by=manager,
    )
    assert AuditEntry.objects.filter(action="circulation.save_loan_rule").count() == 1


def test_the_default_rule_cannot_be_deleted(manager, default_rule):
    refused(
        "circulation.default_rule_required",
        services.delete_loan_rule,
        rule=default_rule,
        by=manager,
    )


def test_update_settings_is_audited(manager, circ_settings):
    services.update_circulation_settings(data={"overdue_notice_days": "3, 10"}, by=manager)
    circ_settings.refresh_from_db()
    assert circ_settings.overdue_notice_days == "3,10"
    assert AuditEntry.objects.filter(action="circulation.update_settings").exists()
