"""Staff catalogue forms: parse what a librarian types into what the services take.

The rules themselves live in services.py; these forms give the quick, precise
messages next to the field (an ISBN with a wrong check digit, a price typed
as "Rp 85.000", an unknown contributor role).
"""

import re
from pathlib import Path

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from serambi.core.models import Branch

from . import selectors
from .identifiers import parse_isbn, parse_issn
from .languages import COMMON_LANGUAGE_CODES, COMMON_LANGUAGES, language_label
from .marc.types import ContributorData, IdentifierData, SubjectData
from .models import Audience, Contributor, Item, MaterialType, Record, RecordContributor
from .services import CATALOGUE_STATUSES, CIRCULATION_STATUSES, EARLIEST_YEAR, latest_year

OTHER_LANGUAGE = "other"

# What librarians type for a role or a kind, besides the codes and the labels
# of the current language.
ROLE_ALIASES = {
    "penulis": RecordContributor.Role.AUTHOR,
    "pengarang": RecordContributor.Role.AUTHOR,
    "penyunting": RecordContributor.Role.EDITOR,
    "ed.": RecordContributor.Role.EDITOR,
    "penerjemah": RecordContributor.Role.TRANSLATOR,
    "alih bahasa": RecordContributor.Role.TRANSLATOR,
    "ilustrator": RecordContributor.Role.ILLUSTRATOR,
    "penyusun": RecordContributor.Role.COMPILER,
    "fotografer": RecordContributor.Role.PHOTOGRAPHER,
    "kontributor": RecordContributor.Role.CONTRIBUTOR,
}
KIND_ALIASES = {
    "organisation": Contributor.Kind.ORGANIZATION,
    "lembaga": Contributor.Kind.ORGANIZATION,
    "badan": Contributor.Kind.ORGANIZATION,
    "instansi": Contributor.Kind.ORGANIZATION,
    "organisasi": Contributor.Kind.ORGANIZATION,
    "orang": Contributor.Kind.PERSON,
    "perorangan": Contributor.Kind.PERSON,
    "pertemuan": Contributor.Kind.MEETING,
    "konferensi": Contributor.Kind.MEETING,
}
# "Toer, Pramoedya Ananta, 1925-2006" or "Hamka (1908-1981)": dates as MARC 100 $d writes them.
_TRAILING_DATES = re.compile(r"(?:,\s*|\s+\()(\d{3,4}\??-(?:\d{3,4}\??)?)\)?\.?\s*$")
MAX_LABELS = 500
MARC_SUFFIXES = {".mrc", ".marc", ".dat", ".iso", ".xml", ".marcxml", ".bin", ".mrk", ".txt"}


def _lines(text: str) -> list[tuple[int, str]]:
    """Non-blank lines of a textarea with their line numbers (from 1)."""
    return [
        (number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if line.strip()
    ]


def _lookup(choices, aliases: dict[str, str]) -> dict[str, str]:
    """Typed word → code, from the codes, the labels in the current language and the aliases."""
    table = {code: code for code, _label in choices}
    table.update({str(label).casefold(): code for code, label in choices})
    table.update(aliases)
    return table


def contributor_line(contribution: RecordContributor) -> str:
    """How a contribution is written in the contributors textarea (the inverse of parsing)."""
    contributor = contribution.contributor
    name = f"{contributor.name}, {contributor.dates}" if contributor.dates else contributor.name
    parts = [name, str(contribution.get_role_display())]
    if contributor.kind != Contributor.Kind.PERSON:
        parts.append(str(contributor.get_kind_display()))
    return " | ".join(parts)


def identifier_line(identifier) -> str:
    return (
        f"{identifier.value} ({identifier.qualifier})" if identifier.qualifier else identifier.value
    )


def _parse_contributor(line: str, *, roles: dict, kinds: dict, is_main: bool) -> ContributorData:
    """One ``Name | role | kind`` line; a ValidationError says what is wrong with it."""
    name, role_text, kind_text, *extra = [*(part.strip() for part in line.split("|")), "", ""]
    if not name:
        raise forms.ValidationError(gettext("the name is missing."))
    role = roles.get(role_text.casefold()) if role_text else RecordContributor.Role.AUTHOR
    if role is None:
        raise forms.ValidationError(
            gettext("unknown role “%(role)s”. Use one of: %(roles)s.")
            % {"role": role_text, "roles": _role_names()}
        )
    kind = kinds.get(kind_text.casefold()) if kind_text else Contributor.Kind.PERSON
    if kind is None:
        raise forms.ValidationError(
            gettext("unknown kind “%(kind)s”. Use person, organisation or meeting.")
            % {"kind": kind_text}
        )
    if any(extra):
        raise forms.ValidationError(gettext("write at most name | role | kind."))
    dates = ""
    if match := _TRAILING_DATES.search(name):
        dates = match.group(1)
        name = name[: match.start()].strip()
    return ContributorData(name=name, dates=dates, kind=kind, role=role, is_main=is_main)


class ContributorsField(forms.CharField):
    """One contributor a line: ``Name | role | kind``, role and kind optional.

    The first line is the main entry. Dates written after the name as MARC
    writes them ("Toer, Pramoedya Ananta, 1925-2006") go to the dates.
    """

    widget = forms.Textarea(attrs={"rows": 4})

    def clean(self, value) -> list[ContributorData]:
        text = super().clean(value)
        roles = _lookup(RecordContributor.Role.choices, ROLE_ALIASES)
        kinds = _lookup(Contributor.Kind.choices, KIND_ALIASES)
        found, errors = [], []
        for number, line in _lines(text):
            try:
                found.append(_parse_contributor(line, roles=roles, kinds=kinds, is_main=not found))
            except forms.ValidationError as problem:
                errors.append(
                    gettext("Line %(line)s: %(problem)s")
                    % {"line": number, "problem": problem.messages[0]}
                )
        if errors:
            raise forms.ValidationError(errors)
        return found


def _role_names() -> str:
    return ", ".join(str(label).lower() for _code, label in RecordContributor.Role.choices)


class SubjectsField(forms.CharField):
    """One subject heading a line; subdivisions joined with " -- "."""

    widget = forms.Textarea(attrs={"rows": 4})

    def clean(self, value) -> list[SubjectData]:
        text = super().clean(value)
        return [SubjectData(heading=" ".join(line.split())) for _number, line in _lines(text)]


def _identifier_problem(scheme: str, value: str) -> str:
    """Why ``value`` is not a valid ISBN or ISSN, in words a librarian can act on."""
    module = stdnum_isbn if scheme == "isbn" else stdnum_issn
    try:
        module.validate(value)
    except InvalidChecksum:
        return gettext("the check digit does not match; look for a typing mistake")
    except InvalidLength:
        if scheme == "isbn":
            return gettext("an ISBN has 10 or 13 digits")
        return gettext("an ISSN has 8 characters, such as 1234-5679")
    except ValidationError:
        pass
    if scheme == "isbn":
        return gettext("it does not look like an ISBN")
    return gettext("it does not look like an ISSN")


class IdentifiersField(forms.CharField):
    """ISBNs (or ISSNs) one a line, each checked with python-stdnum.

    A number already on the record and flagged invalid (it came that way
    from an import) is kept as it is, so an old record can still be edited;
    any new number must be valid.
    """

    widget = forms.Textarea(attrs={"rows": 2})

    def __init__(self, *, scheme: str, **kwargs) -> None:
        self.scheme = scheme
        self.kept_invalid: set[str] = set()
        super().__init__(**kwargs)

    def clean(self, value) -> list[IdentifierData]:
        text = super().clean(value)
        parse = parse_isbn if self.scheme == "isbn" else parse_issn
        found, errors, seen = [], [], set()
        for _number, line in _lines(text):
            data = parse(line)
            if not data.is_valid and data.value not in self.kept_invalid:
                label = "ISBN" if self.scheme == "isbn" else "ISSN"
                errors.append(
                    gettext("“%(value)s” is not a valid %(label)s: %(problem)s.")
                    % {
                        "value": data.value or line,
                        "label": label,
                        "problem": _identifier_problem(self.scheme, data.value),
                    }
                )
                continue
            key = data.normalized or data.value
            if key not in seen:
                seen.add(key)
                found.append(data)
        if errors:
            raise forms.ValidationError(errors)
        return found


class RecordFilterForm(forms.Form):
    """The record list's filters; sent by GET so a search can be bookmarked and shared."""

    q = forms.CharField(
        label=_("Title, ISBN or control number"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    material_type = forms.ChoiceField(
        label=_("Material type"),
        required=False,
        choices=[("", _("All material types")), *MaterialType.choices],
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    branch = forms.ModelChoiceField(
        label=_("Has items at"),
        required=False,
        queryset=Branch.objects.none(),
        empty_label=_("Any branch"),
        to_field_name="code",
    )
    holdings = forms.ChoiceField(
        label=_("Items"),
        required=False,
        choices=[
            ("", _("With or without items")),
            ("with", _("With items")),
            ("without", _("Without items")),
        ],
    )
    year_from = forms.IntegerField(
        label=_("Year from"), required=False, min_value=0, max_value=9999
    )
    year_to = forms.IntegerField(label=_("Year to"), required=False, min_value=0, max_value=9999)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("", _("Title A–Z")), ("new", _("Recently added first"))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = selectors.active_branches()
        self.fields["language"].choices = [("", _("All languages"))] + [
            (code, language_label(code))
            for code in sorted(set(selectors.languages_in_use()) | COMMON_LANGUAGE_CODES)
        ]

    def filters(self) -> selectors.RecordFilters:
        """The filters from the fields that are valid; a bad field is shown and ignored."""
        if not self.is_bound:
            return selectors.RecordFilters()
        # Validation leaves an invalid field out of cleaned_data; the others still filter.
        self.is_valid()
        valid = self.cleaned_data
        return selectors.RecordFilters(
            text=(valid.get("q") or "").strip(),
            material_type=valid.get("material_type") or "",
            language=valid.get("language") or "",
            branch=valid.get("branch"),
            holdings=valid.get("holdings") or "",
            year_from=valid.get("year_from"),
            year_to=valid.get("year_to"),
            newest_first=valid.get("sort") == "new",
        )

    def is_filtered(self) -> bool:
        filters = self.filters()
        return filters != selectors.RecordFilters(newest_first=filters.newest_first)

    def has_more_filters(self) -> bool:
        """Whether a filter beyond the search box is in use (its panel then opens)."""
        filters = self.filters()
        return bool(self.errors) or filters != selectors.RecordFilters(text=filters.text)


# Record fields the form edits as they are; language, identifiers, contributors
# and subjects have fields of their own below.
FORM_RECORD_FIELDS = (
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
    "material_type",
    "audience",
    "ddc",
    "call_number",
    "is_local_content",
    "cover",
)


class RecordForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=1000)
    subtitle = forms.CharField(
        label=_("Subtitle"),
        max_length=1000,
        required=False,
        help_text=_("Other title information, after the colon on the title page."),
    )
    responsibility = forms.CharField(
        label=_("Statement of responsibility"),
        max_length=1000,
        required=False,
        help_text=_("As written on the title page, e.g. “Pramoedya Ananta Toer”."),
    )
    contributors = ContributorsField(
        label=_("Authors and other contributors"),
        required=False,
        help_text=_(
            "One per line: Name | role. The first line is the main entry. "
            "Example: Toer, Pramoedya Ananta, 1925-2006 | author. Roles: author, editor, "
            "translator, illustrator, compiler, photographer, contributor. "
            "Add “| organisation” for an organisation."
        ),
    )
    edition = forms.CharField(label=_("Edition"), max_length=200, required=False)
    publisher = forms.CharField(label=_("Publisher"), max_length=500, required=False)
    publication_place = forms.CharField(
        label=_("Place of publication"), max_length=300, required=False
    )
    year = forms.IntegerField(label=_("Year of publication"), required=False)
    physical_description = forms.CharField(
        label=_("Physical description"),
        max_length=500,
        required=False,
        help_text=_("e.g. “xii, 535 pages : illustrations ; 21 cm”."),
    )
    series = forms.CharField(label=_("Series"), max_length=500, required=False)
    isbns = IdentifiersField(
        scheme="isbn",
        label=_("ISBN"),
        required=False,
        help_text=_(
            "One per line, with or without hyphens; a qualifier may follow in brackets, "
            "e.g. 978-602-03-1234-7 (pbk.)."
        ),
    )
    issns = IdentifiersField(
        scheme="issn", label=_("ISSN"), required=False, help_text=_("One per line, e.g. 0317-8471.")
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    language_other = forms.CharField(
        label=_("Other language code"),
        max_length=3,
        required=False,
        help_text=_(
            "When the language is “Other”: its three-letter MARC code, e.g. fre, ger, jpn."
        ),
    )
    material_type = forms.ChoiceField(
        label=_("Material type"), choices=MaterialType.choices, initial=MaterialType.BOOK
    )
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices, required=False)
    subjects = SubjectsField(
        label=_("Subjects"),
        required=False,
        help_text=_("One heading per line; write subdivisions as “Indonesia -- History”."),
    )
    ddc = forms.CharField(
        label=_("DDC classification"), max_length=50, required=False, help_text=_("e.g. 899.221 3")
    )
    call_number = forms.CharField(
        label=_("Call number"),
        max_length=100,
        required=False,
        help_text=_("Default call number for new items, e.g. 959.82 PRA b."),
    )
    is_local_content = forms.BooleanField(
        label=_("Local content collection (muatan lokal)"), required=False
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cover = forms.ImageField(
        label=_("Cover image"),
        required=False,
        help_text=_("A JPEG or PNG photo or scan of the front cover."),
    )

    def __init__(self, *args, record: Record | None = None, **kwargs) -> None:
        self.record = record
        if record is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(record)
        super().__init__(*args, **kwargs)
        year_range = _("The year must be between %(earliest)s and %(latest)s.") % {
            "earliest": EARLIEST_YEAR,
            "latest": latest_year(),
        }
        self.fields["year"].validators += [
            MinValueValidator(EARLIEST_YEAR, message=year_range),
            MaxValueValidator(latest_year(), message=year_range),
        ]
        self.fields["year"].widget.attrs.update(
            {"min": EARLIEST_YEAR, "max": latest_year(), "inputmode": "numeric"}
        )
        self.fields["language"].choices = [
            ("", _("Not specified")),
            *((code, language_label(code)) for code, _label in COMMON_LANGUAGES),
            (OTHER_LANGUAGE, _("Other (type the code below)")),
        ]
        self.fields["language_other"].widget.attrs.update({"size": 4, "autocapitalize": "off"})
        if record is not None:
            for name, scheme in (("isbns", "isbn"), ("issns", "issn")):
                self.fields[name].kept_invalid = {
                    identifier.value
                    for identifier in record.identifiers.all()
                    if identifier.scheme == scheme and not identifier.is_valid
                }

    @staticmethod
    def initial_for(record: Record) -> dict:
        initial = {name: getattr(record, name) for name in FORM_RECORD_FIELDS}
        if record.language in COMMON_LANGUAGE_CODES:
            initial["language"] = record.language
        elif record.language:
            initial["language"] = OTHER_LANGUAGE
            initial["language_other"] = record.language
        identifiers = [i for i in record.identifiers.all() if not i.is_cancelled]
        initial["isbns"] = "\n".join(identifier_line(i) for i in identifiers if i.scheme == "isbn")
        initial["issns"] = "\n".join(identifier_line(i) for i in identifiers if i.scheme == "issn")
        initial["contributors"] = "\n".join(
            contributor_line(contribution) for contribution in record.contributions.all()
        )
        initial["subjects"] = "\n".join(link.subject.heading for link in record.subject_links.all())
        return initial

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("language") == OTHER_LANGUAGE:
            code = (cleaned.get("language_other") or "").strip().lower()
            if not re.fullmatch(r"[a-z]{3}", code):
                self.add_error(
                    "language_other",
                    _("Type the three-letter MARC code of the language, e.g. fre."),
                )
            cleaned["language_code"] = code
        else:
            cleaned["language_code"] = cleaned.get("language") or ""
        return cleaned

    def record_data(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in FORM_RECORD_FIELDS} | {
            "language": data["language_code"]
        }

    def identifiers(self) -> list[IdentifierData]:
        """The typed ISBNs and ISSNs, then the record's cancelled numbers (not shown, kept)."""
        kept = []
        if self.record is not None:
            kept = [
                IdentifierData(
                    scheme=i.scheme,
                    value=i.value,
                    normalized=i.normalized,
                    qualifier=i.qualifier,
                    is_valid=i.is_valid,
                    is_cancelled=True,
                )
                for i in self.record.identifiers.all()
                if i.is_cancelled
            ]
        return [*self.cleaned_data["isbns"], *self.cleaned_data["issns"], *kept]


class RupiahField(forms.CharField):
    """A price in whole rupiah; accepts “Rp 85.000”, “85000” or “85.000,00”."""

    default_error_messages = {
        "invalid": _("Write the price in rupiah, e.g. Rp 85.000."),
        "negative": _("The price cannot be negative."),
        "too_large": _("The price is too large."),
    }

    def clean(self, value) -> int | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        if text.startswith("-"):
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        # Cents after a decimal comma or point ("85.000,00", "85,000.50") are dropped:
        # rupiah prices carry none. A group of three digits is a thousands group.
        text = re.sub(r"[.,]\d{1,2}$", "", text)
        digits = re.sub(r"\D", "", text)
        if not digits:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        price = int(digits)
        if price > 2_000_000_000:
            raise forms.ValidationError(self.error_messages["too_large"], code="too_large")
        return price


class ItemForm(forms.Form):
    barcode = forms.CharField(label=_("Barcode"), max_length=50)
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), empty_label=_("Choose a branch")
    )
    shelf_location = forms.CharField(
        label=_("Shelf location"),
        max_length=100,
        required=False,
        help_text=_("e.g. Anak, Referensi, Rak 3"),
    )
    call_number = forms.CharField(
        label=_("Call number"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to use the record's call number."),
    )
    status = forms.ChoiceField(label=_("Status"))
    is_loanable = forms.BooleanField(
        label=_("Loanable (untick for reference-only copies)"), required=False, initial=True
    )
    acquisition_source = forms.ChoiceField(
        label=_("Acquisition source"), choices=Item.AcquisitionSource.choices
    )
    price = RupiahField(
        label=_("Price (Rp)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    acquired_on = forms.DateField(
        label=_("Acquired on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)

    def __init__(self, *args, record: Record, item: Item | None = None, user=None, **kwargs):
        self.record, self.item = record, item
        if "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(record=record, item=item, user=user)
        super().__init__(*args, **kwargs)
        branches = selectors.active_branches()
        if item is not None and not item.branch.is_active:
            branches = Branch.objects.filter(pk=item.branch_id) | branches
        self.fields["branch"].queryset = branches
        statuses = [(status.value, status.label) for status in CATALOGUE_STATUSES]
        if item is not None and item.status in CIRCULATION_STATUSES:
            # Circulation owns this status: show it, do not let the form change it.
            statuses = [(item.status, item.get_status_display())]
            self.fields["status"].disabled = True
            self.fields["status"].help_text = _("Set by the circulation desk.")
        self.fields["status"].choices = statuses
        if item is None:
            self.fields["barcode"].widget.attrs["autofocus"] = True
        self.fields["barcode"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    @staticmethod
    def initial_for(*, record: Record, item: Item | None, user) -> dict:
        if item is None:
            home_branch = getattr(user, "home_branch_id", None)
            return {
                "call_number": record.call_number,
                "status": Item.Status.AVAILABLE,
                "is_loanable": True,
                "acquisition_source": Item.AcquisitionSource.PURCHASE,
                "branch": home_branch,
            }
        initial = {
            name: getattr(item, name)
            for name in (
                "barcode",
                "shelf_location",
                "call_number",
                "status",
                "is_loanable",
                "acquisition_source",
                "acquired_on",
                "notes",
            )
        }
        initial["branch"] = item.branch_id
        initial["price"] = f"{item.price}" if item.price is not None else ""
        return initial

    def item_data(self) -> dict:
        return dict(self.cleaned_data)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("MARC file"),
        help_text=_("MARC 21 (.mrc) or MARCXML (.xml), as exported by SLiMS, INLIS or Koha."),
    )
    items_per_record = forms.IntegerField(
        label=_("Items to create for each record"),
        min_value=0,
        max_value=50,
        initial=0,
        required=False,
        help_text=_(
            "For new records only; 0 creates none. Their barcodes are numbered after the "
            "branch code, e.g. PUSAT-00000042."
        ),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch of the new items"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("No branch"),
        help_text=_(
            "Items created from holdings whose branch code is missing or unknown "
            "go to this branch too."
        ),
    )
    barcodes_from_holdings = forms.BooleanField(
        label=_("Create items from the holdings in the file (852/952), with their barcodes"),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = selectors.active_branches()
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(MARC_SUFFIXES))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in MARC_SUFFIXES:
            raise forms.ValidationError(
                _("Choose a MARC file (.mrc) or a MARCXML file (.xml)."), code="suffix"
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("items_per_record") or 0) > 0 and not cleaned.get("branch"):
            self.add_error("branch", _("Choose the branch the new items belong to."))
        return cleaned


class LabelsForm(forms.Form):
    barcodes = forms.CharField(
        label=_("Barcodes"),
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Type or scan one barcode per line."),
    )

    def clean_barcodes(self) -> list[str]:
        barcodes = list(dict.fromkeys(self.cleaned_data["barcodes"].split()))
        if not barcodes:
            raise forms.ValidationError(_("Type or scan at least one barcode."), code="empty")
        if len(barcodes) > MAX_LABELS:
            raise forms.ValidationError(
                _("Print at most %(count)s labels at a time.") % {"count": MAX_LABELS},
                code="too_many",
            )
        return barcodes
