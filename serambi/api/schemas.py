"""Schemas and field types that several apps' API routers share (a branch's copies, a name,
dates and times written as text).

Each app's own schemas live beside its router (``serambi/<app>/api.py``); the
field names are the API's contract with the mobile app, so they change only
with a new API version.
"""

import datetime
import re
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field

# Pydantic would also read a number ("0", 0) as seconds since 1970; the schema promises ISO text.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(value: Any) -> Any:
    if isinstance(value, datetime.date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("must be written as ISO 8601 text: 2026-03-04 or 2026-03-04T10:00:00+07:00")


# A date ("2026-03-04") or a date and time ("2026-03-04T10:00:00+07:00") given as text.
IsoDate = Annotated[datetime.date, BeforeValidator(_iso_text)]
IsoDateTime = Annotated[datetime.datetime, BeforeValidator(_iso_text)]


class BranchAvailabilityOut(Schema):
    branch_id: int
    branch_name: str
    available: int = Field(description="Copies on the shelf now.")
    total: int = Field(description="Copies the branch holds (withdrawn ones not counted).")


class NameOut(Schema):
    name: str
    role: str = Field(description="author, editor, translator …")
