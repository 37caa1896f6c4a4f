from django.shortcuts import render

from serambi.accounts.access import workspace_required

from .models import Record


@workspace_required("catalog.view_record")
def record_list(request):
    return render(request, "catalog/record_list.html", {"records": Record.objects.all()[:50]})
