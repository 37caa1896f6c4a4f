"""Public creative-space pages and a member's bookings, mounted at the site root."""

from django.urls import path

from . import views

app_name = "spaces"

urlpatterns = [
    path("ruang/", views.index, name="index"),
    path("ruang/<slug:slug>/", views.space, name="space"),
    path("ruang/<slug:slug>/pesan/", views.book, name="book"),
    path("akun/ruang/", views.my_bookings, name="my_bookings"),
    path("akun/ruang/<int:pk>/batal/", views.cancel, name="cancel"),
    path("akun/ruang/<int:pk>/hadir/", views.check_in, name="check_in"),
]
