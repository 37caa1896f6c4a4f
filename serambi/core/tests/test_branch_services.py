import datetime

import pytest

from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry, Branch, ClosedDay
from serambi.core.services import add_closed_day, create_branch, set_opening_hours

pytestmark = pytest.mark.django_db

T = datetime.time
FRIDAY = 4


@pytest.fixture
def branch():
    return create_branch(code="utara", name="Cabang Utara", by=None)


def test_create_branch_is_audited():
    branch = create_branch(code="keliling-1", name="Pustaka Keliling 1", kind="mobile", by=None)
    assert branch.kind == Branch.Kind.MOBILE
    assert AuditEntry.objects.filter(action="core.create_branch", target_id=str(branch.pk)).exists()


def test_branch_codes_are_unique(branch):
    with pytest.raises(DomainError) as error:
        create_branch(code="utara", name="Cabang Utara Baru", by=None)
    assert error.value.code == "core.branch_code_taken"


def test_unknown_branch_kind_is_refused():
    with pytest.raises(DomainError) as error:
        create_branch(code="x", name="X", kind="library_bus", by=None)
    assert error.value.code == "core.unknown_branch_kind"


def test_opening_hours_are_replaced_and_allow_a_friday_prayer_break(branch):
    set_opening_hours(branch=branch, periods=[(0, T(8), T(16))], by=None)
    set_opening_hours(
        branch=branch, periods=[(FRIDAY, T(13), T(16, 30)), (FRIDAY, T(8), T(11, 30))], by=None
    )
    assert [(p.weekday, p.opens, p.closes) for p in branch.opening_hours.all()] == [
        (FRIDAY, T(8), T(11, 30)),
        (FRIDAY, T(13), T(16, 30)),
    ]
    entry = AuditEntry.objects.filter(action="core.set_opening_hours").first()
    assert entry.data["before"] == [[0, "08:00", "16:00"]]


@pytest.mark.parametrize(
    ("periods", "code"),
    [
        ([(0, T(16), T(8))], "core.opens_after_closes"),
        ([(7, T(8), T(16))], "core.bad_weekday"),
        ([(0, T(8), T(12)), (0, T(11), T(16))], "core.overlapping_hours"),
    ],
)
def test_impossible_opening_hours_are_refused_and_leave_the_old_ones(branch, periods, code):
    set_opening_hours(branch=branch, periods=[(0, T(8), T(16))], by=None)
    with pytest.raises(DomainError) as error:
        set_opening_hours(branch=branch, periods=periods, by=None)
    assert error.value.code == code
    assert branch.opening_hours.count() == 1


def test_closed_days_for_the_library_and_for_one_branch(branch):
    day = datetime.date(2026, 8, 17)
    add_closed_day(date=day, reason="Hari Kemerdekaan", by=None)
    add_closed_day(date=day, reason="Renovasi", branch=branch, by=None)
    assert ClosedDay.objects.filter(date=day).count() == 2
    with pytest.raises(DomainError) as error:
        add_closed_day(date=day, reason="Lagi", by=None)
    assert error.value.code == "core.closed_day_exists"
