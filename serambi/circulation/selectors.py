"""Reads for circulation: rules, a member's standing, queues, pull lists.

``access_*`` helpers fetch one object for a person and answer "not found"
when it is not theirs, so a patron page cannot show someone else's loan.
"""

import datetime
from typing import Any

from django.db.models import Count, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from serambi.catalog.models import Item, MaterialType, Record
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.members.models import Member, MemberCategory

from . import policies
from .calendar import Calendars
from .models import CirculationSettings, Fine, Hold, Loan, LoanRule
from .types import HoldLine, LoanLine, MemberSummary, RuleMatrix


def circulation_settings() -> CirculationSettings:
    settings, _created = CirculationSettings.objects.get_or_create(pk=1)
    return settings


def loan_rule_for(
    member: Member,
    item: Item | None,
    branch: Branch | int | None,
    *,
    material_type: str | None = None,
) -> LoanRule:
    """The rule for lending ``item`` (or a title of ``material_type``) to ``member`` here."""
    if material_type is None:
        if item is None:
            raise ValueError("loan_rule_for needs an item or a material_type")
        material_type = item.record.material_type
    branch_id = branch.pk if isinstance(branch, Branch) else branch
    candidates = LoanRule.objects.filter(
        Q(branch__isnull=True) | Q(branch_id=branch_id),
        Q(category__isnull=True) | Q(category_id=member.category_id),
        Q(material_type="") | Q(material_type=material_type),
    )
    return policies.pick_rule(
        candidates,
        category_id=member.category_id,
        material_type=material_type,
        branch_id=branch_id,
    )


def loan_rule_matrix(*, branch: Branch | None = None) -> RuleMatrix:
    """Every member category × material type with the rule that applies (at ``branch``)."""
    rules = list(LoanRule.objects.select_related("category", "branch"))
    categories = list(MemberCategory.objects.filter(is_active=True))
    material_types = list(MaterialType.choices)
    matrix = RuleMatrix(branch=branch, categories=categories, material_types=material_types)
    for category in categories:
        row = []
        for code, _label in material_types:
            try:
                rule = policies.pick_rule(
                    rules,
                    category_id=category.pk,
                    material_type=code,
                    branch_id=branch.pk if branch else None,
                )
            except DomainError:
                rule = None
            row.append(rule)
        matrix.rows.append(row)
    return matrix


# --- loans ---------------------------------------------------------------------------------


def open_loans(member: Member) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(member=member, status=Loan.Status.ON_LOAN)
        .select_related("item__record", "branch")
        .order_by("due_on", "id")
    )


def loan_history(member: Member) -> QuerySet[Loan]:
    """Returned loans the member chose to keep (keep_reading_history), newest first."""
    return (
        Loan.objects.filter(member=member)
        .exclude(status=Loan.Status.ON_LOAN)
        .select_related("item__record", "branch", "return_branch")
        .order_by("-returned_at", "-checked_out_at", "-id")
    )


def access_loan_for_member(pk: int, member: Member) -> Loan:
    loan = (
        Loan.objects.select_related("item__record", "branch").filter(pk=pk, member=member).first()
    )
    if loan is None:
        raise DomainError("circulation.loan_not_found", _("No such loan."), loan=pk)
    return loan


def access_hold_for_member(pk: int, member: Member) -> Hold:
    hold = (
        Hold.objects.select_related("record", "item", "pickup_branch")
        .filter(pk=pk, member=member)
        .first()
    )
    if hold is None:
        raise DomainError("circulation.hold_not_found", _("No such hold."), hold=pk)
    return hold


def accruing_fine(
    loan: Loan,
    *,
    today: datetime.date,
    calendars: Calendars | None = None,
    settings: CirculationSettings | None = None,
    already_charged: int = 0,
) -> tuple[int, int]:
    """(days late, fine so far) for an open loan if it came back ``today``."""
    if loan.due_on >= today:
        return 0, 0
    calendars = calendars or Calendars()
    settings = settings or circulation_settings()
    days = policies.late_days(
        due_on=loan.due_on,
        returned_on=today,
        is_open=calendars[loan.branch_id].is_open,
        open_days_only=settings.fines_count_open_days_only,
    )
    cap = loan.fine_cap
    if cap is not None:
        cap = max(cap - already_charged, 0)
    amount = policies.fine_for(
        late_days=days, per_day=loan.fine_per_day, grace_days=loan.grace_days, cap=cap
    )
    return days, amount


def overdue_fines_charged(loan: Loan) -> int:
    """Late fines already charged on this loan (at a renewal of an overdue loan)."""
    total = loan.fines.filter(kind=Fine.Kind.OVERDUE).aggregate(total=Sum("amount"))["total"]
    return total or 0


# --- fines ----------------------------------------------------------------------------------


def fines_for(member: Member, *, unpaid_only: bool = False) -> QuerySet[Fine]:
    fines = Fine.objects.filter(member=member).select_related("item__record")
    if unpaid_only:
        fines = fines.filter(settled_at__isnull=True)
    return fines.order_by("-created_at", "-id")


def unpaid_total(member: Member) -> int:
    totals = Fine.objects.filter(member=member, settled_at__isnull=True).aggregate(
        amount=Sum("amount"), paid=Sum("paid"), waived=Sum("waived")
    )
    return (totals["amount"] or 0) - (totals["paid"] or 0) - (totals["waived"] or 0)


# --- holds ----------------------------------------------------------------------------------


def _waiting_before(hold: Hold) -> Q:
    return Q(placed_at__lt=hold.placed_at) | Q(placed_at=hold.placed_at, id__lt=hold.pk)


def hold_queue_position(hold: Hold) -> int | None:
    """1 + the active waiting holds on the same title placed before it; None once trapped."""
    if hold.status != Hold.Status.WAITING:
        return None
    ahead = (
        Hold.objects.filter(record_id=hold.record_id, status=Hold.Status.WAITING)
        .filter(_waiting_before(hold))
        .count()
    )
    return ahead + 1


def member_holds(member: Member, *, active_only: bool = True) -> list[HoldLine]:
    """A member's holds with their place in each queue (one query for the positions)."""
    holds = Hold.objects.filter(member=member).select_related("record", "item", "pickup_branch")
    if active_only:
        holds = holds.filter(status__in=Hold.ACTIVE)
    ahead = Hold.objects.filter(record_id=OuterRef("record_id"), status=Hold.Status.WAITING).filter(
        Q(placed_at__lt=OuterRef("placed_at"))
        | Q(placed_at=OuterRef("placed_at"), id__lt=OuterRef("id"))
    )
    ahead_count = (
        ahead.order_by().values("record_id").annotate(count=Count("id")).values("count")[:1]
    )
    holds = holds.annotate(
        ahead=Coalesce(Subquery(ahead_count, output_field=IntegerField()), 0)
    ).order_by("placed_at", "id")
    return [
        HoldLine(hold=hold, position=hold.ahead + 1 if hold.status == Hold.Status.WAITING else None)
        for hold in holds
    ]


def waiting_holds_for_copy(item: Item) -> QuerySet[Hold]:
    """Waiting holds this copy could fill: on this copy, or on its title (any copy)."""
    return Hold.objects.filter(record_id=item.record_id, status=Hold.Status.WAITING).filter(
        Q(is_item_hold=False) | Q(item_id=item.pk)
    )


def pull_list(branch: Branch) -> list[dict[str, Any]]:
    """Waiting holds for pickup here that a copy on this branch's shelf could fill, oldest first.

    One line per hold with the copy to fetch (call number, shelf): title
    holds name the first available copy, item holds their own copy.
    """
    holds = list(
        Hold.objects.filter(status=Hold.Status.WAITING, pickup_branch=branch)
        .select_related("record", "member", "item")
        .order_by("placed_at", "id")
    )
    if not holds:
        return []
    record_ids = {hold.record_id for hold in holds}
    on_shelf = (
        Item.objects.filter(
            record_id__in=record_ids,
            branch=branch,
            status=Item.Status.AVAILABLE,
            is_loanable=True,
        )
        .select_related("record")
        .order_by("record_id", "call_number", "barcode")
    )
    copies: dict[int, list[Item]] = {}
    for item in on_shelf:
        copies.setdefault(item.record_id, []).append(item)
    lines = []
    taken: set[int] = set()
    for hold in holds:
        candidates = copies.get(hold.record_id, [])
        if hold.is_item_hold:
            candidates = [item for item in candidates if item.pk == hold.item_id]
        free = [item for item in candidates if item.pk not in taken]
        if not free:
            continue
        item = free[0]
        taken.add(item.pk)
        lines.append(
            {
                "hold": hold,
                "item": item,
                "record": hold.record,
                "member": hold.member,
                "call_number": item.call_number,
                "shelf_location": item.shelf_location,
                "barcode": item.barcode,
                "placed_at": hold.placed_at,
            }
        )
    return lines


def holds_awaiting_pickup(branch: Branch) -> QuerySet[Hold]:
    """Copies on this branch's hold shelf, the ones to collect soonest first."""
    return (
        Hold.objects.filter(status=Hold.Status.READY, pickup_branch=branch)
        .select_related("record", "item", "member")
        .order_by("pickup_by", "ready_at", "id")
    )


def holds_in_transit_to(branch: Branch) -> QuerySet[Hold]:
    return (
        Hold.objects.filter(status=Hold.Status.IN_TRANSIT, pickup_branch=branch)
        .select_related("record", "item", "member")
        .order_by("trapped_at", "id")
    )


# --- a member's standing ----------------------------------------------------------------------


def member_blocks(
    member: Member,
    *,
    today: datetime.date | None = None,
    settings: CirculationSettings | None = None,
    unpaid: int | None = None,
) -> list[DomainError]:
    """Every block on the member's account now (status, expiry, fines, overdue items)."""
    today = today or timezone.localdate()
    settings = settings or circulation_settings()
    if unpaid is None:
        unpaid = unpaid_total(member)
    overdue = Loan.objects.filter(member=member, status=Loan.Status.ON_LOAN, due_on__lt=today)
    overdue_facts = overdue.aggregate(count=Count("id"), first=Min("due_on"))
    return policies.member_status_blocks(
        status=member.status, expires_on=member.expires_on, today=today
    ) + policies.account_blocks(
        unpaid=unpaid,
        fine_limit=settings.fine_limit,
        overdue_count=overdue_facts["count"],
        first_overdue_due_on=overdue_facts["first"],
        block_when_overdue=settings.block_when_overdue,
    )


def loan_lines(
    member: Member,
    *,
    today: datetime.date | None = None,
    blocks: list[DomainError] | None = None,
    settings: CirculationSettings | None = None,
) -> list[LoanLine]:
    """The member's open loans with due date, fine so far, renewals left and why not renewable."""
    today = today or timezone.localdate()
    settings = settings or circulation_settings()
    if blocks is None:
        blocks = member_blocks(member, today=today, settings=settings)
    calendars = Calendars()
    loans = list(
        open_loans(member).annotate(
            charged=Sum("fines__amount", filter=Q(fines__kind=Fine.Kind.OVERDUE))
        )
    )
    waiting_records = set(
        Hold.objects.filter(
            record_id__in={loan.item.record_id for loan in loans},
            status=Hold.Status.WAITING,
            is_item_hold=False,
        ).values_list("record_id", flat=True)
    )
    waiting_items = set(
        Hold.objects.filter(
            item_id__in={loan.item_id for loan in loans},
            status=Hold.Status.WAITING,
            is_item_hold=True,
        ).values_list("item_id", flat=True)
    )
    # Blocks a renewal answers to: not an overdue loan (renewing one is allowed).
    member_refusals = [block for block in blocks if block.code != "circulation.has_overdue"]
    rules: dict[tuple[int, str], LoanRule] = {}
    lines = []
    for loan in loans:
        _days, amount = accruing_fine(
            loan,
            today=today,
            calendars=calendars,
            settings=settings,
            already_charged=loan.charged or 0,
        )
        key = (loan.branch_id, loan.item.record.material_type)
        if key not in rules:
            rules[key] = loan_rule_for(member, loan.item, loan.branch_id)
        waiting = loan.item.record_id in waiting_records or loan.item_id in waiting_items
        refusals = member_refusals + policies.renewal_blocks(
            renewals=loan.renewals, max_renewals=rules[key].max_renewals, waiting=int(waiting)
        )
        lines.append(
            LoanLine(
                loan=loan,
                due_on=loan.due_on,
                days_overdue=max((today - loan.due_on).days, 0),
                accruing_fine=amount,
                renewals_left=max(rules[key].max_renewals - loan.renewals, 0),
                refusal=refusals[0] if refusals else None,
            )
        )
    return lines


def member_summary(member: Member, *, today: datetime.date | None = None) -> MemberSummary:
    """Loans with due dates and the fine each is accruing, holds with positions, fines, blocks."""
    today = today or timezone.localdate()
    settings = circulation_settings()
    summary = MemberSummary(member=member)
    summary.fines = list(fines_for(member, unpaid_only=True))
    summary.unpaid_total = sum(fine.balance for fine in summary.fines)
    summary.blocks = member_blocks(
        member, today=today, settings=settings, unpaid=summary.unpaid_total
    )
    summary.loans = loan_lines(member, today=today, blocks=summary.blocks, settings=settings)
    summary.accruing_total = sum(line.accruing_fine for line in summary.loans)
    summary.holds = member_holds(member)
    return summary


def loans_due_between(start: datetime.date, end: datetime.date) -> QuerySet[Loan]:
    """Open loans due in ``[start, end]``, with their member, for the reminder sweep."""
    return (
        Loan.objects.filter(status=Loan.Status.ON_LOAN, due_on__range=(start, end))
        .filter(member__isnull=False)
        .select_related("member", "member__user", "item__record", "branch")
        .order_by("due_on", "id")
    )


def overdue_loans(today: datetime.date) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(status=Loan.Status.ON_LOAN, due_on__lt=today)
        .filter(member__isnull=False)
        .select_related("member", "member__user", "item__record", "branch")
        .order_by("due_on", "id")
    )


def record_has_waiting_holds(record: Record) -> bool:
    return Hold.objects.filter(record=record, status=Hold.Status.WAITING).exists()


def has_copy_on_loan(member: Member, record: Record) -> bool:
    return Loan.objects.filter(
        member=member, status=Loan.Status.ON_LOAN, item__record=record
    ).exists()


# --- lookups for the doors ----------------------------------------------------------------------


def item_by_barcode(barcode: str) -> Item:
    item = Item.objects.select_related("record", "branch").filter(barcode=barcode.strip()).first()
    if item is None:
        raise DomainError(
            "circulation.item_not_found",
            _("No item has the barcode %(barcode)s.") % {"barcode": barcode},
            barcode=barcode,
        )
    return item


def item_of_record(item_id: int, record: Record) -> Item:
    item = Item.objects.select_related("record", "branch").filter(pk=item_id, record=record).first()
    if item is None:
        raise DomainError(
            "circulation.item_not_found", _("No such copy of this title."), item=item_id
        )
    return item


def record_for_hold(record_id: int) -> Record:
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise DomainError("circulation.record_not_found", _("No such title."), record=record_id)
    return record


def pickup_branch(code: str) -> Branch:
    """An active branch by its code, where a hold may be collected."""
    branch = Branch.objects.filter(code=code, is_active=True).first()
    if branch is None:
        raise DomainError(
            "circulation.branch_not_found",
            _("No branch has the code %(code)s.") % {"code": code},
            branch=code,
        )
    return branch
