"""Circulation in the API: the desk lends and takes back; a patron sees and renews their own.

Staff operations need the model permission of the act (``circulation.add_loan``
to lend, ``circulation.change_loan`` to check in); a patron reaches only their
own loans, holds and fines: someone else's loan or hold is "not found".
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from pydantic import Field

from serambi.api.errors import error_responses
from serambi.catalog import selectors as catalog_selectors
from serambi.catalog.models import Item, Record
from serambi.circulation import selectors, services
from serambi.circulation.models import Channel, Fine, Hold, Loan
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.core.selectors import service_points
from serambi.members.api import PRINTABLE, CodeNameOut, not_a_member
from serambi.members.models import Member
from serambi.members.selectors import member_by_card, member_for_user

router = Router(tags=["circulation"])

MAX_ID = 2**63 - 1
BARCODE_MAX_LENGTH = 50
CARD_MAX_LENGTH = Member._meta.get_field("card_number").max_length
REASON_MAX_LENGTH = 300


# --- input ---------------------------------------------------------------------


class CheckoutIn(Schema):
    item_barcode: str = Field(min_length=1, max_length=BARCODE_MAX_LENGTH, pattern=PRINTABLE)
    member_card: str = Field(min_length=1, max_length=CARD_MAX_LENGTH, pattern=PRINTABLE)
    override_reason: str = Field(
        "",
        max_length=REASON_MAX_LENGTH,
        pattern=PRINTABLE,
        description="Lend despite the blocks marked overridable (needs "
        "circulation.override_block); the reason is kept in the audit log.",
    )
    branch: str | None = Field(
        None,
        min_length=1,
        max_length=20,
        pattern=PRINTABLE,
        description="Code of the desk's branch; the copy's own branch when left out.",
    )


class CheckinIn(Schema):
    item_barcode: str = Field(min_length=1, max_length=BARCODE_MAX_LENGTH, pattern=PRINTABLE)
    branch: str | None = Field(
        None,
        min_length=1,
        max_length=20,
        pattern=PRINTABLE,
        description="Code of the desk's branch; the copy's own branch when left out.",
    )


class HoldIn(Schema):
    record_id: int = Field(ge=1, le=MAX_ID)
    pickup_branch: str = Field(
        min_length=1, max_length=20, pattern=PRINTABLE, description="The branch's code."
    )
    item_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="This copy only (a hold on the title when left out)."
    )


# --- output --------------------------------------------------------------------


class ItemRefOut(Schema):
    id: int
    barcode: str
    record_id: int
    title: str


class LoanOut(Schema):
    id: int
    item: ItemRefOut
    branch: CodeNameOut = Field(description="Where it was lent.")
    status: str = Field(description="on_loan, returned or lost")
    checked_out_at: datetime.datetime
    due_on: datetime.date
    renewals: int
    returned_at: datetime.datetime | None


class DeskLoanOut(LoanOut):
    member_card: str | None = Field(description="The borrower's card (None for an erased member).")
    member_name: str | None


class MyLoanOut(LoanOut):
    is_overdue: bool
    accruing_fine: int = Field(description="Rupiah owed if it were returned today.")
    renewals_left: int
    can_renew: bool
    renew_refusal: "RefusalOut | None" = Field(description="Why it may not be renewed now.")


class RefusalOut(Schema):
    code: str
    message: str


class FineOut(Schema):
    id: int
    kind: str = Field(description="overdue, lost, damaged or other")
    kind_label: str
    description: str
    amount: int
    paid: int
    waived: int
    balance: int
    created_at: datetime.datetime
    item: ItemRefOut | None


class FinesOut(Schema):
    balance: int = Field(description="Rupiah still owed over every unpaid fine.")
    fines: list[FineOut] = Field(description="Unpaid fines, newest first.")


class HoldOut(Schema):
    id: int
    record_id: int
    title: str
    item: ItemRefOut | None = Field(description="The copy held or set aside, when there is one.")
    is_item_hold: bool
    status: str = Field(description="waiting, in_transit, ready, fulfilled, cancelled, expired")
    status_label: str
    position: int | None = Field(description="Place in the queue while waiting (1 is next).")
    pickup_branch: CodeNameOut
    placed_at: datetime.datetime
    pickup_by: datetime.date | None = Field(description="Collect by this day once ready.")


class TrappedHoldOut(Schema):
    id: int
    status: str = Field(description="in_transit or ready")
    member_card: str
    member_name: str
    pickup_branch: CodeNameOut
    pickup_by: datetime.date | None


class CheckinOut(Schema):
    item: ItemRefOut
    item_status: str = Field(description="The copy's status now: available, on_hold_shelf …")
    item_status_label: str
    loan: DeskLoanOut | None = Field(description="The loan closed, if the copy was out.")
    fine: FineOut | None = Field(description="The late fine charged, if any.")
    hold: TrappedHoldOut | None = Field(description="The hold the copy was set aside for.")
    in_transit_to: CodeNameOut | None = Field(description="Send the copy to this branch.")


MyLoanOut.model_rebuild()


# --- shaping -------------------------------------------------------------------


def _code_name(branch: Any) -> dict[str, str] | None:
    return {"code": branch.code, "name": branch.name} if branch is not None else None


def _item_ref(item: Any, record: Record | None = None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "id": item.pk,
        "barcode": item.barcode,
        "record_id": item.record_id,
        "title": (record or item.record).title,
    }


def _loan_out(loan: Loan) -> dict[str, Any]:
    return {
        "id": loan.pk,
        "item": _item_ref(loan.item),
        "branch": _code_name(loan.branch),
        "status": loan.status,
        "checked_out_at": loan.checked_out_at,
        "due_on": loan.due_on,
        "renewals": loan.renewals,
        "returned_at": loan.returned_at,
    }


def _desk_loan_out(loan: Loan, member: Member | None) -> dict[str, Any]:
    return {
        **_loan_out(loan),
        "member_card": member.card_number if member else None,
        "member_name": member.full_name if member else None,
    }


def _fine_out(fine: Fine) -> dict[str, Any]:
    return {
        "id": fine.pk,
        "kind": fine.kind,
        "kind_label": fine.get_kind_display(),
        "description": fine.description,
        "amount": fine.amount,
        "paid": fine.paid,
        "waived": fine.waived,
        "balance": fine.balance,
        "created_at": fine.created_at,
        "item": _item_ref(fine.item),
    }


def _hold_out(hold: Hold, position: int | None) -> dict[str, Any]:
    return {
        "id": hold.pk,
        "record_id": hold.record_id,
        "title": hold.record.title,
        "item": _item_ref(hold.item, hold.record),
        "is_item_hold": hold.is_item_hold,
        "status": hold.status,
        "status_label": hold.get_status_display(),
        "position": position,
        "pickup_branch": _code_name(hold.pickup_branch),
        "placed_at": hold.placed_at,
        "pickup_by": hold.pickup_by,
    }


def _require(request: HttpRequest, perm: str) -> None:
    if not request.auth.has_perm(perm):
        raise PermissionDenied


# --- what the request names, found or refused ----------------------------------------
# (The web desk has its own _find_item; a catalogue selector by barcode would serve both.)


def _item(barcode: str) -> Item:
    items, _missing = catalog_selectors.items_by_barcodes([barcode.strip()])
    if not items:
        raise DomainError(
            "catalog.item_not_found",
            _("No item has the barcode %(barcode)s.") % {"barcode": barcode},
            barcode=barcode,
        )
    return items[0]


def _branch(code: str | None) -> Branch | None:
    if code is None:
        return None
    branch = service_points().filter(code=code.strip()).first()
    if branch is None:
        raise DomainError(
            "core.branch_not_found",
            _("There is no branch with the code %(code)s.") % {"code": code},
            branch=code,
        )
    return branch


def _record(record_id: int) -> Record:
    try:
        return catalog_selectors.public_record(record_id)
    except Http404:
        raise DomainError(
            "catalog.record_not_found", _("There is no such title."), record_id=record_id
        ) from None


def _copy(item_id: int) -> Item:
    items = catalog_selectors.items_by_ids([item_id])
    if not items:
        raise DomainError("catalog.item_not_found", _("There is no such copy."), item_id=item_id)
    return items[0]


# --- the desk ------------------------------------------------------------------


@router.post(
    "/circulation/checkout",
    response={201: DeskLoanOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Staff: lend a copy to a member",
)
def checkout(request: HttpRequest, payload: CheckoutIn):
    """Needs ``circulation.add_loan``. A block answers 409 with its code
    (``circulation.too_many_loans`` …); ``data.overridable`` says whether
    ``override_reason`` may lend anyway."""
    _require(request, "circulation.add_loan")
    item = _item(payload.item_barcode)
    member = member_by_card(payload.member_card)
    loan = services.checkout(
        item=item,
        member=member,
        by=request.auth,
        branch=_branch(payload.branch),
        channel=Channel.API,
        override_reason=payload.override_reason,
    )
    return Status(201, _desk_loan_out(loan, member))


@router.post(
    "/circulation/checkin",
    response={200: CheckinOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Staff: take a copy back",
)
def checkin(request: HttpRequest, payload: CheckinIn):
    """Needs ``circulation.change_loan``. Closes the loan, charges a late fine, and
    sets the copy aside for the next hold (ready here, or in transit to its
    pickup branch). A copy that is not out is 409 ``circulation.not_on_loan``."""
    _require(request, "circulation.change_loan")
    item = _item(payload.item_barcode)
    result = services.checkin(
        item=item, by=request.auth, branch=_branch(payload.branch), channel=Channel.API
    )
    hold = result.hold
    return {
        "item": _item_ref(result.item),
        "item_status": result.item_status,
        "item_status_label": str(Item.Status(result.item_status).label),
        "loan": _desk_loan_out(result.loan, result.member) if result.loan else None,
        "fine": _fine_out(result.fine) if result.fine else None,
        "hold": {
            "id": hold.pk,
            "status": hold.status,
            "member_card": hold.member.card_number,
            "member_name": hold.member.full_name,
            "pickup_branch": _code_name(hold.pickup_branch),
            "pickup_by": hold.pickup_by,
        }
        if hold
        else None,
        "in_transit_to": _code_name(result.in_transit_to),
    }


# --- the patron's own ----------------------------------------------------------


@router.get(
    "/me/loans",
    response={200: list[MyLoanOut], **error_responses(401, 404)},
    summary="The signed-in patron's open loans",
    tags=["my account"],
)
def my_loans(request: HttpRequest):
    """Soonest due first, each with the late fine it would cost if returned today and
    whether the patron may renew it now (``renew_refusal`` says why not)."""
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    rows = []
    for line in selectors.loan_lines(member):
        refusal = line.refusal
        rows.append(
            {
                **_loan_out(line.loan),
                "is_overdue": line.is_overdue,
                "accruing_fine": line.accruing_fine,
                "renewals_left": line.renewals_left,
                "can_renew": refusal is None,
                "renew_refusal": (
                    {"code": refusal.code, "message": refusal.message} if refusal else None
                ),
            }
        )
    return rows


@router.get(
    "/me/holds",
    response={200: list[HoldOut], **error_responses(401, 404)},
    summary="The signed-in patron's holds that are still open",
    tags=["my account"],
)
def my_holds(request: HttpRequest):
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    return [_hold_out(row.hold, row.position) for row in selectors.member_holds(member)]


@router.get(
    "/me/fines",
    response={200: FinesOut, **error_responses(401, 404)},
    summary="What the signed-in patron owes",
    tags=["my account"],
)
def my_fines(request: HttpRequest):
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    fines = list(selectors.fines_for(member, unpaid_only=True))
    return {"balance": sum(fine.balance for fine in fines), "fines": [_fine_out(f) for f in fines]}


@router.post(
    "/loans/{loan_id}/renew",
    response={200: LoanOut, **error_responses(401, 403, 404, 409, 422)},
    summary="Renew one of the signed-in patron's loans",
    tags=["my account"],
)
def renew_loan(request: HttpRequest, loan_id: int = Path(..., ge=1, le=MAX_ID)):
    """Someone else's loan is 404 ``circulation.loan_not_found``; a refusal is 409
    (``circulation.max_renewals``, ``circulation.others_waiting`` …)."""
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    loan = selectors.access_loan_for_member(loan_id, member)
    return _loan_out(services.renew(loan=loan, by=request.auth, channel=Channel.API))


@router.post(
    "/holds",
    response={201: HoldOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Place a hold on a title (or one copy) for the signed-in patron",
    tags=["my account"],
)
def place_hold(request: HttpRequest, payload: HoldIn):
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    record = _record(payload.record_id)
    branch = _branch(payload.pickup_branch)
    item = _copy(payload.item_id) if payload.item_id else None
    hold = services.place_hold(
        record=record,
        member=member,
        pickup_branch=branch,
        item=item,
        by=request.auth,
        channel=Channel.API,
    )
    return Status(201, _hold_out(hold, selectors.hold_queue_position(hold)))


@router.delete(
    "/holds/{hold_id}",
    response={204: None, **error_responses(401, 403, 404, 409, 422)},
    summary="Cancel one of the signed-in patron's holds",
    tags=["my account"],
)
def cancel_hold(request: HttpRequest, hold_id: int = Path(..., ge=1, le=MAX_ID)):
    """Someone else's hold is 404 ``circulation.hold_not_found``."""
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    hold = selectors.access_hold_for_member(hold_id, member)
    services.cancel_hold(hold=hold, by=request.auth)
    return Status(204, None)
