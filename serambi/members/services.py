"""Every write to members: registration, verification, renewal, status, privacy, guest book.

The staff pages, the public pre-registration, the patron's account pages, the
kiosk, the API and the daily sweep call these functions, so the rules hold
whichever door a change comes through. Permission checks belong to the doors;
``by`` is the person recorded in the audit log (``None`` for the system).

Privacy (UU PDP 27/2022): the NIK is never stored, logged or shown in full —
only a keyed hash (to find duplicates) and its last four digits; audit
entries name fields and statuses, never a person's details.
"""

import calendar
import datetime
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as NumberError
from stdnum.id import nik as stdnum_nik

from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.core.services import record_audit

from .models import Member, MemberCategory, Visit
from .types import PROFILE_FIELDS, MemberData

NIK_KEY_SALT = "serambi.members.nik"
# Generated card numbers: the prefix, a seven-digit sequence and a Luhn check
# digit ("A00000017"): short, digits a scanner reads fast, a typo caught.
CARD_PREFIX = "A"
CARD_SEQUENCE_DIGITS = 7
CARD_NUMBER_PATTERN = rf"^{CARD_PREFIX}[0-9]{{{CARD_SEQUENCE_DIGITS + 1}}}$"
CARD_NUMBER_ATTEMPTS = 5
ERASED_NAME = "—"
ERASED_CARD_PREFIX = "DEL-"
# A mobile or landline number as Indonesians write it: 08…, +628…, 628…, 0274…
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_PHONE = re.compile(r"^(?:\+62|62|0)([1-9][0-9]{7,12})$")
MEMBER_UPDATE_FIELDS = (*PROFILE_FIELDS, "card_number", "nik")
PREFERENCE_FIELDS = ("keep_reading_history", "receive_news")
EARLIEST_BIRTH_YEAR = 1900


# ----------------------------------------------------------------------------- helpers


def nik_fingerprint(nik: str) -> tuple[str, str]:
    """Validate a NIK; return (keyed hash, last four digits). The number itself goes nowhere.

    The hash is an HMAC keyed with the site's secret, so a leaked table
    cannot be matched against a list of NIKs without the key.
    """
    try:
        number = stdnum_nik.validate(nik or "")
    except NumberError as error:
        raise DomainError(
            "members.invalid_nik",
            _("This is not a valid NIK: a NIK has 16 digits with a real region and birth date."),
            field="nik",
        ) from error
    digest = salted_hmac(NIK_KEY_SALT, number, algorithm="sha256").hexdigest()
    return digest, number[-4:]


def clean_phone(phone: str) -> str:
    """A phone number in the one form we store (``08…``), "" for none, or a DomainError."""
    text = _PHONE_SEPARATORS.sub("", phone or "")
    if not text:
        return ""
    match = _PHONE.match(text)
    if not match:
        raise DomainError(
            "members.invalid_phone",
            _("Write the phone number as 08… or +62 8…, digits only (10 to 15 digits)."),
            field="phone",
        )
    return f"0{match.group(1)}"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved ``months`` calendar months on; 31 January + 1 month is 28/29 February."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def fold(text: str) -> str:
    """Text folded for comparison: case, accents and spacing do not count."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


def _luhn_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def card_number_for(sequence: int) -> str:
    """The card number of the ``sequence``-th generated card: prefix, digits, check digit."""
    digits = f"{sequence:0{CARD_SEQUENCE_DIGITS}d}"
    return f"{CARD_PREFIX}{digits}{_luhn_digit(digits)}"


def next_card_number() -> str:
    """The card number after the highest generated one.

    Two desks may compute the same number at once; the unique index refuses
    the second, and ``_save_new_member`` asks again.
    """
    last = (
        Member.objects.filter(card_number__regex=CARD_NUMBER_PATTERN)
        .order_by("-card_number")
        .values_list("card_number", flat=True)
        .first()
    )
    sequence = int(last[len(CARD_PREFIX) : -1]) + 1 if last else 1
    return card_number_for(sequence)


def clean_card_number(card_number: str) -> str:
    card_number = (card_number or "").strip().upper()
    printable = all(32 < ord(char) < 127 for char in card_number)
    if not card_number or not printable or len(card_number) > 30:
        raise DomainError(
            "members.invalid_card_number",
            _("A card number holds up to 30 letters and digits, without spaces."),
            field="card_number",
        )
    return card_number


def _check_card_free(card_number: str, *, exclude: Member | None = None) -> None:
    others = Member.objects.filter(card_number__iexact=card_number)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise DomainError(
            "members.duplicate_card_number",
            _("The card number %(card)s already belongs to another member.")
            % {"card": card_number},
            field="card_number",
            card_number=card_number,
        )


def _check_nik_free(nik_hash: str, *, exclude: Member | None = None) -> None:
    others = Member.objects.filter(nik_hash=nik_hash)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    holder = others.values_list("card_number", flat=True).first()
    if holder is not None:
        raise DomainError(
            "members.duplicate_nik",
            _("A member with this NIK is already registered (card %(card)s).") % {"card": holder},
            field="nik",
            card_number=holder,
        )


def _clean_profile(values: dict[str, Any]) -> dict[str, Any]:
    """Strip text, normalise phones and e-mail, check the facts a member's row must hold."""
    cleaned = {
        name: value.strip() if isinstance(value, str) else value for name, value in values.items()
    }
    if "full_name" in cleaned and not cleaned["full_name"]:
        raise DomainError(
            "members.name_required", _("A member needs a full name."), field="full_name"
        )
    if "category" in cleaned and not isinstance(cleaned["category"], MemberCategory):
        raise DomainError(
            "members.category_required", _("Choose a member category."), field="category"
        )
    if "home_branch" in cleaned and not isinstance(cleaned["home_branch"], Branch):
        raise DomainError(
            "members.branch_required", _("Choose a home branch."), field="home_branch"
        )
    for name in ("phone", "guardian_phone"):
        if name in cleaned:
            try:
                cleaned[name] = clean_phone(cleaned[name])
            except DomainError as error:
                error.data["field"] = name
                raise
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].lower()
        try:
            validate_email(cleaned["email"])
        except DjangoValidationError as error:
            raise DomainError(
                "members.invalid_email", _("This is not a valid e-mail address."), field="email"
            ) from error
    birth_date = cleaned.get("birth_date")
    if birth_date is not None and not (
        datetime.date(EARLIEST_BIRTH_YEAR, 1, 1) <= birth_date <= timezone.localdate()
    ):
        raise DomainError(
            "members.invalid_birth_date",
            _("The date of birth must be a past date after 1900."),
            field="birth_date",
        )
    return cleaned


def _check_guardian(member: Member) -> None:
    if member.category.needs_guardian and not member.guardian_name:
        raise DomainError(
            "members.guardian_required",
            _("A member of the category “%(category)s” registers with a parent or guardian.")
            % {"category": member.category.name},
            field="guardian_name",
        )


def _save_new_member(member: Member, *, card_given: bool) -> None:
    """Insert ``member``; a generated card number lost to a parallel desk is drawn again."""
    for _attempt in range(CARD_NUMBER_ATTEMPTS):
        if not card_given:
            member.card_number = next_card_number()
        try:
            with transaction.atomic():
                member.save()
            return
        except IntegrityError:
            if member.nik_hash and Member.objects.filter(nik_hash=member.nik_hash).exists():
                _check_nik_free(member.nik_hash)
            if card_given or not Member.objects.filter(card_number=member.card_number).exists():
                raise
    raise DomainError(
        "members.card_number_unavailable",
        _("No free card number could be drawn; please try again."),
    )


def _new_member(data: MemberData) -> tuple[Member, bool]:
    profile = _clean_profile({name: getattr(data, name) for name in PROFILE_FIELDS})
    member = Member(**profile)
    _check_guardian(member)
    card_given = bool(data.card_number and data.card_number.strip())
    if card_given:
        member.card_number = clean_card_number(data.card_number)
        _check_card_free(member.card_number)
    if data.nik and data.nik.strip():
        member.nik_hash, member.nik_last4 = nik_fingerprint(data.nik)
        _check_nik_free(member.nik_hash)
    return member, card_given


def _membership_end(category: MemberCategory, start: datetime.date) -> datetime.date:
    return add_months(start, category.membership_months)


# ----------------------------------------------------------------------------- registration


@transaction.atomic
def register_member(
    *,
    data: MemberData,
    by: Any,
    status: str = Member.Status.ACTIVE,
    password: str | None = None,
    user: Any = None,
) -> Member:
    """Register a member at the desk: checked there, so active and verified at once.

    With ``password`` the member also gets a sign-in account (username = card
    number) for the patron pages; ``user`` links an existing sign-in account
    instead. ``status=PENDING`` registers without
    verifying (e.g. a form filled in for someone who will bring their id later).
    """
    if status not in (Member.Status.ACTIVE, Member.Status.PENDING):
        raise DomainError(
            "members.invalid_status",
            _("A new member is either active or waiting for verification."),
            status=status,
        )
    member, card_given = _new_member(data)
    member.status = status
    if status == Member.Status.ACTIVE:
        member.verified_at = timezone.now()
        member.verified_by = by if getattr(by, "is_authenticated", False) else None
        member.expires_on = data.expires_on or _membership_end(
            member.category, timezone.localdate()
        )
    if user is not None:
        if Member.objects.filter(user=user).exists():
            raise DomainError(
                "members.already_registered", _("This account already belongs to a member.")
            )
        member.user = user
    _save_new_member(member, card_given=card_given)
    if password and user is None:
        member.user = _create_patron_user(
            username=member.card_number.lower(), password=password, member=member
        )
        member.save(update_fields=["user", "updated_at"])
    record_audit(
        by=by,
        action="members.registered",
        target=member,
        data={
            "status": member.status,
            "category": member.category.code,
            "card": member.card_number,
        },
    )
    return member


def _create_patron_user(*, username: str, password: str, member: Member):
    from serambi.accounts.services import create_user

    return create_user(
        username=username,
        password=password,
        first_name=member.full_name[:150],
        email=member.email,
        roles=["patron"],
    )


@transaction.atomic
def preregister(
    *, data: MemberData, username: str = "", password: str = "", user: Any = None
) -> Member:
    """Online pre-registration: a sign-in account with the patron role and a PENDING member.

    The card number is assigned now so the desk can scan the patron's phone
    when they come to show their KTP or student card; no card is printed
    until a librarian verifies them. ``user`` links an account the person
    already signed in with instead of creating one.
    """
    if user is not None and Member.objects.filter(user=user).exists():
        raise DomainError(
            "members.already_registered", _("This account already belongs to a member.")
        )
    if user is None and not (username and password):
        raise DomainError(
            "members.account_required",
            _("Choose a username and a password for your account."),
            field="username",
        )
    member, card_given = _new_member(data)
    member.status = Member.Status.PENDING
    if user is None:
        user = _create_patron_user(username=username, password=password, member=member)
    member.user = user
    _save_new_member(member, card_given=card_given)
    record_audit(
        by=user,
        action="members.preregistered",
        target=member,
        data={"category": member.category.code, "card": member.card_number},
    )
    return member


def _locked(member: Member) -> Member:
    return (
        # "of": the sign-in account is an outer join, which PostgreSQL cannot lock.
        Member.objects.select_for_update(of=("self",))
        .select_related("category", "home_branch", "user")
        .get(pk=member.pk)
    )


@transaction.atomic
def verify_member(*, member: Member, by: Any, nik: str = "") -> Member:
    """The desk has seen the id: pending → active, the membership runs from today.

    ``nik`` may be recorded now (minimised, as always) if the online form left it out.
    """
    member = _locked(member)
    if member.status != Member.Status.PENDING:
        raise DomainError(
            "members.not_pending",
            _("%(name)s is not waiting for verification (status: %(status)s).")
            % {"name": member.full_name, "status": member.get_status_display()},
            status=member.status,
        )
    if nik and nik.strip():
        member.nik_hash, member.nik_last4 = nik_fingerprint(nik)
        _check_nik_free(member.nik_hash, exclude=member)
    _check_guardian(member)
    member.status = Member.Status.ACTIVE
    member.status_reason = ""
    member.verified_at = timezone.now()
    member.verified_by = by if getattr(by, "is_authenticated", False) else None
    member.expires_on = _membership_end(member.category, timezone.localdate())
    member.save()
    record_audit(
        by=by,
        action="members.verified",
        target=member,
        data={"expires_on": member.expires_on.isoformat()},
    )
    return member


@transaction.atomic
def renew_membership(*, member: Member, by: Any, until: datetime.date | None = None) -> Member:
    """Extend a membership: by the category's length from today or from the current expiry,
    whichever is later, or to ``until``. An expired member becomes active again; a
    suspension stays until it is lifted on its own.
    """
    member = _locked(member)
    today = timezone.localdate()
    if member.status == Member.Status.PENDING:
        raise DomainError(
            "members.not_verified",
            _("%(name)s has not been verified yet; verify the membership first.")
            % {"name": member.full_name},
        )
    if until is None:
        start = max(today, member.expires_on) if member.expires_on else today
        until = _membership_end(member.category, start)
    elif until <= today:
        raise DomainError(
            "members.invalid_expiry",
            _("The new expiry date must be after today (%(today)s).")
            % {"today": date_format(today)},
            field="until",
        )
    before = member.expires_on
    member.expires_on = until
    if member.status == Member.Status.EXPIRED:
        member.status = Member.Status.ACTIVE
        member.status_reason = ""
    member.save()
    record_audit(
        by=by,
        action="members.renewed",
        target=member,
        data={"before": before.isoformat() if before else None, "after": until.isoformat()},
    )
    return member


@transaction.atomic
def update_member(*, member: Member, data: dict[str, Any], by: Any) -> Member:
    """Change a member's details. ``nik`` (when not empty) replaces the recorded one.

    The audit entry names the fields that changed, never their values.
    """
    unknown = sorted(set(data) - set(MEMBER_UPDATE_FIELDS))
    if unknown:
        raise TypeError(f"Unknown member fields: {', '.join(unknown)}")
    member = _locked(member)
    values = dict(data)
    nik = (values.pop("nik", "") or "").strip()
    card_number = values.pop("card_number", None)
    cleaned = _clean_profile(values)
    changed = []
    for name, value in cleaned.items():
        if getattr(member, name) != value:
            setattr(member, name, value)
            changed.append(name)
    if card_number is not None and card_number.strip():
        card_number = clean_card_number(card_number)
        if card_number != member.card_number:
            _check_card_free(card_number, exclude=member)
            member.card_number = card_number
            changed.append("card_number")
    if nik:
        nik_hash, last4 = nik_fingerprint(nik)
        if nik_hash != member.nik_hash:
            _check_nik_free(nik_hash, exclude=member)
            member.nik_hash, member.nik_last4 = nik_hash, last4
            changed.append("nik")
    _check_guardian(member)
    if changed:
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError as error:
            _check_card_free(member.card_number, exclude=member)
            _check_nik_free(member.nik_hash, exclude=member)
            raise error
        record_audit(by=by, action="members.updated", target=member, data={"changed": changed})
    return member


@transaction.atomic
def set_member_status(*, member: Member, status: str, reason: str = "", by: Any) -> Member:
    """Move a member along ``Member.TRANSITIONS``: suspend (with a reason), lift, expire.

    Verification has its own act (``verify_member``); an expired card becomes
    active again through renewal, unless its expiry date is still ahead.
    """
    member = _locked(member)
    reason = (reason or "").strip()
    if status not in Member.Status.values:
        raise DomainError("members.invalid_status", _("Unknown member status."), status=status)
    if status == member.status:
        raise DomainError(
            "members.same_status",
            _("%(name)s already has the status “%(status)s”.")
            % {"name": member.full_name, "status": member.get_status_display()},
            status=status,
        )
    if status not in Member.TRANSITIONS[member.status]:
        raise DomainError(
            "members.invalid_transition",
            _("A member with the status “%(before)s” cannot become “%(after)s”.")
            % {
                "before": member.get_status_display(),
                "after": Member.Status(status).label,
            },
            status=member.status,
            to=status,
        )
    if member.status == Member.Status.PENDING:
        raise DomainError(
            "members.use_verification",
            _("Verify %(name)s's identity to activate the membership.")
            % {"name": member.full_name},
        )
    if status == Member.Status.SUSPENDED and not reason:
        raise DomainError(
            "members.reason_required",
            _("Give the reason for the suspension; the member will be told it."),
            field="reason",
        )
    if status == Member.Status.ACTIVE and member.is_expired_on(timezone.localdate()):
        raise DomainError(
            "members.renewal_needed",
            _("The membership expired on %(date)s; renew it to make it active again.")
            % {"date": date_format(member.expires_on)},
            expires_on=member.expires_on.isoformat(),
        )
    before = member.status
    member.status = status
    member.status_reason = reason[:300]
    member.save(update_fields=["status", "status_reason", "updated_at"])
    record_audit(
        by=by,
        action="members.status_changed",
        target=member,
        data={"before": before, "after": status, "reason": member.status_reason},
    )
    return member


def expire_memberships(*, today: datetime.date | None = None) -> int:
    """The daily sweep: active members whose card ran out before ``today`` become expired."""
    today = today or timezone.localdate()
    with transaction.atomic():
        count = Member.objects.filter(status=Member.Status.ACTIVE, expires_on__lt=today).update(
            status=Member.Status.EXPIRED, status_reason="", updated_at=timezone.now()
        )
        if count:
            record_audit(
                by=None,
                action="members.memberships_expired",
                data={"count": count, "date": today.isoformat()},
            )
    return count


# ----------------------------------------------------------------------------- categories

CATEGORY_FIELDS = (
    "code",
    "name",
    "description",
    "membership_months",
    "needs_guardian",
    "position",
    "is_active",
)


def _clean_category(data: dict[str, Any], *, exclude: MemberCategory | None = None) -> dict:
    unknown = sorted(set(data) - set(CATEGORY_FIELDS))
    if unknown:
        raise TypeError(f"Unknown category fields: {', '.join(unknown)}")
    cleaned = {
        name: value.strip() if isinstance(value, str) else value for name, value in data.items()
    }
    if "code" in cleaned:
        cleaned["code"] = cleaned["code"].lower()
        others = MemberCategory.objects.filter(code=cleaned["code"])
        if exclude is not None:
            others = others.exclude(pk=exclude.pk)
        if not cleaned["code"] or others.exists():
            raise DomainError(
                "members.duplicate_category_code",
                _("Another category already has the code %(code)s.") % {"code": cleaned["code"]},
                field="code",
            )
    if "name" in cleaned and not cleaned["name"]:
        raise DomainError("members.name_required", _("A category needs a name."), field="name")
    months = cleaned.get("membership_months")
    if months is not None and not 1 <= months <= 120:
        raise DomainError(
            "members.invalid_membership_months",
            _("A membership lasts from 1 to 120 months."),
            field="membership_months",
        )
    return cleaned


@transaction.atomic
def create_category(*, data: dict[str, Any], by: Any) -> MemberCategory:
    cleaned = _clean_category(data)
    category = MemberCategory.objects.create(**cleaned)
    record_audit(by=by, action="members.category_created", target=category)
    return category


@transaction.atomic
def update_category(*, category: MemberCategory, data: dict[str, Any], by: Any) -> MemberCategory:
    category = MemberCategory.objects.select_for_update().get(pk=category.pk)
    cleaned = _clean_category(data, exclude=category)
    changed = [name for name, value in cleaned.items() if getattr(category, name) != value]
    for name in changed:
        setattr(category, name, cleaned[name])
    if changed:
        category.save()
        record_audit(
            by=by, action="members.category_updated", target=category, data={"changed": changed}
        )
    return category


# ----------------------------------------------------------------------------- privacy


@transaction.atomic
def update_own_preferences(
    *, member: Member, keep_reading_history: bool, receive_news: bool
) -> Member:
    """The patron's own choices. Turning reading history off forgets their returned loans now."""
    member = _locked(member)
    member.keep_reading_history = keep_reading_history
    member.receive_news = receive_news
    member.save(update_fields=["keep_reading_history", "receive_news", "updated_at"])
    if not keep_reading_history:
        from serambi.circulation.services import anonymise_returned_loans

        anonymise_returned_loans(member=member)
    return member


@transaction.atomic
def request_deletion(*, member: Member) -> Member:
    """The patron asks the library to erase their data; staff carry it out at the desk."""
    member = _locked(member)
    if member.deletion_requested_at is None:
        member.deletion_requested_at = timezone.now()
        member.save(update_fields=["deletion_requested_at", "updated_at"])
        record_audit(by=member.user, action="members.deletion_requested", target=member)
    return member


def _erasure_blockers(member: Member) -> None:
    from serambi.circulation.models import Fine, Loan

    open_loans = Loan.objects.filter(member=member, status=Loan.Status.ON_LOAN).count()
    if open_loans:
        raise DomainError(
            "members.has_open_loans",
            _("%(name)s still has %(count)s item(s) on loan; check them in first.")
            % {"name": member.full_name, "count": open_loans},
            count=open_loans,
        )
    fines = Fine.objects.filter(member=member, settled_at__isnull=True)
    unpaid = sum(fine.balance for fine in fines.only("amount", "paid", "waived"))
    if unpaid > 0:
        raise DomainError(
            "members.has_unpaid_fines",
            _("%(name)s still owes Rp%(amount)s in fines; settle or waive them first.")
            % {"name": member.full_name, "amount": f"{unpaid:,}".replace(",", ".")},
            amount=unpaid,
        )


def _deactivate_user(user) -> None:
    user.is_active = False
    user.set_unusable_password()
    user.username = f"deleted-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.save()
    user.groups.clear()


@transaction.atomic
def erase_member(*, member: Member, by: Any) -> None:
    """Erase a member's personal data (UU PDP right to deletion), keeping the statistics.

    Refused while items are out or fines unpaid. The row stays — fines,
    payments and visits point at it — with every personal field emptied; the
    category and home branch stay for the library's figures. Active holds are
    cancelled, the loan history is anonymised, the sign-in account is closed.
    """
    from serambi.circulation.models import Hold
    from serambi.circulation.services import anonymise_returned_loans, cancel_hold

    member = _locked(member)
    _erasure_blockers(member)
    for hold in Hold.objects.filter(member=member, status__in=Hold.ACTIVE):
        cancel_hold(hold=hold, by=by, reason=_("The member's data was erased."))
    member.keep_reading_history = False
    anonymise_returned_loans(member=member)
    user = member.user
    member.full_name = ERASED_NAME
    member.card_number = f"{ERASED_CARD_PREFIX}{member.pk}"
    for name in (
        "guardian_name",
        "guardian_phone",
        "institution",
        "address",
        "kelurahan",
        "kecamatan",
        "city",
        "postal_code",
        "phone",
        "email",
        "status_reason",
        "accessibility_needs",
        "nik_hash",
        "nik_last4",
        "staff_notes",
    ):
        setattr(member, name, "")
    member.birth_date = None
    member.phone_is_whatsapp = False
    member.receive_news = False
    member.user = None
    member.status = Member.Status.EXPIRED
    member.expires_on = None
    member.deletion_requested_at = None
    member.save()
    if user is not None:
        _deactivate_user(user)
    # After the scrub, so the entry's object name is "— (DEL-<pk>)", not the person.
    record_audit(by=by, action="members.erased", target=member, data={})


# ----------------------------------------------------------------------------- guest book


def _already_checked_in(visit: Visit, name: str) -> DomainError:
    return DomainError(
        "members.already_checked_in",
        _("%(name)s is already in today's guest book (since %(time)s). Welcome back!")
        % {"name": name, "time": timezone.localtime(visit.arrived_at).strftime("%H:%M")},
        visit=visit.pk,
    )


def guest_key(*, name: str, institution: str, is_group: bool) -> str:
    key = f"{fold(name)}|{fold(institution)}"
    return f"group:{key}" if is_group else key


@transaction.atomic
def check_in_visit(
    *,
    branch: Branch,
    member: Member | None = None,
    guest_name: str = "",
    institution: str = "",
    purpose: str = Visit.Purpose.READ,
    head_count: int = 1,
    is_group: bool = False,
    on: datetime.date | None = None,
    by: Any,
) -> Visit:
    """One line in the guest book: a member (by card), a guest, or a group with its head count.

    A member counts once a day wherever they go, a guest or group once a day
    per branch (by folded name and institution). Any member may visit, even
    with a suspended or expired card — the guest book counts people, it
    does not lend. The refusal for a second check-in carries the first visit.
    ``on`` enters a past day (the paper guest book of a day the kiosk was down).
    """
    if purpose not in Visit.Purpose.values:
        raise DomainError("members.invalid_purpose", _("Choose a purpose."), field="purpose")
    today = timezone.localdate()
    if on is not None and on > today:
        raise DomainError(
            "members.invalid_visit_date", _("A visit cannot be entered for a future day.")
        )
    today = on or today
    visit = Visit(branch=branch, visited_on=today, purpose=purpose, recorded_by=None)
    if getattr(by, "is_authenticated", False):
        visit.recorded_by = by
    if member is not None:
        existing = Visit.objects.filter(member=member, visited_on=today).first()
        if existing is not None:
            raise _already_checked_in(existing, member.full_name)
        visit.member = member
        visit.member_category = member.category.code
    else:
        guest_name = " ".join((guest_name or "").split())
        institution = " ".join((institution or "").split())
        if not guest_name:
            raise DomainError(
                "members.guest_name_required",
                _("Write your name (or the group's name)."),
                field="guest_name",
            )
        if is_group and head_count < 2:
            raise DomainError(
                "members.group_too_small",
                _("A group visit has at least 2 people."),
                field="head_count",
            )
        if head_count < 1 or head_count > 1000:
            raise DomainError(
                "members.invalid_head_count",
                _("The number of people must be between 1 and 1000."),
                field="head_count",
            )
        visit.guest_name = guest_name[:200]
        visit.institution = institution[:200]
        visit.guest_key = guest_key(name=guest_name, institution=institution, is_group=is_group)[
            :300
        ]
        visit.head_count = head_count if is_group else 1
        visit.is_group = is_group
        existing = Visit.objects.filter(
            branch=branch, visited_on=today, guest_key=visit.guest_key
        ).first()
        if existing is not None:
            raise _already_checked_in(existing, guest_name)
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        # Two taps at once: the database kept the first one.
        first = (
            Visit.objects.filter(member=member, visited_on=today).first()
            if member is not None
            else Visit.objects.filter(
                branch=branch, visited_on=today, guest_key=visit.guest_key
            ).first()
        )
        if first is None:
            raise
        raise _already_checked_in(first, member.full_name if member else guest_name) from None
    if is_group:
        record_audit(
            by=by,
            action="members.group_visit",
            target=visit,
            data={"branch": branch.code, "head_count": visit.head_count},
        )
    return visit
