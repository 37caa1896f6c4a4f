from django import forms
from django.utils.translation import gettext_lazy as _

from .roles import STAFF_ROLES


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(role.code, role.label) for role in STAFF_ROLES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
