"""Rooms and equipment kept by staff: save_space / save_equipment and their pages."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from serambi.catalog.tests.factories import BranchFactory, UserFactory
from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry
from serambi.members.tests.factories import category
from serambi.spaces import services
from serambi.spaces.models import Equipment, Space

from .factories import EquipmentFactory, SpaceFactory


def room_data(branch, **changes) -> dict:
    data = {
        "branch": branch,
        "name": "Studio Podcast",
        "kind": Space.Kind.DIGITAL_STUDIO,
        "capacity": 4,
        "slot_minutes": 30,
        "min_minutes": 30,
        "max_minutes": 120,
    }
    data.update(changes)
    return data


def form_data(branch, /, **changes) -> dict:
    data = {
        "name": "Studio Podcast",
        "branch": branch.pk,
        "kind": Space.Kind.DIGITAL_STUDIO,
        "capacity": "4",
        "is_active": "on",
        "slot_minutes": "30",
        "min_minutes": "30",
        "max_minutes": "120",
        "book_ahead_days": "30",
        "buffer_minutes": "0",
    }
    data.update(changes)
    return data


@pytest.fixture
def manager_client(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


# --- save_space ------------------------------------------------------------------------------


def test_save_space_creates_with_a_unique_slug_and_audits(branch, manager):
    first = services.save_space(data=room_data(branch), by=manager)
    second = services.save_space(data=room_data(branch), by=manager)
    third = services.save_space(data=room_data(branch), by=manager)
    assert (first.slug, second.slug, third.slug) == (
        "studio-podcast",
        "studio-podcast-2",
        "studio-podcast-3",
    )
    entry = AuditEntry.objects.filter(action="spaces.space_saved").latest("pk")
    assert entry.target_id == str(third.pk)
    assert entry.data["created"] is True
    assert "name" in entry.data["changed"]


def test_save_space_update_keeps_slug_and_records_changed_fields(branch, manager):
    space = services.save_space(data=room_data(branch), by=manager)
    pelajar = category("pelajar")
    services.save_space(
        space=space,
        data=room_data(branch, name="Studio Siniar", capacity=6),
        categories=[pelajar],
        by=manager,
    )
    space.refresh_from_db()
    assert space.slug == "studio-podcast"
    assert space.name == "Studio Siniar"
    assert list(space.categories.all()) == [pelajar]
    entry = AuditEntry.objects.filter(action="spaces.space_saved").latest("pk")
    assert entry.data == {"created": False, "changed": ["capacity", "name", "categories"]}


def test_save_space_retires_by_deactivating(branch, manager):
    space = services.save_space(data=room_data(branch), by=manager)
    services.save_space(space=space, data={"is_active": False}, by=manager)
    space.refresh_from_db()
    assert space.is_active is False
    assert Space.objects.filter(pk=space.pk).exists()


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"name": "  "}, "spaces.name_required", "name"),
        ({"capacity": 0}, "spaces.invalid_capacity", "capacity"),
        (
            {"opens": datetime.time(15), "closes": datetime.time(9)},
            "spaces.invalid_hours",
            "closes",
        ),
        (
            {"opens": datetime.time(9), "closes": datetime.time(9)},
            "spaces.invalid_hours",
            "closes",
        ),
        ({"slot_minutes": 4, "min_minutes": 4, "max_minutes": 8}, "spaces.invalid_slot", None),
        ({"min_minutes": 45}, "spaces.invalid_duration", "min_minutes"),
        ({"max_minutes": 100}, "spaces.invalid_duration", "max_minutes"),
        ({"min_minutes": 120, "max_minutes": 60}, "spaces.invalid_duration", "max_minutes"),
        ({"kind": "kitchen"}, "spaces.invalid_kind", "kind"),
        ({"slug": "chosen"}, "spaces.unknown_field", "slug"),
    ],
)
def test_save_space_refuses(branch, manager, changes, code, field):
    with pytest.raises(DomainError) as refused:
        services.save_space(data=room_data(branch, **changes), by=manager)
    assert refused.value.code == code
    if field:
        assert refused.value.data["field"] == field
    assert not Space.objects.exists()
    assert not AuditEntry.objects.filter(action="spaces.space_saved").exists()


def test_save_space_refuses_a_closed_branch(manager):
    closed = BranchFactory(is_active=False)
    with pytest.raises(DomainError) as refused:
        services.save_space(data=room_data(closed), by=manager)
    assert refused.value.code == "spaces.invalid_branch"
    assert refused.value.data["field"] == "branch"


def test_save_space_update_refusal_leaves_the_room(space, manager):
    with pytest.raises(DomainError):
        services.save_space(space=space, data={"capacity": 0}, by=manager)
    space.refresh_from_db()
    assert space.capacity == 8


# --- save_equipment --------------------------------------------------------------------------


def test_save_equipment_creates_and_updates_with_audit(space, manager):
    piece = services.save_equipment(
        data={"branch": space.branch, "name": "Mikrofon", "space": space}, by=manager
    )
    services.save_equipment(equipment=piece, data={"name": "Mikrofon USB"}, by=manager)
    piece.refresh_from_db()
    assert (piece.name, piece.space) == ("Mikrofon USB", space)
    entries = AuditEntry.objects.filter(action="spaces.equipment_saved").order_by("pk")
    assert [e.data["created"] for e in entries] == [True, False]
    assert entries.last().data["changed"] == ["name"]


def test_save_equipment_refuses_a_missing_name(branch, manager):
    with pytest.raises(DomainError) as refused:
        services.save_equipment(data={"branch": branch, "name": ""}, by=manager)
    assert refused.value.code == "spaces.name_required"


def test_save_equipment_refuses_a_closed_branch(manager):
    closed = BranchFactory(is_active=False)
    with pytest.raises(DomainError) as refused:
        services.save_equipment(data={"branch": closed, "name": "Kamera"}, by=manager)
    assert refused.value.code == "spaces.invalid_branch"


def test_save_equipment_refuses_a_room_of_another_branch(space, manager):
    other = BranchFactory()
    with pytest.raises(DomainError) as refused:
        services.save_equipment(
            data={"branch": other, "name": "Kamera", "space": space}, by=manager
        )
    assert refused.value.code == "spaces.invalid_space"
    assert refused.value.data["field"] == "space"
    assert not Equipment.objects.exists()


# --- the pages -------------------------------------------------------------------------------

PAGES = ["spaces_staff:manage", "spaces_staff:space_create", "spaces_staff:equipment_create"]


@pytest.mark.parametrize("name", PAGES)
def test_a_patron_cannot_reach_the_manage_pages(patron_client, name):
    assert patron_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_the_circulation_role_cannot_reach_the_manage_pages(name, db):
    client = Client()
    client.force_login(UserFactory(username="meja", roles=["circulation"]))
    assert client.get(reverse(name)).status_code == 403


def test_anonymous_visitors_go_to_sign_in(client, space):
    response = client.post(reverse("spaces_staff:space_update", args=[space.pk]), {})
    assert response.status_code == 302
    space.refresh_from_db()
    assert space.name == "Ruang Diskusi A"


def test_a_patron_cannot_edit_a_room(patron_client, space):
    url = reverse("spaces_staff:space_update", args=[space.pk])
    assert patron_client.post(url, form_data(space.branch, name="X")).status_code == 403
    space.refresh_from_db()
    assert space.name == "Ruang Diskusi A"


def test_manage_lists_rooms_and_equipment_by_branch(manager_client, space, camera):
    SpaceFactory(branch=space.branch, name="Gudang Lama", is_active=False)
    page = manager_client.get(reverse("spaces_staff:manage")).content.decode()
    assert "Ruang Diskusi A" in page
    assert "Gudang Lama" in page
    assert "Kamera Sony" in page
    assert reverse("spaces_staff:space_update", args=[space.pk]) in page
    assert reverse("spaces_staff:equipment_update", args=[camera.pk]) in page


def test_the_programs_role_creates_a_room_shown_on_the_public_page(manager_client, branch, client):
    pelajar = category("pelajar")
    image = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(image, "PNG")
    photo = SimpleUploadedFile("ruang.png", image.getvalue(), content_type="image/png")
    response = manager_client.post(
        reverse("spaces_staff:space_create"),
        form_data(branch, categories=[pelajar.pk], opens="09:00", closes="15:00", photo=photo),
    )
    assert response.status_code == 302
    space = Space.objects.get()
    assert space.slug == "studio-podcast"
    assert space.opens == datetime.time(9)
    assert list(space.categories.all()) == [pelajar]
    assert space.photo.name.startswith("spaces/")
    assert "Studio Podcast" in client.get(reverse("spaces:index")).content.decode()
    space.photo.delete(save=False)


def test_the_programs_role_edits_a_room(manager_client, space):
    url = reverse("spaces_staff:space_update", args=[space.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, form_data(space.branch, name="Ruang Baca", capacity="12"))
    assert response.status_code == 302
    space.refresh_from_db()
    assert (space.name, space.capacity, space.slug) == ("Ruang Baca", 12, "ruang-diskusi-a")


def test_a_service_refusal_shows_next_to_the_field(manager_client, branch):
    response = manager_client.post(
        reverse("spaces_staff:space_create"), form_data(branch, min_minutes="45")
    )
    assert response.status_code == 422
    assert "min_minutes" in response.context["form"].errors
    assert not Space.objects.exists()


@pytest.mark.parametrize(
    "garbage",
    [
        {"capacity": "banyak"},
        {"opens": "25:99"},
        {"kind": "kitchen"},
        {"branch": "999999"},
        {"categories": ["x"]},
        {"photo": SimpleUploadedFile("a.png", b"not an image", content_type="image/png")},
        {"slot_minutes": "-5"},
    ],
)
def test_garbage_gives_form_errors_not_a_crash(manager_client, branch, garbage):
    response = manager_client.post(
        reverse("spaces_staff:space_create"), form_data(branch, **garbage)
    )
    assert response.status_code == 422
    assert response.context["form"].errors
    assert not Space.objects.exists()


def test_the_programs_role_creates_and_edits_equipment(manager_client, space):
    response = manager_client.post(
        reverse("spaces_staff:equipment_create"),
        {"name": "Tablet Gambar", "branch": space.branch.pk, "space": space.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    piece = Equipment.objects.get()
    url = reverse("spaces_staff:equipment_update", args=[piece.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {"name": "Tablet Gambar", "branch": space.branch.pk})
    assert response.status_code == 302
    piece.refresh_from_db()
    assert (piece.is_active, piece.space) == (False, None)


def test_equipment_in_a_room_of_another_branch_is_a_form_error(manager_client, space):
    other = BranchFactory()
    piece = EquipmentFactory(branch=space.branch)
    response = manager_client.post(
        reverse("spaces_staff:equipment_update", args=[piece.pk]),
        {"name": "Kamera", "branch": other.pk, "space": space.pk},
    )
    assert response.status_code == 422
    assert "space" in response.context["form"].errors
    piece.refresh_from_db()
    assert piece.branch == space.branch


def test_equipment_garbage_gives_form_errors(manager_client, branch):
    response = manager_client.post(
        reverse("spaces_staff:equipment_create"), {"name": "", "branch": "x", "space": "y"}
    )
    assert response.status_code == 422
    assert not Equipment.objects.exists()
