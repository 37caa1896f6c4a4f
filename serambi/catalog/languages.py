"""The languages Indonesian public libraries catalogue most, as MARC language codes."""

from django.utils.translation import gettext_lazy as _

# MARC codes (as in the 008 field), not ISO 639-1: Malay is "may", not "msa".
COMMON_LANGUAGES = (
    ("ind", _("Indonesian")),
    ("eng", _("English")),
    ("jav", _("Javanese")),
    ("sun", _("Sundanese")),
    ("may", _("Malay")),
    ("ara", _("Arabic")),
    ("min", _("Minangkabau")),
    ("ban", _("Balinese")),
    ("bug", _("Buginese")),
    ("mad", _("Madurese")),
)
COMMON_LANGUAGE_CODES = frozenset(code for code, _label in COMMON_LANGUAGES)
_NAMES = dict(COMMON_LANGUAGES)


def language_label(code: str) -> str:
    """ "Javanese (jav)" for a common language, the bare code for any other."""
    if code in _NAMES:
        return f"{_NAMES[code]} ({code})"
    return code
