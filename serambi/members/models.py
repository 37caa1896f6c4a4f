import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from serambi.core.models import TimeStampedModel


class MemberCategory(TimeStampedModel):
    """Jenis anggota: umum, pelajar, mahasiswa, anak, lansia, difabel, institusi.

    The library edits the list; loan rules refer to a category by its row.
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    membership_months = models.PositiveSmallIntegerField(
        _("membership length (months)"),
        default=12,
        help_text=_("How long a new or renewed membership lasts."),
    )
    needs_guardian = models.BooleanField(
        _("needs a guardian"),
        default=False,
        help_text=_("Children register with a parent or guardian."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("member category")
        verbose_name_plural = _("member categories")

    def __str__(self) -> str:
        return self.name


class Member(TimeStampedModel):
    """Pemustaka: a registered library user with a card."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        EXPIRED = "expired", _("Expired")

    # status -> statuses it may move to (services.py enforces it).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PENDING: frozenset({Status.ACTIVE}),
        Status.ACTIVE: frozenset({Status.SUSPENDED, Status.EXPIRED}),
        Status.SUSPENDED: frozenset({Status.ACTIVE, Status.EXPIRED}),
        Status.EXPIRED: frozenset({Status.ACTIVE}),
    }

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("sign-in account"),
    )
    card_number = models.CharField(_("card number"), max_length=30, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    category = models.ForeignKey(
        MemberCategory,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("category"),
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    guardian_name = models.CharField(_("parent or guardian"), max_length=200, blank=True)
    guardian_phone = models.CharField(_("guardian's phone"), max_length=30, blank=True)
    institution = models.CharField(_("school, campus or institution"), max_length=200, blank=True)
    address = models.CharField(_("street address"), max_length=300, blank=True)
    kelurahan = models.CharField(_("kelurahan/desa"), max_length=100, blank=True)
    kecamatan = models.CharField(_("kecamatan"), max_length=100, blank=True)
    city = models.CharField(_("city or regency"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    phone_is_whatsapp = models.BooleanField(_("reachable on WhatsApp"), default=True)
    email = models.EmailField(_("e-mail"), blank=True)
    home_branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("home branch"),
    )
    expires_on = models.DateField(_("membership expires"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_reason = models.CharField(_("reason for the status"), max_length=300, blank=True)
    accessibility_needs = models.CharField(
        _("accessibility needs"),
        max_length=300,
        blank=True,
        help_text=_("e.g. wheelchair access, large print, a sign-language interpreter"),
    )
    keep_reading_history = models.BooleanField(
        _("keep my reading history"),
        default=False,
        help_text=_("Without it, a loan forgets who borrowed it once the book is back."),
    )
    receive_news = models.BooleanField(_("send me the library's news"), default=False)
    # NIK kept minimised (UU PDP 27/2022): a keyed hash finds duplicates, the last
    # four digits let staff confirm a card in hand; the full number is never stored.
    nik_hash = models.CharField(max_length=64, blank=True, editable=False)
    nik_last4 = models.CharField(_("NIK (last 4 digits)"), max_length=4, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    deletion_requested_at = models.DateTimeField(_("deletion requested"), null=True, blank=True)
    staff_notes = models.TextField(_("staff notes"), blank=True)

    class Meta:
        ordering = ["full_name", "card_number"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        permissions = [
            ("verify_member", _("Can verify members and print cards")),
            ("erase_member", _("Can erase a member's personal data")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nik_hash"], condition=~Q(nik_hash=""), name="member_unique_nik"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.card_number})"

    def get_absolute_url(self) -> str:
        return reverse("members:detail", args=[self.pk])

    def is_expired_on(self, day: datetime.date) -> bool:
        return self.expires_on is not None and self.expires_on < day

    @property
    def nik_masked(self) -> str:
        return f"************{self.nik_last4}" if self.nik_last4 else ""


class Visit(models.Model):
    """One line of the guest book (buku tamu): a member, a guest or a group, on one day."""

    class Purpose(models.TextChoices):
        READ = "read", _("Reading")
        BORROW = "borrow", _("Borrowing or returning")
        STUDY = "study", _("Studying or doing homework")
        RESEARCH = "research", _("Research")
        EVENT = "event", _("An event or workshop")
        INTERNET = "internet", _("Internet and computers")
        SPACE = "space", _("Using a room or the creative space")
        OTHER = "other", _("Something else")

    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="visits", verbose_name=_("branch")
    )
    visited_on = models.DateField(_("date"), db_index=True)
    arrived_at = models.DateTimeField(_("arrived"), auto_now_add=True)
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("member"),
    )
    # A member's category at the time, kept for statistics after erasure.
    member_category = models.CharField(_("member category"), max_length=30, blank=True)
    guest_name = models.CharField(_("name"), max_length=200, blank=True)
    # Folded name + institution: one guest is counted once a day per branch.
    guest_key = models.CharField(max_length=300, blank=True, editable=False)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    purpose = models.CharField(
        _("purpose of visit"), max_length=20, choices=Purpose.choices, default=Purpose.READ
    )
    head_count = models.PositiveSmallIntegerField(_("number of people"), default=1)
    is_group = models.BooleanField(_("group visit"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-arrived_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("guest book")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "visited_on"],
                condition=Q(member__isnull=False),
                name="visit_member_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["branch", "visited_on", "guest_key"],
                condition=~Q(guest_key=""),
                name="visit_guest_once_a_day",
            ),
            models.CheckConstraint(condition=Q(head_count__gte=1), name="visit_head_count_min"),
        ]
        indexes = [models.Index(fields=["branch", "visited_on"])]

    def __str__(self) -> str:
        who = self.member.full_name if self.member else self.guest_name
        return f"{self.visited_on:%Y-%m-%d} {who}"
