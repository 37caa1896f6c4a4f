import contextlib
import datetime
import io
import re
from collections import Counter
from pathlib import Path

import pymarc
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation

from serambi.accounts.models import User
from serambi.catalog.models import ImportRun, Item, Record
from serambi.circulation.models import Fine, Hold, Loan, Payment
from serambi.core.models import Branch, ClosedDay, OpeningHours
from serambi.demo.library import (
    ACCOUNTS,
    BRANCHES,
    EQUIPMENT,
    HOLIDAYS_2026,
    PROGRAMS,
    SPACES,
    VAN_ROUTE_HOURS,
)
from serambi.demo.services import DEMO_MARC, RecordRow, plan_copies
from serambi.members.models import Member, Visit
from serambi.programs import selectors as program_selectors
from serambi.programs.models import Certificate, Event, Program, Registration
from serambi.spaces import selectors as space_selectors
from serambi.spaces.models import Booking, Equipment, Space

TODAY = datetime.date(2026, 11, 23)
BARCODE = re.compile(r"^B\d{8}$")


def _write_records(path: Path, start: int, stop: int) -> Path:
    with open(DEMO_MARC, "rb") as source, open(path, "wb") as target:
        reader = pymarc.MARCReader(source, to_unicode=True, force_utf8=True, permissive=True)
        for index, record in enumerate(reader):
            if index >= stop:
                break
            if index >= start:
                target.write(record.as_marc())
    return path


@pytest.fixture(scope="module")
def first_50(tmp_path_factory) -> Path:
    return _write_records(tmp_path_factory.mktemp("marc") / "first-50.mrc", 0, 50)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(marc: Path, *, english: bool = True) -> str:
    """The demo's output, in English (the source text the tests read) unless told otherwise."""
    out = io.StringIO()
    with translation.override("en") if english else contextlib.nullcontext():
        call_command("demo", "--no-serve", "--marc", str(marc), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_builds_a_city_library_with_branches_a_van_and_holidays(first_50):
    run_demo(first_50)

    kinds = dict(Branch.objects.values_list("code", "kind"))
    assert kinds == {
        "pusat": Branch.Kind.CENTRAL,
        "utara": Branch.Kind.BRANCH,
        "selatan": Branch.Kind.BRANCH,
        "keliling-1": Branch.Kind.MOBILE,
    }
    central = Branch.objects.get(code="pusat")
    friday = central.opening_hours.filter(weekday=4).order_by("opens")
    assert [(p.opens.isoformat("minutes"), p.closes.isoformat("minutes")) for p in friday] == [
        ("08:00", "11:30"),
        ("13:00", "16:30"),
    ]
    assert not central.opening_hours.filter(weekday=6).exists()
    van = Branch.objects.get(code="keliling-1")
    assert set(van.opening_hours.values_list("weekday", flat=True)) == {
        weekday for weekday, _opens, _closes in VAN_ROUTE_HOURS
    }

    assert ClosedDay.objects.filter(branch__isnull=True).count() == len(HOLIDAYS_2026)
    independence_day = datetime.date(2026, 8, 17)  # a Monday
    assert not central.is_open_on(independence_day)
    assert central.is_open_on(independence_day + datetime.timedelta(days=7))


@pytest.mark.django_db
def test_demo_accounts_have_their_roles_and_sign_in_with_the_printed_passwords(first_50):
    output = run_demo(first_50)

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.has_perm("accounts.manage_roles")
    assert User.objects.get(username="katalog").has_perms(
        ["core.access_workspace", "catalog.import_marc", "catalog.change_record"]
    )
    circulation = User.objects.get(username="sirkulasi")
    assert circulation.has_perm("core.access_workspace")
    assert not circulation.has_perm("catalog.change_record")
    patron = User.objects.get(username="pemustaka")
    assert not patron.is_staff and not patron.has_perm("core.access_workspace")
    for account in ACCOUNTS:
        assert re.search(rf"{account.username}\s+{re.escape(account.password)}\s", output)
        assert Client().login(username=account.username, password=account.password)


@pytest.mark.django_db
def test_every_record_gets_one_to_four_copies_first_at_the_central_library(first_50):
    output = run_demo(first_50)

    assert Record.objects.count() == 50
    copies = Counter(Item.objects.values_list("record_id", flat=True))
    assert set(copies) == set(Record.objects.values_list("pk", flat=True))
    assert set(copies.values()) <= {1, 2, 3, 4}
    by_branch = Counter(Item.objects.values_list("branch__code", flat=True))
    assert by_branch["pusat"] >= 50 > by_branch["utara"]
    barcodes = sorted(Item.objects.values_list("barcode", flat=True))
    assert barcodes == [f"B{number:08d}" for number in range(1, len(barcodes) + 1)]
    for record in Record.objects.exclude(call_number="").prefetch_related("items"):
        assert {item.call_number for item in record.items.all()} == {record.call_number}
    assert f"Copies          {len(barcodes)} ({len(barcodes)} new)" in output


@pytest.mark.django_db
def test_loading_twice_adds_nothing(first_50):
    run_demo(first_50)
    models = (Branch, OpeningHours, ClosedDay, User, Record, Item, ImportRun)
    before = {model.__name__: model.objects.count() for model in models}
    barcodes = set(Item.objects.values_list("barcode", "record_id"))

    output = run_demo(first_50)

    assert {model.__name__: model.objects.count() for model in models} == before
    assert set(Item.objects.values_list("barcode", "record_id")) == barcodes
    assert "(0 new)" in output
    assert "50 records, all imported before" in output
    assert "already existed" in output


@pytest.mark.django_db
def test_the_demo_speaks_indonesian_by_default(first_50):
    first = run_demo(first_50, english=False)
    again = run_demo(first_50, english=False)

    assert "Tempat layanan" in first and "Service points" not in first
    copies = Item.objects.count()
    assert re.search(rf"\n  Eksemplar +{copies} \({copies} baru\): ", first)
    assert re.search(r"nama pengguna\s+kata sandi\s+peran", first)
    assert "50 rekaman, semuanya sudah diimpor sebelumnya" in again
    assert "sudah ada" in again


@pytest.mark.django_db
def test_a_second_file_numbers_its_copies_on_from_the_highest_barcode(first_50, tmp_path):
    run_demo(first_50)
    highest = max(Item.objects.values_list("barcode", flat=True))

    run_demo(_write_records(tmp_path / "next-10.mrc", 50, 60))

    assert Record.objects.count() == 60
    new_barcodes = sorted(
        Item.objects.filter(barcode__gt=highest).values_list("barcode", flat=True)
    )
    assert new_barcodes[0] == f"B{int(highest[1:]) + 1:08d}"
    assert Record.objects.filter(items__isnull=True).count() == 0


@pytest.mark.django_db
def test_demo_refuses_a_missing_marc_file(tmp_path):
    with translation.override("en"), pytest.raises(CommandError, match="No MARC file"):
        call_command("demo", "--no-serve", "--marc", str(tmp_path / "missing.mrc"))


def test_demo_passwords_pass_the_password_validators():
    for account in ACCOUNTS:
        validate_password(
            account.password,
            user=User(
                username=account.username, first_name=account.first_name, email=account.email
            ),
        )


def _records(count: int) -> list[RecordRow]:
    return [
        RecordRow(
            pk=number,
            control_number_source="DLC",
            control_number=f"{number:>11} ",
            call_number=f"DS{number % 900}.{number % 7} .A{number % 10}",
            year=1960 + number % 66,
            audience="children" if number % 9 == 0 else "",
        )
        for number in range(1, count + 1)
    ]


def test_copy_plans_are_deterministic_and_plausible():
    records = _records(2000)
    plans = [plan_copies(record, today=TODAY) for record in records]
    assert plans == [plan_copies(record, today=TODAY) for record in records]

    copies = [copy for record_plans in plans for copy in record_plans]
    assert all(record_plans[0].branch_code == "pusat" for record_plans in plans)
    assert {len(record_plans) for record_plans in plans} == {1, 2, 3, 4}
    branches = Counter(copy.branch_code for copy in copies)
    assert set(branches) == {branch.code for branch in BRANCHES}
    assert branches["pusat"] > len(copies) / 2
    assert all(35_000 <= copy.price <= 250_000 and copy.price % 500 == 0 for copy in copies)
    ten_years_ago = TODAY - datetime.timedelta(days=3653)
    assert all(ten_years_ago <= copy.acquired_on <= TODAY for copy in copies)
    for record, record_plans in zip(records, plans, strict=True):
        assert all(
            copy.acquired_on.year >= record.year
            for copy in record_plans
            if copy.status != "in_processing"
        )
        assert all(copy.call_number == record.call_number for copy in record_plans)

    statuses = Counter(copy.status for copy in copies)
    assert statuses["available"] > 0.9 * len(copies)
    assert {"in_processing", "damaged", "lost"} <= set(statuses)
    sources = Counter(copy.acquisition_source for copy in copies)
    assert sources["purchase"] > sources["gift"] > sources["deposit"] > 0
    locations = {copy.shelf_location.split(" · ")[0] for copy in copies}
    assert {"Umum", "Anak", "Referensi", "Koleksi Deposit", "Koleksi Keliling"} <= locations
    assert not any(copy.is_loanable for copy in copies if copy.shelf_location == "Referensi")


@pytest.mark.django_db
def test_demo_people_fill_every_page_of_the_desk_with_real_looking_data(first_50):
    errors = io.StringIO()
    with translation.override("en"):
        call_command(
            "demo", "--no-serve", "--marc", str(first_50), stdout=io.StringIO(), stderr=errors
        )
    today = timezone.localdate()

    assert errors.getvalue() == ""  # no act of the demo's history was refused
    categories = set(Member.objects.values_list("category__code", flat=True))
    assert categories == {"umum", "pelajar", "mahasiswa", "anak", "lansia", "difabel", "institusi"}
    assert Member.objects.filter(status=Member.Status.EXPIRED).count() >= 2
    assert Member.objects.filter(status=Member.Status.PENDING).exists()
    patron = Member.objects.get(user__username="pemustaka")

    open_loans = Loan.objects.filter(status=Loan.Status.ON_LOAN)
    assert open_loans.filter(due_on__lt=today).exists()  # overdue
    assert open_loans.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=3))
    assert open_loans.filter(due_on__gt=today + datetime.timedelta(days=3)).exists()
    assert Loan.objects.filter(status=Loan.Status.RETURNED).exists()
    assert Loan.objects.filter(status=Loan.Status.LOST).exists()
    assert open_loans.filter(member=patron).count() == 3
    # He keeps his reading history: his returned loans still name him.
    assert Loan.objects.filter(member=patron, status=Loan.Status.RETURNED).count() == 3

    statuses = Counter(Hold.objects.values_list("status", flat=True))
    assert statuses[Hold.Status.WAITING] >= 2
    assert statuses[Hold.Status.READY] == statuses[Hold.Status.IN_TRANSIT] == 1
    unpaid = [fine for fine in Fine.objects.filter(settled_at__isnull=True)]
    assert {fine.member.status for fine in unpaid} >= {Member.Status.ACTIVE, Member.Status.EXPIRED}
    assert Payment.objects.filter(kind=Payment.Kind.PAYMENT).exists()
    assert Payment.objects.filter(kind=Payment.Kind.WAIVER).exists()

    days = set(Visit.objects.values_list("visited_on", flat=True))
    assert min(days) >= today - datetime.timedelta(days=6) and len(days) >= 5
    assert Visit.objects.filter(is_group=True, head_count__gte=10).exists()
    assert Visit.objects.filter(member__isnull=True, is_group=False).exists()


@pytest.mark.django_db
def test_loading_twice_writes_no_second_history(first_50):
    run_demo(first_50)
    models = (Member, Loan, Hold, Fine, Payment, Visit)
    before = {model.__name__: model.objects.count() for model in models}

    run_demo(first_50)

    assert {model.__name__: model.objects.count() for model in models} == before


@pytest.mark.django_db
def test_demo_season_fills_the_events_calendar_and_the_room_grid(first_50, client):
    errors = io.StringIO()
    with translation.override("en"):
        call_command(
            "demo", "--no-serve", "--marc", str(first_50), stdout=io.StringIO(), stderr=errors
        )
    now = timezone.now()

    assert errors.getvalue() == ""  # no act of the season was refused
    assert Program.objects.count() == len(PROGRAMS)
    assert len(set(Program.objects.values_list("category", flat=True))) >= 8
    events = Event.objects.filter(status=Event.Status.SCHEDULED)
    past, coming = events.filter(ends_at__lte=now), events.filter(starts_at__gt=now)
    assert past.count() >= 5 and coming.count() >= 8
    # Past events: who came, who did not, certificates only for those who came.
    statuses = Counter(Registration.objects.filter(event__in=past).values_list("status", flat=True))
    assert statuses[Registration.Status.ATTENDED] > 3 * statuses[Registration.Status.NO_SHOW] > 0
    assert not statuses[Registration.Status.CONFIRMED]  # every past event was closed
    certificates = Certificate.objects.select_related("registration__event__program")
    assert certificates.exists()
    assert all(c.registration.status == Registration.Status.ATTENDED for c in certificates)
    assert all(c.registration.event.program.gives_certificate for c in certificates)
    # Coming events take registrations; some are full and keep a waitlist.
    open_events = coming.filter(registration_required=True)
    assert open_events.count() >= 5
    full = [event for event in open_events if program_selectors.seats_left(event) == 0]
    assert full
    assert Registration.objects.filter(
        event__in=full, status=Registration.Status.WAITLISTED
    ).exists()
    assert coming.filter(registration_required=False).exists()  # storytelling: just come
    series = Program.objects.get(slug="bengkel-penulisan-kreatif").events.all()
    assert series.filter(ends_at__lte=now).exists() and series.filter(starts_at__gt=now).exists()
    # The demo patron: a certificate, a seat and a place in a waitlist.
    budi = Member.objects.get(user__username="pemustaka")
    mine = program_selectors.my_registrations(budi)
    assert mine.filter(certificate__isnull=False).exists()
    assert mine.filter(status=Registration.Status.CONFIRMED, event__starts_at__gt=now).exists()
    waiting = mine.get(status=Registration.Status.WAITLISTED)
    assert program_selectors.waitlist_position(waiting) == 1

    # The creative space: rooms of every kind, equipment, and bookings either side of today.
    assert Space.objects.count() == len(SPACES)
    assert set(Space.objects.values_list("kind", flat=True)) == set(Space.Kind.values) - {"other"}
    assert set(Space.objects.values_list("branch__code", flat=True)) == {"pusat", "utara"}
    assert Space.objects.filter(requires_approval=True).exists()
    assert Equipment.objects.count() == len(EQUIPMENT)
    members_bookings = Booking.objects.filter(member__isnull=False)
    kept = members_bookings.filter(starts_at__gt=now)
    assert kept.filter(status=Booking.Status.CONFIRMED).count() >= 4
    assert kept.filter(status=Booking.Status.REQUESTED).count() == 1
    assert members_bookings.filter(status=Booking.Status.COMPLETED).exists()
    assert members_bookings.filter(status=Booking.Status.NO_SHOW).exists()
    assert members_bookings.filter(equipment_holds__isnull=False).exists()
    assert Booking.objects.filter(event__isnull=False, starts_at__gt=now).count() >= 8
    room = Space.objects.get(slug="ruang-diskusi-1")
    today = timezone.localdate()
    week = space_selectors.free_slots(room, start=today, end=today + datetime.timedelta(days=6))
    states = Counter(slot.state for day in week for slot in day.slots)
    assert states["free"] > states["taken"] > 0

    # And the API shows it to an app.
    listed = client.get("/api/v1/events").json()
    assert (
        listed["total"]
        == coming.count() + events.filter(starts_at__lte=now, ends_at__gt=now).count()
    )
    assert any(row["waitlist"] for row in listed["events"])


@pytest.mark.django_db
def test_loading_twice_writes_no_second_season(first_50):
    first = run_demo(first_50)
    models = (Program, Event, Registration, Certificate, Space, Equipment, Booking)
    before = {model.__name__: model.objects.count() for model in models}

    again = run_demo(first_50)

    assert {model.__name__: model.objects.count() for model in models} == before
    assert f"{len(SPACES)} rooms ({len(SPACES)} new)" in first
    assert f"{len(SPACES)} rooms (0 new)" in again
    assert f"{len(PROGRAMS)} programs: " in again
