from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from serambi.core.models import TimeStampedModel


class Space(TimeStampedModel):
    """A room of the creative space (ruang kreatif) that members may book."""

    class Kind(models.TextChoices):
        DISCUSSION_ROOM = "discussion_room", _("Discussion room")
        ART_STUDIO = "art_studio", _("Art studio")
        DIGITAL_STUDIO = "digital_studio", _("Digital-content studio")
        HALL = "hall", _("Multipurpose hall")
        CHILDREN = "children_corner", _("Children's corner")
        OTHER = "other", _("Other room")

    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="spaces", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    capacity = models.PositiveSmallIntegerField(_("people at most"), default=8)
    description = models.TextField(_("description"), blank=True)
    features = models.TextField(
        _("features"),
        blank=True,
        help_text=_("One per line: projector, sound system, computers with design software …"),
    )
    accessibility = models.CharField(
        _("accessibility"),
        max_length=300,
        blank=True,
        help_text=_("e.g. step-free entrance, hearing loop"),
    )
    photo = models.ImageField(_("photo"), upload_to="spaces/", blank=True)
    is_active = models.BooleanField(_("bookable"), default=True)
    # The booking rules of this room.
    opens = models.TimeField(
        _("bookable from"), null=True, blank=True, help_text=_("Empty: when the branch opens.")
    )
    closes = models.TimeField(
        _("bookable until"), null=True, blank=True, help_text=_("Empty: when the branch closes.")
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    min_minutes = models.PositiveSmallIntegerField(_("shortest booking (minutes)"), default=30)
    max_minutes = models.PositiveSmallIntegerField(_("longest booking (minutes)"), default=180)
    book_ahead_days = models.PositiveSmallIntegerField(
        _("bookable this many days ahead"), default=30
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer after each booking (minutes)"), default=0
    )
    max_hours_per_week = models.PositiveSmallIntegerField(
        _("hours per member per week at most"), null=True, blank=True
    )
    max_bookings_per_week = models.PositiveSmallIntegerField(
        _("bookings per member per week at most"), null=True, blank=True
    )
    categories = models.ManyToManyField(
        "members.MemberCategory",
        blank=True,
        related_name="+",
        verbose_name=_("who may book"),
        help_text=_("Member categories allowed to book; none chosen: every member."),
    )
    requires_approval = models.BooleanField(_("bookings need approval"), default=False)

    class Meta:
        ordering = ["branch", "name"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        permissions = [("manage_bookings", _("Can approve, decline and check in bookings"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__isnull=True) | Q(closes__isnull=True) | Q(opens__lt=F("closes")),
                name="space_opens_before_closes",
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5) & Q(min_minutes__lte=F("max_minutes")),
                name="space_sane_durations",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.branch})"

    def get_absolute_url(self) -> str:
        return reverse("spaces:space", args=[self.slug])

    @property
    def feature_list(self) -> list[str]:
        return [line.strip() for line in self.features.splitlines() if line.strip()]


class Equipment(TimeStampedModel):
    """A piece of equipment lent for use in the library: a camera, laptop, drawing tablet."""

    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="equipment", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.CharField(_("description"), max_length=300, blank=True)
    space = models.ForeignKey(
        Space,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="equipment",
        verbose_name=_("kept in"),
    )
    bookable_alone = models.BooleanField(_("bookable without a room"), default=False)
    is_active = models.BooleanField(_("bookable"), default=True)

    class Meta:
        ordering = ["branch", "name"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")

    def __str__(self) -> str:
        return self.name


class Booking(TimeStampedModel):
    """Peminjaman ruang: a room (and/or equipment) for a member, or taken by an event."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for approval")
        CONFIRMED = "confirmed", _("Confirmed")
        CHECKED_IN = "checked_in", _("Checked in")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("Released: nobody came")
        COMPLETED = "completed", _("Used")

    # Bookings that hold their time: the overlap rules and constraints count only these.
    HOLDING = (Status.REQUESTED, Status.CONFIRMED, Status.CHECKED_IN)
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.REQUESTED: frozenset({Status.CONFIRMED, Status.DECLINED, Status.CANCELLED}),
        Status.CONFIRMED: frozenset({Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW}),
        Status.CHECKED_IN: frozenset({Status.COMPLETED}),
        Status.DECLINED: frozenset(),
        Status.CANCELLED: frozenset(),
        Status.NO_SHOW: frozenset(),
        Status.COMPLETED: frozenset(),
    }

    space = models.ForeignKey(
        Space,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("space"),
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("member"),
    )
    # Set when an event takes the room (with its set-up time); then there is no member.
    event = models.OneToOneField(
        "programs.Event",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="room_booking",
        verbose_name=_("event"),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    # ends_at plus the room's buffer: the time no other booking may start in.
    blocked_until = models.DateTimeField(editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED, db_index=True
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    people = models.PositiveSmallIntegerField(_("number of people"), default=1)
    organisation = models.CharField(
        _("on behalf of"), max_length=200, blank=True, help_text=_("A partner organisation.")
    )
    accommodations = models.CharField(_("accessibility requests"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="booking_starts_before_ends"
            ),
            models.CheckConstraint(
                condition=Q(blocked_until__gte=F("ends_at")), name="booking_blocked_after_end"
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(event__isnull=False),
                name="booking_for_member_or_event",
            ),
        ]
        # On PostgreSQL an exclusion constraint (migration 0002) refuses two
        # holding bookings of one space whose [starts_at, blocked_until) overlap.
        indexes = [models.Index(fields=["space", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.space} {self.starts_at:%Y-%m-%d %H:%M}"


class EquipmentBooking(models.Model):
    """One piece of equipment held for a booking's time, copied here so the
    database can refuse two overlapping holds on one piece (PostgreSQL exclusion)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="equipment_holds")
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="holds", verbose_name=_("equipment")
    )
    starts_at = models.DateTimeField()
    blocked_until = models.DateTimeField()
    is_holding = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("equipment booked")
        verbose_name_plural = _("equipment booked")
        constraints = [
            models.UniqueConstraint(fields=["booking", "equipment"], name="equipment_booking_once"),
        ]
        indexes = [models.Index(fields=["equipment", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.equipment} · {self.booking}"
