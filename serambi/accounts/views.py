from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from serambi.core.errors import DomainError

from . import selectors, services
from .access import workspace_required
from .forms import RolesForm
from .roles import ROLES_BY_CODE


@workspace_required("accounts.manage_roles")
def staff_list(request):
    users = selectors.staff_users()
    return render(
        request,
        "accounts/staff_list.html",
        {"users": users, "role_labels": {code: role.label for code, role in ROLES_BY_CODE.items()}},
    )


@workspace_required("accounts.manage_roles")
@require_http_methods(["GET", "POST"])
def staff_roles(request, user_id: int):
    person = selectors.access_user_for_role_change(user_id=user_id, actor=request.user)
    form = RolesForm(
        request.POST or None, initial={"roles": list(person.groups.values_list("name", flat=True))}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_roles(user=person, roles=form.cleaned_data["roles"], by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Roles of %(name)s saved.") % {"name": person})
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_roles.html", {"person": person, "form": form})
