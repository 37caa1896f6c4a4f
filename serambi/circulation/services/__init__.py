"""Every circulation act: lending, returning, renewing, holds, fines, rules and settings.

The desk, the patron pages, the API, the SIP2 server and the background
sweeps call these functions, so the library's rules hold whichever door a
request comes through. Each act runs in one transaction that locks the rows
it decides on (the copy first, then the loan, the member, the holds: always
in that order, so two acts never wait on each other), checks the rules in
``policies`` and refuses with a ``DomainError`` whose message names the
concrete fact. Staff acts are written to the audit log; notices are queued
in the same transaction and sent after it commits.
"""

from ._common import DEFAULT_REPLACEMENT_CHARGE, LOAN_RULE_FIELDS, SETTINGS_FIELDS
from .fines import charge_damage, declare_lost, pay_fine, waive_fine
from .holds import cancel_hold, expire_holds, place_hold
from .lending import checkin, checkout, receive_transit, renew, trap_hold_from_shelf
from .rules import delete_loan_rule, save_loan_rule, update_circulation_settings
from .sweeps import anonymise_returned_loans, queue_due_soon_notices, queue_overdue_notices

__all__ = [
    "DEFAULT_REPLACEMENT_CHARGE",
    "LOAN_RULE_FIELDS",
    "SETTINGS_FIELDS",
    "anonymise_returned_loans",
    "cancel_hold",
    "charge_damage",
    "checkin",
    "checkout",
    "declare_lost",
    "delete_loan_rule",
    "expire_holds",
    "pay_fine",
    "place_hold",
    "queue_due_soon_notices",
    "queue_overdue_notices",
    "receive_transit",
    "renew",
    "save_loan_rule",
    "trap_hold_from_shelf",
    "update_circulation_settings",
    "waive_fine",
]
