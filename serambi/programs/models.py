from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from serambi.core.models import TimeStampedModel


class ProgramSettings(models.Model):
    """Library-wide choices for events; one row (pk=1)."""

    no_show_limit = models.PositiveSmallIntegerField(
        _("no-shows that pause registrations"),
        default=3,
        help_text=_("Counted over the last 180 days. 0 turns the pause off."),
    )
    pause_days = models.PositiveSmallIntegerField(_("pause length (days)"), default=30)
    reminder_hours = models.PositiveSmallIntegerField(
        _("remind registrants this many hours before"), default=24
    )

    class Meta:
        verbose_name = _("event settings")
        verbose_name_plural = _("event settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="program_settings_single")]

    def __str__(self) -> str:
        return str(_("Event settings"))


class Program(TimeStampedModel):
    """Kegiatan: a series (Diskusi Buku Bulanan) or a one-off (Festival Literasi)."""

    class Category(models.TextChoices):
        BOOK_DISCUSSION = "book_discussion", _("Book discussion")
        WORKSHOP = "workshop", _("Workshop")
        CLASS = "class", _("Class or course")
        STORYTELLING = "storytelling", _("Storytelling")
        COMPETITION = "competition", _("Competition")
        FESTIVAL = "festival", _("Festival")
        BAZAAR = "bazaar", _("Book bazaar")
        TRAINING = "training", _("Training (e.g. for small businesses)")
        SEMINAR = "seminar", _("Seminar or talk")
        HEALTH = "health", _("Health information")
        DIGITAL = "digital", _("Digital literacy")
        OTHER = "other", _("Other")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        CHILDREN = "children", _("Children")
        TEENS = "teens", _("Teenagers")
        ADULTS = "adults", _("Adults")
        SENIORS = "seniors", _("Older people")
        FAMILIES = "families", _("Families")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    min_age = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    poster = models.ImageField(_("poster"), upload_to="programs/%Y/", blank=True)
    partners = models.CharField(
        _("partner organisations"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, e.g. Komunitas Literasi Magelang, Dinas Kesehatan"),
    )
    facilitator = models.CharField(_("facilitator"), max_length=200, blank=True)
    is_series = models.BooleanField(_("a series of sessions"), default=False)
    is_published = models.BooleanField(_("published"), default=True)
    gives_certificate = models.BooleanField(_("certificates for attendees"), default=False)

    class Meta:
        ordering = ["title"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        permissions = [("manage_programs", _("Can run programs, events and registrations"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=F("max_age")),
                name="program_age_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programs:program", args=[self.slug])


class Event(TimeStampedModel):
    """One session of a program, at a branch (in a room) or outside, maybe online too."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="events", verbose_name=_("program")
    )
    title = models.CharField(
        _("session title"), max_length=200, blank=True, help_text=_("Empty: the program's title.")
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("branch"),
    )
    space = models.ForeignKey(
        "spaces.Space",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("room"),
    )
    setup_minutes = models.PositiveSmallIntegerField(
        _("set-up time (minutes)"),
        default=30,
        help_text=_("The room is held this long before and after the event."),
    )
    location = models.CharField(_("place outside the library"), max_length=300, blank=True)
    online_url = models.URLField(_("online link (hybrid)"), blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    registration_required = models.BooleanField(_("registration required"), default=True)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: when it starts.")
    )
    accessibility = models.CharField(_("accessibility"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="event_starts_before_ends"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_title} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("programs:event", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title or self.program.title


class Registration(TimeStampedModel):
    """Pendaftaran: a member or a guest for one event; confirmed or on the waitlist."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    ACTIVE = (Status.CONFIRMED, Status.WAITLISTED)
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.WAITLISTED: frozenset({Status.CONFIRMED, Status.CANCELLED}),
        Status.CONFIRMED: frozenset({Status.ATTENDED, Status.NO_SHOW, Status.CANCELLED}),
        # A late arrival scanned after being marked absent.
        Status.NO_SHOW: frozenset({Status.ATTENDED}),
        Status.ATTENDED: frozenset(),
        Status.CANCELLED: frozenset(),
    }

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("member"),
    )
    guest_name = models.CharField(_("name"), max_length=200, blank=True)
    guest_phone = models.CharField(_("WhatsApp"), max_length=30, blank=True)
    guest_email = models.EmailField(_("e-mail"), blank=True)
    # Folded contact of a guest: one registration per person per event.
    guest_key = models.CharField(max_length=254, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, db_index=True)
    # Order of the waitlist (and of confirmation): the moment of registering.
    registered_at = models.DateTimeField(_("registered"), db_index=True)
    promoted_at = models.DateTimeField(_("moved up from the waitlist"), null=True, blank=True)
    attended_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Secret: in the confirmation's cancel link and QR code; never listed.
    token = models.CharField(max_length=43, unique=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    class Meta:
        ordering = ["registered_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=Q(member__isnull=False) & ~Q(status="cancelled"),
                name="registration_member_once",
            ),
            models.UniqueConstraint(
                fields=["event", "guest_key"],
                condition=~Q(guest_key="") & ~Q(status="cancelled"),
                name="registration_guest_once",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(guest_name=""),
                name="registration_member_or_guest",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "registered_at"])]

    def __str__(self) -> str:
        who = self.member.full_name if self.member else self.guest_name
        return f"{who} · {self.event}"


class Certificate(models.Model):
    """Sertifikat: proof of attendance with a code anyone can verify."""

    registration = models.OneToOneField(
        Registration,
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("registration"),
    )
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    # Copied at issue: the certificate says what it said even if the event is edited.
    name = models.CharField(_("name"), max_length=200)
    event_title = models.CharField(_("event"), max_length=300)
    event_date = models.DateField(_("date"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("programs:verify", args=[self.code])


class RegistrationPause(models.Model):
    """A member's registrations paused after repeated no-shows (a library setting)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="registration_pauses"
    )
    until = models.DateField(_("paused until"))
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-until"]
        verbose_name = _("registration pause")
        verbose_name_plural = _("registration pauses")

    def __str__(self) -> str:
        return f"{self.member} → {self.until}"
