from django.conf import settings


def library(request) -> dict:
    return {"LIBRARY_NAME": settings.LIBRARY_NAME}
