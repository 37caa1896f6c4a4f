import datetime

import pytest
from django.db import IntegrityError, transaction

from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry, Branch, ClosedDay, OpeningHours
from serambi.core.services import record_audit

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture
def central():
    branch = Branch.objects.create(
        code="pusat", name="Perpustakaan Pusat", kind=Branch.Kind.CENTRAL
    )
    for weekday in range(5):
        OpeningHours.objects.create(
            branch=branch, weekday=weekday, opens=datetime.time(8), closes=datetime.time(16)
        )
    return branch


def test_branch_is_closed_on_weekdays_without_hours(central):
    assert central.is_open_on(MONDAY)
    assert not central.is_open_on(MONDAY + datetime.timedelta(days=6))  # Sunday


def test_a_closed_day_closes_the_branch(central):
    ClosedDay.objects.create(branch=central, date=MONDAY, reason="Cuti bersama")
    assert not central.is_open_on(MONDAY)
    assert central.is_open_on(MONDAY + datetime.timedelta(days=1))


def test_a_library_wide_closed_day_closes_every_branch(central):
    ClosedDay.objects.create(branch=None, date=MONDAY, reason="HUT RI")
    assert not central.is_open_on(MONDAY)


def test_opening_hours_must_open_before_they_close(central):
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(
            branch=central, weekday=5, opens=datetime.time(14), closes=datetime.time(9)
        )


def test_one_library_wide_closed_day_per_date():
    ClosedDay.objects.create(date=MONDAY, reason="Libur")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClosedDay.objects.create(date=MONDAY, reason="Libur lagi")


def test_record_audit_names_actor_action_and_target(central, django_user_model):
    staff = django_user_model.objects.create_user(username="rina", password="x")
    entry = record_audit(
        by=staff, action="core.branch_changed", target=central, data={"field": "name"}
    )
    entry.refresh_from_db()
    assert entry.actor == staff
    assert entry.target_type == "core.branch"
    assert entry.target_id == str(central.pk)
    assert entry.target_repr == "Perpustakaan Pusat"
    assert entry.data == {"field": "name"}
    assert AuditEntry.objects.count() == 1


def test_record_audit_accepts_a_system_action_without_actor(central):
    entry = record_audit(by=None, action="core.nightly_job")
    assert entry.actor is None
    assert entry.target_type == ""


def test_domain_error_carries_a_stable_code_and_data():
    error = DomainError("catalog.duplicate_barcode", "Barcode taken", barcode="B1")
    assert error.code == "catalog.duplicate_barcode"
    assert str(error) == "Barcode taken"
    assert error.as_dict() == {
        "code": "catalog.duplicate_barcode",
        "message": "Barcode taken",
        "data": {"barcode": "B1"},
    }


def test_service_points_list_the_central_library_first():
    Branch.objects.create(code="utara", name="Cabang Utara", kind=Branch.Kind.BRANCH)
    Branch.objects.create(code="van", name="Pustaka Keliling", kind=Branch.Kind.MOBILE)
    Branch.objects.create(code="pusat", name="Gedung Pusat", kind=Branch.Kind.CENTRAL)
    Branch.objects.create(
        code="tutup", name="Cabang Lama", kind=Branch.Kind.BRANCH, is_active=False
    )
    from serambi.core.selectors import service_points

    assert [b.code for b in service_points()] == ["pusat", "utara", "van"]
    assert len(service_points(active_only=False)) == 4
