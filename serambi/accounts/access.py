"""Who may enter the staff workspace, checked at every staff door."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .roles import WORKSPACE


def workspace_required(*perms: str) -> Callable:
    """Let in signed-in staff holding the workspace permission and every one of ``perms``.

    Anonymous visitors go to the login page; signed-in people without the
    permissions get the 403 page (a patron never sees staff pages).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms((WORKSPACE, *perms)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
