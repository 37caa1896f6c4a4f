"""Public events pages, mounted at the site root: /kegiatan/…, /sertifikat/…, /akun/kegiatan/."""

from django.urls import path

from . import feeds, views

app_name = "programs"

urlpatterns = [
    path("kegiatan/", views.calendar, name="calendar"),
    path("kegiatan/bulan/<int:year>/<int:month>/", views.month, name="month"),
    path("kegiatan/kalender.ics", feeds.ical_all, name="ical"),
    path("kegiatan/rss/", feeds.EventsFeed(), name="rss"),
    path("kegiatan/atom/", feeds.EventsAtomFeed(), name="atom"),
    path("kegiatan/program/<slug:slug>/", views.program, name="program"),
    path("kegiatan/program/<slug:slug>/daftar/", views.register_series, name="register_series"),
    path("kegiatan/program/<slug:slug>/kalender.ics", feeds.ical_program, name="ical_program"),
    path("kegiatan/cabang/<slug:code>/kalender.ics", feeds.ical_branch, name="ical_branch"),
    path("kegiatan/acara/<int:pk>/", views.event, name="event"),
    path("kegiatan/acara/<int:pk>/daftar/", views.register, name="register"),
    path("kegiatan/pendaftaran/<str:token>/", views.registration, name="registration"),
    path(
        "kegiatan/pendaftaran/<str:token>/batal/",
        views.cancel_registration,
        name="cancel_registration",
    ),
    path("sertifikat/<str:code>/", views.verify, name="verify"),
    path("akun/kegiatan/", views.my_events, name="my_events"),
    path("akun/kegiatan/sertifikat/<str:code>.pdf", views.certificate_pdf, name="certificate_pdf"),
]
