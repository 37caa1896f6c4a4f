"""Output schemas that several apps' API routers share (a branch's copies, a name).

Each app's own schemas live beside its router (``serambi/<app>/api.py``); the
field names are the API's contract with the mobile app, so they change only
with a new API version.
"""

from ninja import Schema
from pydantic import Field


class BranchAvailabilityOut(Schema):
    branch_id: int
    branch_name: str
    available: int = Field(description="Copies on the shelf now.")
    total: int = Field(description="Copies the branch holds (withdrawn ones not counted).")


class NameOut(Schema):
    name: str
    role: str = Field(description="author, editor, translator …")
