"""Bibliographic records (title level) kept apart from items (physical copies)."""

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serambi.core.models import TimeStampedModel


class MaterialType(models.TextChoices):
    """Jenis bahan (GMD), derived on import from the MARC leader 06/07."""

    BOOK = "book", _("Book")
    SERIAL = "serial", _("Serial")
    EBOOK = "ebook", _("E-book")
    MAP = "map", _("Map")
    MUSIC_SCORE = "score", _("Music score")
    AUDIO = "audio", _("Audio recording")
    VIDEO = "video", _("Video")
    VISUAL = "visual", _("Picture or visual material")
    MANUSCRIPT = "manuscript", _("Manuscript")
    COMPUTER_FILE = "computer_file", _("Computer file")
    KIT = "kit", _("Kit or mixed materials")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    """Intended audience, from 008/22 for books (MARC target audience codes)."""

    UNSPECIFIED = "", _("Not specified")
    CHILDREN = "children", _("Children")
    YOUNG_ADULT = "young_adult", _("Teenagers")
    ADULT = "adult", _("Adults")
    GENERAL = "general", _("General")
    SPECIALIZED = "specialized", _("Specialists")


class Contributor(TimeStampedModel):
    """A person, organisation or meeting named on records (pengarang, penyunting …)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Organisation")
        MEETING = "meeting", _("Meeting or event")

    name = models.CharField(_("name"), max_length=500)
    dates = models.CharField(_("dates"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    # Folded form of name + dates, so "Pramoedya Ananta Toer," and "pramoedya ananta toer" are one.
    key = models.CharField(max_length=600, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")

    def __str__(self) -> str:
        return f"{self.name} ({self.dates})" if self.dates else self.name


class Subject(TimeStampedModel):
    """A subject heading; subdivisions are joined with " -- " as LCSH writes them."""

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic")
        PLACE = "place", _("Place")
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Organisation")
        GENRE = "genre", _("Genre or form")
        OTHER = "other", _("Other")

    heading = models.CharField(_("heading"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TOPIC)
    key = models.CharField(max_length=600, unique=True, editable=False)

    class Meta:
        ordering = ["heading"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")

    def __str__(self) -> str:
        return self.heading


class Record(TimeStampedModel):
    """One title as catalogued: what a patron finds; copies are Items."""

    title = models.CharField(_("title"), max_length=1000)
    subtitle = models.CharField(_("subtitle"), max_length=1000, blank=True)
    responsibility = models.CharField(_("statement of responsibility"), max_length=1000, blank=True)
    edition = models.CharField(_("edition"), max_length=200, blank=True)
    publisher = models.CharField(_("publisher"), max_length=500, blank=True)
    publication_place = models.CharField(_("place of publication"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    physical_description = models.CharField(_("physical description"), max_length=500, blank=True)
    series = models.CharField(_("series"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=3,
        blank=True,
        help_text=_("MARC language code, e.g. ind, eng, jav."),
    )
    material_type = models.CharField(
        _("material type"), max_length=20, choices=MaterialType.choices, default=MaterialType.BOOK
    )
    audience = models.CharField(
        _("audience"),
        max_length=20,
        choices=Audience.choices,
        default=Audience.UNSPECIFIED,
        blank=True,
    )
    ddc = models.CharField(_("DDC classification"), max_length=50, blank=True)
    call_number = models.CharField(
        _("call number"),
        max_length=100,
        blank=True,
        help_text=_("Default call number for new items, e.g. 959.82 PRA b."),
    )
    is_local_content = models.BooleanField(
        _("local content"),
        default=False,
        help_text=_("Part of the local content collection (muatan lokal)."),
    )
    cover = models.ImageField(_("cover"), upload_to="covers/%Y/", blank=True)

    # Identity of the record where it came from: 001 and 003 of the MARC record.
    control_number = models.CharField(_("control number (001)"), max_length=100, blank=True)
    control_number_source = models.CharField(
        _("control number source (003)"), max_length=50, blank=True
    )
    # The original MARC record as MARC-in-JSON, so nothing in it is lost on import,
    # and its hash, so that importing the same record again is a no-op.
    marc = models.JSONField(_("MARC record"), null=True, blank=True, editable=False)
    marc_hash = models.CharField(max_length=64, blank=True, editable=False)

    contributors = models.ManyToManyField(
        Contributor,
        through="RecordContributor",
        related_name="records",
        verbose_name=_("contributors"),
    )
    subjects = models.ManyToManyField(
        Subject, through="RecordSubject", related_name="records", verbose_name=_("subjects")
    )

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("bibliographic record")
        verbose_name_plural = _("bibliographic records")
        permissions = [
            ("import_marc", _("Can import MARC files")),
            ("export_marc", _("Can export MARC files")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["control_number_source", "control_number"],
                condition=~Q(control_number=""),
                name="record_unique_control_number",
            )
        ]
        indexes = [
            models.Index(fields=["material_type"]),
            models.Index(fields=["language"]),
            # What search filters, counts facets of and sorts by, for each record id:
            # read from this small index rather than from rows that hold the MARC.
            models.Index(
                fields=["id", "material_type", "language", "year", "audience"],
                name="record_facet_columns",
            ),
            # How the importer finds a record without 001 (and without ISBN) that it
            # imported before: by its exact MARC. Records with a control number,
            # nearly all of an import, stay out of it and cost it nothing.
            models.Index(
                fields=["marc_hash"],
                condition=Q(control_number=""),
                name="record_marc_hash_unnumbered",
            ),
        ]

    def __str__(self) -> str:
        return self.full_title

    def get_absolute_url(self) -> str:
        return reverse("catalog:record_detail", args=[self.pk])

    @property
    def full_title(self) -> str:
        return f"{self.title} : {self.subtitle}" if self.subtitle else self.title


class RecordContributor(models.Model):
    class Role(models.TextChoices):
        AUTHOR = "author", _("Author")
        EDITOR = "editor", _("Editor")
        TRANSLATOR = "translator", _("Translator")
        ILLUSTRATOR = "illustrator", _("Illustrator")
        COMPILER = "compiler", _("Compiler")
        PHOTOGRAPHER = "photographer", _("Photographer")
        CONTRIBUTOR = "contributor", _("Contributor")

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="contributions")
    contributor = models.ForeignKey(
        Contributor, on_delete=models.PROTECT, related_name="contributions"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AUTHOR)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_main = models.BooleanField(_("main entry"), default=False)

    class Meta:
        ordering = ["record", "position"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "contributor", "role"], name="record_contributor_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contributor} ({self.get_role_display()})"


class RecordSubject(models.Model):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="subject_links")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="record_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["record", "position"]
        constraints = [
            models.UniqueConstraint(fields=["record", "subject"], name="record_subject_unique")
        ]

    def __str__(self) -> str:
        return str(self.subject)


class Identifier(models.Model):
    """An ISBN or ISSN as written, with its normalised form when it is valid.

    An invalid number is kept (and flagged) rather than dropped: it is still
    what is printed on the book.
    """

    class Scheme(models.TextChoices):
        ISBN = "isbn", "ISBN"
        ISSN = "issn", "ISSN"

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(_("scheme"), max_length=10, choices=Scheme.choices)
    value = models.CharField(_("as written"), max_length=100)
    normalized = models.CharField(
        _("normalised"), max_length=20, blank=True, help_text=_("ISBN-13 or ISSN, digits only.")
    )
    qualifier = models.CharField(_("qualifier"), max_length=200, blank=True)
    is_valid = models.BooleanField(_("valid"), default=True)
    is_cancelled = models.BooleanField(
        _("cancelled"),
        default=False,
        help_text=_("Cancelled or invalid number printed in the source (020 $z)."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["record", "position"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        indexes = [models.Index(fields=["scheme", "normalized"])]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"


class Item(TimeStampedModel):
    """Eksemplar: one physical copy with its own barcode."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        ON_LOAN = "on_loan", _("On loan")
        ON_HOLD_SHELF = "on_hold_shelf", _("On hold shelf")
        IN_TRANSIT = "in_transit", _("In transit")
        IN_PROCESSING = "in_processing", _("In processing")
        LOST = "lost", _("Lost")
        DAMAGED = "damaged", _("Damaged")
        MISSING = "missing", _("Missing")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class AcquisitionSource(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        GIFT = "gift", _("Gift")
        DEPOSIT = "deposit", _("Legal deposit")

    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="items", verbose_name=_("record")
    )
    barcode = models.CharField(_("barcode"), max_length=50, unique=True)
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="items", verbose_name=_("branch")
    )
    shelf_location = models.CharField(
        _("shelf location"), max_length=100, blank=True, help_text=_("e.g. Anak, Referensi, Rak 3")
    )
    call_number = models.CharField(_("call number"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.AVAILABLE, db_index=True
    )
    is_loanable = models.BooleanField(
        _("loanable"),
        default=True,
        help_text=_("Untick for reference-only copies that stay in the library."),
    )
    acquisition_source = models.CharField(
        _("acquisition source"),
        max_length=20,
        choices=AcquisitionSource.choices,
        default=AcquisitionSource.PURCHASE,
    )
    price = models.PositiveIntegerField(_("price (Rp)"), null=True, blank=True)
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        ordering = ["record", "branch", "barcode"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        permissions = [("print_labels", _("Can print spine and barcode labels"))]
        indexes = [models.Index(fields=["record", "status"])]

    def __str__(self) -> str:
        return self.barcode

    def get_absolute_url(self) -> str:
        return reverse("catalog:record_detail", args=[self.record_id]) + f"#item-{self.pk}"


class ImportRun(TimeStampedModel):
    """One MARC import (from the CLI or an upload) and its report."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    filename = models.CharField(_("file"), max_length=500)
    started_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.RUNNING
    )
    read = models.PositiveIntegerField(_("read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    # The importer saves the counts after every batch, seconds apart. A run still
    # marked running that has saved nothing for this long was stopped without a
    # word (kill -9, a power cut) and will never finish.
    SILENT_AFTER = datetime.timedelta(minutes=15)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("MARC import")
        verbose_name_plural = _("MARC imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def stopped_silently(self) -> bool:
        """Marked running, but silent for SILENT_AFTER: its process is gone."""
        return (
            self.state == self.State.RUNNING
            and self.updated_at < timezone.now() - self.SILENT_AFTER
        )

    def get_status_display(self) -> str:
        """The state as staff should read it: a run that stopped silently is not running."""
        return str(_("Stopped")) if self.stopped_silently else self.get_state_display()
