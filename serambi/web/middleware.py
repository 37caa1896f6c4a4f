from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LibraryLocaleMiddleware(LocaleMiddleware):
    """Indonesian unless the visitor chose English with the language switch.

    Django's own middleware follows the browser's Accept-Language, but many
    phones in Indonesia are set to English while their owners read the
    library in Indonesian; the library's language is the default, and the
    switch (a cookie) is the only way to change it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = dict(settings.LANGUAGES)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
