"""Holds: the queue, trapping a returned copy, transit, pickup, cancelling, expiry."""

import datetime

import pytest

from serambi.catalog.models import Item
from serambi.catalog.tests.factories import BranchFactory, ItemFactory
from serambi.circulation import selectors, services
from serambi.circulation.models import Hold, LoanRule
from serambi.core.errors import DomainError
from serambi.core.models import Notification
from serambi.members.models import Member
from serambi.members.tests.factories import MemberFactory

from .conftest import WEDNESDAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def hold_for(member, record, branch, now, **kwargs):
    return services.place_hold(
        record=record, member=member, pickup_branch=branch, by=None, now=now, **kwargs
    )


def refused(code, call, **kwargs):
    with pytest.raises(DomainError) as error:
        call(**kwargs)
    assert error.value.code == code, error.value
    return error.value


@pytest.fixture
def borrowed(item, member, librarian, now):
    """The only copy, out on loan to ``member``."""
    return services.checkout(item=item, member=member, by=librarian, now=now)


def test_queue_position_follows_the_order_holds_were_placed(borrowed, record, branch, now):
    first, second, third = (MemberFactory(home_branch=branch) for _ in range(3))
    holds = [
        hold_for(m, record, branch, now + i * DAY) for i, m in enumerate((first, second, third))
    ]
    assert [selectors.hold_queue_position(h) for h in holds] == [1, 2, 3]
    assert [line.position for line in selectors.member_holds(third)] == [3]


def test_returned_copy_goes_to_the_first_in_line_on_the_hold_shelf(
    borrowed, item, record, branch, librarian, other_member, now
):
    hold = hold_for(other_member, record, branch, now)
    result = services.checkin(item=item, by=librarian, now=now + 2 * DAY)
    hold.refresh_from_db()
    assert result.hold == hold
    assert result.item_status == Item.Status.ON_HOLD_SHELF
    assert hold.status == Hold.Status.READY
    assert hold.item == item
    assert hold.pickup_by == WEDNESDAY + 5 * DAY
    assert Notification.objects.filter(kind="circulation.hold_ready").exists()
    assert list(selectors.holds_awaiting_pickup(branch)) == [hold]


def test_copy_on_the_hold_shelf_is_lent_to_the_member_waiting_for_it(
    borrowed, item, record, branch, librarian, other_member, now
):
    hold = hold_for(other_member, record, branch, now)
    services.checkin(item=item, by=librarian, now=now + DAY)
    loan = services.checkout(item=item, member=other_member, by=librarian, now=now + 2 * DAY)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.FULFILLED
    assert loan.member == other_member


def test_copy_on_the_hold_shelf_is_refused_to_someone_else(
    borrowed, item, record, branch, librarian, other_member, now
):
    hold_for(other_member, record, branch, now)
    services.checkin(item=item, by=librarian, now=now + DAY)
    third = MemberFactory(home_branch=branch)
    error = refused(
        "circulation.item_on_hold_for_other",
        services.checkout,
        item=item,
        member=third,
        by=librarian,
        now=now + DAY,
    )
    assert error.data["overridable"]


def test_copy_returned_elsewhere_travels_to_the_pickup_branch(
    borrowed, item, record, branch, librarian, other_member, now
):
    elsewhere = BranchFactory(code="timur", name="Cabang Timur")
    hold = hold_for(other_member, record, elsewhere, now)
    result = services.checkin(item=item, by=librarian, branch=branch, now=now + DAY)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.IN_TRANSIT
    assert result.in_transit_to == elsewhere
    assert result.item_status == Item.Status.IN_TRANSIT
    # Arriving there: scanning it in receives it.
    arrived = services.checkin(item=item, by=librarian, branch=elsewhere, now=now + 2 * DAY)
    hold.refresh_from_db()
    assert arrived.hold == hold
    assert hold.status == Hold.Status.READY
    item.refresh_from_db()
    assert item.status == Item.Status.ON_HOLD_SHELF


def test_receive_transit_at_the_wrong_branch_is_refused(
    borrowed, item, record, branch, librarian, other_member, now
):
    elsewhere = BranchFactory(code="barat", name="Cabang Barat")
    hold_for(other_member, record, elsewhere, now)
    services.checkin(item=item, by=librarian, branch=branch, now=now + DAY)
    refused(
        "circulation.transit_elsewhere",
        services.receive_transit,
        item=item,
        branch=branch,
        by=librarian,
        now=now + DAY,
    )
    hold = services.receive_transit(item=item, branch=elsewhere, by=librarian, now=now + DAY)
    assert hold.status == Hold.Status.READY


def test_item_hold_takes_precedence_over_an_older_title_hold(
    borrowed, item, record, branch, librarian, other_member, now
):
    hold_for(other_member, record, branch, now)
    third = MemberFactory(home_branch=branch)
    item_hold = hold_for(third, record, branch, now + DAY, item=item)
    result = services.checkin(item=item, by=librarian, now=now + 2 * DAY)
    assert result.hold == item_hold


def test_pull_list_then_scan_traps_a_copy_from_the_shelf(
    record, branch, librarian, other_member, now
):
    on_shelf = ItemFactory(record=record, branch=branch, shelf_location="Rak 3")
    hold = hold_for(other_member, record, branch, now)
    assert hold.status == Hold.Status.WAITING
    (line,) = selectors.pull_list(branch)
    assert line["hold"] == hold and line["item"] == on_shelf
    assert line["shelf_location"] == "Rak 3"
    result = services.checkin(item=on_shelf, by=librarian, now=now)
    hold.refresh_from_db()
    assert result.hold == hold
    assert hold.status == Hold.Status.READY
    assert selectors.pull_list(branch) == []


def test_cancelling_a_ready_hold_passes_the_copy_to_the_next_in_line(
    borrowed, item, record, branch, librarian, other_member, now
):
    first = hold_for(other_member, record, branch, now)
    third = MemberFactory(home_branch=branch)
    second = hold_for(third, record, branch, now + DAY)
    services.checkin(item=item, by=librarian, now=now + 2 * DAY)
    services.cancel_hold(hold=first, by=librarian, reason="tidak jadi", now=now + 2 * DAY)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Hold.Status.CANCELLED
    assert second.status == Hold.Status.READY
    assert second.item == item


def test_cancelling_the_last_ready_hold_puts_the_copy_back_on_the_shelf(
    borrowed, item, record, branch, librarian, other_member, now
):
    hold = hold_for(other_member, record, branch, now)
    services.checkin(item=item, by=librarian, now=now + DAY)
    services.cancel_hold(hold=hold, by=librarian, now=now + DAY)
    item.refresh_from_db()
    assert item.status == Item.Status.AVAILABLE


def test_patron_cancels_their_own_hold_but_not_someone_elses(
    borrowed, record, branch, other_member, now, patron_user
):
    hold = hold_for(other_member, record, branch, now)
    refused("circulation.hold_not_found", services.cancel_hold, hold=hold, by=patron_user)
    other_member.user = patron_user
    other_member.save()
    assert services.cancel_hold(hold=hold, by=patron_user).status == Hold.Status.CANCELLED
    refused("circulation.hold_not_cancellable", services.cancel_hold, hold=hold, by=patron_user)


def test_uncollected_hold_expires_and_the_copy_goes_to_the_next_in_line(
    borrowed, item, record, branch, librarian, other_member, now
):
    first = hold_for(other_member, record, branch, now)
    third = MemberFactory(home_branch=branch)
    second = hold_for(third, record, branch, now + DAY)
    services.checkin(item=item, by=librarian, now=now + DAY)
    first.refresh_from_db()
    assert services.expire_holds(now=at(first.pickup_by)) == 0
    assert services.expire_holds(now=at(first.pickup_by + DAY)) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Hold.Status.EXPIRED
    assert second.status == Hold.Status.READY
    assert Notification.objects.filter(kind="circulation.hold_expired").exists()


def test_expired_hold_with_nobody_next_returns_the_copy_to_the_shelf(
    borrowed, item, record, branch, librarian, other_member, now
):
    hold = hold_for(other_member, record, branch, now)
    services.checkin(item=item, by=librarian, now=now + DAY)
    hold.refresh_from_db()
    services.expire_holds(now=at(hold.pickup_by + DAY))
    item.refresh_from_db()
    assert item.status == Item.Status.AVAILABLE


def test_hold_refused_when_the_rule_allows_none(borrowed, record, branch, other_member, now):
    LoanRule.objects.create(category=other_member.category, holds_allowed=False)
    refused(
        "circulation.holds_not_allowed",
        hold_for,
        member=other_member,
        record=record,
        branch=branch,
        now=now,
    )


def test_hold_refused_past_the_hold_limit(branch, other_member, now):
    for _ in range(3):
        hold_for(other_member, ItemFactory(branch=branch).record, branch, now)
    refused(
        "circulation.too_many_holds",
        hold_for,
        member=other_member,
        record=ItemFactory(branch=branch).record,
        branch=branch,
        now=now,
    )


def test_hold_refused_when_already_holding(borrowed, record, branch, other_member, now):
    hold_for(other_member, record, branch, now)
    refused(
        "circulation.already_holding",
        hold_for,
        member=other_member,
        record=record,
        branch=branch,
        now=now,
    )


def test_hold_refused_when_the_member_has_a_copy(borrowed, record, branch, member, now):
    refused(
        "circulation.already_has_copy",
        hold_for,
        member=member,
        record=record,
        branch=branch,
        now=now,
    )


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (Member.Status.SUSPENDED, "circulation.member_suspended"),
        (Member.Status.PENDING, "circulation.member_pending"),
        (Member.Status.EXPIRED, "circulation.member_expired"),
    ],
)
def test_hold_refused_for_a_blocked_member(
    borrowed, record, branch, other_member, now, status, code
):
    other_member.status = status
    other_member.save()
    refused(code, hold_for, member=other_member, record=record, branch=branch, now=now)


def test_hold_refused_for_a_title_without_loanable_copies(record, branch, other_member, now):
    ItemFactory(record=record, branch=branch, is_loanable=False)
    refused(
        "circulation.no_loanable_copies",
        hold_for,
        member=other_member,
        record=record,
        branch=branch,
        now=now,
    )


def test_borrowing_a_title_you_wait_for_collects_the_hold(record, branch, member, librarian, now):
    copy = ItemFactory(record=record, branch=branch)
    hold = hold_for(member, record, branch, now)
    services.checkout(item=copy, member=member, by=librarian, now=now)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.FULFILLED


def test_override_of_a_copy_in_transit_for_someone_else_sends_their_hold_back_to_the_queue(
    borrowed, item, record, branch, librarian, other_member, now
):
    elsewhere = BranchFactory(code="utara", name="Cabang Utara")
    hold = hold_for(other_member, record, elsewhere, now)
    services.checkin(item=item, by=librarian, branch=branch, now=now + DAY)
    third = MemberFactory(home_branch=branch)
    services.checkout(
        item=item, member=third, by=librarian, now=now + DAY, override_reason="diminta kepala"
    )
    hold.refresh_from_db()
    assert hold.status == Hold.Status.WAITING
    assert hold.item is None
