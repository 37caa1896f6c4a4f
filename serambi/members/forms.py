"""Member forms: parse what staff, patrons and kiosk visitors type into what the services take.

The rules live in services.py; these forms give the quick message next to
the field (a NIK with a wrong birth date, a phone written with letters, a
child without a guardian) and the services repeat the checks for every door.
"""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from serambi.accounts.models import User
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.core.selectors import service_points

from . import selectors, services
from .models import Member, MemberCategory, Visit
from .types import MemberData

PROFILE_FORM_FIELDS = (
    "full_name",
    "category",
    "birth_date",
    "guardian_name",
    "guardian_phone",
    "institution",
    "address",
    "kelurahan",
    "kecamatan",
    "city",
    "postal_code",
    "phone",
    "phone_is_whatsapp",
    "email",
    "home_branch",
    "accessibility_needs",
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _domain_error_as_validation(error: DomainError) -> forms.ValidationError:
    return forms.ValidationError(error.message, code=error.code.split(".", 1)[-1])


class MemberProfileForm(forms.ModelForm):
    """The profile fields shared by staff registration, editing and online pre-registration."""

    nik = forms.CharField(
        label=_("NIK (national id number)"),
        required=False,
        max_length=40,
        help_text=_(
            "16 digits from the KTP or family card. Only the last four digits are kept; "
            "the full number is checked and then forgotten."
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    class Meta:
        model = Member
        fields = PROFILE_FORM_FIELDS
        widgets = {
            "birth_date": DateInput(attrs={"autocomplete": "bday"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "guardian_phone": forms.TextInput(attrs={"type": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(
                attrs={"autocomplete": "postal-code", "inputmode": "numeric"}
            ),
        }
        help_texts = {
            "phone": _("A mobile number such as 0812 3456 7890."),
            "guardian_name": _("Required for children."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        categories = selectors.categories(active_only=True)
        branches = service_points()
        if self.instance.pk:
            # Keep a member's retired category or closed branch choosable on their own form.
            categories = categories | MemberCategory.objects.filter(pk=self.instance.category_id)
            branches = Branch.objects.filter(pk=self.instance.home_branch_id) | branches
        self.fields["category"].queryset = categories.distinct()
        self.fields["home_branch"].queryset = branches.distinct()
        self.fields["category"].empty_label = None
        self.fields["home_branch"].empty_label = None

    def clean_nik(self) -> str:
        nik = self.cleaned_data["nik"].strip()
        if not nik:
            return ""
        try:
            services.nik_fingerprint(nik)
        except DomainError as error:
            raise _domain_error_as_validation(error) from None
        return "".join(nik.split())

    def _clean_phone_field(self, name: str) -> str:
        try:
            return services.clean_phone(self.cleaned_data[name])
        except DomainError as error:
            raise _domain_error_as_validation(error) from None

    def clean_phone(self) -> str:
        return self._clean_phone_field("phone")

    def clean_guardian_phone(self) -> str:
        return self._clean_phone_field("guardian_phone")

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        if category is not None and category.needs_guardian and not cleaned.get("guardian_name"):
            self.add_error(
                "guardian_name",
                forms.ValidationError(
                    _(
                        "A member of the category “%(category)s” registers with a parent "
                        "or guardian."
                    )
                    % {"category": category.name},
                    code="guardian_required",
                ),
            )
        return cleaned

    def _post_clean(self) -> None:
        # The services check the row; the model's own unique checks would only
        # repeat them with a less precise message.
        pass

    def member_data(self, **extra) -> MemberData:
        values = {name: self.cleaned_data.get(name) for name in PROFILE_FORM_FIELDS}
        values = {
            name: ("" if value is None and name not in ("birth_date",) else value)
            for name, value in values.items()
        }
        return MemberData(nik=self.cleaned_data.get("nik", ""), **values, **extra)

    def update_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in PROFILE_FORM_FIELDS}
        for name, value in data.items():
            if value is None and name != "birth_date":
                data[name] = ""
        if "staff_notes" in self.fields:
            data["staff_notes"] = self.cleaned_data.get("staff_notes", "")
        if "card_number" in self.fields:
            data["card_number"] = self.cleaned_data.get("card_number", "")
        data["nik"] = self.cleaned_data.get("nik", "")
        return data


class StaffMemberForm(MemberProfileForm):
    """Registration or editing at the desk: the librarian sees the id card."""

    card_number = forms.CharField(
        label=_("Card number"),
        required=False,
        max_length=30,
        help_text=_("Leave empty to assign the next number, or scan a pre-printed card."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    staff_notes = forms.CharField(
        label=_("Staff notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by staff only. The member can read them in their data download."),
    )

    class Meta(MemberProfileForm.Meta):
        fields = PROFILE_FORM_FIELDS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["card_number"].initial = self.instance.card_number
            self.fields["card_number"].help_text = _("Change it only when a new card is issued.")
            self.fields["staff_notes"].initial = self.instance.staff_notes
            if self.instance.nik_last4:
                self.fields["nik"].help_text = _(
                    "Recorded: %(masked)s. Type a NIK only to replace it."
                ) % {"masked": self.instance.nik_masked}

    def member_data(self, **extra) -> MemberData:
        return super().member_data(
            card_number=self.cleaned_data.get("card_number", ""),
            staff_notes=self.cleaned_data.get("staff_notes", ""),
            **extra,
        )


class PreregistrationForm(MemberProfileForm):
    """Online pre-registration: the profile, an account, and the person's own consents."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only. You sign in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    keep_reading_history = forms.BooleanField(
        label=_("Keep a list of the books I borrowed (my reading history)"),
        required=False,
        help_text=_("Without it, a loan forgets who borrowed it once the book is back."),
    )
    receive_news = forms.BooleanField(
        label=_("Send me the library's news and events"), required=False
    )
    accept_privacy = forms.BooleanField(
        label=_(
            "I agree that the library keeps the data above to run my membership, as "
            "explained below."
        ),
        required=True,
        error_messages={"required": _("Tick this box to register: we need your data to lend.")},
    )

    def __init__(self, *args, with_account: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.with_account = with_account
        if not with_account:
            for name in ("username", "password1", "password2"):
                del self.fields[name]
        self.fields["email"].required = False

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("The username %(username)s is already taken.") % {"username": username},
                code="username_taken",
            )
        return username

    def clean(self):
        cleaned = super().clean()
        if self.with_account:
            first, second = cleaned.get("password1"), cleaned.get("password2")
            if first and second and first != second:
                self.add_error("password2", _("The two passwords are not the same."))
            elif first:
                user = User(
                    username=cleaned.get("username", ""),
                    first_name=cleaned.get("full_name", ""),
                    email=cleaned.get("email", ""),
                )
                try:
                    password_validation.validate_password(first, user)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned

    def member_data(self, **extra) -> MemberData:
        return super().member_data(
            keep_reading_history=self.cleaned_data["keep_reading_history"],
            receive_news=self.cleaned_data["receive_news"],
            **extra,
        )


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name, card number, phone or e-mail"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=MemberCategory.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    branch = forms.ModelChoiceField(
        label=_("Home branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("All branches"),
    )
    deletion = forms.BooleanField(label=_("Asked to be erased"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *Member.Status.choices]
        self.fields["category"].queryset = selectors.categories()
        self.fields["branch"].queryset = service_points(active_only=False)

    def filters(self) -> selectors.MemberFilters:
        if not self.is_valid():
            return selectors.MemberFilters()
        data = self.cleaned_data
        return selectors.MemberFilters(
            text=" ".join(data["q"].split()),
            status=data["status"],
            category=data["category"],
            branch=data["branch"],
            deletion_requested=data["deletion"],
        )

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


class VerifyForm(forms.Form):
    nik = MemberProfileForm.base_fields["nik"]

    def clean_nik(self) -> str:
        return MemberProfileForm.clean_nik(self)


class RenewForm(forms.Form):
    until = forms.DateField(
        label=_("New expiry date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the category's usual length."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (Member.Status.SUSPENDED, _("Suspend")),
            (Member.Status.ACTIVE, _("Make active again")),
            (Member.Status.EXPIRED, _("Mark as expired")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required for a suspension; the member is told it."),
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the personal data cannot be brought back."),
        required=True,
    )


class CategoryForm(forms.ModelForm):
    class Meta:
        model = MemberCategory
        fields = services.CATEGORY_FIELDS

    def _post_clean(self) -> None:
        pass  # the services check the code is free

    def category_data(self) -> dict:
        return dict(self.cleaned_data)


class PreferencesForm(forms.Form):
    keep_reading_history = forms.BooleanField(
        label=_("Keep a list of the books I borrowed (my reading history)"),
        required=False,
        help_text=_(
            "Turning this off forgets, now, who borrowed the books you have already returned."
        ),
    )
    receive_news = forms.BooleanField(
        label=_("Send me the library's news and events"), required=False
    )


class DeletionRequestForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, erase my personal data and close my account."), required=True
    )


class CardCheckInForm(forms.Form):
    card_number = forms.CharField(
        label=_("Member card number"),
        max_length=40,
        help_text=_("Scan your card or the code on your phone, or type the number."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
                "enterkeyhint": "go",
            }
        ),
    )


class GuestCheckInForm(forms.Form):
    guest_name = forms.CharField(
        label=_("Your name (or your group's name)"), max_length=200, strip=True
    )
    institution = forms.CharField(
        label=_("School, campus or institution"), max_length=200, required=False
    )
    purpose = forms.ChoiceField(
        label=_("Purpose of visit"), choices=Visit.Purpose.choices, initial=Visit.Purpose.READ
    )
    is_group = forms.BooleanField(label=_("We are a group"), required=False)
    head_count = forms.IntegerField(
        label=_("Number of people"),
        min_value=1,
        max_value=1000,
        initial=1,
        required=False,
        help_text=_("For a group: how many people, yourself included."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        head_count = cleaned.get("head_count") or 1
        if cleaned.get("is_group") and head_count < 2:
            self.add_error("head_count", _("A group visit has at least 2 people."))
        cleaned["head_count"] = head_count
        return cleaned


class GroupVisitForm(GuestCheckInForm):
    """Staff record a group (a school class, a community) that came together."""

    is_group = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guest_name"].label = _("Group name")
        self.fields["guest_name"].help_text = _("e.g. SD Negeri 3, class 5")
        self.fields["head_count"].required = True
        self.fields["head_count"].initial = 2
        self.fields["head_count"].widget.attrs["min"] = 2
        self.fields["head_count"].help_text = ""

    def clean(self):
        cleaned = super().clean()
        cleaned["is_group"] = True
        if (cleaned.get("head_count") or 0) < 2:
            self.add_error("head_count", _("A group visit has at least 2 people."))
        return cleaned


class BranchChoiceForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), to_field_name="code", empty_label=None
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = service_points()
