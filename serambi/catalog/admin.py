"""The Django admin for the catalogue: a fallback for superusers, not the staff workspace.

Saving here bypasses the services (no audit, no ISBN checks), which is why
the staff pages are where cataloguing happens; the admin is for repairs.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .keys import contributor_key, subject_key
from .models import (
    Contributor,
    Identifier,
    ImportRun,
    Item,
    Record,
    RecordContributor,
    RecordSubject,
    Subject,
)


class RecordContributorInline(admin.TabularInline):
    model = RecordContributor
    extra = 0
    autocomplete_fields = ["contributor"]


class RecordSubjectInline(admin.TabularInline):
    model = RecordSubject
    extra = 0
    autocomplete_fields = ["subject"]


class IdentifierInline(admin.TabularInline):
    model = Identifier
    extra = 0


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ["barcode", "branch", "shelf_location", "call_number", "status", "is_loanable"]
    show_change_link = True


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "year", "material_type", "language", "control_number"]
    list_filter = ["material_type", "language", "is_local_content"]
    search_fields = ["title", "subtitle", "control_number", "identifiers__normalized"]
    readonly_fields = ["marc_hash", "created_at", "updated_at"]
    inlines = [RecordContributorInline, RecordSubjectInline, IdentifierInline, ItemInline]
    list_per_page = 50


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["barcode", "record", "branch", "call_number", "status", "is_loanable"]
    list_filter = ["status", "branch", "is_loanable", "acquisition_source"]
    search_fields = ["barcode", "record__title", "call_number"]
    list_select_related = ["record", "branch"]
    autocomplete_fields = ["record"]


class KeyedForm(forms.ModelForm):
    """Fills the folded ``key`` and refuses a second spelling of an existing name.

    Subclasses name the key function of ``serambi.catalog.keys`` and the fields it reads.
    """

    key_function: Callable[..., str]
    key_fields: tuple[str, ...]

    def clean(self):
        cleaned = super().clean()
        key = self.key_function(*(cleaned.get(name) or "" for name in self.key_fields))
        model = self._meta.model
        if model.objects.filter(key=key).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This already exists under another spelling."))
        self.instance.key = key
        return cleaned


class ContributorForm(KeyedForm):
    class Meta:
        model = Contributor
        fields = ["name", "dates", "kind"]

    key_function = staticmethod(contributor_key)
    key_fields = ("name", "dates")


class SubjectForm(KeyedForm):
    class Meta:
        model = Subject
        fields = ["heading", "kind"]

    key_function = staticmethod(subject_key)
    key_fields = ("heading",)


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    form = ContributorForm
    list_display = ["name", "dates", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "key"]
    readonly_fields = ["key"]


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    form = SubjectForm
    list_display = ["heading", "kind"]
    list_filter = ["kind"]
    search_fields = ["heading", "key"]
    readonly_fields = ["key"]


@admin.register(Identifier)
class IdentifierAdmin(admin.ModelAdmin):
    list_display = [
        "value",
        "scheme",
        "normalized",
        "qualifier",
        "is_valid",
        "is_cancelled",
        "record",
    ]
    list_filter = ["scheme", "is_valid", "is_cancelled"]
    search_fields = ["value", "normalized"]
    list_select_related = ["record"]
    autocomplete_fields = ["record"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Imports are a record of what happened: shown, never edited here."""

    list_display = [
        "filename",
        "created_at",
        "started_by",
        "state",
        "read",
        "created",
        "error_count",
    ]
    list_filter = ["state"]
    search_fields = ["filename"]
    readonly_fields = [field.name for field in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
