"""The notices circulation sends a member: receipts, hold ready or expired, reminders.

Each text is a template in ``templates/circulation/notices/`` (the first line
is the subject) rendered in the member's language and queued through
``serambi.core.notifications.notify`` inside the caller's transaction, with
a dedupe key so that a retried request or a sweep run twice sends nothing new.
"""

import datetime
from typing import Any

from django.conf import settings

from serambi.core.notifications import notify, render_notice
from serambi.members.models import Member

from .models import Fine, Hold, Loan, Payment
from .policies import rupiah


def language_of(member: Member) -> str:
    """The member's language for notices; Indonesian unless the member record says otherwise."""
    return getattr(member, "language", "") or settings.LANGUAGE_CODE or "id"


def send(
    *,
    member: Member,
    kind: str,
    template: str,
    context: dict[str, Any],
    dedupe_key: str,
    target: Any = None,
) -> list:
    language = language_of(member)
    subject, body = render_notice(
        f"circulation/notices/{template}.txt",
        {"member": member, "library_name": _library_name(), **context},
        language=language,
    )
    return notify(
        kind=kind,
        user=member.user,
        email=member.email,
        phone=member.phone,
        whatsapp=member.phone_is_whatsapp,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        target=target,
        language=language,
    )


def _library_name() -> str:
    return getattr(settings, "LIBRARY_NAME", "")


def _item_context(loan: Loan) -> dict[str, Any]:
    return {
        "title": loan.item.record.full_title,
        "barcode": loan.item.barcode,
        "branch": loan.branch.name,
    }


def checkout_receipt(loan: Loan) -> list:
    return send(
        member=loan.member,
        kind="circulation.checkout_receipt",
        template="checkout_receipt",
        context={**_item_context(loan), "due_on": loan.due_on},
        dedupe_key=f"circulation.checkout:{loan.pk}",
        target=loan,
    )


def checkin_receipt(
    loan: Loan, *, member: Member, fine: Fine | None, returned_on: datetime.date
) -> list:
    return send(
        member=member,
        kind="circulation.checkin_receipt",
        template="checkin_receipt",
        context={
            **_item_context(loan),
            "returned_on": returned_on,
            "return_branch": loan.return_branch.name if loan.return_branch else "",
            "fine": rupiah(fine.amount) if fine else "",
        },
        dedupe_key=f"circulation.checkin:{loan.pk}",
        target=loan,
    )


def hold_ready(hold: Hold) -> list:
    return send(
        member=hold.member,
        kind="circulation.hold_ready",
        template="hold_ready",
        context={
            "title": hold.record.full_title,
            "branch": hold.pickup_branch.name,
            "pickup_by": hold.pickup_by,
        },
        dedupe_key=f"circulation.hold_ready:{hold.pk}",
        target=hold,
    )


def hold_expired(hold: Hold) -> list:
    return send(
        member=hold.member,
        kind="circulation.hold_expired",
        template="hold_expired",
        context={
            "title": hold.record.full_title,
            "branch": hold.pickup_branch.name,
            "pickup_by": hold.pickup_by,
        },
        dedupe_key=f"circulation.hold_expired:{hold.pk}",
        target=hold,
    )


def payment_receipt(payment: Payment, *, fine: Fine) -> list:
    return send(
        member=fine.member,
        kind="circulation.payment_receipt",
        template="payment_receipt",
        context={
            "receipt_number": payment.receipt_number,
            "amount": rupiah(payment.amount),
            "balance": rupiah(fine.balance),
            "description": fine.get_kind_display(),
            "paid_at": payment.at,
        },
        dedupe_key=f"circulation.payment:{payment.pk}",
        target=payment,
    )


def due_soon(loan: Loan, *, today: datetime.date) -> list:
    return send(
        member=loan.member,
        kind="circulation.due_soon",
        template="due_soon",
        context={**_item_context(loan), "due_on": loan.due_on, "days": (loan.due_on - today).days},
        # Per due date: a renewed loan is reminded again before its new date.
        dedupe_key=f"circulation.due_soon:{loan.pk}:{loan.due_on.isoformat()}",
        target=loan,
    )


def overdue(loan: Loan, *, today: datetime.date, step: int, days_overdue: int, fine: int) -> list:
    return send(
        member=loan.member,
        kind="circulation.overdue",
        template="overdue",
        context={
            **_item_context(loan),
            "due_on": loan.due_on,
            "days_overdue": days_overdue,
            "fine": rupiah(fine) if fine else "",
        },
        dedupe_key=f"circulation.overdue:{loan.pk}:{loan.due_on.isoformat()}:{step}",
        target=loan,
    )
