"""The Indonesian catalogue is complete, current and compiled, and pages speak it by default.

The catalogue check runs ``makemessages`` exactly as a developer does
(``makemessages -l id --no-obsolete --add-location file --ignore=.venv
--ignore=var --ignore=benchmarks``), but on a throwaway copy of the project's
source files with a copy of the committed ``django.po``: makemessages writes
helper files beside the templates it reads and rewrites the catalogue in
place, and the repository must stay untouched. After the merge, no message
may be untranslated or fuzzy, and the merged catalogue must say what the
committed one says (so no string was removed from the code either). The
committed ``django.mo`` must be the compiled committed ``django.po``.

When a test here fails, refresh the catalogue from the project directory:

    .venv/bin/serambi makemessages -l id --no-obsolete --add-location file \\
        --ignore=.venv --ignore=var --ignore=benchmarks
    (translate the new or fuzzy messages in serambi/locale/id/LC_MESSAGES/django.po)
    .venv/bin/serambi compilemessages -l id --ignore=.venv
"""

import contextlib
import fnmatch
import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

PROJECT = Path(settings.BASE_DIR)
LOCALE_PATH = PROJECT / "serambi" / "locale"
CATALOGUE = Path("id") / "LC_MESSAGES" / "django.po"
PO_FILE = LOCALE_PATH / CATALOGUE
MO_FILE = PO_FILE.with_suffix(".mo")

# The --ignore patterns of the documented command, and makemessages' own defaults.
IGNORE_PATTERNS = [".venv", "var", "benchmarks"]
DEFAULT_IGNORE_PATTERNS = ["CVS", ".*", "*~", "*.pyc"]
# The files makemessages reads for the "django" domain.
SOURCE_SUFFIXES = {".py", ".html", ".txt"}

needs_gettext = pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgmerge") and shutil.which("msgattrib")),
    reason="GNU gettext tools (xgettext, msgmerge, msgfmt, msgattrib) are not installed",
)


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in IGNORE_PATTERNS + DEFAULT_IGNORE_PATTERNS)


def _copy_sources(target: Path) -> None:
    """Copy what makemessages would read from the project (not the catalogues themselves)."""
    for dirpath, dirnames, filenames in os.walk(PROJECT):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not _ignored(d)]
        relative = here.relative_to(PROJECT)
        for filename in filenames:
            if Path(filename).suffix in SOURCE_SUFFIXES and not _ignored(filename):
                destination = target / relative / filename
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(here / filename, destination)


def _gettext_tool(*args: str) -> str:
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def _compiled(po_file: Path, mo_file: Path) -> dict:
    _gettext_tool("msgfmt", "--check", "-o", str(mo_file), str(po_file))
    return _catalog(mo_file)


def _catalog(mo_file: Path) -> dict:
    with mo_file.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def _without_header(catalog: dict) -> dict:
    return {key: value for key, value in catalog.items() if key != ""}


def _msgids(entries: str) -> str:
    """Only the msgid lines of msgattrib's output, to keep a failure message short."""
    return "\n".join(line for line in entries.splitlines() if line.startswith("msgid"))


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Path:
    """The committed catalogue after makemessages has merged the current source into it."""
    copy = tmp_path_factory.mktemp("serambi-source")
    _copy_sources(copy)
    locale_path = copy / "serambi" / "locale"
    (locale_path / CATALOGUE).parent.mkdir(parents=True)
    shutil.copyfile(PO_FILE, locale_path / CATALOGUE)
    with override_settings(LOCALE_PATHS=[locale_path]), contextlib.chdir(copy):
        call_command(
            "makemessages",
            locale=["id"],
            no_obsolete=True,
            add_location="file",
            ignore_patterns=IGNORE_PATTERNS,
            verbosity=0,
        )
    return locale_path / CATALOGUE


@needs_gettext
def test_every_message_in_the_code_is_translated(merged):
    untranslated = _gettext_tool("msgattrib", "--untranslated", "--no-obsolete", str(merged))
    assert not untranslated, (
        "Messages without an Indonesian translation (run makemessages and translate them):\n"
        + _msgids(untranslated)
    )


@needs_gettext
def test_no_translation_is_fuzzy(merged):
    fuzzy = _gettext_tool("msgattrib", "--only-fuzzy", "--no-obsolete", str(merged))
    assert not fuzzy, "Changed messages whose translation needs a look:\n" + _msgids(fuzzy)


@needs_gettext
def test_the_committed_catalogue_matches_the_code(merged, tmp_path):
    """A message removed from (or changed in) the code is removed from the catalogue too."""
    committed = _compiled(PO_FILE, tmp_path / "committed.mo")
    current = _compiled(merged, tmp_path / "merged.mo")
    stale = sorted(str(key) for key in committed.keys() - current.keys())
    assert not stale, "Messages no longer in the code (run makemessages):\n" + "\n".join(stale)
    assert _without_header(committed) == _without_header(current)


@needs_gettext
def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    assert MO_FILE.exists(), "serambi/locale/id/LC_MESSAGES/django.mo is missing"
    expected = _compiled(PO_FILE, tmp_path / "django.mo")
    assert _catalog(MO_FILE) == expected, "django.mo is stale: run compilemessages -l id"


def test_the_catalogue_has_indonesian_plural_forms():
    with MO_FILE.open("rb") as handle:
        info = gettext.GNUTranslations(handle).info()
    assert info["language"] == "id"
    assert info["plural-forms"] == "nplurals=1; plural=0;"


def test_messages_in_python_code_are_indonesian():
    from serambi.catalog.models import Item

    # Through variables, so that makemessages does not list this file as a source.
    sign_in, item, items = "Sign in", "%(counter)s item", "%(counter)s items"
    with translation.override("id"):
        assert translation.gettext(sign_in) == "Masuk"
        assert str(Item.Status.ON_LOAN.label) == "Dipinjam"
        assert translation.ngettext(item, items, 3) % {"counter": 3} == "3 eksemplar"
    with translation.override("en"):
        assert str(Item.Status.ON_LOAN.label) == "On loan"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/akun/masuk/"])
@pytest.mark.parametrize("accept_language", [None, "en-US,en;q=0.9"])
def test_pages_are_indonesian_without_a_language_choice(client, path, accept_language):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = client.get(path, **headers)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert ">Masuk</a>" in html
    assert "Sign in" not in html
    assert response.headers["Content-Language"] == "id"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/akun/masuk/"])
def test_pages_are_english_when_the_visitor_chose_english(client, path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="id")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert ">Sign in</a>" in html
    assert "Masuk<" not in html


@pytest.mark.django_db
def test_the_login_page_speaks_indonesian(client):
    html = client.get("/akun/masuk/").content.decode()

    assert "<h1>Masuk</h1>" in html
    assert "Nama pengguna" in html  # Django's own login form, in Indonesian too
    assert "Selamat datang" not in html
    assert "Beranda" in html
