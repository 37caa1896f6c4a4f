"""factory_boy factories for programs and events; registrations are made through the services."""

import datetime

import factory
from django.utils import timezone

from serambi.catalog.tests.factories import BranchFactory
from serambi.programs.models import Event, Program


class ProgramFactory(factory.django.DjangoModelFactory):
    """A published book discussion without certificates."""

    class Meta:
        model = Program

    title = factory.Sequence(lambda n: f"Diskusi Buku {n}")
    slug = factory.Sequence(lambda n: f"diskusi-buku-{n}")
    category = Program.Category.BOOK_DISCUSSION
    summary = "Membaca dan membicarakan satu buku bersama."


class EventFactory(factory.django.DjangoModelFactory):
    """A two-hour session a week from now at a branch (no room), 20 seats, registration open."""

    class Meta:
        model = Event

    program = factory.SubFactory(ProgramFactory)
    branch = factory.SubFactory(BranchFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=7)).replace(microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + datetime.timedelta(hours=2))
    capacity = 20
