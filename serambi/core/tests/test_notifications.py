import datetime
import json
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend

from serambi.catalog.tests.factories import UserFactory
from serambi.core import tasks
from serambi.core.gateways import FileGateway, GatewayError, MessageGateway, get_gateway
from serambi.core.models import AuditEntry, Notification
from serambi.core.notifications import (
    normalise_phone,
    notify,
    render_notice,
    resend_notifications,
)
from serambi.core.tasks import deliver_notification, retry_stuck_notifications


class BrokenGateway(MessageGateway):
    """A provider that is always down."""

    def send(self, *, to: str, text: str, channel: str) -> None:
        raise GatewayError("provider unreachable")


def _notify(**overrides):
    arguments = {
        "kind": "test.notice",
        "email": "budi@example.id",
        "phone": "0812-3456-7890",
        "subject": "Buku siap diambil",
        "body": "Buku Anda siap diambil di Perpustakaan Pusat.",
    }
    return notify(**(arguments | overrides))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("081234567890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("62812-3456-7890", "+6281234567890"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("+62 0812 3456 7890", "+6281234567890"),
        ("812 3456 7890", "+6281234567890"),
        ("(021) 555-1234", "+62215551234"),
        ("+60 12-345 6789", "+60123456789"),
        ("", ""),
        ("  ", ""),
        ("12", ""),
        ("08123", ""),
        ("0812345678901234", ""),
        ("tidak ada", ""),
    ],
)
def test_phone_numbers_are_normalised_to_international_form(written, expected):
    assert normalise_phone(written) == expected


@pytest.mark.django_db
class TestNotify:
    def test_one_row_per_channel_the_person_can_be_reached_on(self):
        user = UserFactory()

        rows = _notify(user=user, target=user, language="en")

        assert {(row.channel, row.recipient) for row in rows} == {
            ("email", "budi@example.id"),
            ("whatsapp", "+6281234567890"),
        }
        row = rows[0]
        assert row.status == Notification.Status.PENDING
        assert row.user == user
        assert row.language == "en"
        assert (row.target_type, row.target_id) == ("accounts.user", str(user.pk))

    def test_sms_instead_of_whatsapp_when_asked(self):
        rows = _notify(email="", whatsapp=False)

        assert [(row.channel, row.recipient) for row in rows] == [("sms", "+6281234567890")]

    def test_nobody_to_reach_queues_nothing(self):
        assert _notify(email="", phone="") == []
        assert _notify(email="", phone="bukan nomor") == []
        assert _notify(email="bukan alamat", phone="") == []
        assert not Notification.objects.exists()

    def test_a_dedupe_key_sends_a_notice_once_per_channel(self):
        first = _notify(dedupe_key="loan:1:due-soon")
        second = _notify(dedupe_key="loan:1:due-soon")

        assert len(first) == 2
        assert second == []
        assert sorted(Notification.objects.values_list("dedupe_key", flat=True)) == [
            "loan:1:due-soon:email",
            "loan:1:due-soon:whatsapp",
        ]

    def test_a_channel_added_later_still_gets_the_notice(self):
        _notify(dedupe_key="hold:7:ready", phone="")

        rows = _notify(dedupe_key="hold:7:ready")

        assert [row.channel for row in rows] == ["whatsapp"]

    def test_without_a_dedupe_key_every_call_queues(self):
        _notify(phone="")
        _notify(phone="")

        assert Notification.objects.count() == 2

    def test_a_concurrent_writer_of_the_same_key_is_skipped_not_raised(self):
        _notify(dedupe_key="race", phone="")
        # The other writer committed between our check and our insert.
        with mock.patch.object(QuerySet, "exists", side_effect=[False, True]):
            rows = _notify(dedupe_key="race", phone="")

        assert rows == []
        # The caller's transaction is still usable after the savepoint.
        assert Notification.objects.count() == 1

    def test_nothing_is_delivered_before_commit(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks() as callbacks:
            _notify()

        assert len(callbacks) == 2
        assert mail.outbox == []
        assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}

    def test_delivered_on_commit(self, django_capture_on_commit_callbacks, settings, tmp_path):
        settings.SERAMBI_MESSAGE_GATEWAY = "serambi.core.gateways.FileGateway"
        settings.SERAMBI_MESSAGE_FILE = tmp_path / "messages.jsonl"
        settings.DEFAULT_FROM_EMAIL = "perpustakaan@kota.example"

        with django_capture_on_commit_callbacks(execute=True):
            _notify()

        [email] = mail.outbox
        assert email.subject == "Buku siap diambil"
        assert email.body == "Buku Anda siap diambil di Perpustakaan Pusat."
        assert email.to == ["budi@example.id"]
        assert email.from_email == "perpustakaan@kota.example"
        [line] = (tmp_path / "messages.jsonl").read_text().splitlines()
        message = json.loads(line)
        assert message["to"] == "+6281234567890"
        assert message["channel"] == "whatsapp"
        assert (
            message["text"] == "Buku siap diambil\n\nBuku Anda siap diambil di Perpustakaan Pusat."
        )
        for row in Notification.objects.all():
            assert row.status == Notification.Status.SENT
            assert row.sent_at is not None
            assert row.attempts == 0

    def test_a_failure_to_enqueue_never_reaches_the_caller(
        self, django_capture_on_commit_callbacks
    ):
        with (
            mock.patch.object(ImmediateBackend, "enqueue", side_effect=RuntimeError("down")),
            django_capture_on_commit_callbacks(execute=True),
        ):
            rows = _notify(phone="")

        assert rows[0].status == Notification.Status.PENDING
        assert mail.outbox == []


@pytest.mark.django_db
class TestDelivery:
    def _email_row(self, **fields):
        defaults = {
            "kind": "test",
            "channel": Notification.Channel.EMAIL,
            "recipient": "sari@example.id",
            "subject": "Halo",
            "body": "Isi",
        }
        return Notification.objects.create(**(defaults | fields))

    def test_gateway_failure_is_retried_with_back_off_then_failed(self, settings):
        settings.SERAMBI_MESSAGE_GATEWAY = "serambi.core.tests.test_notifications.BrokenGateway"
        [row] = _notify(email="")
        waits = []

        for attempt in range(1, tasks.MAX_ATTEMPTS + 1):
            before = timezone.now()
            assert deliver_notification.call(row.pk) in {"pending", "failed"}
            row.refresh_from_db()
            assert row.attempts == attempt
            assert row.last_error == "GatewayError: provider unreachable"
            if attempt < tasks.MAX_ATTEMPTS:
                assert row.status == Notification.Status.PENDING
                waits.append(round((row.next_attempt_at - before).total_seconds() / 60))
                # Not due yet: a duplicate task does nothing.
                assert deliver_notification.call(row.pk) == "skipped"
                Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())

        assert waits == [1, 5, 30, 120]
        assert row.status == Notification.Status.FAILED
        assert row.next_attempt_at is None
        assert deliver_notification.call(row.pk) == "skipped"

    def test_mail_server_failure_is_recorded(self):
        row = self._email_row()

        with mock.patch(
            "serambi.core.tasks.EmailMessage.send", side_effect=OSError("Connection refused")
        ):
            deliver_notification.call(row.pk)

        row.refresh_from_db()
        assert (row.status, row.attempts) == (Notification.Status.PENDING, 1)
        assert row.last_error == "OSError: Connection refused"

    def test_sent_and_missing_rows_are_skipped(self):
        row = self._email_row(status=Notification.Status.SENT)

        assert deliver_notification.call(row.pk) == "skipped"
        assert deliver_notification.call(row.pk + 1000) == "skipped"
        assert mail.outbox == []

    def test_retry_sweep_enqueues_rows_never_enqueued_or_lost(self):
        long_ago = timezone.now() - datetime.timedelta(minutes=11)
        never_enqueued = self._email_row()
        lost_retry = self._email_row(attempts=2, next_attempt_at=long_ago)
        just_queued = self._email_row()
        waiting = self._email_row(
            attempts=1, next_attempt_at=timezone.now() + datetime.timedelta(minutes=4)
        )
        failed = self._email_row(status=Notification.Status.FAILED, attempts=5)
        Notification.objects.filter(pk__in=[never_enqueued.pk, failed.pk]).update(
            created_at=long_ago
        )

        assert retry_stuck_notifications.call() == 2

        statuses = dict(Notification.objects.values_list("pk", "status"))
        assert statuses[never_enqueued.pk] == statuses[lost_retry.pk] == "sent"
        assert statuses[just_queued.pk] == statuses[waiting.pk] == "pending"
        assert statuses[failed.pk] == "failed"
        assert len(mail.outbox) == 2

    def test_staff_can_send_a_failed_notice_again(
        self, django_capture_on_commit_callbacks, administrator
    ):
        row = self._email_row(status=Notification.Status.FAILED, attempts=5, last_error="x")
        fresh = self._email_row()

        with django_capture_on_commit_callbacks(execute=True):
            queued = resend_notifications(
                notifications=Notification.objects.filter(pk__in=[row.pk, fresh.pk]),
                by=administrator,
            )

        assert queued == [row]
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == ("sent", 0, "")
        audit = AuditEntry.objects.get(action="core.resend_notification")
        assert audit.data["notification"] == row.pk
        assert "sari@example.id" not in json.dumps(audit.data) + audit.target_repr

    def test_admin_lists_and_sends_again(self, admin_client, django_capture_on_commit_callbacks):
        row = self._email_row(status=Notification.Status.FAILED, attempts=5)

        response = admin_client.get("/admin/core/notification/?status__exact=failed")
        assert response.status_code == 200
        assert "sari@example.id" in response.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                "/admin/core/notification/",
                {"action": "send_again", "_selected_action": [row.pk]},
            )

        assert response.status_code == 302
        row.refresh_from_db()
        assert row.status == Notification.Status.SENT


def test_file_gateway_appends_one_json_line_per_message(tmp_path):
    gateway = FileGateway(tmp_path / "out" / "messages.jsonl")

    gateway.send(to="+6281234567890", text="Halo ☺", channel="sms")
    gateway.send(to="+6281111111111", text="Kedua", channel="whatsapp")

    lines = (tmp_path / "out" / "messages.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["Halo ☺", "Kedua"]
    assert "☺" in lines[0]


def test_file_gateway_reports_a_file_it_cannot_write(tmp_path):
    (tmp_path / "taken").write_text("")

    with pytest.raises(GatewayError):
        FileGateway(tmp_path / "taken" / "messages.jsonl").send(to="+62", text="x", channel="sms")


def test_the_gateway_comes_from_settings(settings):
    settings.SERAMBI_MESSAGE_GATEWAY = "serambi.core.gateways.FileGateway"

    assert isinstance(get_gateway(), FileGateway)


def test_log_gateway_writes_the_message_to_the_log(caplog):
    settings_gateway = get_gateway()  # the default, LogGateway

    with caplog.at_level("INFO", logger="serambi.notices"):
        settings_gateway.send(to="+6281234567890", text="Halo", channel="whatsapp")

    assert "+6281234567890" in caplog.text
    assert "Halo" in caplog.text


def test_render_notice_splits_subject_and_body_in_the_language(settings, tmp_path):
    (tmp_path / "notice.txt").write_text(
        "{% load i18n %}\n  Notice for {{ name }} ({% get_current_language as lang %}{{ lang }})\n"
        "\n\nDear {{ name }},   \n\n\n\n{% if late %}late{% endif %}\nThanks.\n\n"
    )
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [tmp_path]}
    ]

    subject, body = render_notice(
        "notice.txt", {"name": "Budi & Sari", "late": False}, language="en"
    )

    assert subject == "Notice for Budi & Sari (en)"
    assert body == "Dear Budi & Sari,\n\nThanks."
    assert render_notice("notice.txt", {"name": "Budi"}, language="id")[0].endswith("(id)")


def test_back_off_grows_and_stays_at_the_last_step():
    assert [tasks.backoff(n).total_seconds() / 60 for n in range(1, 7)] == [
        1,
        5,
        30,
        120,
        120,
        120,
    ]


def test_notify_inside_an_outer_transaction_survives_a_rolled_back_caller(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(dedupe_key="rollback")
        raise RuntimeError

    assert _notify(dedupe_key="rollback") != []
