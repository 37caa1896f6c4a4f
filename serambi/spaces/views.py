"""The public creative-space pages and a member's own bookings.

/ruang/ lists the rooms of each branch; a room's page shows the week's free
slots (days as columns on a laptop, one day at a time on a phone) and each
free slot links to the booking form with its start filled in.
"""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from serambi.circulation.patron_views import member_page
from serambi.core.errors import DomainError
from serambi.members import selectors as member_selectors

from . import policies, selectors, services
from .forms import DATETIME_FORMAT, BookingForm
from .models import Booking, Space
from .types import SlotState

WEEK = 7


@require_safe
def index(request):
    spaces = list(selectors.bookable_spaces().prefetch_related("equipment"))
    branches: list[tuple] = []
    for space in spaces:
        if not branches or branches[-1][0] != space.branch:
            branches.append((space.branch, []))
        branches[-1][1].append(space)
    return render(request, "spaces/index.html", {"branches": branches})


def _posted(request):
    """The POST data of a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _space(slug: str) -> Space:
    try:
        return selectors.space_by_slug(slug)
    except DomainError as missing:
        raise Http404 from missing


def _date_param(request, name: str, default: datetime.date) -> datetime.date:
    value = request.GET.get(name, "")
    try:
        parsed = parse_date(value) if value else None
    except ValueError:
        parsed = None
    return parsed or default


@require_safe
def space(request, slug: str):
    space = _space(slug)
    today = timezone.localdate()
    start = _date_param(request, "dari", today)
    # Not before today, and not further than the room may be booked ahead.
    start = min(max(start, today), today + datetime.timedelta(days=space.book_ahead_days))
    end = start + datetime.timedelta(days=WEEK - 1)
    days = selectors.free_slots(space, start=start, end=end)
    chosen = _date_param(request, "hari", start)
    if not start <= chosen <= end:
        chosen = next((d.day for d in days if d.free_count), start)
    rows = []
    if days and days[0].slots:
        for index, slot in enumerate(days[0].slots):
            rows.append(
                {
                    "time": timezone.localtime(slot.start),
                    "cells": [(day, day.slots[index]) for day in days],
                }
            )
    previous_start = start - datetime.timedelta(days=WEEK)
    return render(
        request,
        "spaces/space.html",
        {
            "space": space,
            "days": days,
            "rows": rows,
            "chosen": chosen,
            "start": start,
            "free": SlotState.FREE,
            "taken": SlotState.TAKEN,
            "past": SlotState.PAST,
            "previous_start": max(previous_start, today) if start > today else None,
            "next_start": end + datetime.timedelta(days=1)
            if end < today + datetime.timedelta(days=space.book_ahead_days)
            else None,
            "book_url": reverse("spaces:book", args=[space.slug]),
            "equipment": [piece for piece in space.equipment.all() if piece.is_active],
            "member": member_selectors.member_for_user(request.user),
        },
    )


def _initial_start(request) -> dict:
    value = request.GET.get("mulai", "")
    try:
        moment = parse_datetime(value) if value else None
    except ValueError:
        moment = None
    if moment is None:
        return {}
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return {"starts_at": timezone.localtime(moment).strftime(DATETIME_FORMAT)}


@require_http_methods(["GET", "POST"])
def book(request, slug: str):
    space = _space(slug)
    if not request.user.is_authenticated:
        return render(request, "spaces/book.html", {"space": space, "form": None})
    member = member_selectors.member_for_user(request.user)
    if member is None:
        return render(request, "circulation/account/no_member.html")
    form = BookingForm(_posted(request), space=space, initial=_initial_start(request))
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.book_space(
                space=space,
                member=member,
                by=request.user,
                channel="web",
                **form.booking_arguments(),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if booking.status == Booking.Status.REQUESTED:
                messages.success(
                    request,
                    _("Your request for %(space)s is sent; we will tell you when it is approved.")
                    % {"space": space.name},
                )
            else:
                messages.success(
                    request,
                    _("%(space)s is booked for you on %(day)s at %(time)s.")
                    % {
                        "space": space.name,
                        "day": policies.long_day(booking.starts_at),
                        "time": policies.clock(booking.starts_at),
                    },
                )
            return redirect("spaces:my_bookings")
    return render(
        request,
        "spaces/book.html",
        {"space": space, "form": form, "member": member},
        status=422 if form.is_bound and form.errors else 200,
    )


@require_safe
@member_page
def my_bookings(request, member):
    now = timezone.now()
    bookings = list(selectors.my_bookings(member))
    upcoming = [b for b in bookings if b.ends_at > now and b.status in Booking.HOLDING]
    upcoming.sort(key=lambda b: b.starts_at)
    rows = []
    for booking in upcoming:
        opens, closes = policies.check_in_window(booking.starts_at)
        rows.append(
            {
                "booking": booking,
                "can_check_in": booking.status == Booking.Status.CONFIRMED
                and opens <= now <= closes,
                "can_cancel": booking.status in (Booking.Status.REQUESTED, Booking.Status.CONFIRMED)
                and booking.starts_at > now,
            }
        )
    return render(
        request,
        "spaces/account/bookings.html",
        {
            "member": member,
            "rows": rows,
            "past": [b for b in bookings if b not in upcoming][:50],
            "section": "bookings",
        },
    )


def _own_booking(pk: int, member) -> Booking:
    try:
        return selectors.access_booking_for_member(pk, member)
    except DomainError as missing:
        raise Http404 from missing


@require_POST
@member_page
def cancel(request, member, pk: int):
    booking = _own_booking(pk, member)
    try:
        services.cancel_booking(booking=booking, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your booking is cancelled."))
    return redirect("spaces:my_bookings")


@require_POST
@member_page
def check_in(request, member, pk: int):
    booking = _own_booking(pk, member)
    try:
        services.check_in_booking(booking=booking, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You are checked in. Enjoy the room!"))
    return redirect("spaces:my_bookings")
