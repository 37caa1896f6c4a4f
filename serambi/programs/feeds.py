"""The events as feeds: iCalendar (all, per program, per branch), RSS and Atom.

Times go out aware in the library's zone (WIB, WITA or WIT) with the zone's
VTIMEZONE, so a phone's calendar shows 09.00 for a session at 09.00 in the
library whatever zone the phone is in.
"""

import datetime

import icalendar
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from serambi.core.models import Branch

from . import selectors
from .models import Event, Program

# How far back a calendar subscription still shows sessions, and how many go in a feed.
ICAL_PAST_DAYS = 30
FEED_ITEMS = 50


def _place(event: Event) -> str:
    parts = []
    if event.space_id:
        parts.append(event.space.name)
    if event.branch_id:
        parts.append(event.branch.name)
        if event.branch.address:
            parts.append(event.branch.address)
    elif event.location:
        parts.append(event.location)
    if event.online_url and not parts:
        parts.append(event.online_url)
    return ", ".join(parts)


def _when(event: Event) -> str:
    starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    day = date_format(starts, "l, j F Y")
    return f"{day}, {starts:%H.%M}–{ends:%H.%M} {starts.tzname() or ''}".rstrip()


def _ical_events(request, events, *, name: str) -> HttpResponse:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Serambi//Events//ID")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    host = request.get_host().split(":")[0] or "serambi"
    stamp = timezone.now()
    for event in events:
        entry = icalendar.Event()
        # Stable across edits: the same event keeps its place in subscribers' calendars.
        entry.add("uid", f"event-{event.pk}@{host}")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", timezone.localtime(event.starts_at))
        entry.add("dtend", timezone.localtime(event.ends_at))
        entry.add("summary", event.display_title)
        entry.add("description", event.program.summary)
        if place := _place(event):
            entry.add("location", place)
        entry.add("url", request.build_absolute_uri(event.get_absolute_url()))
        entry.add("last-modified", event.updated_at)
        entry.add("categories", [event.program.get_category_display()])
        if event.status == Event.Status.CANCELLED:
            entry.add("status", "CANCELLED")
        else:
            entry.add("status", "CONFIRMED")
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kegiatan.ics"'
    return response


def _since() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=ICAL_PAST_DAYS)


@require_safe
def ical_all(request):
    events = selectors.upcoming_events(start=_since(), include_cancelled=True)
    return _ical_events(request, events, name=settings.LIBRARY_NAME)


@require_safe
def ical_program(request, slug: str):
    program = get_object_or_404(Program, slug=slug, is_published=True)
    events = selectors.upcoming_events(program=program, start=_since(), include_cancelled=True)
    return _ical_events(request, events, name=f"{program.title} · {settings.LIBRARY_NAME}")


@require_safe
def ical_branch(request, code: str):
    branch = get_object_or_404(Branch, code=code, is_active=True)
    events = selectors.upcoming_events(branch=branch, start=_since(), include_cancelled=True)
    return _ical_events(request, events, name=f"{branch.name} · {settings.LIBRARY_NAME}")


class EventsFeed(Feed):
    """Coming events, newest announced first, for feed readers and websites."""

    def title(self) -> str:
        return _("Events at %(library)s") % {"library": settings.LIBRARY_NAME}

    def description(self) -> str:
        return _("Workshops, book discussions, classes and more, coming up at the library.")

    def link(self) -> str:
        return reverse("programs:calendar")

    def items(self):
        return list(selectors.upcoming_events(include_cancelled=True)[:FEED_ITEMS])

    def item_title(self, item: Event) -> str:
        title = item.display_title
        if item.status == Event.Status.CANCELLED:
            title = _("Cancelled: %(title)s") % {"title": title}
        return f"{title} · {_when(item)}"

    def item_description(self, item: Event) -> str:
        lines = [_when(item)]
        if place := _place(item):
            lines.append(place)
        lines.append(item.program.summary)
        return "\n".join(lines)

    def item_link(self, item: Event) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Event) -> str:
        return f"event-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Event) -> datetime.datetime:
        return item.created_at

    def item_updateddate(self, item: Event) -> datetime.datetime:
        return item.updated_at

    def item_categories(self, item: Event) -> list[str]:
        return [str(item.program.get_category_display())]


class EventsAtomFeed(EventsFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()
