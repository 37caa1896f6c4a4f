"""Settings read from the environment, as README.md and docs/operations.md promise."""

import json
import os
import stat
import subprocess
import sys

from django.conf import settings
from django.test import Client

SHOW_SETTINGS = """
import json
from serambi import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "user": db.get("USER", ""), "debug": s.DEBUG, "hosts": s.ALLOWED_HOSTS,
    "library": s.LIBRARY_NAME, "tz": s.TIME_ZONE, "key": s.SECRET_KEY,
    "apps": s.INSTALLED_APPS, "email": s.EMAIL_BACKEND,
}))
"""


def settings_with(tmp_path, **env) -> dict:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SERAMBI_", "DATABASE_URL", "TIME_ZONE", "DJANGO_"))
    }
    environment |= {"SERAMBI_VAR_DIR": str(tmp_path / "var")} | env
    # Settings are read once per process: each environment needs its own interpreter.
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SHOW_SETTINGS],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_defaults_run_one_library_on_sqlite_under_the_var_dir(tmp_path):
    values = settings_with(tmp_path)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "var" / "serambi.sqlite3")
    assert values["debug"] is False
    assert values["library"] == "Perpustakaan Kota"
    assert values["tz"] == "Asia/Jakarta"
    assert "serambi.demo" in values["apps"]
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text() == values["key"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings_with(tmp_path)["key"] == values["key"], "the key is made once and kept"


def test_environment_variables_configure_database_and_library(tmp_path):
    values = settings_with(
        tmp_path,
        DATABASE_URL="postgres://serambi:rahasia@db.internal:5432/perpustakaan",
        SERAMBI_SECRET_KEY="k" * 50,
        SERAMBI_DEBUG="1",
        SERAMBI_ALLOWED_HOSTS="katalog.perpustakaan.example, localhost",
        SERAMBI_LIBRARY_NAME="Perpustakaan Kota Bitung",
        TIME_ZONE="Asia/Makassar",
        SERAMBI_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["name"], values["host"], values["user"]) == (
        "perpustakaan",
        "db.internal",
        "serambi",
    )
    assert values["key"] == "k" * 50
    assert not (tmp_path / "var" / "secret_key").exists()
    assert values["debug"] is True
    assert values["hosts"] == ["katalog.perpustakaan.example", "localhost"]
    assert values["library"] == "Perpustakaan Kota Bitung"
    assert values["tz"] == "Asia/Makassar"
    assert values["email"].endswith("smtp.EmailBackend")


def test_static_files_are_served_with_debug_off():
    assert not settings.DEBUG
    response = Client().get("/static/web/serambi.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b".skip-link" in b"".join(response.streaming_content)
