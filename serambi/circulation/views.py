"""The circulation desk and the staff holds and loan-rule pages.

Each view parses a form, calls one service or selector and renders or
redirects. A scan at the desk answers with a small HTML fragment when
desk.js sent it (``HX-Request``), else with a redirect back to the desk, where
the same result line is shown from the session: both ways read alike.
"""

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from serambi.accounts.access import workspace_required
from serambi.catalog import selectors as catalog_selectors
from serambi.catalog.selectors import active_branches
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.members import selectors as member_selectors

from . import selectors, services
from .forms import (
    CardForm,
    CirculationSettingsForm,
    DamageForm,
    DeskBranchForm,
    LoanRuleForm,
    OverrideForm,
    PaymentForm,
    RuleFilterForm,
    ScanForm,
    WaiverForm,
)
from .models import Channel, LoanRule
from .types import LoanLine

SESSION_MEMBER = "circulation.desk_member"
SESSION_BRANCH = "circulation.desk_branch"
SESSION_LOG = "circulation.desk_log"
# Result lines kept on the desk page; the newest first.
LOG_LENGTH = 12


# --- the desk's state: branch, member, result lines -------------------------------------


def _desk_branch(request) -> Branch | None:
    """The branch this desk lends from: chosen in the session, else the staff member's own."""
    branches = active_branches()
    for pk in (request.session.get(SESSION_BRANCH), request.user.home_branch_id):
        if pk and (branch := branches.filter(pk=pk).first()):
            return branch
    return branches.first()


def _desk_member(request):
    """The member at the desk now, or None (also when they were erased meanwhile)."""
    pk = request.session.get(SESSION_MEMBER)
    if not pk:
        return None
    try:
        return member_selectors.access_member(pk, request.user)
    except (Http404, PermissionDenied):
        request.session.pop(SESSION_MEMBER, None)
        return None


def _open_member(request, member) -> None:
    if request.session.get(SESSION_MEMBER) != member.pk:
        request.session[SESSION_LOG] = []
    request.session[SESSION_MEMBER] = member.pk


def _remember(request, entry: dict) -> None:
    request.session[SESSION_LOG] = [entry, *request.session.get(SESSION_LOG, [])][:LOG_LENGTH]


def _answer(request, entry: dict, *, back: str, member=None):
    """One scan's result: a fragment for desk.js, or a redirect to the page that shows it."""
    _remember(request, entry)
    if request.htmx:
        context = {"entry": entry, "member": member, "refresh_loans": member is not None}
        if member is not None:
            context["lines"] = _loan_lines(member)
        return HttpResponse(render_to_string("circulation/_scan_response.html", context, request))
    return redirect(back)


def _loan_lines(member) -> list[LoanLine]:
    """The member's loans for the list a scan refreshes: one query, no fine arithmetic.

    The full summary (accruing fines, renewals left) is drawn when the page loads;
    a scan only has to show the new loan and the due dates.
    """
    today = timezone.localdate()
    return [
        LoanLine(
            loan=loan,
            due_on=loan.due_on,
            days_overdue=max((today - loan.due_on).days, 0),
            accruing_fine=0,
            renewals_left=0,
        )
        for loan in selectors.open_loans(member)
    ]


def _initials(name: str) -> str:
    return "".join(f"{word[0]}." for word in name.split() if word[:1].isalnum()).upper()


def _who(member) -> str:
    """How a routing slip names a member: initials and card, never the full name."""
    if member is None:
        return ""
    return f"{_initials(member.full_name)} ({member.card_number})"


def _day(day) -> str:
    return date_format(day, "DATE_FORMAT")


def _rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def _refusal(
    error: DomainError,
    *,
    barcode: str = "",
    override_url: str = "",
    override_label: str = "",
    user=None,
) -> dict:
    """A refused act as a result line; with an override form where the block may be lifted."""
    can_override = bool(
        override_url
        and error.data.get("overridable")
        and user is not None
        and user.has_perm("circulation.override_block")
    )
    return {
        "id": secrets.token_hex(4),
        "tone": "error",
        "headline": error.message,
        "lines": [_("Barcode %(barcode)s") % {"barcode": barcode}] if barcode else [],
        "code": error.code,
        "override_url": override_url if can_override else "",
        "override_label": override_label,
        "barcode": barcode,
    }


def _invalid(form) -> dict:
    problems = [str(error) for errors in form.errors.values() for error in errors]
    return {"tone": "error", "headline": " ".join(problems), "lines": [], "code": "form"}


def _find_item(barcode: str):
    items, _missing = catalog_selectors.items_by_barcodes([barcode])
    if not items:
        raise DomainError(
            "catalog.item_not_found",
            _("No item has the barcode %(barcode)s.") % {"barcode": barcode},
            barcode=barcode,
        )
    return items[0]


# --- the desk ---------------------------------------------------------------------------


@workspace_required("circulation.add_loan")
@require_safe
def desk(request):
    card_form = CardForm(request.GET if "card" in request.GET else None)
    if card_form.is_bound and card_form.is_valid():
        try:
            member = member_selectors.member_by_card(card_form.cleaned_data["card"].strip())
        except DomainError as error:
            card_form.add_error("card", error.message)
        else:
            _open_member(request, member)
            return redirect("circulation:desk")
    member = None if card_form.is_bound else _desk_member(request)
    context = {
        "mode": "checkout",
        "branch": _desk_branch(request),
        "desk_branches": active_branches(),
        "card_form": card_form,
        "member": member,
        "log": request.session.get(SESSION_LOG, []),
    }
    if member is not None:
        context["summary"] = selectors.member_summary(member)
    return render(request, "circulation/desk.html", context)


@workspace_required("circulation.add_loan")
@require_POST
def desk_branch(request):
    form = DeskBranchForm(request.POST)
    if form.is_valid():
        request.session[SESSION_BRANCH] = form.cleaned_data["branch"].pk
        messages.success(
            request,
            _("This desk now works for %(branch)s.") % {"branch": form.cleaned_data["branch"]},
        )
    else:
        messages.error(request, _("Choose one of the library's active branches."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/staf/sirkulasi/") else reverse("circulation:desk"))


@workspace_required("circulation.add_loan")
@require_POST
def desk_done(request):
    """The member leaves the desk: the next card starts afresh."""
    request.session.pop(SESSION_MEMBER, None)
    request.session[SESSION_LOG] = []
    return redirect("circulation:desk")


@workspace_required("circulation.add_loan")
@require_POST
def checkout_scan(request):
    member = _desk_member(request)
    if member is None:
        messages.error(request, _("Scan the member's card first."))
        return redirect("circulation:desk")
    back = reverse("circulation:desk")
    form = ScanForm(request.POST)
    if not form.is_valid():
        return _answer(request, _invalid(form), back=back, member=member)
    barcode = form.cleaned_data["barcode"].strip()
    try:
        item = _find_item(barcode)
        loan = services.checkout(
            item=item,
            member=member,
            by=request.user,
            branch=_desk_branch(request),
            channel=Channel.DESK,
            override_reason=form.cleaned_data["override_reason"],
        )
    except DomainError as error:
        entry = _refusal(
            error,
            barcode=barcode,
            override_url=reverse("circulation:checkout"),
            override_label=_("Lend anyway"),
            user=request.user,
        )
        return _answer(request, entry, back=back, member=member)
    entry = {
        "tone": "ok",
        "headline": _("Lent: %(title)s") % {"title": item.record.title},
        "lines": [
            _("Barcode %(barcode)s · due back %(day)s")
            % {"barcode": item.barcode, "day": _day(loan.due_on)}
        ],
    }
    return _answer(request, entry, back=back, member=member)


def _checkin_entry(result, item) -> dict:
    lines = [_("Barcode %(barcode)s") % {"barcode": item.barcode}]
    if result.fine is not None:
        lines.append(
            _("Returned late: a fine of %(amount)s was charged.")
            % {"amount": _rupiah(result.fine.amount)}
        )
    instruction = ""
    if result.hold is not None and result.in_transit_to is not None:
        instruction = _("Send to %(branch)s for %(who)s.") % {
            "branch": result.in_transit_to.name,
            "who": _who(result.hold.member),
        }
    elif result.hold is not None:
        instruction = _("Put on the hold shelf for %(who)s.") % {"who": _who(result.hold.member)}
    elif result.in_transit_to is not None:
        instruction = _("Send to %(branch)s.") % {"branch": result.in_transit_to.name}
    return {
        "tone": "warn" if instruction or result.fine is not None else "ok",
        "headline": _("Returned: %(title)s") % {"title": item.record.title},
        "lines": lines,
        "instruction": instruction,
    }


@workspace_required("circulation.change_loan")
@require_http_methods(["GET", "POST"])
def checkin(request):
    """Return items: from the desk's mode switch, or straight here with no member."""
    if request.method == "GET":
        context = {
            "mode": "checkin",
            "branch": _desk_branch(request),
            "desk_branches": active_branches(),
            "member": _desk_member(request),
            "log": request.session.get(SESSION_LOG, []),
        }
        return render(request, "circulation/checkin.html", context)
    back = reverse("circulation:checkin")
    form = ScanForm(request.POST)
    if not form.is_valid():
        return _answer(request, _invalid(form), back=back)
    barcode = form.cleaned_data["barcode"].strip()
    try:
        item = _find_item(barcode)
        result = services.checkin(
            item=item, by=request.user, branch=_desk_branch(request), channel=Channel.DESK
        )
    except DomainError as error:
        return _answer(request, _refusal(error, barcode=barcode), back=back)
    return _answer(request, _checkin_entry(result, item), back=back)


@workspace_required("circulation.change_loan")
@require_POST
def renew(request, pk: int):
    member = _desk_member(request)
    if member is None:
        messages.error(request, _("Scan the member's card first."))
        return redirect("circulation:desk")
    # Only a loan of the member at the desk: an id from elsewhere is not found.
    loan = get_object_or_404(selectors.open_loans(member), pk=pk)
    form = OverrideForm(request.POST)
    reason = form.cleaned_data["override_reason"] if form.is_valid() else ""
    back = reverse("circulation:desk")
    try:
        loan = services.renew(
            loan=loan, by=request.user, channel=Channel.DESK, override_reason=reason
        )
    except DomainError as error:
        entry = _refusal(
            error,
            barcode=loan.item.barcode,
            override_url=reverse("circulation:renew", args=[loan.pk]),
            override_label=_("Renew anyway"),
            user=request.user,
        )
        return _answer(request, entry, back=back, member=member)
    entry = {
        "tone": "ok",
        "headline": _("Renewed: %(title)s") % {"title": loan.item.record.title},
        "lines": [
            _("Barcode %(barcode)s · now due back %(day)s")
            % {"barcode": loan.item.barcode, "day": _day(loan.due_on)}
        ],
    }
    return _answer(request, entry, back=back, member=member)


def _desk_loan(request, pk: int):
    """Only a loan of the member at the desk: an id from elsewhere is not found."""
    member = _desk_member(request)
    if member is None:
        raise Http404
    return member, get_object_or_404(selectors.open_loans(member), pk=pk)


@workspace_required("circulation.change_loan")
@require_POST
def declare_lost(request, pk: int):
    member, loan = _desk_loan(request, pk)
    try:
        fine = services.declare_lost(loan=loan, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(title)s is recorded as lost; %(amount)s charged for a replacement.")
            % {"title": loan.item.record.title, "amount": _rupiah(fine.amount)},
        )
    return redirect(reverse("circulation:desk") + "#fines")


@workspace_required("circulation.add_fine")
@require_POST
def charge_damage(request, pk: int):
    member, loan = _desk_loan(request, pk)
    form = DamageForm(request.POST)
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(problems))
        return redirect(reverse("circulation:desk") + "#member-loans")
    try:
        # Still on loan: charged now, the copy's status is settled when it comes back.
        fine = services.charge_damage(
            item=loan.item,
            member=member,
            amount=form.cleaned_data["amount"],
            description=form.cleaned_data["description"],
            by=request.user,
            mark_damaged=False,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(amount)s charged for damage to %(title)s.")
            % {"amount": _rupiah(fine.amount), "title": loan.item.record.title},
        )
    return redirect(reverse("circulation:desk") + "#fines")


def _desk_fine(request, pk: int):
    member = _desk_member(request)
    if member is None:
        raise Http404
    return get_object_or_404(selectors.fines_for(member, unpaid_only=True), pk=pk)


@workspace_required("circulation.add_payment")
@require_POST
def pay(request, pk: int):
    fine = _desk_fine(request, pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("amount", [])))
        return redirect(reverse("circulation:desk") + "#fines")
    try:
        payment = services.pay_fine(
            fine=fine,
            amount=form.cleaned_data["amount"],
            by=request.user,
            branch=_desk_branch(request),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Received %(amount)s. Receipt number %(receipt)s.")
            % {"amount": _rupiah(payment.amount), "receipt": payment.receipt_number},
        )
    return redirect(reverse("circulation:desk") + "#fines")


@workspace_required("circulation.waive_fine")
@require_POST
def waive(request, pk: int):
    fine = _desk_fine(request, pk)
    form = WaiverForm(request.POST)
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(problems))
        return redirect(reverse("circulation:desk") + "#fines")
    try:
        payment = services.waive_fine(
            fine=fine,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Waived %(amount)s. Receipt number %(receipt)s.")
            % {"amount": _rupiah(payment.amount), "receipt": payment.receipt_number},
        )
    return redirect(reverse("circulation:desk") + "#fines")


# --- holds: the pull list, the hold shelf, items in transit -------------------------------


@workspace_required("circulation.view_hold")
@require_safe
def pull_list(request):
    branch = _desk_branch(request)
    return render(
        request,
        "circulation/pull_list.html",
        {
            "branch": branch,
            "desk_branches": active_branches(),
            "rows": selectors.pull_list(branch) if branch else [],
        },
    )


@workspace_required("circulation.view_hold")
@require_safe
def holds(request):
    branch = _desk_branch(request)
    return render(
        request,
        "circulation/holds.html",
        {
            "branch": branch,
            "desk_branches": active_branches(),
            "awaiting": list(selectors.holds_awaiting_pickup(branch)) if branch else [],
            "in_transit": list(selectors.holds_in_transit_to(branch)) if branch else [],
            "today": timezone.localdate(),
            "log": request.session.get(SESSION_LOG, []),
        },
    )


@workspace_required("circulation.change_hold")
@require_POST
def receive_transit(request):
    back = reverse("circulation:holds")
    form = ScanForm(request.POST)
    if not form.is_valid():
        return _answer(request, _invalid(form), back=back)
    barcode = form.cleaned_data["barcode"].strip()
    try:
        item = _find_item(barcode)
        hold = services.receive_transit(item=item, branch=_desk_branch(request), by=request.user)
    except DomainError as error:
        return _answer(request, _refusal(error, barcode=barcode), back=back)
    entry = {
        "tone": "warn",
        "headline": _("Received: %(title)s") % {"title": item.record.title},
        "lines": [_("Barcode %(barcode)s") % {"barcode": item.barcode}],
        "instruction": _("Put on the hold shelf for %(who)s.") % {"who": _who(hold.member)},
    }
    return _answer(request, entry, back=back)


# --- loan rules and circulation settings -------------------------------------------------


@workspace_required("circulation.view_loanrule")
@require_safe
def rules(request):
    form = RuleFilterForm(request.GET or None)
    branch = form.cleaned_data["branch"] if form.is_bound and form.is_valid() else None
    matrix = selectors.loan_rule_matrix(branch=branch)
    return render(
        request,
        "circulation/rules.html",
        {
            "filter_form": form,
            "branch": branch,
            "matrix": matrix,
            "matrix_rows": [
                (
                    category,
                    [
                        (code, label, rule, _rule_fits(rule, category, code, branch))
                        for (code, label), rule in zip(matrix.material_types, row, strict=True)
                    ],
                )
                for category, row in zip(matrix.categories, matrix.rows, strict=True)
            ],
            "all_rules": LoanRule.objects.select_related("category", "branch"),
            "settings_form": CirculationSettingsForm(instance=selectors.circulation_settings()),
            "can_edit": request.user.has_perm("circulation.manage_loan_rules"),
        },
    )


def _rule_fits(rule, category, material_type: str, branch) -> bool:
    """Whether ``rule`` is made for exactly this cell (else editing it changes other cells too)."""
    return (
        rule is not None
        and rule.category_id == category.pk
        and rule.material_type == material_type
        and rule.branch_id == (branch.pk if branch else None)
    )


@workspace_required("circulation.manage_loan_rules")
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int | None = None):
    rule = get_object_or_404(LoanRule, pk=pk) if pk is not None else None
    if rule is not None:
        # Not ``instance=rule``: the form would write into it, and the service
        # audits the rule as it was before.
        initial = model_to_dict(rule, fields=LoanRuleForm.Meta.fields)
    else:
        initial = {
            key: request.GET[key]
            for key in ("category", "material_type", "branch")
            if key in request.GET
        }
    form = LoanRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.save_loan_rule(rule=rule, data=form.rule_data(), by=request.user)
        except DomainError as error:
            form.add_error(
                error.data.get("field") if error.data.get("field") in form.fields else None,
                error.message,
            )
        else:
            messages.success(request, _("Loan rule “%(rule)s” saved.") % {"rule": rule})
            return redirect(_rules_url(rule))
    return render(request, "circulation/rule_form.html", {"form": form, "rule": rule})


def _rules_url(rule) -> str:
    url = reverse("circulation:rules")
    return f"{url}?branch={rule.branch_id}" if rule.branch_id else url


@workspace_required("circulation.manage_loan_rules")
@require_http_methods(["GET", "POST"])
def rule_delete(request, pk: int):
    rule = get_object_or_404(LoanRule, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.delete_loan_rule(rule=rule, by=request.user)
        except DomainError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("Loan rule “%(rule)s” deleted.") % {"rule": rule})
            return redirect(_rules_url(rule))
    return render(request, "circulation/rule_confirm_delete.html", {"rule": rule, "error": error})


@workspace_required("circulation.manage_loan_rules")
@require_POST
def settings_update(request):
    form = CirculationSettingsForm(request.POST, instance=selectors.circulation_settings())
    if form.is_valid():
        try:
            services.update_circulation_settings(data=form.settings_data(), by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Circulation settings saved."))
            return redirect(reverse("circulation:rules") + "#settings")
    return render(request, "circulation/settings_form.html", {"form": form})
