"""What the member services take: the fields of a member as typed at a door."""

import datetime
from dataclasses import dataclass, fields

from serambi.core.models import Branch

from .models import MemberCategory


@dataclass
class MemberData:
    """A member's details as a door collected them.

    ``nik`` is the full national id number as typed; the services keep only
    its keyed hash and last four digits, never the number itself.
    ``card_number`` empty means "assign the next one".
    """

    full_name: str
    category: MemberCategory
    home_branch: Branch
    birth_date: datetime.date | None = None
    guardian_name: str = ""
    guardian_phone: str = ""
    institution: str = ""
    address: str = ""
    kelurahan: str = ""
    kecamatan: str = ""
    city: str = ""
    postal_code: str = ""
    phone: str = ""
    phone_is_whatsapp: bool = True
    email: str = ""
    accessibility_needs: str = ""
    keep_reading_history: bool = False
    receive_news: bool = False
    staff_notes: str = ""
    card_number: str = ""
    nik: str = ""
    # A membership moved from another system keeps its expiry; empty: the category's length.
    expires_on: datetime.date | None = None

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in fields(cls))


# Member fields a MemberData copies onto the row (everything but the NIK and card number).
PROFILE_FIELDS = tuple(
    name for name in MemberData.field_names() if name not in {"nik", "card_number", "expires_on"}
)
