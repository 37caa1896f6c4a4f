"""Every write to the catalogue: records with their contributors, subjects and identifiers; items.

The staff pages, the MARC importer, the API and the CLI call these functions,
so the rules below hold whichever door a change comes through. Permission
checks belong to the doors; ``by`` is the person (or ``None`` for the system)
recorded in the audit log.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.core.services import record_audit
from serambi.search.indexing import index_record

from .keys import contributor_key, subject_key
from .marc.types import ContributorData, IdentifierData, SubjectData
from .models import (
    Audience,
    Contributor,
    Identifier,
    Item,
    MaterialType,
    Record,
    RecordContributor,
    RecordSubject,
    Subject,
)

# What a caller may set on a record through ``data``.
RECORD_FIELDS = (
    "title",
    "subtitle",
    "responsibility",
    "edition",
    "publisher",
    "publication_place",
    "year",
    "physical_description",
    "series",
    "notes",
    "summary",
    "language",
    "material_type",
    "audience",
    "ddc",
    "call_number",
    "is_local_content",
    "cover",
    "control_number",
    "control_number_source",
)
# Fields that belong to this library, not to the MARC record; an import leaves them alone.
LIBRARY_OWN_FIELDS = ("is_local_content", "cover")
ITEM_FIELDS = (
    "barcode",
    "branch",
    "shelf_location",
    "call_number",
    "status",
    "is_loanable",
    "acquisition_source",
    "price",
    "acquired_on",
    "notes",
)
EARLIEST_YEAR = 1000
# Circulation moves items into and out of these; cataloguing leaves them alone.
CIRCULATION_STATUSES = frozenset(
    {Item.Status.ON_LOAN, Item.Status.ON_HOLD_SHELF, Item.Status.IN_TRANSIT}
)
CATALOGUE_STATUSES = tuple(status for status in Item.Status if status not in CIRCULATION_STATUSES)


def latest_year() -> int:
    """Books are catalogued before they come out, so next year is still sane."""
    return timezone.localdate().year + 1


# ----------------------------------------------------------------------------- records


def _clean_record_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(RECORD_FIELDS))
    if unknown:
        raise TypeError(f"Unknown record fields: {', '.join(unknown)}")
    cleaned = {
        name: value.strip() if isinstance(value, str) else value for name, value in data.items()
    }
    if "title" in cleaned and not cleaned["title"]:
        raise DomainError("catalog.title_required", _("A record needs a title."), field="title")
    year = cleaned.get("year")
    if year is not None and not EARLIEST_YEAR <= year <= latest_year():
        raise DomainError(
            "catalog.year_out_of_range",
            _("The year must be between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST_YEAR, "latest": latest_year()},
            field="year",
            year=year,
        )
    language = cleaned.get("language")
    if language:
        language = cleaned["language"] = language.lower()
        if len(language) != 3 or not language.isascii() or not language.isalpha():
            raise DomainError(
                "catalog.invalid_language",
                _("The language must be a three-letter MARC code such as ind or eng."),
                field="language",
                language=language,
            )
    if "material_type" in cleaned and cleaned["material_type"] not in MaterialType.values:
        raise DomainError(
            "catalog.invalid_material_type", _("Unknown material type."), field="material_type"
        )
    if "audience" in cleaned and (cleaned["audience"] or "") not in Audience.values:
        raise DomainError("catalog.invalid_audience", _("Unknown audience."), field="audience")
    return cleaned


def _check_control_number(record: Record) -> None:
    if not record.control_number:
        return
    taken = (
        Record.objects.filter(
            control_number=record.control_number,
            control_number_source=record.control_number_source,
        )
        .exclude(pk=record.pk)
        .exists()
    )
    if taken:
        raise DomainError(
            "catalog.duplicate_control_number",
            _("Another record already has the control number %(number)s.")
            % {"number": record.control_number},
            field="control_number",
            control_number=record.control_number,
        )


def _assign(record: Record, data: dict[str, Any]) -> list[str]:
    """Copy ``data`` onto ``record``; return the names of the fields that changed."""
    changed = []
    for name, value in data.items():
        if name == "cover":
            if value is None:  # no new upload: keep the current cover
                continue
            if value is False:  # "clear" ticked on the form
                value = ""
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed


def _contributor(data: ContributorData) -> Contributor:
    key = contributor_key(data.name, data.dates)
    if not key:
        raise DomainError(
            "catalog.contributor_name_required",
            _("A contributor needs a name."),
            field="contributors",
        )
    kind = data.kind if data.kind in Contributor.Kind.values else Contributor.Kind.PERSON
    contributor, _created = Contributor.objects.get_or_create(
        key=key,
        defaults={
            # ISBD punctuation left by MARC ("Toer, Pramoedya Ananta,") is not part of
            # the name; a final period is kept, as in "Jr." or "Ed.".
            "name": data.name.strip().rstrip(" ,;:/").strip(),
            "dates": data.dates.strip().rstrip(" .,;:").strip(),
            "kind": kind,
        },
    )
    return contributor


def _subject(data: SubjectData) -> Subject:
    key = subject_key(data.heading)
    if not key:
        raise DomainError(
            "catalog.subject_heading_required", _("A subject needs a heading."), field="subjects"
        )
    kind = data.kind if data.kind in Subject.Kind.values else Subject.Kind.TOPIC
    subject, _created = Subject.objects.get_or_create(
        key=key, defaults={"heading": data.heading.strip().rstrip(".").strip(), "kind": kind}
    )
    return subject


def _set_contributors(record: Record, contributors: Iterable[ContributorData]) -> None:
    links = []
    seen = set()
    for data in contributors:
        if data.role not in RecordContributor.Role.values:
            raise DomainError(
                "catalog.unknown_role",
                _("Unknown contributor role: %(role)s") % {"role": data.role},
                field="contributors",
                role=data.role,
            )
        contributor = _contributor(data)
        if (contributor.pk, data.role) in seen:
            continue  # the same person twice in the same role adds nothing
        seen.add((contributor.pk, data.role))
        links.append(
            RecordContributor(
                record=record,
                contributor=contributor,
                role=data.role,
                position=len(links),
                is_main=data.is_main,
            )
        )
    record.contributions.all().delete()
    RecordContributor.objects.bulk_create(links)


def _set_subjects(record: Record, subjects: Iterable[SubjectData]) -> None:
    links = []
    seen = set()
    for data in subjects:
        subject = _subject(data)
        if subject.pk in seen:
            continue
        seen.add(subject.pk)
        links.append(RecordSubject(record=record, subject=subject, position=len(links)))
    record.subject_links.all().delete()
    RecordSubject.objects.bulk_create(links)


def _set_identifiers(record: Record, identifiers: Iterable[IdentifierData]) -> list[str]:
    """Replace the record's identifiers; return the values kept but flagged invalid."""
    rows = []
    flagged = []
    for data in identifiers:
        if data.scheme not in Identifier.Scheme.values:
            raise DomainError(
                "catalog.unknown_identifier_scheme",
                _("Unknown identifier scheme: %(scheme)s") % {"scheme": data.scheme},
            )
        if not data.value.strip():
            continue
        if not data.is_valid and not data.is_cancelled:
            flagged.append(data.value)
        rows.append(
            Identifier(
                record=record,
                scheme=data.scheme,
                value=data.value.strip()[:100],
                normalized=data.normalized if data.is_valid else "",
                qualifier=data.qualifier[:200],
                is_valid=data.is_valid,
                is_cancelled=data.is_cancelled,
                position=len(rows),
            )
        )
    record.identifiers.all().delete()
    Identifier.objects.bulk_create(rows)
    return flagged


@transaction.atomic
def create_record(
    *,
    data: dict[str, Any],
    contributors: Sequence[ContributorData] = (),
    subjects: Sequence[SubjectData] = (),
    identifiers: Sequence[IdentifierData] = (),
    by: Any,
) -> Record:
    """Catalogue a new title.

    ``data`` holds record fields (see ``RECORD_FIELDS``). Contributors and
    subjects are found by their folded key or created. Identifiers are stored
    as given: an invalid ISBN is kept, flagged ``is_valid=False``, and named
    in the audit entry (the staff form refuses them before they get here).
    """
    cleaned = _clean_record_data(data)
    if not cleaned.get("title"):
        raise DomainError("catalog.title_required", _("A record needs a title."), field="title")
    record = Record()
    _assign(record, cleaned)
    _check_control_number(record)
    record.save()
    _set_contributors(record, contributors)
    _set_subjects(record, subjects)
    flagged = _set_identifiers(record, identifiers)
    audit_data: dict[str, Any] = {}
    if flagged:
        audit_data["invalid_identifiers"] = flagged
    record_audit(by=by, action="catalog.record_created", target=record, data=audit_data)
    index_record(record)
    return record


@transaction.atomic
def update_record(
    *,
    record: Record,
    data: dict[str, Any],
    contributors: Sequence[ContributorData] | None = None,
    subjects: Sequence[SubjectData] | None = None,
    identifiers: Sequence[IdentifierData] | None = None,
    by: Any,
) -> Record:
    """Change a record's description.

    ``contributors``, ``subjects`` and ``identifiers`` replace the record's own
    when given; ``None`` leaves them as they are.
    """
    cleaned = _clean_record_data(data)
    record = Record.objects.select_for_update().get(pk=record.pk)
    changed = _assign(record, cleaned)
    _check_control_number(record)
    if changed:
        record.save()
    if contributors is not None:
        before = _contributor_summary(record)
        _set_contributors(record, contributors)
        if _contributor_summary(record) != before:
            changed.append("contributors")
    if subjects is not None:
        before_subjects = list(record.subject_links.values_list("subject_id", flat=True))
        _set_subjects(record, subjects)
        if list(record.subject_links.values_list("subject_id", flat=True)) != before_subjects:
            changed.append("subjects")
    flagged: list[str] = []
    if identifiers is not None:
        before_ids = _identifier_summary(record)
        flagged = _set_identifiers(record, identifiers)
        if _identifier_summary(record) != before_ids:
            changed.append("identifiers")
    if changed:
        audit_data: dict[str, Any] = {"changed": changed}
        if flagged:
            audit_data["invalid_identifiers"] = flagged
        record_audit(by=by, action="catalog.record_updated", target=record, data=audit_data)
        index_record(record)
    return record


def _contributor_summary(record: Record) -> list[tuple]:
    return list(record.contributions.values_list("contributor_id", "role", "is_main"))


def _identifier_summary(record: Record) -> list[tuple]:
    return list(
        record.identifiers.values_list("scheme", "value", "qualifier", "is_valid", "is_cancelled")
    )


# ----------------------------------------------------------------------------- items


def clean_barcode(barcode: str) -> str:
    """The barcode as stored, or a DomainError: what a scanner can print, at most 50 characters."""
    barcode = (barcode or "").strip()
    if not barcode:
        raise DomainError(
            "catalog.barcode_required", _("An item needs a barcode."), field="barcode"
        )
    printable = all(32 < ord(char) < 127 for char in barcode)
    if not printable or len(barcode) > 50:
        raise DomainError(
            "catalog.invalid_barcode",
            _(
                "A barcode may hold up to 50 letters, digits and signs, without spaces "
                "or accented letters."
            ),
            field="barcode",
            barcode=barcode,
        )
    return barcode


def _check_barcode_free(barcode: str, *, exclude: Item | None = None) -> None:
    others = Item.objects.filter(barcode__iexact=barcode)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise _duplicate_barcode(barcode)


def _duplicate_barcode(barcode: str) -> DomainError:
    return DomainError(
        "catalog.duplicate_barcode",
        _("The barcode %(barcode)s is already used by another item.") % {"barcode": barcode},
        field="barcode",
        barcode=barcode,
    )


def _clean_item_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(ITEM_FIELDS))
    if unknown:
        raise TypeError(f"Unknown item fields: {', '.join(unknown)}")
    cleaned = {
        name: value.strip() if isinstance(value, str) else value for name, value in data.items()
    }
    if "barcode" in cleaned:
        cleaned["barcode"] = clean_barcode(cleaned["barcode"])
    if "branch" in cleaned:
        branch = cleaned["branch"]
        if not isinstance(branch, Branch):
            raise DomainError("catalog.branch_required", _("Choose a branch."), field="branch")
    if "status" in cleaned and cleaned["status"] not in Item.Status.values:
        raise DomainError("catalog.invalid_status", _("Unknown item status."), field="status")
    if (
        "acquisition_source" in cleaned
        and cleaned["acquisition_source"] not in Item.AcquisitionSource.values
    ):
        raise DomainError(
            "catalog.invalid_acquisition_source",
            _("Unknown acquisition source."),
            field="acquisition_source",
        )
    price = cleaned.get("price")
    if price is not None and price < 0:
        raise DomainError(
            "catalog.negative_price", _("The price cannot be negative."), field="price"
        )
    acquired_on = cleaned.get("acquired_on")
    if acquired_on is not None and acquired_on > timezone.localdate():
        raise DomainError(
            "catalog.acquired_in_future",
            _("The acquisition date cannot be in the future."),
            field="acquired_on",
        )
    return cleaned


def _circulation_status_error(status: str) -> DomainError:
    return DomainError(
        "catalog.status_owned_by_circulation",
        _("The status “%(status)s” is set by the circulation desk, not in the catalogue.")
        % {"status": Item.Status(status).label},
        field="status",
        status=status,
    )


def _check_status_change(item: Item, new_status: str) -> None:
    if new_status == item.status:
        return
    if item.status in CIRCULATION_STATUSES:
        raise _circulation_status_error(item.status)
    if new_status in CIRCULATION_STATUSES:
        raise _circulation_status_error(new_status)


def _json_safe(value: Any) -> Any:
    if isinstance(value, Branch):
        return value.code
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _save_item(item: Item) -> None:
    # The check above gives the message; the unique index settles a race.
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as error:
        if Item.objects.filter(barcode=item.barcode).exclude(pk=item.pk).exists():
            raise _duplicate_barcode(item.barcode) from error
        raise


@transaction.atomic
def add_item(*, record: Record, data: dict[str, Any], by: Any) -> Item:
    """Add a copy of ``record``; the call number defaults to the record's."""
    cleaned = _clean_item_data(data)
    if "barcode" not in cleaned:
        raise DomainError(
            "catalog.barcode_required", _("An item needs a barcode."), field="barcode"
        )
    if "branch" not in cleaned:
        raise DomainError("catalog.branch_required", _("Choose a branch."), field="branch")
    if cleaned["branch"] is not None and not cleaned["branch"].is_active:
        raise DomainError(
            "catalog.branch_inactive",
            _("The branch %(branch)s is closed for good; choose another.")
            % {"branch": cleaned["branch"]},
            field="branch",
        )
    if cleaned.get("status") in CIRCULATION_STATUSES:
        raise _circulation_status_error(cleaned["status"])
    if not cleaned.get("call_number"):
        cleaned["call_number"] = record.call_number
    _check_barcode_free(cleaned["barcode"])
    item = Item(record=record, **cleaned)
    _save_item(item)
    record_audit(
        by=by,
        action="catalog.item_added",
        target=item,
        data={"record": record.pk, "branch": item.branch.code},
    )
    return item


@transaction.atomic
def update_item(*, item: Item, data: dict[str, Any], by: Any) -> Item:
    """Change an item's copy-level details; circulation statuses stay with circulation."""
    cleaned = _clean_item_data(data)
    item = Item.objects.select_for_update().select_related("branch", "record").get(pk=item.pk)
    if "status" in cleaned:
        _check_status_change(item, cleaned["status"])
    if "barcode" in cleaned:
        _check_barcode_free(cleaned["barcode"], exclude=item)
    if "call_number" in cleaned and not cleaned["call_number"]:
        cleaned["call_number"] = item.record.call_number
    changed = {}
    for name, value in cleaned.items():
        before = getattr(item, name)
        if before != value:
            changed[name] = [_json_safe(before), _json_safe(value)]
            setattr(item, name, value)
    if changed:
        _save_item(item)
        record_audit(by=by, action="catalog.item_updated", target=item, data={"changed": changed})
    return item


@transaction.atomic
def delete_item(*, item: Item, by: Any) -> None:
    """Remove a copy catalogued by mistake; a copy out on loan or on the hold shelf stays."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.status in CIRCULATION_STATUSES:
        raise DomainError(
            "catalog.item_in_circulation",
            _("The item %(barcode)s has the status “%(status)s”; it cannot be deleted now.")
            % {"barcode": item.barcode, "status": item.get_status_display()},
            barcode=item.barcode,
        )
    record_audit(
        by=by,
        action="catalog.item_deleted",
        target=item,
        data={"barcode": item.barcode, "record": item.record_id},
    )
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError as error:
        # Loans and other history point at the copy: withdraw it instead.
        raise DomainError(
            "catalog.item_has_history",
            _("The item %(barcode)s has a history; set its status to withdrawn instead.")
            % {"barcode": item.barcode},
            barcode=item.barcode,
        ) from error


def set_circulation_status(*, item: Item, status: str) -> Item:
    """Move a copy between shelf and circulation statuses, for circulation's services only.

    Called inside the circulation act's own transaction, which holds the
    item's row lock and writes the audit entry; this only keeps the copy's
    status in step and its record's search document fresh ("available now").
    """
    if status not in Item.Status.values:
        raise DomainError("catalog.unknown_status", _("Unknown item status."), status=status)
    if item.status != status:
        item.status = status
        item.save(update_fields=["status", "updated_at"])
    return item
