"""Fines and charges: payments, waivers, lost and damaged copies."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from serambi.catalog.models import Item
from serambi.catalog.services import set_circulation_status
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.core.services import record_audit
from serambi.members.models import Member

from .. import notices, selectors
from ..calendar import Calendars
from ..models import Fine, Loan, Payment
from ..policies import rupiah
from ._common import (
    DEFAULT_REPLACEMENT_CHARGE,
    WAIVE_PERMISSION,
    _audit_staff,
    _charge,
    _has_perm,
    _late_fine,
    _lock_item,
    _lock_member,
    _now,
    _person,
    _set_status,
    _today,
)
from .lending import _not_on_loan

# --- fines ---------------------------------------------------------------------------------------


def _check_amount(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise DomainError(
            "circulation.invalid_amount",
            _("The amount must be a whole number of rupiah, at least Rp 1."),
        )


def _lock_fine(fine: Fine) -> Fine:
    return (
        Fine.objects.select_for_update(of=("self",))
        .select_related("member", "member__user", "item")
        .get(pk=fine.pk)
    )


def _overpayment(fine: Fine, amount: int) -> DomainError:
    return DomainError(
        "circulation.overpayment",
        _("%(amount)s is more than the %(balance)s still owed on this fine.")
        % {"amount": rupiah(amount), "balance": rupiah(fine.balance)},
        amount=amount,
        balance=fine.balance,
    )


def _record_payment(
    *, fine: Fine, kind: str, amount: int, reason: str, branch: Branch | None, by: Any
) -> Payment:
    """Store a payment or waiver with a receipt number made from its own row number.

    "KW-2026-000123" (kuitansi) for a payment, "HD-2026-000124" (hapus denda)
    for a waiver: unique because the row number is, readable over a phone,
    and no counter to keep in step across app servers.
    """
    payment = Payment.objects.create(
        fine=fine,
        member=fine.member,
        kind=kind,
        amount=amount,
        reason=reason[:300],
        branch=branch,
        by=_person(by),
        # A placeholder no receipt can have; replaced once the row number is known.
        receipt_number=f"tmp-{timezone.now().timestamp():.6f}-{id(fine)}"[:30],
    )
    prefix = "KW" if kind == Payment.Kind.PAYMENT else "HD"
    payment.receipt_number = f"{prefix}-{timezone.localdate(payment.at).year}-{payment.pk:06d}"
    payment.save(update_fields=["receipt_number"])
    return payment


def _settle_if_paid(fine: Fine, now: datetime.datetime) -> None:
    if fine.balance == 0 and fine.settled_at is None:
        fine.settled_at = now


@transaction.atomic
def pay_fine(*, fine: Fine, amount: int, by: Any, branch: Branch | None = None) -> Payment:
    """Take a payment, partial or in full, against one fine; a receipt number comes back."""
    _check_amount(amount)
    now = timezone.now()
    fine = _lock_fine(fine)
    if amount > fine.balance:
        raise _overpayment(fine, amount)
    fine.paid += amount
    _settle_if_paid(fine, now)
    fine.save(update_fields=["paid", "settled_at", "updated_at"])
    payment = _record_payment(
        fine=fine, kind=Payment.Kind.PAYMENT, amount=amount, reason="", branch=branch, by=by
    )
    _audit_staff(
        by,
        "circulation.pay_fine",
        fine,
        {"amount": amount, "receipt": payment.receipt_number, "balance": fine.balance},
    )
    notices.payment_receipt(payment, fine=fine)
    return payment


@transaction.atomic
def waive_fine(*, fine: Fine, amount: int | None, reason: str, by: Any) -> Payment:
    """Forgive part or all (``amount=None``) of a fine; needs a reason and the waive permission."""
    if not reason.strip():
        raise DomainError("circulation.reason_required", _("Give a reason for waiving the fine."))
    if not _has_perm(by, WAIVE_PERMISSION):
        raise DomainError(
            "circulation.waive_not_allowed", _("You may not waive fines; ask a branch manager.")
        )
    fine = _lock_fine(fine)
    if amount is None:
        amount = fine.balance
        if amount < 1:
            raise DomainError("circulation.fine_settled", _("This fine is already settled."))
    _check_amount(amount)
    if amount > fine.balance:
        raise _overpayment(fine, amount)
    fine.waived += amount
    _settle_if_paid(fine, timezone.now())
    fine.save(update_fields=["waived", "settled_at", "updated_at"])
    payment = _record_payment(
        fine=fine, kind=Payment.Kind.WAIVER, amount=amount, reason=reason, branch=None, by=by
    )
    record_audit(
        by=by,
        action="circulation.waive_fine",
        target=fine,
        data={"amount": amount, "reason": reason[:300], "receipt": payment.receipt_number},
    )
    return payment


@transaction.atomic
def declare_lost(*, loan: Loan, by: Any, now: datetime.datetime | None = None) -> Fine:
    """The borrower lost the copy: loan and copy become lost, a replacement is charged.

    The charge is the copy's price, or DEFAULT_REPLACEMENT_CHARGE when the
    catalogue has none; the late fine run up so far is charged beside it.
    """
    now = _now(now)
    today = _today(now)
    item = _lock_item(loan.item)
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("member", "branch")
        .get(pk=loan.pk)
    )
    if loan.status != Loan.Status.ON_LOAN or loan.member is None:
        raise _not_on_loan(item)
    loan.item = item
    late = _late_fine(
        loan, today=today, calendars=Calendars(), settings=selectors.circulation_settings()
    )
    _set_status(loan, Loan.Status.LOST)
    loan.save(update_fields=["status", "updated_at"])
    set_circulation_status(item=item, status=Item.Status.LOST)
    amount = item.price or DEFAULT_REPLACEMENT_CHARGE
    fine = _charge(
        member=loan.member,
        kind=Fine.Kind.LOST,
        amount=amount,
        description=_("Replacement of %(barcode)s") % {"barcode": item.barcode},
        loan=loan,
        item=item,
        by=by,
    )
    record_audit(
        by=by,
        action="circulation.declare_lost",
        target=item,
        data={"loan": loan.pk, "charge": amount, "late_fine": late.amount if late else 0},
    )
    return fine


@transaction.atomic
def charge_damage(
    *,
    item: Item,
    member: Member,
    amount: int,
    description: str,
    by: Any,
    mark_damaged: bool = True,
) -> Fine:
    """Charge a member for damage to a copy; the copy is marked damaged (out of circulation).

    A copy still on loan is checked in first; one set aside for a hold is
    charged with ``mark_damaged=False`` or after the hold is dealt with.
    """
    _check_amount(amount)
    if not description.strip():
        raise DomainError(
            "circulation.reason_required", _("Describe the damage the member is charged for.")
        )
    item = _lock_item(item)
    member = _lock_member(member)
    if mark_damaged and item.status in (
        Item.Status.ON_LOAN,
        Item.Status.ON_HOLD_SHELF,
        Item.Status.IN_TRANSIT,
    ):
        raise DomainError(
            "circulation.item_in_circulation",
            _("The item %(barcode)s is “%(status)s”; check it in or deal with its hold first.")
            % {"barcode": item.barcode, "status": item.get_status_display()},
            barcode=item.barcode,
            status=item.status,
        )
    fine = _charge(
        member=member,
        kind=Fine.Kind.DAMAGED,
        amount=amount,
        description=description.strip(),
        item=item,
        by=by,
    )
    if mark_damaged:
        set_circulation_status(item=item, status=Item.Status.DAMAGED)
    record_audit(
        by=by,
        action="circulation.charge_damage",
        target=item,
        data={"fine": fine.pk, "member": member.pk, "amount": amount},
    )
    return fine
