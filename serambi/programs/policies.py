"""Pure rules of programs: repeat dates, seats, guest keys, certificate codes.

No database here, so each rule is tested on its own.
"""

import datetime
import secrets

from dateutil import rrule
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError
from serambi.core.notifications import normalise_phone
from serambi.members.services import fold

REPEAT_NONE = ""
REPEAT_WEEKLY = "weekly"
REPEAT_MONTHLY = "monthly"
REPEATS = (REPEAT_NONE, REPEAT_WEEKLY, REPEAT_MONTHLY)
# A series longer than this is almost surely a mistaken "until" (two years of weekly sessions).
MAX_OCCURRENCES = 104

# Crockford's base 32: no I, L, O or U, so a code read aloud or typed from paper is unambiguous.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CERTIFICATE_CODE_LENGTH = 10
_CROCKFORD_READS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def occurrences(
    start: datetime.datetime, *, repeat: str, until: datetime.date | None
) -> list[datetime.datetime]:
    """The starts of a series from ``start`` (a naive wall-clock time) through ``until``.

    Weekly: the same weekday and time every week. Monthly: the same weekday of
    the same week of the month (a session on the 2nd Saturday is on every 2nd
    Saturday); a start in the 5th week means the *last* such weekday, since
    most months have no 5th one. Times are wall-clock times in the library's
    zone, so a series keeps its hour whatever the offset.
    """
    if repeat not in REPEATS:
        raise DomainError(
            "programs.invalid_repeat",
            _("Unknown repeat “%(repeat)s”: choose weekly or monthly.") % {"repeat": repeat},
            repeat=repeat,
        )
    if not repeat:
        return [start]
    if until is None or until < start.date():
        raise DomainError(
            "programs.invalid_repeat",
            _("A repeating event needs a last date on or after its first date."),
            repeat=repeat,
        )
    last = datetime.datetime.combine(until, datetime.time.max)
    if repeat == REPEAT_WEEKLY:
        rule = rrule.rrule(rrule.WEEKLY, dtstart=start, until=last)
    else:
        rule = rrule.rrule(
            rrule.MONTHLY,
            dtstart=start,
            until=last,
            byweekday=rrule.weekday(start.weekday(), week_of_month(start.date())),
        )
    starts = []
    for moment in rule:
        starts.append(moment)
        if len(starts) > MAX_OCCURRENCES:
            raise DomainError(
                "programs.too_many_events",
                _("A series may have at most %(limit)s sessions; choose an earlier last date.")
                % {"limit": MAX_OCCURRENCES},
                limit=MAX_OCCURRENCES,
            )
    return starts


def week_of_month(day: datetime.date) -> int:
    """Which of its weekday ``day`` is in its month: 1–4, or -1 for a 5th (the last)."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def seat_status(*, taken: int, capacity: int | None) -> str:
    """ "confirmed" while a seat is free (no capacity: always), else "waitlisted"."""
    if capacity is None or taken < capacity:
        return "confirmed"
    return "waitlisted"


def seats_left(*, taken: int, capacity: int | None) -> int | None:
    """Free seats, or None when the event has no limit."""
    if capacity is None:
        return None
    return max(0, capacity - taken)


def guest_key(*, phone: str = "", email: str = "") -> str:
    """One guest per event: the WhatsApp number in international form, else the folded e-mail.

    ``""`` when neither is usable, which the caller refuses.
    """
    number = normalise_phone(phone)
    if number:
        return f"tel:{number}"
    address = fold(email).replace(" ", "")
    if "@" in address:
        return f"mail:{address}"[:254]
    return ""


def new_certificate_code() -> str:
    return "".join(secrets.choice(CROCKFORD) for _step in range(CERTIFICATE_CODE_LENGTH))


def clean_certificate_code(text: str) -> str:
    """What someone typed, as stored: upper case, no spaces or dashes, I/L read as 1, O as 0."""
    compact = "".join(char for char in (text or "").upper() if char not in " -_.\t")
    return compact.translate(_CROCKFORD_READS)


def display_code(code: str) -> str:
    """A code in two halves for reading: ``7K3QX-M2D9A``."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}" if len(code) > 5 else code


def check_transition(
    transitions: dict[str, frozenset[str]], current: str, new: str, *, what: str
) -> None:
    """Refuse a status change the model's TRANSITIONS table does not allow."""
    if new not in transitions.get(current, frozenset()):
        raise DomainError(
            "programs.illegal_transition",
            _("A %(what)s cannot go from “%(current)s” to “%(new)s”.")
            % {"what": what, "current": current, "new": new},
            current=current,
            new=new,
        )
