"""Load the demo library: service points, holidays, accounts, the catalogue and its copies.

Every step looks before it writes, so loading twice changes nothing and the
second load is quick. Branches, holidays and accounts go through the core
and accounts services; the records come in through the MARC importer, as
any library's would. The copies are invented here, deterministically (one
seeded random stream per record), and bulk-created: a data loader may, and
it is the difference between a second and a minute.
"""

import datetime
import random
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pymarc
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from serambi.accounts.models import User
from serambi.accounts.services import create_user
from serambi.catalog.marc.importer import ImportReport, import_marc
from serambi.catalog.marc.reader import read_marc
from serambi.catalog.models import Audience, Item, Record
from serambi.core.models import Branch, ClosedDay
from serambi.core.services import add_closed_day, create_branch, record_audit, set_opening_hours
from serambi.members.models import Member

from .circulation import PeopleReport, load_demo_people
from .library import ACCOUNTS, BRANCHES, HOLIDAYS_2026, MEMBERS, DemoAccount, DemoBranch
from .programs import ProgramsReport, load_demo_programs

DEMO_MARC = Path(__file__).resolve().parent / "data" / "loc-indonesian.mrc"
SEED = "serambi-demo"
BARCODE_PREFIX = "B"
BARCODE_DIGITS = 8
_BARCODE = re.compile(rf"^{BARCODE_PREFIX}\d{{{BARCODE_DIGITS}}}$")
# As the MARC mapping reads 001/003: control characters dropped, spaces trimmed.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

BRANCHES_BY_CODE = {branch.code: branch for branch in BRANCHES}
# The circulation librarian who lends, takes back and takes payments in the demo's history.
DESK_ACCOUNT = next(account.username for account in ACCOUNTS if account.role == "circulation")
# The programmes coordinator who runs the events and decides on room bookings.
PROGRAMS_ACCOUNT = next(account.username for account in ACCOUNTS if account.role == "programs")
CENTRAL = next(branch for branch in BRANCHES if branch.kind == Branch.Kind.CENTRAL)

GIFT_DONORS = (
    "Perpustakaan Nasional RI",
    "Dinas Perpustakaan dan Kearsipan Provinsi",
    "Bank Indonesia (program CSR)",
    "Ikatan Alumni SMA Negeri 1",
    "sumbangan pemustaka",
    "Gerakan Indonesia Membaca",
)
DAMAGE_NOTES = (
    "Sampul robek, perlu dijilid ulang",
    "Beberapa halaman lepas",
    "Terkena air, halaman bergelombang",
    "Banyak coretan pada halaman",
)
LOST_NOTES = (
    "Dilaporkan hilang oleh pemustaka",
    "Hilang dalam perjalanan Pustaka Keliling",
)


@dataclass(frozen=True)
class RecordRow:
    """What the copies of one record are made from."""

    pk: int
    control_number_source: str
    control_number: str
    call_number: str = ""
    ddc: str = ""
    audience: str = ""
    language: str = ""
    year: int | None = None
    is_local_content: bool = False


@dataclass(frozen=True)
class CopyPlan:
    branch_code: str
    shelf_location: str
    call_number: str
    status: str
    is_loanable: bool
    acquisition_source: str
    price: int
    acquired_on: datetime.date
    notes: str = ""


@dataclass
class DemoReport:
    library_name: str
    marc_path: Path
    branches: list[Branch] = field(default_factory=list)
    branches_created: int = 0
    closed_days: int = 0
    closed_days_created: int = 0
    accounts_created: list[str] = field(default_factory=list)
    records_in_file: int = 0
    catalogue: ImportReport | None = None  # None: every record was imported before
    items_created: int = 0
    items_by_branch: dict[str, int] = field(default_factory=dict)
    people: PeopleReport | None = None
    programs: ProgramsReport | None = None
    seconds: float = 0.0

    @property
    def items_total(self) -> int:
        return sum(self.items_by_branch.values())


def load_demo_library(
    *,
    marc_path: Path | str = DEMO_MARC,
    today: datetime.date | None = None,
    progress: bool = False,
) -> DemoReport:
    """Create whatever of the demo library is missing; return what there is and what was made."""
    started = time.monotonic()
    marc_path = Path(marc_path)
    report = DemoReport(library_name=settings.LIBRARY_NAME, marc_path=marc_path)
    with transaction.atomic():
        admin = _ensure_accounts(report)
        branches = _ensure_branches(report, by=admin)
        _ensure_closed_days(report, by=admin)
    keys = control_keys(marc_path)
    report.records_in_file = len(keys)
    # Importing again would change nothing but add one more import run to the
    # staff's import list; when every record is there, the import is skipped.
    if not keys or not _all_imported(keys):
        report.catalogue = import_marc(
            paths=[marc_path], by=admin, items_per_record=0, progress=progress
        )
    report.items_created = create_demo_items(
        records=records_without_items(keys),
        branches=branches,
        today=today or timezone.localdate(),
        by=admin,
    )
    counts = dict(
        Branch.objects.filter(code__in=BRANCHES_BY_CODE)
        .annotate(item_count=Count("items"))
        .values_list("code", "item_count")
    )
    report.items_by_branch = {branch.name: counts[branch.code] for branch in report.branches}
    report.people = load_demo_people(
        branches=branches,
        today=today or timezone.localdate(),
        by=admin,
        desk=User.objects.get(username=DESK_ACCOUNT),
    )
    report.programs = load_demo_programs(
        branches=branches,
        demo_members={
            member.card_number: member
            for member in Member.objects.select_related("user").filter(
                card_number__in=[spec.card_number for spec in MEMBERS]
            )
        },
        today=today or timezone.localdate(),
        by=User.objects.get(username=PROGRAMS_ACCOUNT),
        desk=User.objects.get(username=DESK_ACCOUNT),
    )
    report.seconds = time.monotonic() - started
    return report


def _ensure_accounts(report: DemoReport) -> User:
    existing = set(
        User.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    for account in ACCOUNTS:
        if account.username in existing:
            continue
        _check_demo_password(account)
        create_user(
            username=account.username,
            password=account.password,
            first_name=account.first_name,
            last_name=account.last_name,
            email=account.email,
            roles=[account.role],
            is_superuser=account.is_superuser,
            by=None,
        )
        report.accounts_created.append(account.username)
    administrator = next(account for account in ACCOUNTS if account.role == "administrator")
    return User.objects.get(username=administrator.username)


def _check_demo_password(account: DemoAccount) -> None:
    """The demo's fixed passwords must still pass the validators the library runs."""
    validate_password(
        account.password,
        user=User(
            username=account.username,
            first_name=account.first_name,
            last_name=account.last_name,
            email=account.email,
        ),
    )


def _ensure_branches(report: DemoReport, *, by: User) -> dict[str, Branch]:
    branches = {branch.code: branch for branch in Branch.objects.filter(code__in=BRANCHES_BY_CODE)}
    for spec in BRANCHES:
        if spec.code in branches:
            continue
        branch = create_branch(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            address=spec.address,
            phone=spec.phone,
            email=spec.email,
            by=by,
        )
        set_opening_hours(branch=branch, periods=spec.hours, by=by)
        branches[spec.code] = branch
        report.branches_created += 1
    report.branches = [branches[spec.code] for spec in BRANCHES]
    return branches


def _ensure_closed_days(report: DemoReport, *, by: User) -> None:
    dates = [date for date, _reason in HOLIDAYS_2026]
    existing = set(
        ClosedDay.objects.filter(branch__isnull=True, date__in=dates).values_list("date", flat=True)
    )
    for date, reason in HOLIDAYS_2026:
        if date not in existing:
            add_closed_day(date=date, reason=reason, by=by)
            report.closed_days_created += 1
    report.closed_days = len(dates)


def control_keys(marc_path: Path | str) -> list[tuple[str, str]]:
    """(003, 001) of each record in the file, in file order: how imported records are found."""
    keys = []
    for result in read_marc(marc_path):
        if result.record is None:
            continue  # the importer reports it; it has no record to give copies to
        number = _control_field(result.record, "001")
        if number:
            keys.append((_control_field(result.record, "003"), number))
    return keys


def _control_field(record: pymarc.Record, tag: str) -> str:
    fields = record.get_fields(tag)
    if not fields or not fields[0].is_control_field():
        return ""
    return _CONTROL_CHARS.sub("", fields[0].data or "").strip()


def _all_imported(keys: Sequence[tuple[str, str]]) -> bool:
    sources = {source for source, _number in keys}
    imported = set(
        Record.objects.filter(control_number_source__in=sources).values_list(
            "control_number_source", "control_number"
        )
    )
    return imported.issuperset(keys)


def records_without_items(keys: Sequence[tuple[str, str]]) -> list[RecordRow]:
    """The records named by ``keys`` that have no copy yet, in the order of ``keys``."""
    sources = {source for source, _number in keys}
    rows = Record.objects.filter(items__isnull=True, control_number_source__in=sources).values(
        "pk",
        "control_number_source",
        "control_number",
        "call_number",
        "ddc",
        "audience",
        "language",
        "year",
        "is_local_content",
    )
    by_key = {
        (row["control_number_source"], row["control_number"]): RecordRow(**row) for row in rows
    }
    return [by_key[key] for key in dict.fromkeys(keys) if key in by_key]


@transaction.atomic
def create_demo_items(
    *,
    records: Iterable[RecordRow],
    branches: dict[str, Branch],
    today: datetime.date,
    by: User | None,
) -> int:
    """Give each record its invented copies, numbered on from the highest demo barcode."""
    next_number = _highest_demo_barcode() + 1
    items = []
    for record in records:
        for copy in plan_copies(record, today=today):
            items.append(
                Item(
                    record_id=record.pk,
                    barcode=f"{BARCODE_PREFIX}{next_number:0{BARCODE_DIGITS}d}",
                    branch=branches[copy.branch_code],
                    shelf_location=copy.shelf_location,
                    call_number=copy.call_number,
                    status=copy.status,
                    is_loanable=copy.is_loanable,
                    acquisition_source=copy.acquisition_source,
                    price=copy.price,
                    acquired_on=copy.acquired_on,
                    notes=copy.notes,
                )
            )
            next_number += 1
    Item.objects.bulk_create(items, batch_size=500)
    if items:
        record_audit(
            by=by,
            action="demo.create_items",
            data={"items": len(items), "first": items[0].barcode, "last": items[-1].barcode},
        )
    return len(items)


def _highest_demo_barcode() -> int:
    # Fixed-width numbers, so the highest string is the highest number.
    highest = Item.objects.filter(barcode__regex=_BARCODE.pattern).aggregate(Max("barcode"))
    return int(highest["barcode__max"][len(BARCODE_PREFIX) :]) if highest["barcode__max"] else 0


def plan_copies(record: RecordRow, *, today: datetime.date) -> list[CopyPlan]:
    """The copies a record gets: 1–4, the first at the central library, most others too.

    The random stream is seeded by the record's control number, so a record
    gets the same copies whatever else is in the file or the database.
    """
    # Invented demo data, not a secret: the standard generator is the right one.
    rng = random.Random(f"{SEED}:{record.control_number_source}:{record.control_number}")  # noqa: S311
    count = rng.choices((1, 2, 3, 4), weights=(45, 30, 15, 10))[0]
    extra = rng.choices(BRANCHES, weights=[branch.copy_weight for branch in BRANCHES], k=count - 1)
    copies = [_plan_copy(rng, record, branch=CENTRAL, first=True, today=today)]
    copies.extend(
        _plan_copy(rng, record, branch=branch, first=False, today=today) for branch in extra
    )
    return copies


def _plan_copy(
    rng: random.Random,
    record: RecordRow,
    *,
    branch: DemoBranch,
    first: bool,
    today: datetime.date,
) -> CopyPlan:
    source = Item.AcquisitionSource.PURCHASE
    notes = ""
    roll = rng.random()
    if first and roll < 0.08:
        source = Item.AcquisitionSource.DEPOSIT
    elif roll < 0.30:
        source = Item.AcquisitionSource.GIFT
        notes = f"Hibah dari {rng.choice(GIFT_DONORS)}"

    is_loanable = True
    if source == Item.AcquisitionSource.DEPOSIT:
        # Legal-deposit copies (serah simpan) are kept, never lent.
        shelf_location, is_loanable = "Koleksi Deposit", False
    elif branch.kind == Branch.Kind.MOBILE:
        shelf_location = f"Koleksi Keliling · Boks {rng.randint(1, 12)}"
    elif branch.kind == Branch.Kind.CENTRAL and rng.random() < 0.06:
        shelf_location, is_loanable = "Referensi", False
    else:
        shelf_location = f"{_zone(record)} · Rak {rng.randint(1, branch.racks)}"

    acquired_on = _acquired_on(rng, record, today=today)
    status = Item.Status.AVAILABLE
    roll = rng.random()
    if roll < 0.02:
        status = Item.Status.IN_PROCESSING
        shelf_location = "Ruang Pengolahan"
        acquired_on = today - datetime.timedelta(days=rng.randint(0, 45))
    elif roll < 0.035:
        status, notes = Item.Status.DAMAGED, rng.choice(DAMAGE_NOTES)
    elif roll < 0.045:
        status, notes = Item.Status.LOST, rng.choice(LOST_NOTES)
    elif roll < 0.05:
        status = Item.Status.MISSING
        notes = f"Tidak ditemukan pada stock opname {today.year - 1}"

    return CopyPlan(
        branch_code=branch.code,
        shelf_location=shelf_location,
        call_number=record.call_number or record.ddc,
        status=status,
        is_loanable=is_loanable,
        acquisition_source=source,
        price=_price(rng),
        acquired_on=acquired_on,
        notes=notes,
    )


def _zone(record: RecordRow) -> str:
    if record.audience == Audience.CHILDREN:
        return "Anak"
    if record.audience == Audience.YOUNG_ADULT:
        return "Remaja"
    if record.is_local_content:
        return "Muatan Lokal"
    if record.language in {"jav", "sun", "ban", "mad", "min", "bug"}:
        return "Bahasa Daerah"
    return "Umum"


def _price(rng: random.Random) -> int:
    """Rupiah, 35.000–250.000, most books under a hundred thousand, in steps of 500."""
    return round(rng.triangular(35_000, 250_000, 65_000) / 500) * 500


def _acquired_on(rng: random.Random, record: RecordRow, *, today: datetime.date) -> datetime.date:
    """Some day in the last ten years, and not before the book came out."""
    earliest = today - datetime.timedelta(days=3652)
    if record.year and record.year <= today.year:
        earliest = max(earliest, datetime.date(record.year, 1, 1))
    return earliest + datetime.timedelta(days=rng.randint(0, (today - earliest).days))
