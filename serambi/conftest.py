"""Fixtures every app's tests may use: a branch, and people in each role with a signed-in client.

pytest-django's own ``admin_user`` / ``admin_client`` (a superuser) stay as
they are; ``administrator`` is someone holding the administrator role.
"""

import pytest
from django.test import Client

from serambi.catalog.tests.factories import BranchFactory, UserFactory
from serambi.core.models import Branch


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def branch(db) -> Branch:
    return BranchFactory(code="pusat", name="Perpustakaan Pusat", kind=Branch.Kind.CENTRAL)


@pytest.fixture
def cataloguer(db):
    return UserFactory(
        username="katalog", first_name="Dewi", last_name="Lestari", roles=["cataloguer"]
    )


@pytest.fixture
def cataloguer_client(cataloguer) -> Client:
    return _client_for(cataloguer)


@pytest.fixture
def patron_user(db):
    return UserFactory(
        username="pemustaka", first_name="Budi", last_name="Santoso", roles=["patron"]
    )


@pytest.fixture
def patron_client(patron_user) -> Client:
    return _client_for(patron_user)


@pytest.fixture
def administrator(db):
    return UserFactory(
        username="kepala", first_name="Rina", last_name="Hartati", roles=["administrator"]
    )


@pytest.fixture
def administrator_client(administrator) -> Client:
    return _client_for(administrator)


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Run background tasks in-process: no worker in tests.

    Autouse because any service may queue a notice: when a test runs the
    on-commit callbacks (``django_capture_on_commit_callbacks(execute=True)``
    or a transactional test) the delivery happens at once and lands in
    ``mail.outbox``, instead of piling up in a queue no one works. Tests of the
    queue itself (``serambi/core/tests/test_worker.py``) set the database
    backend back with ``settings.TASKS``.
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
