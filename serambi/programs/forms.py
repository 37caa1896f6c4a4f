"""Program and event forms: parse what people type into what the services take.

The rules (capacity, windows, pauses, rooms) live in services.py; these forms
only give quick messages next to a field.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from serambi.catalog.selectors import active_branches
from serambi.core.models import Branch
from serambi.spaces.models import Space

from .models import Event, Program
from .services import EVENT_FIELDS, PROGRAM_FIELDS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    """The phone's own date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CalendarFilterForm(forms.Form):
    """The calendar's filters, kept in the URL so a filtered view can be shared."""

    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Program.Category.choices],
    )
    audience = forms.ChoiceField(
        label=_("For"),
        required=False,
        choices=[("", _("Everyone and all ages")), *Program.Audience.choices],
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        required=False,
        queryset=Branch.objects.none(),
        to_field_name="code",
        empty_label=_("All branches"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = active_branches()

    def filters(self) -> dict:
        """The valid filters; a filter that does not parse is dropped, never an error page."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: cleaned.get(name) or None
            for name in ("category", "audience", "branch")
            if name not in self.errors
        }


class GuestRegistrationForm(forms.Form):
    guest_name = forms.CharField(label=_("Your name"), max_length=200)
    guest_phone = forms.CharField(
        label=_("WhatsApp number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    guest_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "guest")
        super().__init__(*args, **kwargs)
        self.fields["guest_name"].widget.attrs["autocomplete"] = "name"

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("guest_phone") or "").strip() and not cleaned.get("guest_email"):
            if "guest_email" not in self.errors:
                raise forms.ValidationError(
                    _("Give a WhatsApp number or an e-mail address, so we can reach you."),
                    code="contact_required",
                )
        return cleaned


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = list(PROGRAM_FIELDS)


class HttpsURLField(forms.URLField):
    """A link typed without a scheme is taken as https."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class EventForm(forms.ModelForm):
    """One session; with a repeat, the same session weekly or monthly until a date."""

    REPEATS = [
        ("", _("Once")),
        ("weekly", _("Every week")),
        ("monthly", _("Every month")),
    ]

    repeat = forms.ChoiceField(label=_("Repeat"), choices=REPEATS, required=False)
    until = forms.DateField(
        label=_("Repeat until"),
        required=False,
        widget=DateInput(),
        help_text=_("The last day a session may fall on."),
    )

    class Meta:
        model = Event
        fields = list(EVENT_FIELDS)
        field_classes = {"online_url": HttpsURLField}
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "registration_opens_at": DateTimeLocalInput(),
            "registration_closes_at": DateTimeLocalInput(),
        }

    def __init__(self, *args, repeating: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = active_branches()
        self.fields["space"].queryset = Space.objects.filter(is_active=True).select_related(
            "branch"
        )
        if not repeating:
            del self.fields["repeat"]
            del self.fields["until"]

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        space, branch = cleaned.get("space"), cleaned.get("branch")
        if space and branch and space.branch_id != branch.pk:
            self.add_error("space", _("This room is at another branch."))
        if space and not branch:
            cleaned["branch"] = space.branch
        if cleaned.get("repeat") and not cleaned.get("until"):
            self.add_error("until", _("Say until when the event repeats."))
        until = cleaned.get("until")
        if until and starts and until < starts.date():
            self.add_error("until", _("The last day cannot be before the first session."))
        return cleaned

    def event_data(self) -> dict:
        """The event's fields for the services (without the repeat choices)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to everyone registered)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MessageForm(forms.Form):
    subject = forms.CharField(label=pgettext_lazy("message", "Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea)


class CheckInForm(forms.Form):
    token = forms.CharField(
        label=_("Registration code (scan the QR code or type it)"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        # A scanner may read the confirmation page's address instead of the bare code.
        if "/" in token:
            token = [part for part in token.split("/") if part][-1]
        return token
