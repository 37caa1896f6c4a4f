"""Programs and events: creating, scheduling series with rooms, editing, cancelling,
registering (every refusal), checking in and closing an event."""

import datetime

import pytest
from django.db.models.query import QuerySet
from django.urls import reverse
from django.utils import timezone

from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry, Notification
from serambi.members.tests.factories import MemberFactory
from serambi.programs import selectors, services
from serambi.programs.models import Event, Program, Registration, RegistrationPause
from serambi.spaces.models import Booking
from serambi.spaces.tests.factories import SpaceFactory

from .conftest import at
from .factories import EventFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def emails(kind: str, **filters) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind, channel="email", **filters))


def event_data(starts_at, *, hours=2, **extra):
    return {"starts_at": starts_at, "ends_at": starts_at + datetime.timedelta(hours=hours), **extra}


# --- programs ---------------------------------------------------------------------------------


def test_create_program_makes_a_unique_slug_from_the_title(coordinator):
    data = {"title": "Bengkel Penulisan Kreatif", "category": "workshop", "summary": "Menulis."}
    first = services.create_program(data=data, by=coordinator)
    second = services.create_program(data=data, by=coordinator)
    assert first.slug == "bengkel-penulisan-kreatif"
    assert second.slug == "bengkel-penulisan-kreatif-2"
    assert AuditEntry.objects.filter(action="programs.create_program").count() == 2


def test_update_program_keeps_its_slug_and_checks_the_age_range(coordinator):
    program = services.create_program(
        data={"title": "Dongeng Anak", "category": "storytelling", "summary": "Cerita."},
        by=coordinator,
    )
    program = services.update_program(
        program=program, data={"title": "Dongeng Sabtu Pagi"}, by=coordinator
    )
    assert (program.title, program.slug) == ("Dongeng Sabtu Pagi", "dongeng-anak")
    with pytest.raises(DomainError) as refused:
        services.update_program(program=program, data={"min_age": 12, "max_age": 6}, by=coordinator)
    assert refused.value.code == "programs.invalid_age_range"


def test_create_program_refuses_an_unknown_category(coordinator):
    with pytest.raises(DomainError) as refused:
        services.create_program(
            data={"title": "X", "category": "karaoke", "summary": "?"}, by=coordinator
        )
    assert refused.value.code == "programs.invalid_program"
    assert "category" in refused.value.data["errors"]


# --- scheduling -------------------------------------------------------------------------------


def test_schedule_one_event(program, branch, coordinator):
    (event,) = services.schedule_event(
        program=program,
        data=event_data(at(datetime.date(2026, 5, 2)), branch=branch),
        by=coordinator,
    )
    assert event.pk and event.branch == branch and event.status == Event.Status.SCHEDULED


def test_weekly_series_across_a_month_end_keeps_the_local_time(program, branch, coordinator):
    start = at(datetime.date(2026, 1, 20), 19, 30)  # a Tuesday evening in Jakarta
    events = services.schedule_event(
        program=program,
        data=event_data(
            start, branch=branch, registration_opens_at=start - datetime.timedelta(days=7)
        ),
        by=coordinator,
        repeat="weekly",
        until=datetime.date(2026, 2, 17),
    )
    local = [timezone.localtime(event.starts_at) for event in events]
    assert [moment.date() for moment in local] == [
        datetime.date(2026, 1, 20),
        datetime.date(2026, 1, 27),
        datetime.date(2026, 2, 3),
        datetime.date(2026, 2, 10),
        datetime.date(2026, 2, 17),
    ]
    assert {moment.time() for moment in local} == {datetime.time(19, 30)}
    assert str(local[0].tzinfo) == "Asia/Jakarta"
    # 19:30 WIB is 12:30 UTC.
    assert events[0].starts_at.astimezone(datetime.UTC).hour == 12
    # Each session's registration opens a week before it.
    assert all(
        event.starts_at - event.registration_opens_at == datetime.timedelta(days=7)
        for event in events
    )
    assert all(event.ends_at - event.starts_at == datetime.timedelta(hours=2) for event in events)


def test_monthly_series_is_on_the_same_weekday_of_the_month(program, branch, coordinator):
    start = at(datetime.date(2026, 1, 10), 9)  # the 2nd Saturday of January 2026
    events = services.schedule_event(
        program=program,
        data=event_data(start, branch=branch),
        by=coordinator,
        repeat="monthly",
        until=datetime.date(2026, 4, 30),
    )
    assert [timezone.localdate(event.starts_at) for event in events] == [
        datetime.date(2026, 1, 10),
        datetime.date(2026, 2, 14),
        datetime.date(2026, 3, 14),
        datetime.date(2026, 4, 11),
    ]
    assert all(timezone.localtime(e.starts_at).weekday() == 5 for e in events)


def test_monthly_series_from_a_fifth_weekday_uses_the_last_one(program, branch, coordinator):
    start = at(datetime.date(2026, 1, 31), 9)  # the 5th (last) Saturday of January
    events = services.schedule_event(
        program=program,
        data=event_data(start, branch=branch),
        by=coordinator,
        repeat="monthly",
        until=datetime.date(2026, 3, 31),
    )
    assert [timezone.localdate(event.starts_at) for event in events] == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 28),
    ]


@pytest.mark.parametrize(
    ("repeat", "until", "code"),
    [
        ("daily", datetime.date(2026, 3, 1), "programs.invalid_repeat"),
        ("weekly", None, "programs.invalid_repeat"),
        ("weekly", datetime.date(2025, 1, 1), "programs.invalid_repeat"),
        ("weekly", datetime.date(2030, 1, 1), "programs.too_many_events"),
    ],
)
def test_schedule_refuses_a_bad_repeat(program, branch, coordinator, repeat, until, code):
    with pytest.raises(DomainError) as refused:
        services.schedule_event(
            program=program,
            data=event_data(at(datetime.date(2026, 1, 6)), branch=branch),
            by=coordinator,
            repeat=repeat,
            until=until,
        )
    assert refused.value.code == code
    assert not Event.objects.exists()


def test_schedule_refuses_an_event_ending_before_it_starts(program, branch, coordinator):
    start = at(datetime.date(2026, 3, 3))
    with pytest.raises(DomainError) as refused:
        services.schedule_event(
            program=program,
            data={"starts_at": start, "ends_at": start, "branch": branch},
            by=coordinator,
        )
    assert refused.value.code == "programs.invalid_times"


def test_an_event_in_a_room_holds_the_room_with_its_setup_time(program, branch, coordinator):
    room = SpaceFactory(branch=branch)
    start = at(datetime.date(2026, 3, 3), 13)
    (event,) = services.schedule_event(
        program=program, data=event_data(start, space=room, setup_minutes=30), by=coordinator
    )
    assert event.branch == branch  # taken from the room
    booking = Booking.objects.get(event=event)
    assert booking.space == room and booking.status == Booking.Status.CONFIRMED
    assert booking.starts_at == start - datetime.timedelta(minutes=30)
    assert booking.ends_at == event.ends_at + datetime.timedelta(minutes=30)


def test_a_room_clash_refuses_the_whole_series_naming_the_date(program, branch, coordinator):
    room = SpaceFactory(branch=branch)
    services.schedule_event(
        program=ProgramFactory(),
        data=event_data(at(datetime.date(2026, 3, 17), 13), space=room),
        by=coordinator,
    )
    with pytest.raises(DomainError) as refused:
        services.schedule_event(
            program=program,
            data=event_data(at(datetime.date(2026, 3, 3), 14), space=room),
            by=coordinator,
            repeat="weekly",
            until=datetime.date(2026, 3, 31),
        )
    assert refused.value.code == "programs.room_taken"
    assert refused.value.data["date"] == "2026-03-17"
    assert "17" in refused.value.message
    assert not Event.objects.filter(program=program).exists()
    assert Booking.objects.count() == 1


def test_a_room_at_another_branch_is_refused(program, branch, coordinator):
    room = SpaceFactory()
    with pytest.raises(DomainError) as refused:
        services.schedule_event(
            program=program,
            data=event_data(at(datetime.date(2026, 3, 3)), space=room, branch=branch),
            by=coordinator,
        )
    assert refused.value.code == "programs.space_not_at_branch"


# --- editing and cancelling events -------------------------------------------------------------


def test_moving_an_event_moves_its_room_and_tells_the_registrants(
    program, branch, coordinator, member
):
    room, other_room = SpaceFactory(branch=branch), SpaceFactory(branch=branch)
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=10)
    (event,) = services.schedule_event(
        program=program, data=event_data(start, space=room), by=coordinator
    )
    services.register(event=event, member=member, by=None)
    later = start + datetime.timedelta(hours=3)
    event = services.update_event(
        event=event,
        data={
            "starts_at": later,
            "ends_at": later + datetime.timedelta(hours=2),
            "space": other_room,
        },
        by=coordinator,
    )
    booking = Booking.objects.get(event=event)
    assert booking.space == other_room
    assert booking.starts_at == later - datetime.timedelta(minutes=event.setup_minutes)
    assert booking.status == Booking.Status.CONFIRMED
    changed = emails("programs.event_changed")
    assert len(changed) == 1 and changed[0].recipient == member.email
    assert other_room.name in changed[0].body


def test_editing_only_the_description_tells_nobody(event, member, coordinator):
    services.register(event=event, member=member, by=None)
    services.update_event(event=event, data={"accessibility": "Ramah kursi roda"}, by=coordinator)
    assert emails("programs.event_changed") == []


def test_cancel_event_needs_a_reason_tells_every_registrant_and_frees_the_room(
    program, branch, coordinator
):
    room = SpaceFactory(branch=branch)
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    (event,) = services.schedule_event(
        program=program, data=event_data(start, space=room, capacity=1), by=coordinator
    )
    members = [MemberFactory(home_branch=branch) for _ in range(3)]
    for person in members:
        services.register(event=event, member=person, by=None)
    guest = services.register(
        event=event, by=None, guest_name="Pak Joko", guest_email="joko@contoh.id"
    )
    with pytest.raises(DomainError) as refused:
        services.cancel_event(event=event, reason="  ", by=coordinator)
    assert refused.value.code == "programs.reason_required"

    services.cancel_event(event=event, reason="Gedung direnovasi", by=coordinator)

    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    told = {n.recipient for n in emails("programs.event_cancelled")}
    assert told == {person.email for person in members} | {guest.guest_email}
    assert all("Gedung direnovasi" in n.body for n in emails("programs.event_cancelled"))
    assert Booking.objects.get(event=event).status not in Booking.HOLDING
    with pytest.raises(DomainError) as again:
        services.register(event=event, member=MemberFactory(), by=None)
    assert again.value.code == "programs.event_cancelled"


# --- registering: refusals --------------------------------------------------------------------


def test_register_a_member_confirms_with_the_cancel_link_and_check_in_instructions(event, member):
    registration = services.register(event=event, member=member, by=member.user)
    assert registration.status == Registration.Status.CONFIRMED
    assert len(registration.token) >= 40
    (notice,) = emails("programs.registration")
    assert notice.recipient == member.email
    assert event.program.title in notice.subject
    page = reverse("programs:registration", args=[registration.token])
    cancel = reverse("programs:cancel_registration", args=[registration.token])
    assert page in notice.body and cancel in notice.body
    assert "QR" in notice.body


# Without the web door's URLs the notices go out without links.
urlpatterns: list = []


def test_notices_go_out_without_links_when_the_web_door_is_missing(event, member, settings):
    settings.ROOT_URLCONF = __name__
    registration = services.register(event=event, member=member, by=None)
    (notice,) = emails("programs.registration")
    assert registration.token not in notice.body


def test_open_events_need_no_registration(event, member):
    Event.objects.filter(pk=event.pk).update(registration_required=False)
    with pytest.raises(DomainError) as refused:
        services.register(event=event, member=member, by=None)
    assert refused.value.code == "programs.no_registration_needed"


def test_registration_window(event, member):
    opens = event.starts_at - datetime.timedelta(days=3)
    closes = event.starts_at - datetime.timedelta(days=1)
    Event.objects.filter(pk=event.pk).update(
        registration_opens_at=opens, registration_closes_at=closes
    )
    with pytest.raises(DomainError) as early:
        services.register(
            event=event, member=member, by=None, now=opens - datetime.timedelta(minutes=1)
        )
    assert early.value.code == "programs.registration_not_open"
    with pytest.raises(DomainError) as late:
        services.register(event=event, member=member, by=None, now=closes)
    assert late.value.code == "programs.registration_closed"
    registration = services.register(event=event, member=member, by=None, now=opens)
    assert registration.status == Registration.Status.CONFIRMED


def test_registration_closes_when_the_event_starts_and_refuses_a_past_event(event, member):
    with pytest.raises(DomainError) as started:
        services.register(event=event, member=member, by=None, now=event.starts_at)
    assert started.value.code == "programs.registration_closed"
    with pytest.raises(DomainError) as over:
        services.register(event=event, member=member, by=None, now=event.ends_at)
    assert over.value.code == "programs.event_past"


def test_a_member_registers_once(event, member):
    services.register(event=event, member=member, by=None)
    with pytest.raises(DomainError) as refused:
        services.register(event=event, member=member, by=None)
    assert refused.value.code == "programs.already_registered"


def test_the_database_refuses_a_second_registration_the_check_missed(event, member, monkeypatch):
    services.register(event=event, member=member, by=None)
    # A racing request that passed the check before the first one was saved.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(DomainError) as refused:
        services.register(event=event, member=member, by=None)
    assert refused.value.code == "programs.already_registered"
    assert Registration.objects.filter(event=event, member=member).count() == 1


def test_a_member_may_register_again_after_cancelling(event, member):
    first = services.register(event=event, member=member, by=None)
    services.cancel_registration(registration=first, by=None)
    again = services.register(event=event, member=member, by=None)
    assert again.status == Registration.Status.CONFIRMED and again.pk != first.pk


def test_a_paused_member_cannot_register(event, member):
    RegistrationPause.objects.create(
        member=member, until=timezone.localdate() + datetime.timedelta(days=5), reason="3 no-shows"
    )
    with pytest.raises(DomainError) as refused:
        services.register(event=event, member=member, by=None)
    assert refused.value.code == "programs.registrations_paused"


@pytest.mark.parametrize(
    ("name", "phone", "email"),
    [("", "081234567890", ""), ("Rina", "", ""), ("Rina", "12", ""), ("Rina", "", "bukan-email")],
)
def test_a_guest_needs_a_name_and_a_contact(event, name, phone, email):
    with pytest.raises(DomainError) as refused:
        services.register(
            event=event, by=None, guest_name=name, guest_phone=phone, guest_email=email
        )
    assert refused.value.code == "programs.guest_contact_required"


def test_a_guest_registers_once_by_their_folded_contact(event):
    first = services.register(
        event=event, by=None, guest_name="Rina Wati", guest_phone="0812-3456-7890"
    )
    assert first.guest_key == "tel:+6281234567890"
    assert first.status == Registration.Status.CONFIRMED
    with pytest.raises(DomainError) as refused:
        services.register(event=event, by=None, guest_name="Rina", guest_phone="+62 812 3456 7890")
    assert refused.value.code == "programs.already_registered"
    by_mail = services.register(
        event=event, by=None, guest_name="Budi", guest_email=" Budi@Contoh.ID "
    )
    assert by_mail.guest_key == "mail:budi@contoh.id"
    assert emails("programs.registration", recipient="Budi@Contoh.ID") or emails(
        "programs.registration", recipient="budi@contoh.id"
    )


def test_staff_registering_a_member_is_audited(event, member, coordinator):
    registration = services.register(event=event, member=member, by=coordinator)
    assert registration.registered_by == coordinator
    assert AuditEntry.objects.filter(action="programs.register").count() == 1


# --- check-in, attendance, closing -------------------------------------------------------------


def test_check_in_by_qr_token(event, member, coordinator):
    registration = services.register(event=event, member=member, by=None)
    checked = services.check_in(token=registration.token, event=event, by=coordinator)
    assert checked.status == Registration.Status.ATTENDED and checked.attended_at
    again = services.check_in(token=registration.token, event=event, by=coordinator)
    assert again.status == Registration.Status.ATTENDED
    assert again.attended_at == checked.attended_at


def test_check_in_refusals(event, member, other_member, third_member, coordinator):
    confirmed = [
        services.register(event=event, member=person, by=None) for person in (member, other_member)
    ]
    waitlisted = services.register(event=event, member=third_member, by=None)
    assert waitlisted.status == Registration.Status.WAITLISTED
    other_event = EventFactory(program=event.program, branch=event.branch)

    with pytest.raises(DomainError) as wrong:
        services.check_in(token=confirmed[0].token, event=other_event, by=coordinator)
    assert wrong.value.code == "programs.wrong_event"
    with pytest.raises(DomainError) as waiting:
        services.check_in(token=waitlisted.token, event=event, by=coordinator)
    assert waiting.value.code == "programs.not_confirmed"
    with pytest.raises(DomainError) as unknown:
        services.check_in(token="no-such-token", event=event, by=coordinator)
    assert unknown.value.code == "programs.registration_not_found"


def test_mark_attendance_from_the_list(event, member, coordinator):
    registration = services.register(event=event, member=member, by=None)
    absent = services.mark_attendance(registration=registration, attended=False, by=coordinator)
    assert absent.status == Registration.Status.NO_SHOW
    # A late arrival: absent, then present after all.
    present = services.mark_attendance(registration=registration, attended=True, by=coordinator)
    assert present.status == Registration.Status.ATTENDED
    with pytest.raises(DomainError) as refused:
        services.mark_attendance(registration=registration, attended=False, by=coordinator)
    assert refused.value.code == "programs.illegal_transition"
    assert AuditEntry.objects.filter(action="programs.mark_attendance").count() == 2


def test_close_event_records_no_shows_and_pauses_repeat_no_shows(
    program, branch, member, other_member, coordinator, program_settings
):
    program_settings.no_show_limit = 2
    program_settings.pause_days = 30
    program_settings.save()
    now = timezone.now()
    events = []
    for days_ago in (20, 10):
        start = now - datetime.timedelta(days=days_ago)
        event = EventFactory(program=program, branch=branch, starts_at=start)
        for person in (member, other_member):
            services.register(
                event=event, member=person, by=None, now=start - datetime.timedelta(days=1)
            )
        events.append(event)
    attended = Registration.objects.get(event=events[1], member=other_member)
    services.check_in(token=attended.token, event=events[1], by=coordinator)

    with pytest.raises(DomainError) as early:
        services.close_event(event=events[0], by=coordinator, now=events[0].starts_at)
    assert early.value.code == "programs.event_not_over"

    assert services.close_event(event=events[0], by=coordinator, now=now) == 2
    assert not RegistrationPause.objects.exists()
    assert services.close_event(event=events[1], by=coordinator, now=now) == 1
    assert services.close_event(event=events[1], by=coordinator, now=now) == 0  # nothing new

    (pause,) = RegistrationPause.objects.all()
    assert pause.member == member
    assert pause.until == timezone.localdate(now) + datetime.timedelta(days=30)
    assert emails("programs.registrations_paused", recipient=member.email)
    with pytest.raises(DomainError) as paused:
        services.register(
            event=EventFactory(program=program, branch=branch), member=member, by=None
        )
    assert paused.value.code == "programs.registrations_paused"

    services.lift_pause(pause=pause, by=coordinator)
    registration = services.register(
        event=EventFactory(program=program, branch=branch), member=member, by=None
    )
    assert registration.status == Registration.Status.CONFIRMED


def test_no_pause_when_the_limit_is_zero(program, branch, member, coordinator, program_settings):
    program_settings.no_show_limit = 0
    program_settings.save()
    start = timezone.now() - datetime.timedelta(days=2)
    event = EventFactory(program=program, branch=branch, starts_at=start)
    services.register(event=event, member=member, by=None, now=start - datetime.timedelta(days=1))
    services.close_event(event=event, by=coordinator)
    assert not RegistrationPause.objects.exists()


def test_message_registrants(event, member, other_member, third_member, coordinator):
    for person in (member, other_member, third_member):
        services.register(event=event, member=person, by=None)
    cancelled = Registration.objects.get(member=third_member)
    services.cancel_registration(registration=cancelled, by=None)
    with pytest.raises(DomainError) as empty:
        services.message_registrants(event=event, subject="", body="Hai", by=coordinator)
    assert empty.value.code == "programs.message_required"

    count = services.message_registrants(
        event=event, subject="Bawa buku", body="Jangan lupa bawa bukunya.", by=coordinator
    )
    # A double click sends nothing new.
    services.message_registrants(
        event=event, subject="Bawa buku", body="Jangan lupa bawa bukunya.", by=coordinator
    )
    assert count == 2
    sent = emails("programs.message")
    assert {n.recipient for n in sent} == {member.email, other_member.email}
    assert all(n.subject == "Bawa buku" and "Jangan lupa" in n.body for n in sent)
    assert AuditEntry.objects.filter(action="programs.message_registrants").exists()


def test_program_settings_singleton(db):
    assert selectors.program_settings().pk == 1
    assert selectors.program_settings().no_show_limit == 3
    assert Program.objects.count() == 0
