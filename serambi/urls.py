from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path


def superuser_only(request) -> bool:
    """The Django admin is a fallback for superusers, not the staff workspace."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superuser_only
admin.site.site_header = "Serambi"

urlpatterns = [
    path("", include("serambi.web.urls")),
    path("", include("serambi.catalog.public_urls")),
    path("cari/", include("serambi.search.urls")),
    path("", include("serambi.accounts.urls")),
    path("staf/katalog/", include("serambi.catalog.urls")),
    path("staf/anggota/", include("serambi.members.urls")),
    path("", include("serambi.members.public_urls")),
    path("staf/sirkulasi/", include("serambi.circulation.urls")),
    path("akun/", include("serambi.circulation.patron_urls")),
    path("", include("serambi.programs.urls")),
    path("staf/kegiatan/", include("serambi.programs.staff_urls")),
    path("", include("serambi.spaces.urls")),
    path("staf/ruang/", include("serambi.spaces.staff_urls")),
    path("api/v1/", include("serambi.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "serambi.web.views.permission_denied"
handler404 = "serambi.web.views.page_not_found"
handler500 = "serambi.web.views.server_error"
