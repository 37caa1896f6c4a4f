"""A patron's own circulation pages under /akun/: loans, holds, fines, reading history.

Every page works on the signed-in person's own Member; an id that is not
theirs is "not found" (the access_* selectors), never someone else's data.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from serambi.catalog import selectors as catalog_selectors
from serambi.core.errors import DomainError
from serambi.members import selectors as member_selectors

from . import selectors, services
from .forms import HoldForm
from .models import Channel

CARD_TEMPLATE = "members/_card.html"
HISTORY_PER_PAGE = 25


def member_page(view: Callable) -> Callable:
    """Sign-in required; the view gets the person's Member, or a note when there is none."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = member_selectors.member_for_user(request.user)
        if member is None:
            return render(request, "circulation/account/no_member.html")
        return view(request, member, *args, **kwargs)

    return wrapped


def _day(day) -> str:
    return date_format(day, "DATE_FORMAT")


def _card_template() -> str:
    """The members app's card partial, when it is there."""
    try:
        get_template(CARD_TEMPLATE)
    except TemplateDoesNotExist:
        return ""
    return CARD_TEMPLATE


@require_safe
@member_page
def overview(request, member):
    summary = selectors.member_summary(member)
    return render(
        request,
        "circulation/account/overview.html",
        {
            "member": member,
            "summary": summary,
            "ready_holds": [line for line in summary.holds if line.hold.status == "ready"],
            "card_template": _card_template(),
            "section": "overview",
        },
    )


@require_safe
@member_page
def loans(request, member):
    return render(
        request,
        "circulation/account/loans.html",
        {"member": member, "summary": selectors.member_summary(member), "section": "loans"},
    )


@require_POST
@member_page
def renew(request, member, pk: int):
    try:
        loan = selectors.access_loan_for_member(pk, member)
    except DomainError as missing:
        raise Http404 from missing
    try:
        loan = services.renew(loan=loan, by=request.user, channel=Channel.PATRON)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(title)s” is renewed; it is now due back on %(day)s.")
            % {"title": loan.item.record.title, "day": _day(loan.due_on)},
        )
    return redirect("patron:loans")


@require_safe
@member_page
def holds(request, member):
    return render(
        request,
        "circulation/account/holds.html",
        {"member": member, "holds": selectors.member_holds(member), "section": "holds"},
    )


@require_POST
@member_page
def cancel_hold(request, member, pk: int):
    try:
        hold = selectors.access_hold_for_member(pk, member)
    except DomainError as missing:
        raise Http404 from missing
    try:
        services.cancel_hold(hold=hold, by=request.user, reason=_("Cancelled by the member"))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Your hold on “%(title)s” is cancelled.") % {"title": hold.record.title}
        )
    return redirect("patron:holds")


@require_safe
@member_page
def fines(request, member):
    return render(
        request,
        "circulation/account/fines.html",
        {
            "member": member,
            "fines": selectors.fines_for(member).prefetch_related("payments"),
            "unpaid_total": selectors.unpaid_total(member),
            "section": "fines",
        },
    )


@require_safe
@member_page
def history(request, member):
    page = None
    if member.keep_reading_history:
        page = Paginator(selectors.loan_history(member), HISTORY_PER_PAGE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "circulation/account/history.html",
        {"member": member, "page": page, "section": "history"},
    )


@require_http_methods(["GET", "POST"])
def place_hold(request, record_pk: int):
    """Reserve a title from its public page: collect at the chosen branch."""
    record = catalog_selectors.public_record(record_pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("opac:record", args=[record.pk]))
    member = member_selectors.member_for_user(request.user)
    if member is None:
        return render(request, "circulation/account/no_member.html")
    form = HoldForm(request.POST or None, initial={"pickup_branch": member.home_branch_id})
    if request.method == "POST" and form.is_valid():
        try:
            hold = services.place_hold(
                record=record,
                member=member,
                pickup_branch=form.cleaned_data["pickup_branch"],
                by=request.user,
                channel=Channel.PATRON,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "“%(title)s” is reserved for you; we will tell you when it is ready "
                    "at %(branch)s."
                )
                % {"title": record.title, "branch": hold.pickup_branch.name},
            )
            return redirect("patron:holds")
    return render(
        request,
        "circulation/account/place_hold.html",
        {"record": record, "member": member, "form": form},
    )
