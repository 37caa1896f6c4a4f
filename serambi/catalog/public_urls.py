"""The OPAC's public catalogue pages, mounted at the site root."""

from django.urls import path

from . import public_views

app_name = "opac"

urlpatterns = [
    path("katalog/<int:pk>/", public_views.record, name="record"),
    path("katalog/<int:pk>/ekspor/<str:fmt>/", public_views.record_export, name="record_export"),
]
