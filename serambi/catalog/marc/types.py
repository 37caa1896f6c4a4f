"""What the MARC mapping produces: plain data, free of Django, for the importer and tests."""

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ContributorData:
    name: str
    dates: str = ""
    kind: str = "person"  # Contributor.Kind: person, organization, meeting
    role: str = "author"  # RecordContributor.Role
    is_main: bool = False


@dataclass
class SubjectData:
    heading: str  # subdivisions joined with " -- "
    kind: str = "topic"  # Subject.Kind


@dataclass
class IdentifierData:
    scheme: str  # "isbn" or "issn"
    value: str  # as written, without the qualifier
    normalized: str = ""  # ISBN-13 / ISSN when valid, else ""
    qualifier: str = ""  # "(pbk.)", "softbound edition"
    is_valid: bool = True
    is_cancelled: bool = False  # 020 $z / 022 $y $z


@dataclass
class HoldingData:
    """A copy described in 852 or 952 (Koha/SLiMS exports carry their items there)."""

    barcode: str
    call_number: str = ""
    shelf_location: str = ""
    branch_code: str = ""
    price: int | None = None


@dataclass
class RecordData:
    title: str
    subtitle: str = ""
    responsibility: str = ""
    edition: str = ""
    publisher: str = ""
    publication_place: str = ""
    year: int | None = None
    physical_description: str = ""
    series: str = ""
    notes: str = ""
    summary: str = ""
    language: str = ""
    material_type: str = "book"
    audience: str = ""
    ddc: str = ""
    call_number: str = ""
    is_local_content: bool = False
    control_number: str = ""
    control_number_source: str = ""
    contributors: list[ContributorData] = field(default_factory=list)
    subjects: list[SubjectData] = field(default_factory=list)
    identifiers: list[IdentifierData] = field(default_factory=list)
    holdings: list[HoldingData] = field(default_factory=list)
    # Problems that did not stop the mapping (an invalid ISBN, a missing 245 $a …).
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
