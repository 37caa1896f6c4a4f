from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path(
        "akun/masuk/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("akun/keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("staf/pengguna/", views.staff_list, name="staff_list"),
    path("staf/pengguna/<int:user_id>/peran/", views.staff_roles, name="staff_roles"),
]
