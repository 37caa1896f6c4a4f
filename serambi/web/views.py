from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

from serambi.accounts.access import workspace_required
from serambi.core.selectors import service_points
from serambi.programs import views as programs_views
from serambi.search import services as search_services

NEW_ARRIVALS = 8


def home(request):
    context = {
        "branches": service_points(),
        "new_arrivals": search_services.new_arrivals(limit=NEW_ARRIVALS),
        # Filled by the news and programmes apps; see web/home.html.
        "news_and_events": programs_views.home_entries(),
    }
    return render(request, "web/home.html", context)


@workspace_required()
def workspace(request):
    return render(request, "staff/workspace.html")


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "web/error.html", {"status": 403}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "web/error.html", {"status": 404}, status=404)


@requires_csrf_token
def server_error(request):
    return render(request, "web/error.html", {"status": 500}, status=500)
