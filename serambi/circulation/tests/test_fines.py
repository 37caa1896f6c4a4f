"""Fines: payments with receipts, waivers, lost and damaged copies."""

import re

import pytest

from serambi.catalog.models import Item
from serambi.circulation import selectors, services
from serambi.circulation.models import Fine, Loan, Payment
from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db


def refused(code, call, **kwargs):
    with pytest.raises(DomainError) as error:
        call(**kwargs)
    assert error.value.code == code, error.value
    return error.value


@pytest.fixture
def fine(member):
    return Fine.objects.create(member=member, kind=Fine.Kind.OVERDUE, amount=5_000)


def test_partial_payment_leaves_a_balance_and_gives_a_receipt(fine, librarian, branch):
    payment = services.pay_fine(fine=fine, amount=2_000, by=librarian, branch=branch)
    fine.refresh_from_db()
    assert fine.balance == 3_000
    assert fine.settled_at is None
    assert re.fullmatch(r"KW-\d{4}-\d{6}", payment.receipt_number)
    assert Notification.objects.filter(kind="circulation.payment_receipt").exists()
    assert AuditEntry.objects.filter(action="circulation.pay_fine").exists()


def test_paying_the_balance_settles_the_fine(fine, librarian):
    services.pay_fine(fine=fine, amount=2_000, by=librarian)
    services.pay_fine(fine=fine, amount=3_000, by=librarian)
    fine.refresh_from_db()
    assert fine.balance == 0
    assert fine.settled_at is not None
    assert selectors.unpaid_total(fine.member) == 0


def test_receipt_numbers_are_unique(fine, librarian):
    numbers = {
        services.pay_fine(fine=fine, amount=1_000, by=librarian).receipt_number for _ in range(5)
    }
    assert len(numbers) == 5


def test_overpayment_is_refused_naming_the_balance(fine, librarian):
    error = refused(
        "circulation.overpayment", services.pay_fine, fine=fine, amount=6_000, by=librarian
    )
    assert "Rp 5.000" in error.message


@pytest.mark.parametrize("amount", [0, -5])
def test_payment_of_less_than_one_rupiah_is_refused(fine, librarian, amount):
    refused("circulation.invalid_amount", services.pay_fine, fine=fine, amount=amount, by=librarian)


def test_waiver_needs_a_reason(fine, manager):
    refused(
        "circulation.reason_required",
        services.waive_fine,
        fine=fine,
        amount=None,
        reason="",
        by=manager,
    )


def test_waiver_needs_the_permission(fine, librarian):
    refused(
        "circulation.waive_not_allowed",
        services.waive_fine,
        fine=fine,
        amount=None,
        reason="banjir",
        by=librarian,
    )


def test_waiver_of_the_whole_balance_settles_and_is_audited(fine, manager):
    payment = services.waive_fine(fine=fine, amount=None, reason="korban banjir", by=manager)
    fine.refresh_from_db()
    assert payment.kind == Payment.Kind.WAIVER
    assert fine.waived == 5_000 and fine.settled_at is not None
    entry = AuditEntry.objects.get(action="circulation.waive_fine")
    assert entry.data["reason"] == "korban banjir"


def test_declaring_a_copy_lost_charges_its_price_and_the_late_fine(item, member, librarian, now):
    import datetime

    loan = services.checkout(item=item, member=member, by=librarian, now=now)
    later = now + datetime.timedelta(days=16)  # two days late
    lost = services.declare_lost(loan=loan, by=librarian, now=later)
    loan.refresh_from_db()
    item.refresh_from_db()
    assert loan.status == Loan.Status.LOST
    assert item.status == Item.Status.LOST
    assert lost.kind == Fine.Kind.LOST and lost.amount == 85_000
    assert Fine.objects.get(loan=loan, kind=Fine.Kind.OVERDUE).amount == 1_000


def test_a_copy_without_a_price_costs_the_default_replacement_charge(item, member, librarian, now):
    item.price = None
    item.save()
    loan = services.checkout(item=item, member=member, by=librarian, now=now)
    assert services.declare_lost(loan=loan, by=librarian, now=now).amount == (
        services.DEFAULT_REPLACEMENT_CHARGE
    )


def test_damage_charge_marks_the_copy_damaged(item, member, librarian):
    fine = services.charge_damage(
        item=item, member=member, amount=15_000, description="Sampul sobek", by=librarian
    )
    item.refresh_from_db()
    assert fine.kind == Fine.Kind.DAMAGED
    assert item.status == Item.Status.DAMAGED


def test_damage_charge_refused_while_the_copy_is_on_loan(item, member, librarian, now):
    services.checkout(item=item, member=member, by=librarian, now=now)
    refused(
        "circulation.item_in_circulation",
        services.charge_damage,
        item=item,
        member=member,
        amount=15_000,
        description="Basah",
        by=librarian,
    )


def test_damage_charge_needs_a_description(item, member, librarian):
    refused(
        "circulation.reason_required",
        services.charge_damage,
        item=item,
        member=member,
        amount=15_000,
        description=" ",
        by=librarian,
    )
