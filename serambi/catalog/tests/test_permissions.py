"""Who reaches the staff catalogue: patrons and strangers never, cataloguers not beyond it."""

import pytest
from django.urls import reverse

from serambi.catalog.models import ImportRun, Record

from .factories import ItemFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_urls(branch) -> dict[str, str]:
    item = ItemFactory(branch=branch)
    run = ImportRun.objects.create(filename="contoh.mrc")
    record = item.record
    return {
        "record_list": reverse("catalog:record_list"),
        "record_create": reverse("catalog:record_create"),
        "record_detail": reverse("catalog:record_detail", args=[record.pk]),
        "record_update": reverse("catalog:record_update", args=[record.pk]),
        "item_create": reverse("catalog:item_create", args=[record.pk]),
        "item_update": reverse("catalog:item_update", args=[item.pk]),
        "item_delete": reverse("catalog:item_delete", args=[item.pk]),
        "import_upload": reverse("catalog:import_upload"),
        "import_detail": reverse("catalog:import_detail", args=[run.pk]),
        "labels": reverse("catalog:labels"),
    }


def test_every_catalogue_url_is_covered(staff_urls):
    from serambi.catalog.urls import urlpatterns

    assert {pattern.name for pattern in urlpatterns} == set(staff_urls)


def test_a_patron_gets_403_on_every_staff_catalogue_page(patron_client, staff_urls):
    for name, url in staff_urls.items():
        assert patron_client.get(url).status_code == 403, name
        assert patron_client.post(url, {"title": "x"}).status_code in {403, 405}, name
    assert Record.objects.filter(title="x").count() == 0


def test_anonymous_visitors_are_sent_to_the_login_page(client, staff_urls):
    login = reverse("accounts:login")
    for name, url in staff_urls.items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(f"{login}?next="), name


def test_a_signed_in_user_without_a_role_gets_403(client, staff_urls):
    client.force_login(UserFactory(username="tanpa-peran"))
    assert client.get(staff_urls["record_list"]).status_code == 403


def test_a_cataloguer_can_create_and_edit_records(cataloguer_client, staff_urls):
    for name in (
        "record_list",
        "record_create",
        "record_detail",
        "record_update",
        "item_create",
        "item_update",
        "import_upload",
        "import_detail",
        "labels",
    ):
        assert cataloguer_client.get(staff_urls[name]).status_code == 200, name
    response = cataloguer_client.post(
        staff_urls["record_create"], {"title": "Ronggeng Dukuh Paruk", "material_type": "book"}
    )
    record = Record.objects.get(title="Ronggeng Dukuh Paruk")
    assert response["Location"] == record.get_absolute_url()
    response = cataloguer_client.post(
        reverse("catalog:record_update", args=[record.pk]),
        {"title": "Ronggeng Dukuh Paruk", "material_type": "book", "year": "1982"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.year == 1982


def test_a_cataloguer_cannot_manage_staff_or_roles(cataloguer_client, cataloguer):
    person = UserFactory(username="budi", roles=["circulation"])
    assert cataloguer_client.get(reverse("accounts:staff_list")).status_code == 403
    roles_url = reverse("accounts:staff_roles", args=[person.pk])
    assert cataloguer_client.get(roles_url).status_code == 403
    response = cataloguer_client.post(roles_url, {"roles": ["administrator"]})
    assert response.status_code == 403
    assert list(person.groups.values_list("name", flat=True)) == ["circulation"]
    # Nor can they raise themselves.
    own_url = reverse("accounts:staff_roles", args=[cataloguer.pk])
    assert cataloguer_client.post(own_url, {"roles": ["administrator"]}).status_code == 403
    assert not cataloguer.groups.filter(name="administrator").exists()


def test_circulation_staff_see_the_catalogue_but_cannot_catalogue(client, staff_urls):
    librarian = UserFactory(username="sirkulasi", roles=["circulation"])
    client.force_login(librarian)
    assert client.get(staff_urls["record_detail"]).status_code == 200
    assert client.get(staff_urls["item_update"]).status_code == 200
    for name in (
        "record_create",
        "record_update",
        "item_create",
        "item_delete",
        "import_upload",
        "labels",
    ):
        assert client.get(staff_urls[name]).status_code == 403, name


def test_the_staff_menu_links_to_the_catalogue_only_for_those_who_may_use_it(
    cataloguer_client, patron_client
):
    catalogue = reverse("catalog:record_list")
    assert catalogue in cataloguer_client.get(reverse("web:workspace")).content.decode()
    assert catalogue not in patron_client.get(reverse("web:home")).content.decode()
