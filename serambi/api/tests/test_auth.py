import datetime
import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from serambi.accounts.models import User
from serambi.api import attempts
from serambi.api.models import ApiToken
from serambi.catalog.tests.factories import PASSWORD, UserFactory
from serambi.core.models import AuditEntry

from .conftest import active, bearer

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
TOKENS_URL = "/api/v1/auth/tokens"


@pytest.fixture
def fast_passwords(settings):
    """MD5 first, so that users made in the test hash and check quickly; old hashes still check."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def sign_in(client: Client, username: str, password: str, name: str = "", **extra):
    body = {"username": username, "password": password}
    if name:
        body["name"] = name
    return client.post(TOKEN_URL, body, content_type="application/json", **extra)


def test_signing_in_gives_a_token_that_opens_the_callers_endpoints(client, patron_user):
    response = sign_in(client, "pemustaka", PASSWORD, name="Budi's phone")

    assert response.status_code == 201
    body = response.json()
    secret = body["token"]
    assert len(secret) >= 43
    assert body["name"] == "Budi's phone"
    assert body["prefix"] == secret[:8]
    listed = client.get(TOKENS_URL, headers=bearer(secret))
    assert listed.status_code == 200
    assert [token["id"] for token in listed.json()] == [body["id"]]


def test_only_a_hash_and_a_short_prefix_of_the_token_are_stored(client, patron_user):
    secret = sign_in(client, "pemustaka", PASSWORD).json()["token"]

    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8]
    stored = [str(getattr(token, field.attname)) for field in ApiToken._meta.concrete_fields]
    assert not any(secret in value for value in stored)


def test_the_token_list_shows_no_secrets_and_only_the_callers_working_tokens(
    client, patron_user, patron_token, issue_token, cataloguer
):
    revoked = issue_token(patron_user, name="old tablet").token
    revoked.revoked_at = timezone.now()
    revoked.save()
    issue_token(cataloguer, name="staff laptop")

    response = client.get(TOKENS_URL, headers=bearer(patron_token.secret))

    assert response.status_code == 200
    (listed,) = response.json()
    assert set(listed) == {"id", "name", "prefix", "created_at", "last_used_at"}
    assert listed["name"] == "Budi's phone"


def test_wrong_password_is_refused_with_401(client, patron_user):
    response = sign_in(client, "pemustaka", "not-the-password")

    assert response.status_code == 401
    assert response.json() == {
        "code": "auth.invalid_credentials",
        "message": "The username or password is not correct.",
        "data": {},
    }
    assert not ApiToken.objects.exists()


def test_an_inactive_account_cannot_sign_in_and_its_tokens_stop_working(
    client, patron_user, patron_token
):
    patron_user.is_active = False
    patron_user.save()

    assert sign_in(client, "pemustaka", PASSWORD).status_code == 401
    response = client.get(TOKENS_URL, headers=bearer(patron_token.secret))
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


def test_without_credentials_protected_endpoints_answer_401_auth_required(client):
    response = client.get(TOKENS_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "auth.required"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-token",
        "Bearer ",
        "Token abc",
        "Basic cGVtdXN0YWthOng=",
        "Bearer " + "x" * 5000,
    ],
)
def test_a_bad_authorization_header_is_401(client, patron_token, header):
    response = client.get(TOKENS_URL, headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


def test_signing_out_revokes_the_token_used(client, patron_user, patron_token, issue_token):
    other = issue_token(patron_user, name="kiosk")

    response = client.delete(TOKEN_URL, headers=bearer(patron_token.secret))

    assert response.status_code == 204
    assert not active(patron_token.token)
    assert active(other.token)
    assert client.get(TOKENS_URL, headers=bearer(patron_token.secret)).status_code == 401
    assert client.get(TOKENS_URL, headers=bearer(other.secret)).status_code == 200


def test_signing_out_needs_a_token_not_a_session(patron_client):
    assert patron_client.delete(TOKEN_URL).status_code == 401


def test_a_person_revokes_one_of_their_own_tokens(client, patron_user, patron_token, issue_token):
    lost_phone = issue_token(patron_user, name="lost phone")

    response = client.delete(
        f"{TOKENS_URL}/{lost_phone.token.pk}", headers=bearer(patron_token.secret)
    )

    assert response.status_code == 204
    assert not active(lost_phone.token)
    assert active(patron_token.token)


def test_someone_elses_token_is_not_found_and_stays_active(
    client, patron_token, issue_token, cataloguer
):
    theirs = issue_token(cataloguer, name="staff laptop")

    response = client.delete(f"{TOKENS_URL}/{theirs.token.pk}", headers=bearer(patron_token.secret))

    assert response.status_code == 404
    assert response.json()["code"] == "api.token_not_found"
    assert active(theirs.token)


def test_revoking_an_unknown_or_revoked_token_is_not_found(client, patron_user, patron_token):
    headers = bearer(patron_token.secret)
    assert client.delete(f"{TOKENS_URL}/999999", headers=headers).status_code == 404
    assert client.delete(f"{TOKENS_URL}/0", headers=headers).status_code == 422
    assert client.delete(f"{TOKENS_URL}/abc", headers=headers).status_code == 422
    assert client.delete(f"{TOKENS_URL}/{2**70}", headers=headers).status_code == 422


def test_creating_and_revoking_tokens_is_audited(client, patron_user, issue_token):
    secret = sign_in(client, "pemustaka", PASSWORD, name="kiosk").json()["token"]
    token = ApiToken.objects.get()
    client.delete(TOKEN_URL, headers=bearer(secret))

    entries = AuditEntry.objects.filter(target_type="api.apitoken", target_id=str(token.pk))
    assert sorted(entries.values_list("action", flat=True)) == [
        "api.token_created",
        "api.token_revoked",
    ]
    assert {entry.actor for entry in entries} == {patron_user}
    assert all(entry.data["prefix"] == token.prefix for entry in entries)


def test_last_use_is_recorded_at_most_once_a_minute(client, patron_token, monkeypatch):
    token = patron_token.token
    headers = bearer(patron_token.secret)
    assert token.last_used_at is None

    client.get(TOKENS_URL, headers=headers)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    client.get(TOKENS_URL, headers=headers)
    token.refresh_from_db()
    assert token.last_used_at == first_use

    later = first_use + datetime.timedelta(seconds=61)
    monkeypatch.setattr("serambi.api.services.timezone.now", lambda: later)
    client.get(TOKENS_URL, headers=headers)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_a_request_with_a_fresh_token_use_writes_nothing(
    client, patron_token, django_assert_max_num_queries
):
    headers = bearer(patron_token.secret)
    client.get(TOKENS_URL, headers=headers)  # records the first use
    with django_assert_max_num_queries(2):  # the token with its user, the list
        client.get(TOKENS_URL, headers=headers)


# --- the site's own pages, with the visitor's session -----------------------------------


def test_the_site_session_works_for_reading(patron_client, patron_token):
    response = patron_client.get(TOKENS_URL)

    assert response.status_code == 200
    assert [token["id"] for token in response.json()] == [patron_token.token.pk]


def test_an_unsafe_request_with_the_session_needs_the_csrf_token(patron_user, patron_token):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patron_user)
    url = f"{TOKENS_URL}/{patron_token.token.pk}"

    refused = client.delete(url)
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert active(patron_token.token)

    client.get(reverse("web:home"))  # the page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    assert client.delete(url, headers={"X-CSRFToken": csrf}).status_code == 204
    assert not active(patron_token.token)


def test_a_token_needs_no_csrf_token(patron_user, patron_token, issue_token):
    client = Client(enforce_csrf_checks=True)
    other = issue_token(patron_user)

    response = client.delete(f"{TOKENS_URL}/{other.token.pk}", headers=bearer(patron_token.secret))

    assert response.status_code == 204


# --- too many failed sign-ins ----------------------------------------------------------


@pytest.fixture
def reader(fast_passwords):
    return User.objects.create_user(username="pembaca", password=PASSWORD)


def test_five_failures_for_one_username_block_it_even_with_the_right_password(client, reader):
    for _ in range(attempts.FAILURES_PER_USERNAME):
        assert sign_in(client, "pembaca", "salah").status_code == 401

    response = sign_in(client, "Pembaca", PASSWORD)

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "auth.too_many_attempts"
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= attempts.WINDOW_SECONDS
    assert body["data"] == {"retry_after": retry_after}
    assert "15 minutes" in body["message"]
    assert not ApiToken.objects.exists()


def test_a_blocked_username_does_not_block_others_from_the_same_address(client, reader):
    UserFactory(username="tetangga", password=reader.password)
    for _ in range(attempts.FAILURES_PER_USERNAME):
        sign_in(client, "pembaca", "salah")

    assert sign_in(client, "tetangga", PASSWORD).status_code == 201


def test_twenty_failures_from_one_address_block_it(client, reader, fast_passwords):
    for number in range(attempts.FAILURES_PER_ADDRESS):
        assert sign_in(client, f"tamu{number}", "salah").status_code == 401

    blocked = sign_in(client, "pembaca", PASSWORD)
    elsewhere = sign_in(client, "pembaca", PASSWORD, REMOTE_ADDR="10.1.2.3")

    assert blocked.status_code == 429
    assert blocked.json()["code"] == "auth.too_many_attempts"
    assert elsewhere.status_code == 201


def test_successful_sign_ins_are_not_counted(client, reader):
    for _ in range(attempts.FAILURES_PER_USERNAME + 1):
        assert sign_in(client, "pembaca", PASSWORD).status_code == 201


def test_a_success_forgives_earlier_typos_of_the_username(client, reader):
    for _ in range(attempts.FAILURES_PER_USERNAME - 1):
        sign_in(client, "pembaca", "salah")
    assert sign_in(client, "pembaca", PASSWORD).status_code == 201

    for _ in range(attempts.FAILURES_PER_USERNAME - 1):
        sign_in(client, "pembaca", "salah")
    assert sign_in(client, "pembaca", PASSWORD).status_code == 201


def test_the_block_lifts_when_the_window_closes(client, reader, monkeypatch):
    for _ in range(attempts.FAILURES_PER_USERNAME):
        sign_in(client, "pembaca", "salah")
    assert sign_in(client, "pembaca", PASSWORD).status_code == 429

    now = attempts.time.time()
    monkeypatch.setattr(attempts.time, "time", lambda: now + attempts.WINDOW_SECONDS + 1)

    assert sign_in(client, "pembaca", PASSWORD).status_code == 201


# --- the sign-in request itself ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "pemustaka"},
        {"username": "", "password": "x"},
        {"username": "pe\x00mustaka", "password": "x"},
        {"username": "pemustaka", "password": "x", "name": "a" * 101},
        {"username": ["pemustaka"], "password": "x"},
    ],
)
def test_a_malformed_sign_in_is_a_422_with_the_fields_named(client, body):
    response = client.post(TOKEN_URL, body, content_type="application/json")

    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "validation_error"
    assert payload["data"]["errors"]
    assert all({"loc", "msg"} == set(error) for error in payload["data"]["errors"])
    assert all(error["loc"][0] == "body" for error in payload["data"]["errors"])


@pytest.mark.parametrize(
    "raw", [b"{not json", b"\xff\xfe", b'{"username": "\\ud800", "password": "x"}']
)
def test_a_body_that_is_not_json_text_is_a_400(client, raw):
    response = client.post(TOKEN_URL, raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_the_admin_lists_tokens_and_revokes_them_through_the_service(
    admin_client, admin_user, patron_token
):
    changelist = "/admin/api/apitoken/"
    assert admin_client.get(changelist).status_code == 200

    response = admin_client.post(
        changelist, {"action": "revoke", "_selected_action": [patron_token.token.pk]}
    )

    assert response.status_code == 302
    assert not active(patron_token.token)
    entry = AuditEntry.objects.get(action="api.token_revoked")
    assert entry.actor == admin_user
