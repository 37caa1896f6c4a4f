"""Public and patron member pages at the site root: pre-registration, card, privacy, kiosk."""

from django.urls import path

from . import views

app_name = "members_public"

urlpatterns = [
    path("daftar/", views.register, name="register"),
    path("daftar/selesai/", views.register_done, name="register_done"),
    path("akun/kartu/", views.my_card, name="card"),
    path("akun/data/", views.my_data, name="data_export"),
    path("akun/preferensi/", views.my_preferences, name="preferences"),
    path("akun/hapus/", views.my_deletion, name="deletion"),
    path("buku-tamu/<slug:branch_code>/", views.kiosk, name="kiosk"),
]
