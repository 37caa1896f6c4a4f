"""factory_boy factories for rooms and equipment; bookings are made through the services."""

import datetime

import factory

from serambi.catalog.tests.factories import BranchFactory
from serambi.core.models import OpeningHours
from serambi.spaces.models import Equipment, Space


class SpaceFactory(factory.django.DjangoModelFactory):
    """A discussion room for 8, 30-minute slots, 30 minutes to 3 hours, no buffer, instant."""

    class Meta:
        model = Space
        skip_postgeneration_save = True

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"Ruang Diskusi {n}")
    slug = factory.Sequence(lambda n: f"ruang-diskusi-{n}")
    kind = Space.Kind.DISCUSSION_ROOM
    capacity = 8

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"Kamera {n}")


# Weekdays 08:00–12:00 and 13:00–16:00 (a lunch break), Saturday 08:00–12:00, Sunday closed.
WEEKDAY_PERIODS = ((datetime.time(8), datetime.time(12)), (datetime.time(13), datetime.time(16)))
SATURDAY_PERIODS = ((datetime.time(8), datetime.time(12)),)


def open_branch(branch) -> None:
    """Give a branch the opening hours above."""
    rows = [
        OpeningHours(branch=branch, weekday=weekday, opens=opens, closes=closes)
        for weekday in range(5)
        for opens, closes in WEEKDAY_PERIODS
    ]
    rows += [
        OpeningHours(branch=branch, weekday=5, opens=opens, closes=closes)
        for opens, closes in SATURDAY_PERIODS
    ]
    OpeningHours.objects.bulk_create(rows)
