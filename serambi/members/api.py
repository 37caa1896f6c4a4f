"""Members in the API: the desk looks a card up; a patron reads their own profile."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from pydantic import Field

from serambi.api.errors import error_responses
from serambi.circulation.selectors import member_summary
from serambi.circulation.types import MemberSummary
from serambi.members import selectors
from serambi.members.models import Member

router = Router(tags=["members"])

# No control characters: they are never part of a card number or a barcode.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
CARD_MAX_LENGTH = Member._meta.get_field("card_number").max_length


class CodeNameOut(Schema):
    code: str
    name: str


class BlockOut(Schema):
    code: str = Field(description="The refusal's stable code: circulation.member_expired …")
    message: str
    overridable: bool = Field(
        description="Staff holding circulation.override_block may lend anyway, with a reason."
    )


class MemberSummaryOut(Schema):
    id: int
    card_number: str
    full_name: str
    category: CodeNameOut
    status: str = Field(description="pending, active, suspended or expired")
    status_label: str
    expires_on: datetime.date | None
    home_branch: CodeNameOut
    open_loans: int
    overdue_loans: int
    unpaid_fines: int = Field(description="Rupiah still owed.")
    accruing_fines: int = Field(
        description="Late fines the open loans would cost if returned today."
    )
    active_holds: int
    blocks: list[BlockOut] = Field(description="Why a checkout would be refused now.")


class PreferencesOut(Schema):
    keep_reading_history: bool
    receive_news: bool


class ProfileOut(Schema):
    card_number: str
    full_name: str
    category: CodeNameOut
    status: str = Field(description="pending, active, suspended or expired")
    status_label: str
    expires_on: datetime.date | None
    home_branch: CodeNameOut
    nik_last4: str = Field(description="The NIK's last four digits; the rest is never stored.")
    birth_date: datetime.date | None
    guardian_name: str
    institution: str
    address: str
    kelurahan: str
    kecamatan: str
    city: str
    postal_code: str
    phone: str
    phone_is_whatsapp: bool
    email: str
    accessibility_needs: str
    preferences: PreferencesOut
    deletion_requested_at: datetime.datetime | None


def not_a_member(request: HttpRequest) -> Status:
    """The answer to a signed-in person without a library card (a staff account) on /me."""
    return Status(
        404,
        {
            "code": "members.not_a_member",
            "message": _("This account has no library card."),
            "data": {},
        },
    )


def _code_name(obj: Any) -> dict[str, str]:
    return {"code": obj.code, "name": obj.name}


def _summary_out(member: Member, summary: MemberSummary) -> dict[str, Any]:
    return {
        "id": member.pk,
        "card_number": member.card_number,
        "full_name": member.full_name,
        "category": _code_name(member.category),
        "status": member.status,
        "status_label": member.get_status_display(),
        "expires_on": member.expires_on,
        "home_branch": _code_name(member.home_branch),
        "open_loans": len(summary.loans),
        "overdue_loans": summary.overdue_count,
        "unpaid_fines": summary.unpaid_total,
        "accruing_fines": summary.accruing_total,
        "active_holds": len(summary.holds),
        "blocks": [
            {
                "code": block.code,
                "message": block.message,
                "overridable": bool(block.data.get("overridable")),
            }
            for block in summary.blocks
        ],
    }


@router.get(
    "/members/by-card/{card}",
    response={200: MemberSummaryOut, **error_responses(401, 403, 404, 422)},
    summary="Staff: the member holding this card, with what would block a checkout",
)
def member_by_card(
    request: HttpRequest,
    card: str = Path(..., min_length=1, max_length=CARD_MAX_LENGTH, pattern=PRINTABLE),
):
    """Needs ``members.view_member``. An unknown card is 404 ``members.card_not_found``."""
    if not request.auth.has_perm("members.view_member"):
        raise PermissionDenied
    member = selectors.member_by_card(card)
    return _summary_out(member, member_summary(member))


@router.get(
    "/me",
    response={200: ProfileOut, **error_responses(401, 404)},
    summary="The signed-in patron's profile and card",
    tags=["my account"],
)
def me(request: HttpRequest):
    """A signed-in account without a library card (staff) is 404 ``members.not_a_member``."""
    member = selectors.member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    return {
        **{
            name: getattr(member, name)
            for name in (
                "card_number",
                "full_name",
                "status",
                "expires_on",
                "nik_last4",
                "birth_date",
                "guardian_name",
                "institution",
                "address",
                "kelurahan",
                "kecamatan",
                "city",
                "postal_code",
                "phone",
                "phone_is_whatsapp",
                "email",
                "accessibility_needs",
                "deletion_requested_at",
            )
        },
        "category": _code_name(member.category),
        "status_label": member.get_status_display(),
        "home_branch": _code_name(member.home_branch),
        "preferences": {
            "keep_reading_history": member.keep_reading_history,
            "receive_news": member.receive_news,
        },
    }
