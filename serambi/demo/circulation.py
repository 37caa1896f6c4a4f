"""The demo library's people and desk history: members, loans, holds, fines and visits.

Everything goes through the members and circulation services, with the
clock of each act set back (``now=``), so what the pages show is what a
month at the desk would have left behind: loans on time, due soon, overdue
and returned (some late, with fines paid, waived or still owed), a lost
book, holds waiting in a queue, one ready on the hold shelf and one on its
way to another branch, and a week of the guest book.

The copies are picked in barcode order among those on the shelf, so the
same catalogue gives the same history; it is written once (when the demo
has no loans yet), as a library's history would be.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from serambi.accounts.models import User
from serambi.catalog.models import Audience, Item
from serambi.circulation import services as circulation
from serambi.circulation.models import Fine, Hold, Loan
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.members import services as members
from serambi.members.models import Member, MemberCategory, Visit
from serambi.members.types import MemberData

from .library import GROUPS, GUESTS, MEMBERS, DemoMember

DESK_HOUR = 10  # acts happen mid-morning, when every branch is open


@dataclass(frozen=True)
class LoanPlan:
    """Lent ``lent`` days ago; returned ``returned`` days ago (None: still out)."""

    lent: int
    returned: int | None = None
    lost: bool = False
    pay: bool = False  # a late fine paid at once
    waive: str = ""  # a late fine waived, with this reason


# Each member's month at the desk, by card number; the default loan period is 14 days.
LOANS: dict[str, tuple[LoanPlan, ...]] = {
    # Budi (the demo patron): on time, due soon, overdue, a history and a fine he owes.
    "A2026000017": (
        LoanPlan(45, 33),
        LoanPlan(40, 21),  # five days late: Rp2.500 still owed
        LoanPlan(30, 25),
        LoanPlan(16),  # overdue by two days
        LoanPlan(12),  # due in two days
        LoanPlan(2),
    ),
    "A2026000025": (LoanPlan(28, 14), LoanPlan(10), LoanPlan(6)),
    "A2026000033": (LoanPlan(20, 3, pay=True), LoanPlan(9)),
    "A2026000041": (LoanPlan(21, 8), LoanPlan(5)),
    "A2026000058": (LoanPlan(35, 14, pay=True), LoanPlan(13)),
    "A2026000066": (LoanPlan(33, 12, waive="Lift gedung pusat rusak selama seminggu"),),
    "A2026000074": (LoanPlan(19), LoanPlan(19), LoanPlan(19)),
    "A2026000082": (LoanPlan(38, lost=True), LoanPlan(30, 18)),
    # Fajar's card ran out while a book was still out: overdue and expired.
    "A2026000090": (LoanPlan(62),),
    "A2026000108": (LoanPlan(150, 130),),
    "A2026000116": (LoanPlan(11), LoanPlan(24, 10)),
    "A2026000124": (LoanPlan(7),),
    "A2026000132": (LoanPlan(26, 1),),
    "A2026000157": (LoanPlan(8), LoanPlan(8)),
    "A2026000165": (LoanPlan(22, 15), LoanPlan(3)),
}
# (card number, days ago): holds on a title whose copies are all out.
WAITING_HOLDS = (("A2026000033", 6), ("A2026000017", 4), ("A2026000165", 3))
# (holder, borrower, pickup branch): a copy the borrower returns at the central
# library is set aside there for the holder (ready), or sent on to another
# branch (in transit).
TRAPPED_HOLDS = (
    ("A2026000025", "A2026000132", "pusat"),
    ("A2026000082", "A2026000058", "utara"),
)


@dataclass
class PeopleReport:
    members_created: int = 0
    loans: int = 0
    open_loans: int = 0
    holds: int = 0
    fines_owed: int = 0
    visits: int = 0
    skipped: list[str] = field(default_factory=list)


def load_demo_people(
    *, branches: dict[str, Branch], today: datetime.date, by: User, desk: User
) -> PeopleReport:
    """Members for every category, then (once) their loans, holds, fines and visits."""
    report = PeopleReport()
    with transaction.atomic():
        demo_members = _ensure_members(report, branches=branches, today=today, by=by)
    if not Loan.objects.exists():
        _write_history(report, demo_members, branches=branches, today=today, desk=desk, manager=by)
        members.expire_memberships(today=today)
    if not Visit.objects.exists():
        report.visits = _write_guest_book(demo_members, branches=branches, today=today, desk=desk)
    report.loans = Loan.objects.count()
    report.open_loans = Loan.objects.filter(status=Loan.Status.ON_LOAN).count()
    report.holds = Hold.objects.filter(status__in=Hold.ACTIVE).count()
    report.fines_owed = sum(fine.balance for fine in Fine.objects.filter(settled_at__isnull=True))
    report.visits = report.visits or Visit.objects.count()
    return report


def _ensure_members(
    report: PeopleReport, *, branches: dict[str, Branch], today: datetime.date, by: User
) -> dict[str, Member]:
    existing = {
        member.card_number: member
        for member in Member.objects.filter(card_number__in=[m.card_number for m in MEMBERS])
    }
    categories = {category.code: category for category in MemberCategory.objects.all()}
    for spec in MEMBERS:
        if spec.card_number in existing:
            continue
        existing[spec.card_number] = _register(spec, categories, branches, today=today, by=by)
        report.members_created += 1
    return existing


def _register(
    spec: DemoMember,
    categories: dict[str, MemberCategory],
    branches: dict[str, Branch],
    *,
    today: datetime.date,
    by: User,
) -> Member:
    category = categories[spec.category]
    is_institution = spec.category == "institusi"
    data = MemberData(
        full_name=spec.full_name,
        category=category,
        home_branch=branches[spec.branch],
        birth_date=None if is_institution else datetime.date(spec.birth_year, 7, 1),
        guardian_name=spec.guardian,
        guardian_phone=spec.phone if spec.guardian else "",
        institution=spec.institution,
        address=spec.address,
        kelurahan=spec.kelurahan,
        kecamatan=spec.kecamatan,
        city="Kota Magelang",
        phone=spec.phone,
        email=_email(spec),
        accessibility_needs=spec.accessibility_needs,
        keep_reading_history=spec.keep_reading_history,
        receive_news=spec.receive_news,
        card_number=spec.card_number,
        expires_on=today + datetime.timedelta(days=spec.expires_in),
    )
    user = User.objects.get(username=spec.username) if spec.username else None
    return members.register_member(data=data, by=by, status=spec.status, user=user)


def _email(spec: DemoMember) -> str:
    if spec.username:
        return f"{spec.username}@perpustakaan.example"
    local = spec.full_name.lower().replace(" ", ".")
    return f"{''.join(c for c in local if c.isalnum() or c == '.')}@contoh.id"


def _at(today: datetime.date, days_ago: int, *, hour: int = DESK_HOUR) -> datetime.datetime:
    day = today - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _shelf_copies(*, children: bool = False) -> Iterator[Item]:
    copies = Item.objects.filter(
        status=Item.Status.AVAILABLE, is_loanable=True, branch__kind__in=["central", "branch"]
    ).select_related("record", "branch")
    if children:
        copies = copies.filter(record__audience=Audience.CHILDREN)
    return iter(copies.order_by("barcode"))


@dataclass(order=True)
class _Act:
    at: datetime.datetime
    order: int
    kind: str = field(compare=False)
    member: Member = field(compare=False)
    plan: LoanPlan | None = field(compare=False, default=None)
    item: Item | None = field(compare=False, default=None)


def _write_history(
    report: PeopleReport,
    demo_members: dict[str, Member],
    *,
    branches: dict[str, Branch],
    today: datetime.date,
    desk: User,
    manager: User,
) -> None:
    """Lend, return, hold and pay in the order it happened, so every block is checked as then."""
    used: set[int] = set()
    general, children = _shelf_copies(), _shelf_copies(children=True)
    acts: list[_Act] = []
    for card, plans in LOANS.items():
        member = demo_members[card]
        for plan in plans:
            source = children if member.category.code == "anak" else general
            item = _next_copy(source, used) or _next_copy(general, used)
            if item is None:
                report.skipped.append(f"{card}: no copy on the shelf")
                continue
            acts.append(_Act(_at(today, plan.lent), len(acts), "lend", member, plan, item))
            if plan.returned is not None:
                acts.append(
                    _Act(
                        _at(today, plan.returned, hour=15), len(acts), "return", member, plan, item
                    )
                )
            elif plan.lost:
                acts.append(_Act(_at(today, 3, hour=11), len(acts), "lost", member, plan, item))
    acts.sort()
    for act in acts:
        _play(report, act, desk=desk, manager=manager)
    _write_holds(report, demo_members, used, branches=branches, today=today, desk=desk)


def _next_copy(copies: Iterator[Item], used: set[int]) -> Item | None:
    for item in copies:
        if item.pk not in used:
            used.add(item.pk)
            return item
    return None


def _play(report: PeopleReport, act: _Act, *, desk: User, manager: User) -> None:
    """One act at the desk; a waiver is the manager's (the desk may not forgive fines)."""
    assert act.item is not None and act.plan is not None  # noqa: S101 (built just above)
    try:
        if act.kind == "lend":
            circulation.checkout(
                item=act.item, member=act.member, by=desk, branch=act.item.branch, now=act.at
            )
        elif act.kind == "return":
            result = circulation.checkin(item=act.item, by=desk, branch=act.item.branch, now=act.at)
            if result.fine is not None and act.plan.pay:
                circulation.pay_fine(fine=result.fine, amount=result.fine.balance, by=desk)
            elif result.fine is not None and act.plan.waive:
                circulation.waive_fine(
                    fine=result.fine, amount=None, reason=act.plan.waive, by=manager
                )
        else:
            loan = Loan.objects.get(item=act.item, status=Loan.Status.ON_LOAN)
            circulation.declare_lost(loan=loan, by=desk, now=act.at)
    except DomainError as error:
        # A rule the demo's data broke is worth seeing, not worth stopping for.
        report.skipped.append(
            f"{act.kind} {act.item.barcode} ({act.member.card_number}): {error.code}"
        )


def _write_holds(
    report: PeopleReport,
    demo_members: dict[str, Member],
    used: set[int],
    *,
    branches: dict[str, Branch],
    today: datetime.date,
    desk: User,
) -> None:
    # A title whose every loanable copy is out: the queue waits.
    out = (
        Loan.objects.filter(status=Loan.Status.ON_LOAN)
        .select_related("item__record")
        .order_by("item__barcode")
    )
    queued = next(
        (
            loan.item.record
            for loan in out
            if not loan.item.record.items.filter(
                status=Item.Status.AVAILABLE, is_loanable=True
            ).exists()
            and loan.member_id not in {demo_members[card].pk for card, _days in WAITING_HOLDS}
        ),
        None,
    )
    if queued is not None:
        for card, days in WAITING_HOLDS:
            member = demo_members[card]
            _hold(report, queued, member, member.home_branch, today, days, desk)
    # Ready: a copy comes back at the pickup branch; in transit: at another branch.
    for holder, borrower, pickup in TRAPPED_HOLDS:
        item = _next_copy(_shelf_copies(), used)
        if item is None:
            continue
        try:
            circulation.checkout(
                item=item,
                member=demo_members[borrower],
                by=desk,
                branch=item.branch,
                now=_at(today, 9),
            )
        except DomainError as error:
            report.skipped.append(f"lend {item.barcode}: {error.code}")
            continue
        _hold(report, item.record, demo_members[holder], branches[pickup], today, 5, desk)
        try:
            circulation.checkin(
                item=item, by=desk, branch=branches["pusat"], now=_at(today, 1, hour=14)
            )
        except DomainError as error:
            report.skipped.append(f"return {item.barcode}: {error.code}")


def _hold(report, record, member, pickup, today, days_ago, desk) -> None:
    try:
        circulation.place_hold(
            record=record,
            member=member,
            pickup_branch=pickup,
            by=desk,
            now=_at(today, days_ago, hour=11),
        )
    except DomainError as error:
        report.skipped.append(f"hold {record.pk} for {member.card_number}: {error.code}")


def _write_guest_book(
    demo_members: dict[str, Member],
    *,
    branches: dict[str, Branch],
    today: datetime.date,
    desk: User,
) -> int:
    """A week of the guest book: members by card, single guests, and groups with a head count."""
    visitors = [member for member in demo_members.values() if member.status != "pending"]
    halls = [branches[code] for code in ("pusat", "utara", "selatan")]
    count = 0
    for days_ago in range(6, -1, -1):
        day = today - datetime.timedelta(days=days_ago)
        for index, branch in enumerate(halls):
            if not branch.is_open_on(day):
                continue
            # A deterministic few of the members each day, rotating through them.
            for offset in range(3 + (days_ago + index) % 3):
                member = visitors[(days_ago * 5 + index * 3 + offset) % len(visitors)]
                count += _visit(branch=branch, on=day, desk=desk, member=member)
            name, institution, purpose = GUESTS[(days_ago + index) % len(GUESTS)]
            count += _visit(
                branch=branch,
                on=day,
                desk=desk,
                guest_name=name,
                institution=institution,
                purpose=purpose,
            )
            if index == 0 and days_ago % 3 == 1:
                name, institution, people = GROUPS[days_ago % len(GROUPS)]
                count += _visit(
                    branch=branch,
                    on=day,
                    desk=desk,
                    guest_name=name,
                    institution=institution,
                    purpose=Visit.Purpose.EVENT,
                    head_count=people,
                    is_group=True,
                )
    return count


def _visit(*, branch: Branch, on: datetime.date, desk: User, **who) -> int:
    try:
        members.check_in_visit(branch=branch, on=on, by=desk, **who)
    except DomainError:
        return 0  # already in the guest book that day
    return 1
