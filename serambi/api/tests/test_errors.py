"""Every refusal in one shape, and the API's description and docs."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from ninja import NinjaAPI
from ninja.testing import TestClient

from serambi.api import errors
from serambi.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("catalog.record_not_found", 404),
        ("catalog.not_found", 404),
        ("api.token_not_found", 404),
        ("circulation.permission_denied", 403),
        ("spaces.forbidden", 403),
        ("accounts.not_allowed", 403),
        ("auth.invalid_credentials", 401),
        ("auth.too_many_attempts", 429),
        ("catalog.invalid_barcode", 422),
        ("catalog.unknown_role", 422),
        ("core.bad_weekday", 422),
        ("catalog.title_required", 422),
        ("catalog.year_out_of_range", 422),
        ("circulation.item_on_loan", 409),
        ("catalog.duplicate_barcode", 409),
        ("catalog.item_has_history", 409),
        ("notfound", 409),
    ],
)
def test_a_domain_error_status_follows_its_code(code, status):
    assert errors.status_for_code(code) == status


def raising(exc: Exception) -> TestClient:
    api = NinjaAPI(urls_namespace=f"test-{id(exc)}")
    errors.install(api)

    @api.get("/boom", auth=None)
    def boom(request):
        raise exc

    return TestClient(api)


def test_a_domain_error_keeps_its_code_message_and_data():
    response = raising(DomainError("circulation.item_on_loan", "On loan.", item_id=7)).get("/boom")

    assert response.status_code == 409
    assert response.json() == {
        "code": "circulation.item_on_loan",
        "message": "On loan.",
        "data": {"item_id": 7},
    }


def test_too_many_attempts_says_when_to_retry():
    exc = DomainError("auth.too_many_attempts", "Wait.", retry_after=90)

    response = raising(exc).get("/boom")

    assert response.status_code == 429
    assert response["Retry-After"] == "90"


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (Http404("no such loan"), 404, "not_found"),
        (PermissionDenied(), 403, "forbidden"),
    ],
)
def test_djangos_own_refusals_are_mapped(exc, status, code):
    response = raising(exc).get("/boom")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "data"}


def test_a_bug_is_a_json_500_and_is_reported(caplog):
    client = raising(RuntimeError("bug"))

    response = client.get("/boom")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "bug" not in response.json()["message"]
    assert any(record.levelname == "ERROR" for record in caplog.records)


def test_messages_speak_the_sites_language_indonesian_by_default(client, settings):
    settings.LANGUAGE_CODE = "id"
    with translation.override("id"):
        expected = translation.gettext("Not found.")

    response = client.get("/api/v1/records/987654")

    assert response.json()["message"] == expected
    assert response["Content-Language"] == "id"


def test_the_language_cookie_chooses_english(client, settings):
    settings.LANGUAGE_CODE = "id"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/api/v1/records/987654")

    assert response.json()["message"] == "Not found."


# --- outside any operation -------------------------------------------------------------------


def test_an_unknown_address_under_the_api_is_a_json_404(client):
    for path in ["/api/v1/nothing-here", "/api/v1/search/", "/api/v1/records/1/items"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_a_method_the_path_does_not_take_is_a_json_405_with_allow(client):
    response = client.put("/api/v1/search")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["code"] == "method_not_allowed"
    assert response.json()["data"] == {"allowed_methods": ["GET"]}


def test_the_root_points_to_the_description_and_the_docs(client):
    body = client.get("/api/v1/").json()

    assert body["openapi"] == "http://testserver/api/v1/openapi.json"
    assert body["docs"] == "http://testserver/api/v1/docs"


# --- the description and the docs ---------------------------------------------------------


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_openapi_description_lists_every_operation(schema):
    operations = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    assert operations >= {
        ("POST", "/api/v1/auth/token"),
        ("DELETE", "/api/v1/auth/token"),
        ("GET", "/api/v1/auth/tokens"),
        ("DELETE", "/api/v1/auth/tokens/{token_id}"),
        ("GET", "/api/v1/search"),
        ("GET", "/api/v1/autocomplete"),
        ("GET", "/api/v1/records/{record_id}"),
    }
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_every_operation_documents_its_errors_in_the_error_shape(schema):
    error_schemas = {"#/components/schemas/ErrorOut", "#/components/schemas/ValidationErrorOut"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if operation.get("security"):
                assert "401" in responses, (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in responses, (method, path)
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref in error_schemas, (method, path, status)
    assert "429" in schema["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert "404" in schema["paths"]["/api/v1/records/{record_id}"]["get"]["responses"]


def test_both_ways_of_signing_in_are_described(schema):
    assert schema["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }


def test_the_docs_load_swagger_ui_from_the_sites_own_static_files(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html and "http://" not in html
    for asset in ["swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"]:
        static = client.get(f"/static/ninja/{asset}")
        assert static.status_code == 200, asset
        b"".join(static.streaming_content if static.streaming else [static.content])
