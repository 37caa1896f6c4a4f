"""What circulation's services and selectors hand back beside model instances."""

import datetime
from dataclasses import dataclass, field

from serambi.catalog.models import Item
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.members.models import Member

from .models import Fine, Hold, Loan


@dataclass
class CheckinResult:
    """What happened when a copy was scanned in at the desk.

    ``loan`` is the loan that was closed (None when the copy was not out:
    a copy received from transit or pulled from the shelf for a hold);
    ``fine`` the late fine charged; ``hold`` the hold the copy is now set
    aside for, ``in_transit_to`` where to send it when that is another branch.
    """

    item: Item
    item_status: str
    loan: Loan | None = None
    fine: Fine | None = None
    hold: Hold | None = None
    in_transit_to: Branch | None = None
    # The borrower, kept for the desk's screen even when the loan is anonymised.
    member: Member | None = None

    @property
    def trapped(self) -> bool:
        return self.hold is not None


@dataclass
class LoanLine:
    loan: Loan
    due_on: datetime.date
    days_overdue: int
    accruing_fine: int
    renewals_left: int
    # Why the patron may not renew it now (None: they may).
    refusal: DomainError | None = None

    @property
    def can_renew(self) -> bool:
        return self.refusal is None

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass
class HoldLine:
    hold: Hold
    position: int | None  # None once a copy is set aside (ready or on its way)


@dataclass
class MemberSummary:
    """A member's standing: what the desk page, the patron pages and the API show."""

    member: Member
    loans: list[LoanLine] = field(default_factory=list)
    holds: list[HoldLine] = field(default_factory=list)
    fines: list[Fine] = field(default_factory=list)
    unpaid_total: int = 0
    accruing_total: int = 0
    blocks: list[DomainError] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for line in self.loans if line.is_overdue)

    # Counts under the names the member API reads.
    @property
    def open_loans(self) -> int:
        return len(self.loans)

    @property
    def overdue_loans(self) -> int:
        return self.overdue_count

    @property
    def unpaid_fines(self) -> int:
        return self.unpaid_total

    @property
    def may_borrow(self) -> bool:
        return not self.blocks

    @property
    def block_codes(self) -> list[str]:
        return [block.code for block in self.blocks]


@dataclass
class RuleMatrix:
    """Loan rules as a table: a row per member category, a column per material type."""

    branch: Branch | None
    categories: list
    material_types: list[tuple[str, str]]
    # rows[i][j] is the rule for categories[i] × material_types[j]
    rows: list[list] = field(default_factory=list)
