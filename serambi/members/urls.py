"""Staff member pages, mounted at /staf/anggota/."""

from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("baru/", views.member_create, name="create"),
    path("menunggu-verifikasi/", views.pending_list, name="pending"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/ubah/", views.member_update, name="update"),
    path("<int:pk>/verifikasi/", views.member_verify, name="verify"),
    path("<int:pk>/perpanjang/", views.member_renew, name="renew"),
    path("<int:pk>/status/", views.member_status, name="status"),
    path("<int:pk>/hapus/", views.member_erase, name="erase"),
    path("<int:pk>/kartu/", views.member_card, name="card"),
    path("jenis/", views.category_list, name="categories"),
    path("jenis/baru/", views.category_create, name="category_create"),
    path("jenis/<int:pk>/ubah/", views.category_update, name="category_update"),
    path("buku-tamu/", views.guestbook, name="guestbook"),
]
