"""The staff pages of the creative space, under /staf/ruang/: the day, approvals, usage,
and the rooms and equipment themselves."""

import datetime
import math

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from serambi.accounts.access import workspace_required
from serambi.catalog.selectors import active_branches
from serambi.core.errors import DomainError
from serambi.core.models import OpeningHours

from . import selectors, services
from .forms import DayForm, DeclineForm, EquipmentForm, SpaceForm, UsageForm
from .models import Booking, Equipment, Space

# The day view's hours when the branch has entered no opening hours.
DEFAULT_HOURS = (8, 17)


def _posted(request):
    """The POST data of a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _branch(request, form) -> object | None:
    branch = form.cleaned_data.get("branch") if form.is_valid() else None
    if branch is None and request.user.home_branch_id:
        branch = active_branches().filter(pk=request.user.home_branch_id).first()
    return branch or active_branches().filter(spaces__isnull=False).first()


def _hours(branch, day: datetime.date, rows) -> range:
    periods = OpeningHours.objects.filter(branch=branch, weekday=day.weekday())
    first, last = DEFAULT_HOURS
    opens = [p.opens.hour for p in periods] + [
        timezone.localtime(b.starts_at).hour for row in rows for b in row.bookings
    ]
    closes = [math.ceil(p.closes.hour + p.closes.minute / 60) for p in periods] + [
        math.ceil(_local_hours(b.ends_at)) for row in rows for b in row.bookings
    ]
    if periods or opens:
        first, last = min(opens or [first]), max(closes or [last])
    return range(max(first, 0), min(max(last, first + 1), 24))


def _local_hours(moment: datetime.datetime) -> float:
    local = timezone.localtime(moment)
    return local.hour + local.minute / 60


def _cells(bookings, hours: range, day: datetime.date) -> list[dict]:
    """One table row: empty hours, and each booking spanning the hours it touches."""
    cells: list[dict] = []
    column = hours.start
    for booking in sorted(bookings, key=lambda b: b.starts_at):
        local_start = timezone.localtime(booking.starts_at)
        start = hours.start if local_start.date() < day else local_start.hour
        local_end = timezone.localtime(booking.ends_at)
        end = hours.stop if local_end.date() > day else math.ceil(_local_hours(booking.ends_at))
        start, end = max(start, hours.start), min(max(end, start + 1), hours.stop)
        if start < column and cells:
            # Overlaps what is already drawn (a no-show and a later booking): same cell.
            cells[-1]["bookings"].append(booking)
            continue
        cells.extend({"span": 1, "bookings": []} for _hour in range(column, start))
        cells.append({"span": max(end - start, 1), "bookings": [booking]})
        column = max(end, start + 1)
    cells.extend({"span": 1, "bookings": []} for _hour in range(column, hours.stop))
    return cells


@workspace_required("spaces.view_booking")
@require_safe
def day(request):
    form = DayForm(request.GET or None)
    branch = _branch(request, form)
    day = (form.cleaned_data.get("day") if form.is_valid() else None) or timezone.localdate()
    rows = selectors.day_view(branch, day) if branch else []
    hours = _hours(branch, day, rows) if branch else range(*DEFAULT_HOURS)
    now = timezone.now()
    return render(
        request,
        "spaces/staff/day.html",
        {
            "form": DayForm(initial={"branch": branch.code if branch else "", "day": day}),
            "branch": branch,
            "day": day,
            "hours": hours,
            "rows": [(row, _cells(row.bookings, hours, day)) for row in rows],
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "now": now,
            "can_manage": request.user.has_perm("spaces.manage_bookings"),
            "waiting": selectors.approvals_queue(branch).count() if branch else 0,
        },
    )


@workspace_required("spaces.view_booking")
@require_safe
def approvals(request):
    form = DayForm(request.GET or None)
    branch = form.cleaned_data.get("branch") if form.is_valid() else None
    return render(
        request,
        "spaces/staff/approvals.html",
        {
            "bookings": selectors.approvals_queue(branch),
            "branch": branch,
            "branches": active_branches(),
            "decline_form": DeclineForm(),
            "can_manage": request.user.has_perm("spaces.manage_bookings"),
        },
    )


def _booking(pk: int) -> Booking:
    try:
        return selectors.access_booking_for_staff(pk)
    except DomainError as missing:
        raise Http404 from missing


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@workspace_required("spaces.manage_bookings")
@require_POST
def approve(request, pk: int):
    booking = _booking(pk)
    try:
        services.approve_booking(booking=booking, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The booking is approved; the member is told."))
    return redirect(_back(request, reverse("spaces_staff:approvals")))


@workspace_required("spaces.manage_bookings")
@require_http_methods(["GET", "POST"])
def decline(request, pk: int):
    booking = _booking(pk)
    form = DeclineForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.decline_booking(
                booking=booking, reason=form.cleaned_data["reason"], by=request.user
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The booking is declined; the member is told why."))
        return redirect(_back(request, reverse("spaces_staff:approvals")))
    return render(
        request,
        "spaces/staff/decline.html",
        {"booking": booking, "form": form},
        status=422 if form.is_bound else 200,
    )


@workspace_required("spaces.manage_bookings")
@require_POST
def check_in(request, pk: int):
    booking = _booking(pk)
    try:
        services.check_in_booking(booking=booking, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Checked in."))
    day = timezone.localtime(booking.starts_at).date().isoformat()
    branch = booking.space.branch.code if booking.space else ""
    return redirect(_back(request, f"{reverse('spaces_staff:day')}?branch={branch}&day={day}"))


@workspace_required("spaces.view_booking")
@require_safe
def usage(request):
    today = timezone.localdate()
    form = UsageForm(
        request.GET or None,
        initial={"start": today.replace(day=1), "end": today},
    )
    report = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        report = selectors.usage(data["branch"], data["start"], data["end"])
    elif not form.is_bound:
        report = selectors.usage(None, today.replace(day=1), today)
    return render(request, "spaces/staff/usage.html", {"form": form, "report": report})


# --- rooms and equipment ---------------------------------------------------------------------


@workspace_required("spaces.change_space", "spaces.change_equipment")
@require_safe
def manage(request):
    """Every room and piece of equipment, retired ones too, by branch."""
    spaces = Space.objects.select_related("branch").order_by("branch__name", "name")
    equipment = Equipment.objects.select_related("branch", "space").order_by("branch__name", "name")
    branches: dict = {}
    for space in spaces:
        branches.setdefault(space.branch, {"spaces": [], "equipment": []})["spaces"].append(space)
    for piece in equipment:
        branches.setdefault(piece.branch, {"spaces": [], "equipment": []})["equipment"].append(
            piece
        )
    rows = sorted(branches.items(), key=lambda item: item[0].name)
    return render(request, "spaces/staff/manage.html", {"branches": rows})


def _form_error(form, error: DomainError) -> None:
    field = error.data.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _manage_url(branch_id: int) -> str:
    return f"{reverse('spaces_staff:manage')}#branch-{branch_id}"


@workspace_required("spaces.add_space", "spaces.change_space")
@require_http_methods(["GET", "POST"])
def space_create(request):
    return _space_form(request, None)


@workspace_required("spaces.change_space")
@require_http_methods(["GET", "POST"])
def space_update(request, pk: int):
    return _space_form(request, get_object_or_404(Space, pk=pk))


def _space_form(request, space: Space | None):
    # Not ``instance=space``: the form would write into it; the service saves and audits.
    initial = model_to_dict(space, fields=SpaceForm.Meta.fields) if space else {}
    if space is None and request.user.home_branch_id:
        initial["branch"] = request.user.home_branch_id
    form = SpaceForm(_posted(request), request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            space = services.save_space(
                space=space,
                data=form.space_data(),
                categories=form.chosen_categories(),
                by=request.user,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Room “%(name)s” saved.") % {"name": space.name})
            return redirect(_manage_url(space.branch_id))
    return render(
        request,
        "spaces/staff/space_form.html",
        {"form": form, "space": space},
        status=422 if form.is_bound and form.errors else 200,
    )


@workspace_required("spaces.add_equipment", "spaces.change_equipment")
@require_http_methods(["GET", "POST"])
def equipment_create(request):
    return _equipment_form(request, None)


@workspace_required("spaces.change_equipment")
@require_http_methods(["GET", "POST"])
def equipment_update(request, pk: int):
    return _equipment_form(request, get_object_or_404(Equipment, pk=pk))


def _equipment_form(request, equipment: Equipment | None):
    initial = model_to_dict(equipment, fields=EquipmentForm.Meta.fields) if equipment else {}
    if equipment is None and request.user.home_branch_id:
        initial["branch"] = request.user.home_branch_id
    form = EquipmentForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            equipment = services.save_equipment(
                equipment=equipment, data=form.equipment_data(), by=request.user
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Equipment “%(name)s” saved.") % {"name": equipment.name})
            return redirect(_manage_url(equipment.branch_id))
    return render(
        request,
        "spaces/staff/equipment_form.html",
        {"form": form, "equipment": equipment},
        status=422 if form.is_bound and form.errors else 200,
    )
