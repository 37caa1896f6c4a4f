"""Staff pages for the creative space, mounted at /staf/ruang/."""

from django.urls import path

from . import staff_views

app_name = "spaces_staff"

urlpatterns = [
    path("", staff_views.day, name="day"),
    path("persetujuan/", staff_views.approvals, name="approvals"),
    path("pemesanan/<int:pk>/setujui/", staff_views.approve, name="approve"),
    path("pemesanan/<int:pk>/tolak/", staff_views.decline, name="decline"),
    path("pemesanan/<int:pk>/hadir/", staff_views.check_in, name="check_in"),
    path("pemakaian/", staff_views.usage, name="usage"),
    path("kelola/", staff_views.manage, name="manage"),
    path("kelola/ruang/baru/", staff_views.space_create, name="space_create"),
    path("kelola/ruang/<int:pk>/", staff_views.space_update, name="space_update"),
    path("kelola/peralatan/baru/", staff_views.equipment_create, name="equipment_create"),
    path("kelola/peralatan/<int:pk>/", staff_views.equipment_update, name="equipment_update"),
]
