from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from serambi.catalog.models import MaterialType
from serambi.core.models import TimeStampedModel


class Channel(models.TextChoices):
    """The door a circulation act came through."""

    DESK = "desk", _("Circulation desk")
    PATRON = "patron", _("Patron's account page")
    API = "api", _("App (API)")
    SELF_CHECK = "self_check", _("Self-check kiosk")
    SYSTEM = "system", _("Automatic")


class CirculationSettings(models.Model):
    """Library-wide circulation choices; one row (pk=1), edited by staff."""

    fines_count_open_days_only = models.BooleanField(
        _("fines count only days the branch was open"),
        default=True,
        help_text=_("Closed days and holidays between the due date and the return are not fined."),
    )
    fine_limit = models.PositiveIntegerField(
        _("unpaid fines that block borrowing (Rp)"),
        default=10_000,
        help_text=_("A member owing this much or more may not borrow. 0 turns the block off."),
    )
    block_when_overdue = models.BooleanField(_("overdue items block borrowing"), default=True)
    hold_pickup_days = models.PositiveSmallIntegerField(_("days to collect a hold"), default=3)
    due_soon_days = models.PositiveSmallIntegerField(
        _("remind this many days before the due date"), default=2
    )
    overdue_notice_days = models.CharField(
        _("send overdue notices this many days after the due date"),
        max_length=50,
        default="1,7,14",
        help_text=_("Comma-separated days, e.g. 1,7,14."),
    )

    class Meta:
        verbose_name = _("circulation settings")
        verbose_name_plural = _("circulation settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="circulation_settings_single")
        ]

    def __str__(self) -> str:
        return str(_("Circulation settings"))


class LoanRule(TimeStampedModel):
    """Aturan peminjaman for member category × material type × branch.

    An empty axis matches anything; the rule with every axis empty is the
    library default. The most specific matching rule wins: branch counts
    most, then member category, then material type (as in Koha).
    """

    category = models.ForeignKey(
        "members.MemberCategory",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="loan_rules",
        verbose_name=_("member category"),
    )
    material_type = models.CharField(
        _("material type"), max_length=20, choices=MaterialType.choices, blank=True
    )
    branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="loan_rules",
        verbose_name=_("branch"),
    )
    loan_days = models.PositiveSmallIntegerField(_("loan period (days)"), default=14)
    max_loans = models.PositiveSmallIntegerField(_("items on loan at most"), default=3)
    max_renewals = models.PositiveSmallIntegerField(_("renewals at most"), default=1)
    fine_per_day = models.PositiveIntegerField(_("fine per day (Rp)"), default=500)
    fine_cap = models.PositiveIntegerField(
        _("fine cap per item (Rp)"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace days"), default=0, help_text=_("Days late before a fine starts.")
    )
    holds_allowed = models.BooleanField(_("holds allowed"), default=True)
    max_holds = models.PositiveSmallIntegerField(_("holds at most"), default=3)

    class Meta:
        ordering = ["branch__name", "category__position", "material_type"]
        verbose_name = _("loan rule")
        verbose_name_plural = _("loan rules")
        constraints = [
            models.CheckConstraint(condition=Q(loan_days__gte=1), name="loan_rule_loan_days_min"),
        ]

    def __str__(self) -> str:
        parts = [
            str(self.branch) if self.branch_id else None,
            str(self.category) if self.category_id else None,
            self.get_material_type_display() if self.material_type else None,
        ]
        named = [part for part in parts if part]
        return " · ".join(named) if named else str(_("Library default"))

    @property
    def specificity(self) -> int:
        return (
            4 * (self.branch_id is not None)
            + 2 * (self.category_id is not None)
            + (self.material_type != "")
        )


class Loan(TimeStampedModel):
    """Peminjaman: one copy lent to one member, from checkout to return."""

    class Status(models.TextChoices):
        ON_LOAN = "on_loan", _("On loan")
        RETURNED = "returned", _("Returned")
        LOST = "lost", _("Declared lost")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.ON_LOAN: frozenset({Status.RETURNED, Status.LOST}),
        # A copy declared lost that turns up again is checked in.
        Status.LOST: frozenset({Status.RETURNED}),
        Status.RETURNED: frozenset(),
    }

    item = models.ForeignKey(
        "catalog.Item", on_delete=models.PROTECT, related_name="loans", verbose_name=_("item")
    )
    # None once the loan is anonymised (returned, no reading history kept).
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="loans",
        verbose_name=_("member"),
    )
    member_category = models.CharField(_("member category"), max_length=30, blank=True)
    branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        related_name="loans",
        verbose_name=_("lent at"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ON_LOAN, db_index=True
    )
    checked_out_at = models.DateTimeField(_("lent"))
    due_on = models.DateField(_("due"), db_index=True)
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned at"),
    )
    # The rule's money terms at checkout: a rule edited later does not change them.
    fine_per_day = models.PositiveIntegerField(_("fine per day (Rp)"), default=0)
    fine_cap = models.PositiveIntegerField(_("fine cap (Rp)"), null=True, blank=True)
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=0)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.DESK
    )
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lent by"),
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )

    class Meta:
        ordering = ["-checked_out_at", "-id"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        permissions = [
            ("override_block", _("Can lend despite a block, with a reason")),
            ("manage_loan_rules", _("Can edit loan rules and circulation settings")),
        ]
        constraints = [
            # At most one open loan per copy: the database settles any race.
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="on_loan"), name="loan_one_open_per_item"
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("checked_out_at")),
                name="loan_returned_after_lent",
            ),
        ]
        indexes = [models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"{self.item} → {self.member or _('(anonymised)')}"


class Hold(TimeStampedModel):
    """Reservasi: a member waits for a title (any copy) or one particular copy."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        IN_TRANSIT = "in_transit", _("On its way to the pickup branch")
        READY = "ready", _("Ready for pickup")
        FULFILLED = "fulfilled", _("Collected")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Not collected in time")

    ACTIVE = (Status.WAITING, Status.IN_TRANSIT, Status.READY)
    TRAPPED = (Status.IN_TRANSIT, Status.READY)
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.WAITING: frozenset({Status.IN_TRANSIT, Status.READY, Status.CANCELLED}),
        # A copy lost on its way sends the hold back to the queue.
        Status.IN_TRANSIT: frozenset({Status.READY, Status.WAITING, Status.CANCELLED}),
        Status.READY: frozenset({Status.FULFILLED, Status.EXPIRED, Status.CANCELLED}),
        Status.FULFILLED: frozenset(),
        Status.CANCELLED: frozenset(),
        Status.EXPIRED: frozenset(),
    }

    record = models.ForeignKey(
        "catalog.Record", on_delete=models.CASCADE, related_name="holds", verbose_name=_("title")
    )
    # Set from the start for a hold on one copy; set when trapped for a title hold.
    item = models.ForeignKey(
        "catalog.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="holds",
        verbose_name=_("copy"),
    )
    is_item_hold = models.BooleanField(_("this copy only"), default=False)
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="holds", verbose_name=_("member")
    )
    pickup_branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        related_name="pickup_holds",
        verbose_name=_("pickup branch"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    placed_at = models.DateTimeField(_("placed"), db_index=True)
    trapped_at = models.DateTimeField(_("copy set aside"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    pickup_by = models.DateField(_("collect by"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.PATRON
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placed by"),
    )

    class Meta:
        ordering = ["placed_at", "id"]
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "record"],
                condition=Q(status__in=["waiting", "in_transit", "ready"]),
                name="hold_one_active_per_member_title",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["in_transit", "ready"]),
                name="hold_one_trapped_per_item",
            ),
        ]
        indexes = [models.Index(fields=["record", "status", "placed_at"])]

    def __str__(self) -> str:
        return f"{self.record_id} · {self.member} · {self.get_status_display()}"


class Fine(TimeStampedModel):
    """Denda or charge: what a member owes for one reason, in whole rupiah."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("Late return")
        LOST = "lost", _("Lost item replacement")
        DAMAGED = "damaged", _("Damaged item")
        OTHER = "other", _("Other charge")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="fines", verbose_name=_("member")
    )
    loan = models.ForeignKey(
        Loan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fines",
        verbose_name=_("loan"),
    )
    item = models.ForeignKey(
        "catalog.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fines",
        verbose_name=_("item"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    paid = models.PositiveIntegerField(_("paid (Rp)"), default=0)
    waived = models.PositiveIntegerField(_("waived (Rp)"), default=0)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("charged by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("fine")
        verbose_name_plural = _("fines")
        permissions = [("waive_fine", _("Can waive fines"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="fine_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid__lte=F("amount") - F("waived")), name="fine_not_overpaid"
            ),
        ]
        indexes = [models.Index(fields=["member", "settled_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} Rp{self.amount}"

    @property
    def balance(self) -> int:
        return self.amount - self.paid - self.waived


class Payment(models.Model):
    """One payment or waiver against one fine, with its receipt number."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        WAIVER = "waiver", _("Waiver")

    fine = models.ForeignKey(
        Fine, on_delete=models.PROTECT, related_name="payments", verbose_name=_("fine")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=30, unique=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.receipt_number
