from django.urls import path

from . import views

app_name = "circulation"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("cabang/", views.desk_branch, name="desk_branch"),
    path("selesai/", views.desk_done, name="desk_done"),
    path("pinjam/", views.checkout_scan, name="checkout"),
    path("kembali/", views.checkin, name="checkin"),
    path("pinjaman/<int:pk>/perpanjang/", views.renew, name="renew"),
    path("pinjaman/<int:pk>/hilang/", views.declare_lost, name="declare_lost"),
    path("pinjaman/<int:pk>/rusak/", views.charge_damage, name="charge_damage"),
    path("denda/<int:pk>/bayar/", views.pay, name="pay"),
    path("denda/<int:pk>/bebaskan/", views.waive, name="waive"),
    path("daftar-ambil/", views.pull_list, name="pull_list"),
    path("reservasi/", views.holds, name="holds"),
    path("reservasi/terima/", views.receive_transit, name="receive_transit"),
    path("aturan/", views.rules, name="rules"),
    path("aturan/baru/", views.rule_edit, name="rule_create"),
    path("aturan/<int:pk>/ubah/", views.rule_edit, name="rule_update"),
    path("aturan/<int:pk>/hapus/", views.rule_delete, name="rule_delete"),
    path("aturan/pengaturan/", views.settings_update, name="settings"),
]
