"""The events as feeds: iCal parsed with ``icalendar``, RSS and Atom with ``feedparser``;
times are those of the library's zone (Asia/Jakarta, UTC+7)."""

import datetime
import zoneinfo

import feedparser
import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from serambi.catalog.tests.factories import BranchFactory, UserFactory
from serambi.programs import services
from serambi.programs.models import Program

from .factories import EventFactory, ProgramFactory

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=JAKARTA)


@pytest.fixture
def events(branch):
    program = ProgramFactory(title="Diskusi Buku Bulanan", slug="diskusi-bulanan", is_series=True)
    first = EventFactory(program=program, branch=branch, starts_at=_at(3, 9), ends_at=_at(3, 11))
    second = EventFactory(
        program=ProgramFactory(title="Literasi Digital", slug="literasi-digital"),
        branch=BranchFactory(code="utara", name="Cabang Utara"),
        location="",
        starts_at=_at(5, 19),
        ends_at=_at(5, 21),
    )
    return first, second


def _calendar(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_ical_feed_parses_with_times_in_jakarta(client, settings, events):
    assert settings.TIME_ZONE == "Asia/Jakarta"
    first, second = events
    calendar = _calendar(client, reverse("programs:ical"))
    entries = {str(entry["uid"]): entry for entry in calendar.walk("VEVENT")}
    entry = entries[f"event-{first.pk}@testserver"]
    start = entry.decoded("dtstart")
    assert start == first.starts_at
    assert (start.hour, start.utcoffset()) == (9, datetime.timedelta(hours=7))
    assert str(start.tzinfo) == "Asia/Jakarta"
    assert entry.decoded("dtend").hour == 11
    assert str(entry["summary"]) == "Diskusi Buku Bulanan"
    assert first.branch.name in str(entry["location"])
    assert str(entry["url"]).endswith(first.get_absolute_url())
    assert calendar.walk("VTIMEZONE")  # the zone travels with the feed


def test_ical_uid_is_stable_across_edits(client, events):
    first, _second = events
    before = {str(e["uid"]) for e in _calendar(client, reverse("programs:ical")).walk("VEVENT")}
    first.title = "Sesi khusus"
    first.save()
    after = {str(e["uid"]) for e in _calendar(client, reverse("programs:ical")).walk("VEVENT")}
    assert before == after


def test_cancelled_event_is_marked_cancelled(client, events):
    first, _second = events
    services.cancel_event(event=first, reason="Banjir", by=UserFactory(roles=["programs"]))
    calendar = _calendar(client, reverse("programs:ical"))
    statuses = {str(e["uid"]): str(e["status"]) for e in calendar.walk("VEVENT")}
    assert statuses[f"event-{first.pk}@testserver"] == "CANCELLED"


def test_program_and_branch_feeds_hold_only_their_events(client, events):
    first, second = events
    by_program = _calendar(client, reverse("programs:ical_program", args=["diskusi-bulanan"]))
    assert [str(e["uid"]) for e in by_program.walk("VEVENT")] == [f"event-{first.pk}@testserver"]
    by_branch = _calendar(client, reverse("programs:ical_branch", args=["utara"]))
    assert [str(e["uid"]) for e in by_branch.walk("VEVENT")] == [f"event-{second.pk}@testserver"]


def test_unknown_program_or_branch_feed_is_not_found(client, db):
    assert client.get(reverse("programs:ical_program", args=["tidak-ada"])).status_code == 404
    assert client.get(reverse("programs:ical_branch", args=["tidak-ada"])).status_code == 404


def test_unpublished_program_stays_out_of_the_feeds(client, events):
    first, _second = events
    Program.objects.filter(pk=first.program_id).update(is_published=False)
    uids = {str(e["uid"]) for e in _calendar(client, reverse("programs:ical")).walk("VEVENT")}
    assert f"event-{first.pk}@testserver" not in uids


def test_rss_feed_parses_with_the_local_time_in_each_entry(client, events):
    first, second = events
    response = client.get(reverse("programs:rss"))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version.startswith("rss")
    titles = [entry.title for entry in feed.entries]
    assert any(
        title.startswith("Diskusi Buku Bulanan") and "09.00–11.00" in title for title in titles
    )
    assert any("19.00–21.00" in title for title in titles)
    entry = next(e for e in feed.entries if e.title.startswith("Diskusi"))
    assert entry.link.endswith(first.get_absolute_url())
    assert "WIB" in entry.summary
    assert entry.published_parsed is not None


def test_atom_feed_parses(client, events):
    response = client.get(reverse("programs:atom"))
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 2
