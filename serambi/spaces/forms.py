"""Booking forms: parse what a member picks on the grid into what book_space takes.

The room and equipment forms show and type-check the fields; save_space and
save_equipment (services.py) check the rules and save.

The rules (opening hours, overlaps, weekly limits) live in services.py;
these forms only give quick messages next to a field.
"""

import datetime

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from serambi.catalog.selectors import active_branches
from serambi.core.models import Branch
from serambi.members.models import MemberCategory

from .models import Equipment, Space
from .services import EQUIPMENT_FIELDS, SPACE_FIELDS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# A usage report covers at most this many days.
MAX_REPORT_DAYS = 366


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def duration_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return ngettext("%(h)s hour %(m)s min", "%(h)s hours %(m)s min", hours) % {
            "h": hours,
            "m": rest,
        }
    if hours:
        return ngettext("%(h)s hour", "%(h)s hours", hours) % {"h": hours}
    return ngettext("%(m)s minute", "%(m)s minutes", rest) % {"m": rest}


class BookingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Start"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    minutes = forms.TypedChoiceField(label=_("How long"), coerce=int)
    purpose = forms.CharField(
        label=_("What for"),
        max_length=300,
        help_text=_("e.g. group study, a podcast recording, a community meeting"),
    )
    people = forms.IntegerField(label=_("Number of people"), min_value=1, initial=1)
    equipment = forms.ModelMultipleChoiceField(
        label=_("Equipment"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accommodations = forms.CharField(
        label=_("Accessibility requests"),
        max_length=300,
        required=False,
        help_text=_(
            "e.g. a step-free route, a sign-language interpreter, a table for a wheelchair"
        ),
    )
    organisation = forms.CharField(
        label=_("On behalf of an organisation"),
        max_length=200,
        required=False,
        help_text=_("Leave empty when you book for yourself."),
    )

    def __init__(self, *args, space: Space, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.space = space
        step = max(space.slot_minutes, 1)
        first = max(space.min_minutes, step)
        lengths = list(range(first, space.max_minutes + 1, step)) or [first]
        self.fields["minutes"].choices = [(m, duration_label(m)) for m in lengths]
        self.fields["people"].max_value = space.capacity
        self.fields["people"].widget.attrs.update({"max": space.capacity, "inputmode": "numeric"})
        self.fields["people"].help_text = _("At most %(count)s.") % {"count": space.capacity}
        self.fields["equipment"].queryset = space.equipment.filter(is_active=True)
        if not self.fields["equipment"].queryset.exists():
            del self.fields["equipment"]

    def clean_starts_at(self) -> datetime.datetime:
        starts = self.cleaned_data["starts_at"]
        if timezone.is_naive(starts):
            starts = timezone.make_aware(starts)
        return starts

    def booking_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "ends_at": data["starts_at"] + datetime.timedelta(minutes=data["minutes"]),
            "purpose": data["purpose"],
            "people": data["people"],
            "equipment": list(data.get("equipment") or []),
            "accommodations": data["accommodations"],
            "organisation": data["organisation"],
        }


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the member)"), max_length=300)


class DayForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), to_field_name="code", required=False
    )
    day = forms.DateField(label=_("Day"), widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = active_branches()


class UsageForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All branches"),
    )
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("Until"), widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = active_branches()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The last day cannot be before the first."))
            elif (end - start).days > MAX_REPORT_DAYS:
                self.add_error("end", _("A report covers a year at most."))
        return cleaned


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class SpaceForm(forms.ModelForm):
    """A room and its booking rules; saved by services.save_space, never by the form."""

    class Meta:
        model = Space
        fields = [*SPACE_FIELDS, "categories"]
        widgets = {
            "opens": TimeInput(),
            "closes": TimeInput(),
            "categories": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "features": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = active_branches()
        self.fields["categories"].queryset = MemberCategory.objects.filter(is_active=True)

    def space_data(self) -> dict:
        data = {key: self.cleaned_data[key] for key in SPACE_FIELDS}
        photo = data.pop("photo")
        # A new upload, or False when "clear" is ticked; otherwise the photo stays.
        if photo is False or isinstance(photo, UploadedFile):
            data["photo"] = photo
        return data

    def chosen_categories(self) -> list[MemberCategory]:
        return list(self.cleaned_data["categories"])


class EquipmentForm(forms.ModelForm):
    """A piece of equipment; saved by services.save_equipment, never by the form."""

    class Meta:
        model = Equipment
        fields = list(EQUIPMENT_FIELDS)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = active_branches()
        self.fields["space"].queryset = Space.objects.select_related("branch").order_by(
            "branch__name", "name"
        )
        self.fields["space"].empty_label = _("Not kept in a room")

    def equipment_data(self) -> dict:
        return {key: self.cleaned_data[key] for key in EQUIPMENT_FIELDS}
