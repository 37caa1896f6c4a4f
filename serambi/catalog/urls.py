from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("rekaman/baru/", views.record_create, name="record_create"),
    path("rekaman/<int:pk>/", views.record_detail, name="record_detail"),
    path("rekaman/<int:pk>/ubah/", views.record_update, name="record_update"),
    path("rekaman/<int:pk>/eksemplar/baru/", views.item_create, name="item_create"),
    path("eksemplar/<int:pk>/ubah/", views.item_update, name="item_update"),
    path("eksemplar/<int:pk>/hapus/", views.item_delete, name="item_delete"),
    path("impor/", views.import_upload, name="import_upload"),
    path("impor/<int:pk>/", views.import_detail, name="import_detail"),
    path("label/", views.labels, name="labels"),
]
