"""Staff catalogue pages: parse the form, call one service or selector, render or redirect."""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import SuspiciousFileOperation
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from serambi.accounts.access import workspace_required
from serambi.core.errors import DomainError

from . import selectors, services
from .forms import ImportForm, ItemForm, LabelsForm, RecordFilterForm, RecordForm
from .labels import labels_for
from .models import ImportRun

# The import report page lists this many problems; the full list stays in ImportRun.report.
MAX_PROBLEMS_SHOWN = 500


def _show_domain_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal next to the field it is about, or above the form."""
    field = error.data.get("field")
    form.add_error(field if field in form.fields else None, error.message)


@workspace_required("catalog.view_record")
@require_safe
def record_list(request):
    form = RecordFilterForm(request.GET)
    records = selectors.record_list(form.filters())
    page = Paginator(records, selectors.RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/record_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@workspace_required("catalog.view_record")
@require_safe
def record_detail(request, pk: int):
    record = selectors.access_record(pk, request.user)
    return render(
        request,
        "catalog/record_detail.html",
        {
            "record": record,
            "items": selectors.record_items(record),
            "marc": selectors.marc_mnemonic(record),
        },
    )


@workspace_required("catalog.add_record")
@require_http_methods(["GET", "POST"])
def record_create(request):
    form = RecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.create_record(
                data=form.record_data(),
                contributors=form.cleaned_data["contributors"],
                subjects=form.cleaned_data["subjects"],
                identifiers=form.identifiers(),
                by=request.user,
            )
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(request, _("Record “%(title)s” created.") % {"title": record})
            if request.POST.get("next") == "add_item":
                return redirect("catalog:item_create", pk=record.pk)
            return redirect(record)
    return render(request, "catalog/record_form.html", {"form": form, "record": None})


@workspace_required("catalog.change_record")
@require_http_methods(["GET", "POST"])
def record_update(request, pk: int):
    record = selectors.access_record(pk, request.user)
    form = RecordForm(request.POST or None, request.FILES or None, record=record)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.update_record(
                record=record,
                data=form.record_data(),
                contributors=form.cleaned_data["contributors"],
                subjects=form.cleaned_data["subjects"],
                identifiers=form.identifiers(),
                by=request.user,
            )
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(request, _("Record “%(title)s” saved.") % {"title": record})
            return redirect(record)
    return render(request, "catalog/record_form.html", {"form": form, "record": record})


@workspace_required("catalog.add_item")
@require_http_methods(["GET", "POST"])
def item_create(request, pk: int):
    record = selectors.access_record(pk, request.user)
    form = ItemForm(request.POST or None, record=record, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.add_item(record=record, data=form.item_data(), by=request.user)
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(request, _("Item %(barcode)s added.") % {"barcode": item.barcode})
            if request.POST.get("next") == "add_another":
                return redirect("catalog:item_create", pk=record.pk)
            return redirect(item)
    return render(request, "catalog/item_form.html", {"form": form, "record": record, "item": None})


@workspace_required("catalog.change_item")
@require_http_methods(["GET", "POST"])
def item_update(request, pk: int):
    item = selectors.access_item(pk, request.user)
    form = ItemForm(request.POST or None, record=item.record, item=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.update_item(item=item, data=form.item_data(), by=request.user)
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(request, _("Item %(barcode)s saved.") % {"barcode": item.barcode})
            return redirect(item)
    return render(
        request, "catalog/item_form.html", {"form": form, "record": item.record, "item": item}
    )


@workspace_required("catalog.delete_item")
@require_http_methods(["GET", "POST"])
def item_delete(request, pk: int):
    item = selectors.access_item(pk, request.user, perm="catalog.delete_item")
    error = None
    if request.method == "POST":
        try:
            services.delete_item(item=item, by=request.user)
        except DomainError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("Item %(barcode)s deleted.") % {"barcode": item.barcode})
            return redirect(item.record)
    return render(request, "catalog/item_confirm_delete.html", {"item": item, "error": error})


def _run_import(form: ImportForm, *, by) -> ImportRun:
    """Save the upload under its own name in a private folder and import it from there.

    The name is kept (made safe) because the importer records it in the
    ImportRun, where staff recognise their file; the folder goes afterwards.
    """
    # Imported here, not at the top: the importer pulls in the whole MARC mapping,
    # which the other catalogue pages do not need.
    from .marc import importer

    upload = form.cleaned_data["file"]
    try:
        filename = get_valid_filename(Path(upload.name).name)
    except SuspiciousFileOperation:
        filename = "upload.mrc"
    with tempfile.TemporaryDirectory(prefix="serambi-import-") as folder:
        path = Path(folder) / filename
        with path.open("wb") as saved:
            for chunk in upload.chunks():
                saved.write(chunk)
        report = importer.import_marc(
            paths=[str(path)],
            by=by,
            items_per_record=form.cleaned_data["items_per_record"] or 0,
            branch=form.cleaned_data["branch"],
            barcodes_from_holdings=form.cleaned_data["barcodes_from_holdings"],
        )
    return report.import_run


@workspace_required("catalog.import_marc")
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = _run_import(form, by=request.user)
        except DomainError as error:
            # The importer names the file in ``data`` when the file is the problem.
            form.add_error("file" if "file" in error.data else None, error.message)
        else:
            return redirect("catalog:import_detail", pk=run.pk)
    return render(
        request, "catalog/import.html", {"form": form, "runs": selectors.recent_import_runs()}
    )


@workspace_required("catalog.import_marc")
@require_safe
def import_detail(request, pk: int):
    run = selectors.access_import_run(pk, request.user)
    problems = selectors.import_problems(run)
    return render(
        request,
        "catalog/import_detail.html",
        {
            "run": run,
            "note": selectors.import_note(run),
            "problems": problems[:MAX_PROBLEMS_SHOWN],
            "problems_hidden": max(len(problems) - MAX_PROBLEMS_SHOWN, 0),
        },
    )


def _chosen_item_ids(request) -> list[int] | None:
    """Item ids ticked on a record page, or None when the page sent none."""
    values = request.GET.getlist("item")
    if not values:
        return None
    return [int(value) for value in values if value.isdigit()]


@workspace_required("catalog.print_labels")
@require_safe
def labels(request):
    chosen = _chosen_item_ids(request)
    if chosen is not None or "from_record" in request.GET:
        items = selectors.items_by_ids(chosen or [])
        if items:
            return render(request, "catalog/labels_print.html", {"labels": labels_for(items)})
        messages.error(request, _("Tick at least one item to print its labels."))
        back = request.GET.get("from_record", "")
        if back.isdigit():
            return redirect("catalog:record_detail", pk=int(back))
        return redirect("catalog:labels")
    form = LabelsForm(request.GET or None)
    if form.is_bound and form.is_valid():
        items, missing = selectors.items_by_barcodes(form.cleaned_data["barcodes"])
        if not missing:
            return render(request, "catalog/labels_print.html", {"labels": labels_for(items)})
        form.add_error(
            "barcodes",
            ngettext(
                "No item has the barcode %(barcodes)s.",
                "No item has these barcodes: %(barcodes)s.",
                len(missing),
            )
            % {"barcodes": ", ".join(missing)},
        )
    return render(request, "catalog/labels.html", {"form": form})
