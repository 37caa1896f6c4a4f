"""factory_boy factories for branches, users with roles, records and items.

Other apps' tests reuse these; keep them free of test-specific choices.
``UserFactory(roles=["cataloguer"])`` signs a user into the role groups that
the accounts app creates after migrate.
"""

from functools import cache

import factory
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from serambi.accounts.models import User
from serambi.accounts.roles import ROLES_BY_CODE
from serambi.catalog.keys import contributor_key, subject_key
from serambi.catalog.models import (
    Contributor,
    Identifier,
    Item,
    Record,
    RecordContributor,
    RecordSubject,
    Subject,
)
from serambi.core.models import Branch

PASSWORD = "rahasia-panjang-123"


@cache
def _password_hash() -> str:
    # Hashing is slow on purpose; one hash serves every user a test run makes.
    return make_password(PASSWORD)


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cabang-{n}")
    name = factory.Sequence(lambda n: f"Perpustakaan Cabang {n}")
    kind = Branch.Kind.BRANCH


class UserFactory(factory.django.DjangoModelFactory):
    """A user who can sign in with ``PASSWORD``; ``roles`` are role codes."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pengguna{n}")
    first_name = "Sari"
    last_name = factory.Sequence(lambda n: f"Wulandari {n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@perpustakaan.example")
    password = factory.LazyFunction(_password_hash)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        codes = list(extracted)
        self.groups.add(*Group.objects.filter(name__in=codes))
        self.is_staff = any(
            ROLES_BY_CODE[code].is_staff_role for code in codes if code in ROLES_BY_CODE
        )
        self.save(update_fields=["is_staff"])


class ContributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contributor
        django_get_or_create = ("key",)

    name = factory.Sequence(lambda n: f"Penulis {n}")
    dates = ""
    key = factory.LazyAttribute(
        lambda contributor: contributor_key(contributor.name, contributor.dates)
    )


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ("key",)

    heading = factory.Sequence(lambda n: f"Topik {n}")
    key = factory.LazyAttribute(lambda subject: subject_key(subject.heading))


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Record

    title = factory.Sequence(lambda n: f"Cerita Rakyat Nusantara {n}")
    responsibility = "disusun oleh Tim Pustaka"
    publisher = "Balai Pustaka"
    publication_place = "Jakarta"
    year = 2019
    language = "ind"
    call_number = "398.2 CER"
    ddc = "398.2"


class RecordContributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecordContributor

    record = factory.SubFactory(RecordFactory)
    contributor = factory.SubFactory(ContributorFactory)
    role = RecordContributor.Role.AUTHOR


class RecordSubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecordSubject

    record = factory.SubFactory(RecordFactory)
    subject = factory.SubFactory(SubjectFactory)


class IdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identifier

    record = factory.SubFactory(RecordFactory)
    scheme = Identifier.Scheme.ISBN
    value = "978-979-1234-56-6"
    normalized = "9789791234566"
    is_valid = True


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    record = factory.SubFactory(RecordFactory)
    barcode = factory.Sequence(lambda n: f"B{n:07d}")
    branch = factory.SubFactory(BranchFactory)
    call_number = factory.LazyAttribute(lambda item: item.record.call_number)
    status = Item.Status.AVAILABLE
