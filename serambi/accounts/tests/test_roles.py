import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from serambi.accounts.roles import ROLES, sync_roles
from serambi.accounts.services import create_user, set_roles
from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def make(username, *roles):
    return create_user(username=username, password="rahasia-panjang-123", roles=roles)


def test_every_role_exists_as_a_group_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.code for role in ROLES}


def test_sync_roles_is_idempotent_and_restores_permissions():
    cataloguer = Group.objects.get(name="cataloguer")
    cataloguer.permissions.clear()
    sync_roles()
    sync_roles()
    assert cataloguer.permissions.filter(codename="change_record").exists()
    assert not cataloguer.permissions.filter(codename="manage_roles").exists()


def test_roles_grant_what_each_job_needs():
    admin = make("admin", "administrator")
    cataloguer = make("katalog", "cataloguer")
    circulation = make("sirkulasi", "circulation")
    patron = make("pemustaka", "patron")
    assert admin.has_perm("accounts.manage_roles")
    assert cataloguer.has_perms(
        ["core.access_workspace", "catalog.change_record", "catalog.import_marc"]
    )
    assert not cataloguer.has_perm("accounts.manage_roles")
    assert circulation.has_perm("core.access_workspace")
    assert not circulation.has_perm("catalog.change_record")
    assert not patron.has_perm("core.access_workspace")
    assert cataloguer.is_staff and not patron.is_staff


def test_set_roles_is_audited():
    admin = make("admin", "administrator")
    person = make("budi", "circulation")
    set_roles(user=person, roles=["cataloguer", "circulation"], by=admin)
    assert set(person.groups.values_list("name", flat=True)) == {"cataloguer", "circulation"}
    entry = AuditEntry.objects.get(action="accounts.set_roles")
    assert entry.actor == admin
    assert entry.data == {"before": ["circulation"], "after": ["cataloguer", "circulation"]}


def test_a_cataloguer_cannot_change_roles():
    cataloguer = make("katalog", "cataloguer")
    person = make("budi", "circulation")
    with pytest.raises(DomainError) as error:
        set_roles(user=person, roles=["administrator"], by=cataloguer)
    assert error.value.code == "accounts.not_allowed"
    assert list(person.groups.values_list("name", flat=True)) == ["circulation"]


def test_an_administrator_cannot_drop_their_own_administrator_role():
    admin = make("admin", "administrator")
    with pytest.raises(DomainError) as error:
        set_roles(user=admin, roles=["cataloguer"], by=admin)
    assert error.value.code == "accounts.cannot_demote_self"


def test_unknown_role_is_refused():
    admin = make("admin", "administrator")
    with pytest.raises(DomainError) as error:
        set_roles(user=make("budi"), roles=["janitor"], by=admin)
    assert error.value.code == "accounts.unknown_role"


def test_roles_page_for_administrator_only(client):
    admin = make("admin", "administrator")
    person = make("budi", "circulation")
    url = reverse("accounts:staff_roles", args=[person.pk])

    client.force_login(make("katalog", "cataloguer"))
    assert client.get(reverse("accounts:staff_list")).status_code == 403
    assert client.post(url, {"roles": ["administrator"]}).status_code == 403
    assert list(person.groups.values_list("name", flat=True)) == ["circulation"]

    client.force_login(admin)
    response = client.get(reverse("accounts:staff_list"))
    assert response.status_code == 200
    assert "budi" in response.content.decode()
    response = client.post(url, {"roles": ["cataloguer"]})
    assert response.status_code == 302
    assert list(person.groups.values_list("name", flat=True)) == ["cataloguer"]


def test_login_page_signs_in_and_logout_signs_out(client):
    make("katalog", "cataloguer")
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'autocomplete="current-password"' in response.content.decode()
    response = client.post(
        reverse("accounts:login"), {"username": "katalog", "password": "rahasia-panjang-123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("web:workspace")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("web:workspace")).status_code == 302


def test_wrong_password_shows_a_message_not_an_error(client):
    make("katalog", "cataloguer")
    response = client.post(reverse("accounts:login"), {"username": "katalog", "password": "salah"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_admin_site_is_for_superusers_only(client):
    client.force_login(make("katalog", "cataloguer"))
    assert client.get("/admin/").status_code == 302
