import datetime

import pytest
from django.utils import timezone

from serambi.catalog import services
from serambi.catalog.identifiers import parse_isbn, parse_issn
from serambi.catalog.marc.types import ContributorData, SubjectData
from serambi.catalog.models import Contributor, Identifier, Item, Record, Subject
from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry

from .factories import BranchFactory, ItemFactory, RecordFactory

pytestmark = pytest.mark.django_db

BUMI_MANUSIA = {
    "title": "Bumi manusia",
    "responsibility": "Pramoedya Ananta Toer",
    "publisher": "Hasta Mitra",
    "publication_place": "Jakarta",
    "year": 1980,
    "language": "ind",
    "call_number": "899.221 3 PRA b",
}


def make_record(by, **extra):
    return services.create_record(data={**BUMI_MANUSIA, **extra}, by=by)


def test_create_record_stores_a_valid_isbn_as_isbn13(cataloguer):
    record = services.create_record(
        data=BUMI_MANUSIA,
        identifiers=[parse_isbn("0780363590 (softbound edition)"), parse_issn("0317-8471")],
        by=cataloguer,
    )
    isbn, issn = record.identifiers.order_by("position")
    assert (isbn.scheme, isbn.value, isbn.normalized, isbn.qualifier, isbn.is_valid) == (
        "isbn",
        "0780363590",
        "9780780363595",
        "softbound edition",
        True,
    )
    assert (issn.scheme, issn.normalized, issn.is_valid) == ("issn", "03178471", True)


def test_an_invalid_isbn_is_kept_as_written_flagged_and_named_in_the_audit(cataloguer):
    record = services.create_record(
        data=BUMI_MANUSIA, identifiers=[parse_isbn("9789791234567 (pbk.)")], by=cataloguer
    )
    identifier = record.identifiers.get()
    assert identifier.value == "9789791234567"
    assert identifier.is_valid is False
    assert identifier.normalized == ""
    entry = AuditEntry.objects.get(action="catalog.record_created", target_id=str(record.pk))
    assert entry.data == {"invalid_identifiers": ["9789791234567"]}
    assert entry.actor == cataloguer


def test_create_record_refuses_an_empty_title(cataloguer):
    with pytest.raises(DomainError) as error:
        services.create_record(data={**BUMI_MANUSIA, "title": "   "}, by=cataloguer)
    assert error.value.code == "catalog.title_required"
    assert error.value.data["field"] == "title"
    assert not Record.objects.exists()


@pytest.mark.parametrize("year", [999, timezone.localdate().year + 2])
def test_create_record_refuses_an_impossible_year(cataloguer, year):
    with pytest.raises(DomainError) as error:
        make_record(cataloguer, year=year)
    assert error.value.code == "catalog.year_out_of_range"


def test_next_year_is_allowed_for_books_catalogued_before_publication(cataloguer):
    record = make_record(cataloguer, year=timezone.localdate().year + 1)
    assert record.year == timezone.localdate().year + 1


def test_language_must_be_a_three_letter_code(cataloguer):
    with pytest.raises(DomainError) as error:
        make_record(cataloguer, language="indonesia")
    assert error.value.code == "catalog.invalid_language"
    assert make_record(cataloguer, language="JAV").language == "jav"


def test_unknown_record_fields_are_a_programming_error(cataloguer):
    with pytest.raises(TypeError):
        make_record(cataloguer, marc_hash="x")


def test_contributors_and_subjects_are_shared_by_their_folded_key(cataloguer):
    first = services.create_record(
        data=BUMI_MANUSIA,
        contributors=[ContributorData(name="Toer, Pramoedya Ananta,", dates="1925-2006.")],
        subjects=[SubjectData(heading="Indonesia--History.")],
        by=cataloguer,
    )
    second = services.create_record(
        data={**BUMI_MANUSIA, "title": "Anak semua bangsa"},
        contributors=[
            ContributorData(name="toer, pramoedya ananta", dates="1925-2006", is_main=True),
            ContributorData(name="Max Lane", role="translator"),
        ],
        subjects=[SubjectData(heading="indonesia -- history")],
        by=cataloguer,
    )
    assert Contributor.objects.count() == 2
    assert Subject.objects.count() == 1
    pram = Contributor.objects.get(dates="1925-2006")
    assert set(pram.records.all()) == {first, second}
    roles = [(c.contributor.name, c.role, c.is_main) for c in second.contributions.all()]
    assert roles == [
        ("Toer, Pramoedya Ananta", "author", True),
        ("Max Lane", "translator", False),
    ]


def test_the_same_contributor_twice_in_one_role_is_stored_once(cataloguer):
    record = services.create_record(
        data=BUMI_MANUSIA,
        contributors=[ContributorData(name="Hamka"), ContributorData(name="HAMKA.")],
        by=cataloguer,
    )
    assert record.contributions.count() == 1


def test_an_unknown_contributor_role_is_refused(cataloguer):
    with pytest.raises(DomainError) as error:
        services.create_record(
            data=BUMI_MANUSIA, contributors=[ContributorData(name="A", role="ghost")], by=cataloguer
        )
    assert error.value.code == "catalog.unknown_role"


def test_duplicate_control_number_is_refused(cataloguer):
    make_record(cataloguer, control_number="00271626", control_number_source="DLC")
    with pytest.raises(DomainError) as error:
        make_record(cataloguer, control_number="00271626", control_number_source="DLC")
    assert error.value.code == "catalog.duplicate_control_number"


def test_update_record_audits_the_changed_fields_only(cataloguer):
    record = make_record(cataloguer)
    services.update_record(record=record, data={**BUMI_MANUSIA, "edition": "Cet. 2"}, by=cataloguer)
    entry = AuditEntry.objects.get(action="catalog.record_updated")
    assert entry.data == {"changed": ["edition"]}
    record.refresh_from_db()
    assert record.edition == "Cet. 2"


def test_update_record_without_changes_writes_no_audit(cataloguer):
    record = make_record(cataloguer)
    services.update_record(record=record, data=BUMI_MANUSIA, by=cataloguer)
    assert not AuditEntry.objects.filter(action="catalog.record_updated").exists()


def test_update_record_replaces_identifiers_and_contributors_when_given(cataloguer):
    record = services.create_record(
        data=BUMI_MANUSIA,
        identifiers=[parse_isbn("0780363590")],
        contributors=[ContributorData(name="Hamka")],
        by=cataloguer,
    )
    services.update_record(
        record=record,
        data={},
        identifiers=[parse_isbn("978-602-03-1234-7")],
        contributors=[ContributorData(name="Pramoedya Ananta Toer", is_main=True)],
        by=cataloguer,
    )
    assert list(record.identifiers.values_list("normalized", flat=True)) == ["9786020312347"]
    assert [c.contributor.name for c in record.contributions.all()] == ["Pramoedya Ananta Toer"]
    entry = AuditEntry.objects.get(action="catalog.record_updated")
    assert entry.data == {"changed": ["contributors", "identifiers"]}


def test_add_item_defaults_its_call_number_to_the_records(cataloguer, branch):
    record = make_record(cataloguer)
    item = services.add_item(
        record=record, data={"barcode": " B0000001 ", "branch": branch}, by=cataloguer
    )
    assert item.barcode == "B0000001"
    assert item.call_number == "899.221 3 PRA b"
    entry = AuditEntry.objects.get(action="catalog.item_added")
    assert entry.target_id == str(item.pk)
    assert entry.data == {"record": record.pk, "branch": "pusat"}


def test_a_duplicate_barcode_is_refused_even_in_another_case(cataloguer, branch):
    existing = ItemFactory(barcode="INV-0001", branch=branch)
    with pytest.raises(DomainError) as error:
        services.add_item(
            record=existing.record, data={"barcode": "inv-0001", "branch": branch}, by=cataloguer
        )
    assert error.value.code == "catalog.duplicate_barcode"
    assert error.value.data == {"field": "barcode", "barcode": "inv-0001"}
    assert Item.objects.count() == 1


@pytest.mark.parametrize("barcode", ["", "B 0001", "BÜ001", "x" * 51])
def test_a_barcode_must_be_printable_without_spaces(cataloguer, branch, barcode):
    record = RecordFactory()
    with pytest.raises(DomainError) as error:
        services.add_item(record=record, data={"barcode": barcode, "branch": branch}, by=cataloguer)
    assert error.value.code in {"catalog.barcode_required", "catalog.invalid_barcode"}


def test_an_item_cannot_be_added_to_a_closed_branch(cataloguer):
    closed = BranchFactory(is_active=False)
    with pytest.raises(DomainError) as error:
        services.add_item(
            record=RecordFactory(), data={"barcode": "B1", "branch": closed}, by=cataloguer
        )
    assert error.value.code == "catalog.branch_inactive"


def test_price_and_acquisition_date_are_checked(cataloguer, branch):
    record = RecordFactory()
    with pytest.raises(DomainError) as error:
        services.add_item(
            record=record, data={"barcode": "B1", "branch": branch, "price": -1}, by=cataloguer
        )
    assert error.value.code == "catalog.negative_price"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as error:
        services.add_item(
            record=record,
            data={"barcode": "B1", "branch": branch, "acquired_on": tomorrow},
            by=cataloguer,
        )
    assert error.value.code == "catalog.acquired_in_future"


def test_update_item_audits_before_and_after(cataloguer, branch):
    item = ItemFactory(barcode="B1", branch=branch, shelf_location="Rak 1")
    other = BranchFactory(code="keliling", name="Pustaka Keliling")
    services.update_item(
        item=item,
        data={"shelf_location": "Anak", "branch": other, "status": Item.Status.DAMAGED},
        by=cataloguer,
    )
    item.refresh_from_db()
    assert (item.shelf_location, item.branch, item.status) == ("Anak", other, "damaged")
    entry = AuditEntry.objects.get(action="catalog.item_updated")
    assert entry.data == {
        "changed": {
            "shelf_location": ["Rak 1", "Anak"],
            "branch": ["pusat", "keliling"],
            "status": ["available", "damaged"],
        }
    }


def test_update_item_refuses_a_barcode_another_item_has(cataloguer, branch):
    ItemFactory(barcode="B1", branch=branch)
    item = ItemFactory(barcode="B2", branch=branch)
    with pytest.raises(DomainError) as error:
        services.update_item(item=item, data={"barcode": "B1"}, by=cataloguer)
    assert error.value.code == "catalog.duplicate_barcode"
    # Keeping its own barcode is not a clash.
    services.update_item(item=item, data={"barcode": "B2", "notes": "sampul robek"}, by=cataloguer)


def test_circulation_statuses_are_not_set_in_the_catalogue(cataloguer, branch):
    item = ItemFactory(branch=branch)
    with pytest.raises(DomainError) as error:
        services.update_item(item=item, data={"status": Item.Status.ON_LOAN}, by=cataloguer)
    assert error.value.code == "catalog.status_owned_by_circulation"
    on_loan = ItemFactory(branch=branch, status=Item.Status.ON_LOAN)
    with pytest.raises(DomainError):
        services.update_item(item=on_loan, data={"status": Item.Status.AVAILABLE}, by=cataloguer)
    # Other details of a copy on loan can still be corrected.
    services.update_item(item=on_loan, data={"shelf_location": "Rak 2"}, by=cataloguer)
    on_loan.refresh_from_db()
    assert on_loan.shelf_location == "Rak 2"


def test_delete_item_is_audited_and_refused_while_on_loan(cataloguer, branch):
    item = ItemFactory(barcode="B9", branch=branch)
    services.delete_item(item=item, by=cataloguer)
    assert not Item.objects.filter(barcode="B9").exists()
    assert AuditEntry.objects.get(action="catalog.item_deleted").data["barcode"] == "B9"
    on_loan = ItemFactory(branch=branch, status=Item.Status.ON_LOAN)
    with pytest.raises(DomainError) as error:
        services.delete_item(item=on_loan, by=cataloguer)
    assert error.value.code == "catalog.item_in_circulation"
    assert Item.objects.filter(pk=on_loan.pk).exists()


def test_identifiers_keep_their_order(cataloguer):
    record = services.create_record(
        data=BUMI_MANUSIA,
        identifiers=[parse_isbn("9786230000003"), parse_isbn("0780363590", cancelled=True)],
        by=cataloguer,
    )
    assert list(
        Identifier.objects.filter(record=record).values_list("position", "is_cancelled")
    ) == [(0, False), (1, True)]
