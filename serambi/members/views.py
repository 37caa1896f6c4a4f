"""Member pages: staff workspace, public pre-registration, the patron's own pages, the kiosk.

Each view parses a form, calls one service or selector, and renders or redirects.
"""

import json
from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from serambi.accounts.access import workspace_required
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.core.selectors import service_points

from . import selectors, services
from .forms import (
    BranchChoiceForm,
    CardCheckInForm,
    CategoryForm,
    DeletionRequestForm,
    EraseForm,
    GroupVisitForm,
    GuestCheckInForm,
    MemberFilterForm,
    PreferencesForm,
    PreregistrationForm,
    RenewForm,
    StaffMemberForm,
    StatusForm,
    VerifyForm,
)
from .models import Member

KIOSK_SESSION_KEY = "members.kiosk_welcome"
GUESTBOOK_DAYS = 7


def _show_domain_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal next to the field it is about, or above the form."""
    field = error.data.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def desk_url(member: Member) -> str:
    """The circulation desk with this member's card scanned in, or "" while the desk is missing."""
    try:
        base = reverse("circulation:desk")
    except NoReverseMatch:
        return ""
    return f"{base}?{urlencode({'card': member.card_number})}"


# ----------------------------------------------------------------------------- staff


@workspace_required("members.view_member")
@require_safe
def member_list(request):
    form = MemberFilterForm(request.GET or None)
    members = selectors.member_list(form.filters())
    page = Paginator(members, selectors.MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/member_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "pending_count": selectors.pending_members().count(),
        },
    )


@workspace_required("members.view_member")
@require_safe
def pending_list(request):
    page = Paginator(selectors.pending_members(), selectors.MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "members/pending_list.html", {"page": page, "query": ""})


@workspace_required("members.add_member")
@require_http_methods(["GET", "POST"])
def member_create(request):
    initial = {"home_branch": request.user.home_branch_id, "phone_is_whatsapp": True}
    form = StaffMemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.register_member(data=form.member_data(), by=request.user)
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is registered with card number %(card)s.")
                % {"name": member.full_name, "card": member.card_number},
            )
            return redirect(member)
    return render(request, "members/member_form.html", {"form": form, "member": None})


@workspace_required("members.view_member")
@require_safe
def member_detail(request, pk: int):
    member = selectors.access_member(pk, request.user)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "summary": selectors.circulation_summary(member),
            "desk_url": desk_url(member),
            "today": timezone.localdate(),
            "verify_form": VerifyForm(),
            "renew_form": RenewForm(),
            "status_form": StatusForm(),
            "recent_visits": member.visits.select_related("branch")[:5],
        },
    )


@workspace_required("members.change_member")
@require_http_methods(["GET", "POST"])
def member_update(request, pk: int):
    member = selectors.access_member(pk, request.user, perm="members.change_member")
    form = StaffMemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.update_member(member=member, data=form.update_data(), by=request.user)
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s's details are saved.") % {"name": member})
            return redirect(member)
    return render(request, "members/member_form.html", {"form": form, "member": member})


def _member_action(request, member: Member, form: forms.Form, act: Callable, done: str):
    """Run a POSTed status action; on a refusal show the detail page again with the message."""
    if form.is_valid():
        try:
            member = act(form.cleaned_data)
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(request, done % {"name": member.full_name})
            return redirect(member)
    for error in form.errors.get("__all__", []):
        messages.error(request, error)
    for name, errors in form.errors.items():
        if name != "__all__":
            messages.error(request, f"{form.fields[name].label}: {' '.join(errors)}")
    return redirect(member)


@workspace_required("members.verify_member")
@require_POST
def member_verify(request, pk: int):
    member = selectors.access_member(pk, request.user, perm="members.verify_member")
    form = VerifyForm(request.POST)
    return _member_action(
        request,
        member,
        form,
        lambda data: services.verify_member(member=member, by=request.user, nik=data["nik"]),
        _("%(name)s is verified; the membership is active."),
    )


@workspace_required("members.change_member")
@require_POST
def member_renew(request, pk: int):
    member = selectors.access_member(pk, request.user, perm="members.change_member")
    return _member_action(
        request,
        member,
        RenewForm(request.POST),
        lambda data: services.renew_membership(member=member, by=request.user, until=data["until"]),
        _("%(name)s's membership is renewed."),
    )


@workspace_required("members.change_member")
@require_POST
def member_status(request, pk: int):
    member = selectors.access_member(pk, request.user, perm="members.change_member")
    return _member_action(
        request,
        member,
        StatusForm(request.POST),
        lambda data: services.set_member_status(
            member=member, status=data["status"], reason=data["reason"], by=request.user
        ),
        _("%(name)s's status is changed."),
    )


@workspace_required("members.erase_member")
@require_http_methods(["GET", "POST"])
def member_erase(request, pk: int):
    member = selectors.access_member(pk, request.user, perm="members.erase_member")
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erase_member(member=member, by=request.user)
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(request, _("The member's personal data is erased."))
            return redirect("members:list")
    return render(
        request,
        "members/member_erase.html",
        {"member": member, "form": form, "summary": selectors.circulation_summary(member)},
    )


@workspace_required("members.verify_member")
@require_safe
def member_card(request, pk: int):
    member = selectors.access_member(pk, request.user, perm="members.verify_member")
    return render(request, "members/card_print.html", {"member": member})


# ----------------------------------------------------------------------------- categories


@workspace_required("members.change_membercategory")
@require_safe
def category_list(request):
    return render(request, "members/category_list.html", {"categories": selectors.categories()})


@workspace_required("members.change_membercategory", "members.add_membercategory")
@require_http_methods(["GET", "POST"])
def category_create(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.create_category(data=form.category_data(), by=request.user)
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category})
            return redirect("members:categories")
    return render(request, "members/category_form.html", {"form": form, "category": None})


@workspace_required("members.change_membercategory")
@require_http_methods(["GET", "POST"])
def category_update(request, pk: int):
    category = selectors.access_category(pk, request.user)
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.update_category(
                category=category, data=form.category_data(), by=request.user
            )
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(request, _("Category “%(name)s” saved.") % {"name": category})
            return redirect("members:categories")
    return render(request, "members/category_form.html", {"form": form, "category": category})


# ----------------------------------------------------------------------------- guest book (staff)


def _chosen_branch(request) -> Branch | None:
    form = BranchChoiceForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["branch"]
    branches = service_points()
    home = getattr(request.user, "home_branch_id", None)
    return branches.filter(pk=home).first() or branches.first()


@workspace_required("members.view_visit")
@require_http_methods(["GET", "POST"])
def guestbook(request):
    branch = _chosen_branch(request)
    form = GroupVisitForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("members.add_visit"):
            raise PermissionDenied
        if branch is not None and form.is_valid():
            data = form.cleaned_data
            try:
                services.check_in_visit(
                    branch=branch,
                    guest_name=data["guest_name"],
                    institution=data["institution"],
                    purpose=data["purpose"],
                    head_count=data["head_count"],
                    is_group=True,
                    by=request.user,
                )
            except DomainError as error:
                _show_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("The group visit of %(count)s people is in the guest book.")
                    % {"count": data["head_count"]},
                )
                return redirect(f"{reverse('members:guestbook')}?branch={branch.code}")
    dates, table = selectors.visit_table(days=GUESTBOOK_DAYS)
    return render(
        request,
        "members/guestbook.html",
        {
            "branch": branch,
            "branch_form": BranchChoiceForm(initial={"branch": branch.code if branch else None}),
            "visits": selectors.visits_on(branch=branch) if branch else [],
            "form": form,
            "dates": dates,
            "table": table,
        },
    )


# ----------------------------------------------------------------------------- public


@require_http_methods(["GET", "POST"])
def register(request):
    """Online pre-registration (/daftar/): an account and a pending membership."""
    signed_in = request.user.is_authenticated
    if signed_in and selectors.member_for_user(request.user) is not None:
        messages.info(request, _("You are already registered; here is your member card."))
        return redirect("members_public:card")
    form = PreregistrationForm(request.POST or None, with_account=not signed_in)
    if request.method == "POST" and form.is_valid():
        try:
            if signed_in:
                member = services.preregister(data=form.member_data(), user=request.user)
            else:
                member = services.preregister(
                    data=form.member_data(),
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
        except DomainError as error:
            if error.code == "accounts.username_taken":
                form.add_error("username", error.message)
            else:
                _show_domain_error(form, error)
        else:
            if not signed_in:
                login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("members_public:register_done")
    return render(
        request,
        "members/register.html",
        {"form": form, "signed_in": signed_in},
    )


def _patron_member(request) -> Member | None:
    return selectors.member_for_user(request.user)


def _no_member(request):
    return render(request, "members/no_member.html")


@login_required
@require_safe
def register_done(request):
    member = _patron_member(request)
    if member is None:
        return _no_member(request)
    return render(request, "members/register_done.html", {"member": member})


@login_required
@require_safe
def my_card(request):
    member = _patron_member(request)
    if member is None:
        return _no_member(request)
    return render(
        request, "members/my_card.html", {"member": member, "today": timezone.localdate()}
    )


@login_required
@require_safe
def my_data(request):
    member = _patron_member(request)
    if member is None:
        return _no_member(request)
    export = selectors.member_data_export(member)
    response = HttpResponse(
        json.dumps(export, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"serambi-{member.card_number}-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_preferences(request):
    member = _patron_member(request)
    if member is None:
        return _no_member(request)
    form = PreferencesForm(
        request.POST or None,
        initial={
            "keep_reading_history": member.keep_reading_history,
            "receive_news": member.receive_news,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.update_own_preferences(
            member=member,
            keep_reading_history=form.cleaned_data["keep_reading_history"],
            receive_news=form.cleaned_data["receive_news"],
        )
        messages.success(request, _("Your choices are saved."))
        return redirect("members_public:preferences")
    return render(request, "members/my_preferences.html", {"member": member, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def my_deletion(request):
    member = _patron_member(request)
    if member is None:
        return _no_member(request)
    form = DeletionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_deletion(member=member)
        messages.success(
            request,
            _("Your request is recorded. The library will erase your data and tell you."),
        )
        return redirect("members_public:deletion")
    return render(
        request,
        "members/my_deletion.html",
        {"member": member, "form": form, "summary": selectors.circulation_summary(member)},
    )


# ----------------------------------------------------------------------------- kiosk


def kiosk_required(view: Callable) -> Callable:
    """The guest-book kiosk: signed in with members.add_visit (the kiosk role, or staff)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("members.add_visit"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _first_name(name: str) -> str:
    return (name or "").split(" ", 1)[0]


@kiosk_required
@require_http_methods(["GET", "POST"])
def kiosk(request, branch_code: str):
    """The guest book at the entrance: scan a card, or write a guest's name; then welcome."""
    branch = get_object_or_404(Branch, code=branch_code, is_active=True)
    card_form = CardCheckInForm(prefix="card")
    guest_form = GuestCheckInForm(prefix="guest")
    if request.method == "POST":
        welcome = None
        if "card-card_number" in request.POST:
            card_form = CardCheckInForm(request.POST, prefix="card")
            if card_form.is_valid():
                welcome = _kiosk_member(card_form, branch=branch, by=request.user)
        else:
            guest_form = GuestCheckInForm(request.POST, prefix="guest")
            if guest_form.is_valid():
                welcome = _kiosk_guest(guest_form, branch=branch, by=request.user)
        if welcome is not None:
            request.session[KIOSK_SESSION_KEY] = welcome
            return redirect("members_public:kiosk", branch_code=branch.code)
    if guest_form.is_bound:
        # The guest is typing; the card field must not take the focus away.
        card_form.fields["card_number"].widget.attrs.pop("autofocus", None)
    welcome = request.session.pop(KIOSK_SESSION_KEY, None) if request.method == "GET" else None
    return render(
        request,
        "members/kiosk.html",
        {
            "branch": branch,
            "card_form": card_form,
            "guest_form": guest_form,
            "welcome": welcome,
            "show_guest": guest_form.is_bound,
        },
        status=200 if not (card_form.errors or guest_form.errors) else 422,
    )


def _kiosk_member(form: CardCheckInForm, *, branch: Branch, by) -> dict | None:
    try:
        member = selectors.member_by_card(form.cleaned_data["card_number"])
    except DomainError as error:
        _show_domain_error(form, error)
        return None
    name = _first_name(member.full_name)
    try:
        services.check_in_visit(branch=branch, member=member, purpose="read", by=by)
    except DomainError as error:
        if error.code != "members.already_checked_in":
            _show_domain_error(form, error)
            return None
        return {"name": name, "again": True}
    return {"name": name, "again": False}


def _kiosk_guest(form: GuestCheckInForm, *, branch: Branch, by) -> dict | None:
    data = form.cleaned_data
    try:
        visit = services.check_in_visit(
            branch=branch,
            guest_name=data["guest_name"],
            institution=data["institution"],
            purpose=data["purpose"],
            head_count=data["head_count"] if data["is_group"] else 1,
            is_group=data["is_group"],
            by=by,
        )
    except DomainError as error:
        if error.code != "members.already_checked_in":
            _show_domain_error(form, error)
            return None
        return {"name": _first_name(data["guest_name"]), "again": True}
    return {
        "name": visit.guest_name if visit.is_group else _first_name(visit.guest_name),
        "again": False,
        "group": visit.head_count if visit.is_group else 0,
    }
