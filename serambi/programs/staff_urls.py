"""Staff pages for programs and events, mounted at /staf/kegiatan/."""

from django.urls import path

from . import staff_views

app_name = "programs_staff"

urlpatterns = [
    path("", staff_views.index, name="index"),
    path("program/baru/", staff_views.program_create, name="program_create"),
    path("program/<int:pk>/", staff_views.program_detail, name="program"),
    path("program/<int:pk>/ubah/", staff_views.program_update, name="program_update"),
    path("program/<int:program_pk>/jadwal/", staff_views.event_create, name="event_create"),
    path("acara/<int:pk>/", staff_views.event_detail, name="event"),
    path("acara/<int:pk>/ubah/", staff_views.event_update, name="event_update"),
    path("acara/<int:pk>/batal/", staff_views.event_cancel, name="event_cancel"),
    path(
        "acara/<int:pk>/peserta/<int:registration_pk>/hadir/",
        staff_views.mark_attendance,
        name="mark_attendance",
    ),
    path("acara/<int:pk>/peserta.xlsx", staff_views.export_attendees, name="export"),
    path("acara/<int:pk>/pesan/", staff_views.message_registrants, name="message"),
    path("acara/<int:pk>/pindai/", staff_views.check_in, name="check_in"),
    path("acara/<int:pk>/tutup/", staff_views.close_event, name="close"),
    path("acara/<int:pk>/sertifikat/", staff_views.issue_certificates, name="certificates"),
]
