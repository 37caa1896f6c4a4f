"""A patron's circulation pages, mounted at /akun/ (sign-in and card pages live in other apps)."""

from django.urls import path

from . import patron_views

app_name = "patron"

urlpatterns = [
    path("", patron_views.overview, name="overview"),
    path("pinjaman/", patron_views.loans, name="loans"),
    path("pinjaman/<int:pk>/perpanjang/", patron_views.renew, name="renew"),
    path("reservasi/", patron_views.holds, name="holds"),
    path("reservasi/<int:pk>/batal/", patron_views.cancel_hold, name="cancel_hold"),
    path("denda/", patron_views.fines, name="fines"),
    path("riwayat/", patron_views.history, name="history"),
    path("pesan/<int:record_pk>/", patron_views.place_hold, name="place_hold"),
]
