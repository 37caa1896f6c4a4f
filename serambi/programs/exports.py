"""The attendee list of an event as an Excel workbook (openpyxl)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .models import Event, Registration

# Excel reads a cell starting with these as a formula: a name typed as "=HYPERLINK(…)"
# must stay text in the librarian's spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return f"'{value}" if value and value.startswith(FORMULA_STARTS) else value


def _local(moment):
    # Excel has no time zones: the library's wall-clock time, as the desk reads it.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def attendees_workbook(event: Event, registrations) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Attendees")[:31]
    sheet.append([_text(event.display_title)])
    sheet.append([_local(event.starts_at)])
    sheet["A2"].number_format = "dd/mm/yyyy hh:mm"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    headers = [
        _("No."),
        _("Name"),
        _("Member card"),
        _("WhatsApp / phone"),
        _("E-mail"),
        _("Status"),
        _("Registered"),
        _("Checked in"),
    ]
    sheet.append(headers)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    number = 0
    for registration in registrations:
        if registration.status == Registration.Status.CANCELLED:
            continue
        number += 1
        member = registration.member
        sheet.append(
            [
                number,
                _text(member.full_name if member else registration.guest_name),
                member.card_number if member else "",
                _text(member.phone if member else registration.guest_phone),
                _text(member.email if member else registration.guest_email),
                str(registration.get_status_display()),
                _local(registration.registered_at),
                _local(registration.attended_at),
            ]
        )
        for column in (7, 8):
            sheet.cell(row=sheet.max_row, column=column).number_format = "dd/mm/yyyy hh:mm"
    for index, width in enumerate((5, 30, 14, 18, 28, 18, 17, 17), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A5"
    return workbook
