"""Reads of members: lookups by card, lists for staff, the guest book's figures, a member's data."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError
from serambi.core.models import Branch

from .models import Member, MemberCategory, Visit

MEMBERS_PER_PAGE = 25
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class MemberFilters:
    """What the staff member list can be narrowed by; empty values do not filter."""

    text: str = ""
    status: str = ""
    category: MemberCategory | None = None
    branch: Branch | None = None
    deletion_requested: bool = False


def _text_condition(text: str) -> Q:
    digits = "".join(char for char in text if char.isdigit())
    condition = (
        Q(full_name__icontains=text) | Q(card_number__icontains=text) | Q(email__icontains=text)
    )
    if len(digits) >= 4:
        # Phones are stored as 08…; "+62 812-3456" still finds them.
        phone = f"0{digits[2:]}" if digits.startswith("62") else digits
        condition |= Q(phone__contains=phone) | Q(phone__contains=digits)
    return condition


def member_list(filters: MemberFilters | None = None) -> QuerySet[Member]:
    """Members for the staff list with their category and home branch: one query per page."""
    filters = filters or MemberFilters()
    members = Member.objects.select_related("category", "home_branch")
    if filters.text:
        members = members.filter(_text_condition(filters.text))
    if filters.status:
        members = members.filter(status=filters.status)
    if filters.category is not None:
        members = members.filter(category=filters.category)
    if filters.branch is not None:
        members = members.filter(home_branch=filters.branch)
    if filters.deletion_requested:
        members = members.filter(deletion_requested_at__isnull=False)
    return members.order_by("full_name", "card_number")


def member_search(q: str, *, limit: int = SEARCH_LIMIT) -> list[Member]:
    """Quick find for the desk: name, card number, phone or e-mail; exact card number first."""
    q = " ".join((q or "").split())
    if not q:
        return []
    found = list(member_list(MemberFilters(text=q))[:limit])
    found.sort(key=lambda member: member.card_number.casefold() != q.casefold())
    return found


def pending_members() -> QuerySet[Member]:
    """Online pre-registrations waiting for the desk, oldest first."""
    return (
        Member.objects.filter(status=Member.Status.PENDING)
        .select_related("category", "home_branch")
        .order_by("created_at", "pk")
    )


def member_by_card(card_number: str) -> Member:
    """The member holding this card; a scanner's stray spaces and letter case do not matter."""
    card_number = "".join((card_number or "").split())
    member = (
        Member.objects.select_related("category", "home_branch", "user")
        .filter(card_number__iexact=card_number)
        .first()
        if card_number
        else None
    )
    if member is None:
        raise DomainError(
            "members.card_not_found",
            _("No member has the card number %(card)s.") % {"card": card_number or "—"},
            field="card_number",
            card_number=card_number,
        )
    return member


def access_member(pk: int, actor, *, perm: str = "members.view_member") -> Member:
    """One member for a staff page; staff without ``perm`` get a 403, a wrong id a 404."""
    if not actor.has_perm(perm):
        raise PermissionDenied
    return get_object_or_404(
        Member.objects.select_related("category", "home_branch", "user", "verified_by"), pk=pk
    )


def member_for_user(user) -> Member | None:
    """The member record of a signed-in patron, or None (staff, or not registered yet)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("category", "home_branch").filter(user=user).first()


def categories(*, active_only: bool = False) -> QuerySet[MemberCategory]:
    found = MemberCategory.objects.all()
    return found.filter(is_active=True) if active_only else found


def access_category(pk: int, actor) -> MemberCategory:
    if not actor.has_perm("members.change_membercategory"):
        raise PermissionDenied
    return get_object_or_404(MemberCategory, pk=pk)


@dataclass(frozen=True)
class CirculationSummary:
    open_loans: int
    active_holds: int
    unpaid: int


def circulation_summary(member: Member) -> CirculationSummary:
    """What a member has out, waiting and owing: what staff check before erasing them."""
    from serambi.circulation.models import Fine, Hold, Loan

    fines = Fine.objects.filter(member=member, settled_at__isnull=True).only(
        "amount", "paid", "waived"
    )
    return CirculationSummary(
        open_loans=Loan.objects.filter(member=member, status=Loan.Status.ON_LOAN).count(),
        active_holds=Hold.objects.filter(member=member, status__in=Hold.ACTIVE).count(),
        unpaid=sum(max(fine.balance, 0) for fine in fines),
    )


# ----------------------------------------------------------------------------- guest book


def visits_on(*, branch: Branch, day: datetime.date | None = None) -> QuerySet[Visit]:
    day = day or timezone.localdate()
    return (
        Visit.objects.filter(branch=branch, visited_on=day)
        .select_related("member")
        .order_by("-arrived_at", "-pk")
    )


def visit_counts(
    *, branch: Branch | None = None, start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, int, int]]:
    """People through the door per day and branch, ``start`` to ``end`` inclusive.

    Rows are (day, branch id, people), a group counting its head count; days
    without visitors have no row. IPLM's daily-visits figure is built on this.
    """
    visits = Visit.objects.filter(visited_on__gte=start, visited_on__lte=end)
    if branch is not None:
        visits = visits.filter(branch=branch)
    rows = (
        visits.values("visited_on", "branch_id")
        .annotate(people=Sum("head_count"))
        .order_by("visited_on", "branch_id")
    )
    return [(row["visited_on"], row["branch_id"], row["people"]) for row in rows]


def visit_table(
    *, days: int = 7, today: datetime.date | None = None
) -> tuple[list[datetime.date], list[tuple[Branch, list[int], int]]]:
    """The last ``days`` days (oldest first) and, for each active branch, people per day + total."""
    today = today or timezone.localdate()
    dates = [today - datetime.timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    counts = {
        (day, branch_id): people
        for day, branch_id, people in visit_counts(start=dates[0], end=today)
    }
    from serambi.core.selectors import service_points

    table = []
    for branch in service_points():
        row = [counts.get((day, branch.pk), 0) for day in dates]
        table.append((branch, row, sum(row)))
    return dates, table


# ----------------------------------------------------------------------------- data export


def _iso(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _branch_code(branch: Branch | None) -> str | None:
    return branch.code if branch is not None else None


def member_data_export(member: Member) -> dict[str, Any]:
    """Everything the library holds about one member, JSON-safe (UU PDP right of access).

    The NIK appears as its last four digits, the only part the library keeps.
    """
    from serambi.circulation.models import Fine, Hold, Loan, Payment
    from serambi.core.models import Notification

    profile = {
        "card_number": member.card_number,
        "full_name": member.full_name,
        "category": member.category.code,
        "category_name": member.category.name,
        "birth_date": _iso(member.birth_date),
        "guardian_name": member.guardian_name,
        "guardian_phone": member.guardian_phone,
        "institution": member.institution,
        "address": member.address,
        "kelurahan": member.kelurahan,
        "kecamatan": member.kecamatan,
        "city": member.city,
        "postal_code": member.postal_code,
        "phone": member.phone,
        "phone_is_whatsapp": member.phone_is_whatsapp,
        "email": member.email,
        "home_branch": member.home_branch.code,
        "status": member.status,
        "status_reason": member.status_reason,
        "expires_on": _iso(member.expires_on),
        "accessibility_needs": member.accessibility_needs,
        "keep_reading_history": member.keep_reading_history,
        "receive_news": member.receive_news,
        "nik_last4": member.nik_last4,
        "registered_at": _iso(member.created_at),
        "verified_at": _iso(member.verified_at),
        "deletion_requested_at": _iso(member.deletion_requested_at),
        "username": member.user.get_username() if member.user_id else None,
    }
    loans = [
        {
            "item_barcode": loan.item.barcode,
            "title": loan.item.record.title,
            "branch": _branch_code(loan.branch),
            "status": loan.status,
            "checked_out_at": _iso(loan.checked_out_at),
            "due_on": _iso(loan.due_on),
            "renewals": loan.renewals,
            "returned_at": _iso(loan.returned_at),
            "channel": loan.channel,
        }
        for loan in Loan.objects.filter(member=member)
        .select_related("item__record", "branch")
        .order_by("checked_out_at", "pk")
    ]
    holds = [
        {
            "title": hold.record.title,
            "pickup_branch": _branch_code(hold.pickup_branch),
            "status": hold.status,
            "placed_at": _iso(hold.placed_at),
            "ready_at": _iso(hold.ready_at),
            "pickup_by": _iso(hold.pickup_by),
            "closed_at": _iso(hold.closed_at),
            "cancel_reason": hold.cancel_reason,
        }
        for hold in Hold.objects.filter(member=member)
        .select_related("record", "pickup_branch")
        .order_by("placed_at", "pk")
    ]
    fines = [
        {
            "kind": fine.kind,
            "description": fine.description,
            "amount": fine.amount,
            "paid": fine.paid,
            "waived": fine.waived,
            "charged_at": _iso(fine.created_at),
            "settled_at": _iso(fine.settled_at),
            "item_barcode": fine.item.barcode if fine.item_id else None,
        }
        for fine in Fine.objects.filter(member=member)
        .select_related("item")
        .order_by("created_at", "pk")
    ]
    payments = [
        {
            "kind": payment.kind,
            "amount": payment.amount,
            "reason": payment.reason,
            "receipt_number": payment.receipt_number,
            "at": _iso(payment.at),
            "branch": _branch_code(payment.branch),
        }
        for payment in Payment.objects.filter(member=member)
        .select_related("branch")
        .order_by("at", "pk")
    ]
    visits = [
        {
            "date": _iso(visit.visited_on),
            "arrived_at": _iso(visit.arrived_at),
            "branch": _branch_code(visit.branch),
            "purpose": visit.purpose,
        }
        for visit in Visit.objects.filter(member=member)
        .select_related("branch")
        .order_by("visited_on", "pk")
    ]
    notifications = []
    if member.user_id:
        notifications = [
            {
                "kind": notice.kind,
                "channel": notice.channel,
                "to": notice.recipient,
                "subject": notice.subject,
                "text": notice.body,
                "status": notice.status,
                "created_at": _iso(notice.created_at),
                "sent_at": _iso(notice.sent_at),
            }
            for notice in Notification.objects.filter(user_id=member.user_id).order_by(
                "created_at", "pk"
            )
        ]
    return {
        "exported_at": timezone.now().isoformat(),
        "library": settings.LIBRARY_NAME,
        "member": profile,
        "loans": loans,
        "holds": holds,
        "fines": fines,
        "payments": payments,
        "visits": visits,
        "notifications": notifications,
    }
