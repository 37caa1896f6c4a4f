import datetime

import factory
from django.utils import timezone

from serambi.catalog.tests.factories import BranchFactory
from serambi.members.models import Member, MemberCategory


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
    expires_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=365)
    )
    phone = "081234567890"
    email = factory.LazyAttribute(lambda member: f"{member.card_number.lower()}@contoh.id")
