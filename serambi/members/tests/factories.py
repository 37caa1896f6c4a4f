import datetime

import factory
from django.utils import timezone

from serambi.catalog.tests.factories import BranchFactory
from serambi.members.models import Member, MemberCategory, Visit


def category(code: str = "umum") -> MemberCategory:
    """One of the categories the migration creates (umum, pelajar, anak …)."""
    return MemberCategory.objects.get(code=code)


class MemberFactory(factory.django.DjangoModelFactory):
    """An active member of the ``umum`` category whose card runs another year."""

    class Meta:
        model = Member

    card_number = factory.Sequence(lambda n: f"A{n:07d}")
    full_name = factory.Sequence(lambda n: f"Siti Rahmawati {n}")
    category = factory.LazyFunction(category)
    home_branch = factory.SubFactory(BranchFactory)
    status = Member.Status.ACTIVE
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    phone = "081234567890"
    email = factory.LazyAttribute(lambda member: f"{member.card_number.lower()}@contoh.id")


# Valid NIKs (Jakarta Pusat, born 17 August 1945): the last four digits make each unique.
VALID_NIKS = tuple(f"317101170845{n:04d}" for n in range(1, 20))


def member_data(**overrides):
    """A MemberData for the service functions: an adult ``umum`` member at a new branch."""
    from serambi.members.types import MemberData

    values = {
        "full_name": "Dewi Anggraini",
        "category": overrides.pop("category", None) or category(),
        "home_branch": overrides.pop("home_branch", None) or BranchFactory(),
        "phone": "0812 3456 7890",
        "email": "dewi@contoh.id",
        "address": "Jl. Pemuda 12",
        "kelurahan": "Kauman",
        "kecamatan": "Magelang Tengah",
        "city": "Magelang",
    }
    values.update(overrides)
    return MemberData(**values)


class VisitFactory(factory.django.DjangoModelFactory):
    """A guest's visit today at a new branch."""

    class Meta:
        model = Visit

    branch = factory.SubFactory(BranchFactory)
    visited_on = factory.LazyFunction(timezone.localdate)
    guest_name = factory.Sequence(lambda n: f"Tamu {n}")
    guest_key = factory.LazyAttribute(lambda visit: visit.guest_name.lower() + "|")
    head_count = 1
