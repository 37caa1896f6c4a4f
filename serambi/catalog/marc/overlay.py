"""An imported record's original MARC with the staff's later edits laid over it.

The catalogue keeps the MARC record a title was imported from. When staff
edit the title afterwards, an export must show their edit, yet everything
they did not touch should go out exactly as it came in: subfields the
catalogue does not model ($0 authority links, $6 links to 880 fields in the
original script, $5 institution codes) survive only in the original.

So each part of the description is compared with what ``map_record`` reads
from the original. A part that reads the same is left untouched, byte for
byte; one that differs is rebuilt from the catalogue's values with
``compose``. Lists (contributors, subjects, identifiers, notes) are rebuilt
element by element: an original field is reused while everything it names is
still in the catalogue, so adding one subject keeps the other headings whole.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable, Hashable, Mapping, Sequence

import pymarc

from . import compose
from .mapping import MappingError, map_record
from .types import ContributorData, IdentifierData, RecordData, SubjectData

NAME_TAGS = ("100", "110", "111", "700", "710", "711")
SUBJECT_TAGS = ("600", "610", "611", "630", "648", "650", "651", "653", "655")
# ISBD punctuation and spacing, which the mapping drops or rewrites.
_PUNCTUATION_AND_SPACE = re.compile(r"[\s.,:;/=+\[\]()]+")


def apply_edits(
    marc: pymarc.Record,
    now: RecordData,
    *,
    default_control_number: str,
    organization: str,
    timestamp: str,
    today: datetime.date,
    stored_lengths: Mapping[str, int] | None = None,
) -> bool:
    """Rebuild, from the catalogue's values ``now``, each part of ``marc`` that staff have
    edited; return whether anything was rebuilt.

    An edited record says so: leader 05 becomes "c" (corrected) and 005 carries
    ``timestamp``. ``default_control_number`` and ``organization`` fill 001 and
    003 when the original has no 001; ``today`` dates a 008 made for an
    original without one. ``stored_lengths`` are the catalogue's field lengths:
    a value the import had to shorten is not mistaken for an edit.
    """
    try:
        before = map_record(marc)
    except MappingError:
        # Nothing in the original to compare with: every managed part is rebuilt.
        before = RecordData(title="")
    for name, length in (stored_lengths or {}).items():
        value = getattr(before, name, None)
        if isinstance(value, str):
            setattr(before, name, value[:length])
    edits = [
        _overlay_control_numbers(marc, before, now, default_control_number, organization),
        _overlay_fixed_fields(marc, before, now, today),
        _overlay_title(marc, before, now),
        _overlay_simple(marc, ("250",), before, now, "edition", compose.edition_field),
        _overlay_publication(marc, before, now),
        _overlay_first(marc, ("300",), before, now, "physical_description", compose.physical_field),
        _overlay_simple(marc, ("490", "440", "830"), before, now, "series", compose.series_field),
        _overlay_first(marc, ("082", "092"), before, now, "ddc", compose.classification_field),
        _overlay_call_number(marc, before, now),
        _overlay_list(
            marc,
            ("020", "022"),
            before.identifiers,
            now.identifiers,
            key=_identifier_key,
            elements=lambda data: data.identifiers,
            build=lambda identifier: compose.identifier_fields([identifier]),
        ),
        _overlay_list(
            marc,
            ("500", "504"),
            _lines(before.notes),
            _lines(now.notes),
            key=_line_key,
            elements=lambda data: _lines(data.notes),
            build=lambda line: compose.note_fields(line),
        ),
        _overlay_list(
            marc,
            ("520",),
            _lines(before.summary),
            _lines(now.summary),
            key=_line_key,
            elements=lambda data: _lines(data.summary),
            build=lambda line: compose.note_fields(line, tag="520"),
        ),
        _overlay_contributors(marc, before, now),
        _overlay_list(
            marc,
            SUBJECT_TAGS,
            before.subjects,
            now.subjects,
            key=_subject_key,
            elements=lambda data: data.subjects,
            build=lambda subject: [compose.subject_field(subject)],
        ),
    ]
    if not any(edits):
        return False
    marc.leader.record_status = "c"
    _replace(marc, marc.get_fields("005"), [pymarc.Field(tag="005", data=timestamp)])
    return True


# Comparison: the catalogue's value against the one the original reads as.


def _loose(text: str | None) -> str:
    """Text compared without ISBD punctuation and spacing, which the mapping drops or
    rewrites: an edit that only touches those keeps the original field."""
    return _PUNCTUATION_AND_SPACE.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def _same_text(before: RecordData, now: RecordData, *names: str) -> bool:
    return all(_loose(getattr(before, name)) == _loose(getattr(now, name)) for name in names)


def _contributor_key(contributor: ContributorData) -> Hashable:
    # Contributors are shared: the catalogue may show the spelling another record
    # brought in. Case and punctuation aside, the name is the same person.
    return (
        _loose(contributor.name).casefold(),
        _loose(contributor.dates).casefold(),
        contributor.role,
        contributor.is_main,
    )


def _subject_key(subject: SubjectData) -> Hashable:
    return _loose(subject.heading).casefold()


def _identifier_key(identifier: IdentifierData) -> Hashable:
    return (
        identifier.scheme,
        re.sub(r"[\s-]", "", identifier.value).upper(),
        _loose(identifier.qualifier).casefold(),
        identifier.is_cancelled,
    )


def _line_key(line: str) -> Hashable:
    return _loose(line)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _replace(marc: pymarc.Record, old: Sequence[pymarc.Field], new: Sequence[pymarc.Field]) -> None:
    """Put ``new`` where the first of ``old`` was (or in tag order), and drop ``old``."""
    positions = [index for index, field in enumerate(marc.fields) if any(field is o for o in old)]
    for index in reversed(positions):
        del marc.fields[index]
    if positions:
        marc.fields[positions[0] : positions[0]] = list(new)
    else:
        for field in new:
            marc.add_ordered_field(field)


def _overlay_control_numbers(
    marc: pymarc.Record,
    before: RecordData,
    now: RecordData,
    default_control_number: str,
    organization: str,
) -> bool:
    edited = (before.control_number, before.control_number_source) != (
        now.control_number,
        now.control_number_source,
    )
    if edited or not marc.get_fields("001"):
        number = now.control_number or default_control_number
        source = now.control_number_source or ("" if now.control_number else organization)
        _replace(marc, marc.get_fields("001"), [pymarc.Field(tag="001", data=number)])
        _replace(
            marc, marc.get_fields("003"), [pymarc.Field(tag="003", data=source)] if source else []
        )
    return edited


def _overlay_fixed_fields(
    marc: pymarc.Record, before: RecordData, now: RecordData, today: datetime.date
) -> bool:
    """Leader 06/07 and 008 (date, language, audience, form of item), edited in place."""
    changes: dict = {}
    if before.material_type != now.material_type:
        compose.set_material_type(marc.leader, now.material_type)
        changes["material_type"] = now.material_type
    if before.year != now.year:
        changes["year"] = now.year
    if before.language != now.language:
        changes["language"] = now.language
    if before.audience != now.audience:
        changes["audience"] = now.audience
    if not changes:
        return False
    fixed = marc.get_fields("008")
    if fixed and fixed[0].data:
        fixed[0].data = compose.patch_fixed_field(
            fixed[0].data, record_type=marc.leader.type_of_record, **changes
        )
    else:
        new_fixed = compose.fixed_field(now, entered=today)
        _replace(marc, fixed, [pymarc.Field(tag="008", data=new_fixed)])
    return True


def _overlay_title(marc: pymarc.Record, before: RecordData, now: RecordData) -> bool:
    if _same_text(before, now, "title", "subtitle", "responsibility"):
        return False
    old = marc.get_fields("245")
    has_main_entry = any(c.is_main for c in now.contributors)
    nonfiling = None
    if old and (old[0].indicator2 or "").isdigit():
        skip = int(old[0].indicator2)
        old_title = " ".join(old[0].get_subfields("a"))
        if skip and old_title[:skip].casefold() == now.title[:skip].casefold():
            nonfiling = skip
    field = compose.title_field(now, has_main_entry=has_main_entry, nonfiling=nonfiling)
    if old:
        _keep_linkage_and_medium(old[0], field, now.title)
    _replace(marc, old, [field])
    return True


def _keep_linkage_and_medium(old: pymarc.Field, new: pymarc.Field, title: str) -> None:
    """Carry $6 (link to the 880 in the original script) and $h (medium) into a rebuilt 245."""
    linkage = old.get_subfields("6")
    medium = old.get_subfields("h")
    if medium:
        # The ISBD mark that followed the title now follows the medium: "Judul [rekaman] /".
        title_subfield = new.subfields[0]
        mark = title_subfield.value[len(title) :]
        new.subfields[0] = pymarc.Subfield("a", title)
        new.subfields.insert(1, pymarc.Subfield("h", medium[0].rstrip(" .:;/=") + mark))
    if linkage:
        new.subfields.insert(0, pymarc.Subfield("6", linkage[0]))


def _overlay_simple(
    marc: pymarc.Record,
    tags: tuple[str, ...],
    before: RecordData,
    now: RecordData,
    name: str,
    build: Callable[[str], list[pymarc.Field]],
) -> bool:
    """Replace every field of ``tags`` when the value read from them was edited."""
    if _same_text(before, now, name):
        return False
    _replace(marc, marc.get_fields(*tags), build(getattr(now, name)))
    return True


def _overlay_first(
    marc: pymarc.Record,
    tags: tuple[str, ...],
    before: RecordData,
    now: RecordData,
    name: str,
    build: Callable[[str], list[pymarc.Field]],
) -> bool:
    """Replace the one field the value was read from (the first of ``tags`` present)."""
    if _same_text(before, now, name):
        return False
    source = next((marc.get_fields(tag)[:1] for tag in tags if marc.get_fields(tag)), [])
    _replace(marc, source, build(getattr(now, name)))
    return True


def _overlay_publication(marc: pymarc.Record, before: RecordData, now: RecordData) -> bool:
    if _same_text(before, now, "publication_place", "publisher") and before.year == now.year:
        return False
    # The field the mapping reads: 264 with second indicator 1, else the first 260 or 264.
    source = next((f for f in marc.get_fields("264") if f.indicator2 == "1"), None)
    if source is None:
        source = next(iter(marc.get_fields("260") or marc.get_fields("264")), None)
    tag = source.tag if source is not None else "264"
    _replace(marc, [source] if source is not None else [], compose.publication_field(now, tag=tag))
    return True


def _overlay_call_number(marc: pymarc.Record, before: RecordData, now: RecordData) -> bool:
    if _same_text(before, now, "call_number"):
        return False
    _replace(marc, marc.get_fields("090"), compose.call_number_field(now.call_number))
    return True


def _overlay_contributors(marc: pymarc.Record, before: RecordData, now: RecordData) -> bool:
    main = [c for c in now.contributors if c.is_main]
    added = [c for c in now.contributors if not c.is_main]
    if [_contributor_key(c) for c in before.contributors] == [
        _contributor_key(c) for c in now.contributors
    ]:
        return False
    for tags, contributors in ((NAME_TAGS[:3], main), (NAME_TAGS[3:], added)):
        fields = _reconcile(
            marc,
            marc.get_fields(*tags),
            contributors,
            key=_contributor_key,
            elements=lambda data: data.contributors,
            build=lambda contributor: [compose.name_field(contributor)],
        )
        _replace(marc, marc.get_fields(*tags), fields)
    title = marc.get_fields("245")
    if title:
        title[0].indicator1 = "1" if main else "0"
    return True


def _overlay_list(
    marc: pymarc.Record,
    tags: tuple[str, ...],
    before: Sequence,
    now: Sequence,
    *,
    key: Callable[[object], Hashable],
    elements: Callable[[RecordData], Sequence],
    build: Callable[[object], list[pymarc.Field]],
) -> bool:
    if [key(element) for element in before] == [key(element) for element in now]:
        return False
    old = marc.get_fields(*tags)
    _replace(marc, old, _reconcile(marc, old, now, key=key, elements=elements, build=build))
    return True


def _reconcile(
    marc: pymarc.Record,
    old: Sequence[pymarc.Field],
    now: Sequence,
    *,
    key: Callable[[object], Hashable],
    elements: Callable[[RecordData], Sequence],
    build: Callable[[object], list[pymarc.Field]],
) -> list[pymarc.Field]:
    """Fields for the elements in ``now``, in their order, reusing each original field
    whose elements (a contributor, a subject, an ISBN …) are all still there.

    An original field keeps its extra subfields (authority links, $6 script
    links, sources) that a rebuilt one would lose.
    """
    wanted = {key(element) for element in now}
    reusable: dict[Hashable, pymarc.Field] = {}
    field_keys: dict[int, list[Hashable]] = {}
    for field in old:
        keys = [key(element) for element in elements(_map_alone(marc, field))]
        if keys and all(k in wanted for k in keys):
            field_keys[id(field)] = keys
            for k in keys:
                reusable.setdefault(k, field)
    fields: list[pymarc.Field] = []
    done: set[Hashable] = set()
    for element in now:
        element_key = key(element)
        if element_key in done:
            continue
        field = reusable.get(element_key)
        if field is not None and not any(k in done for k in field_keys[id(field)]):
            fields.append(field)
            done.update(field_keys[id(field)])
        else:
            fields.extend(build(element))
            done.add(element_key)
    return fields


def _map_alone(marc: pymarc.Record, field: pymarc.Field) -> RecordData:
    """What the mapping reads from ``field`` on its own (with the record's leader)."""
    single = pymarc.Record(leader=str(marc.leader))
    single.add_field(compose.data_field("245", "00", ("a", "-")))
    single.add_field(field)
    try:
        return map_record(single)
    except MappingError:
        return RecordData(title="")
