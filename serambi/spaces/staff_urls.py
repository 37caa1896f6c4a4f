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
]
