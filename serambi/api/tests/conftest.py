import pytest

from serambi.api.models import ApiToken
from serambi.api.services import IssuedToken, create_token


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English, the language they are written in, whatever the .po says."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def issue_token():
    """Make a token for a user directly, as signing in would."""

    def issue(user, name: str = "") -> IssuedToken:
        return create_token(user=user, name=name)

    return issue


@pytest.fixture
def patron_token(patron_user, issue_token) -> IssuedToken:
    return issue_token(patron_user, name="Budi's phone")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def active(token: ApiToken) -> bool:
    token.refresh_from_db()
    return token.revoked_at is None
