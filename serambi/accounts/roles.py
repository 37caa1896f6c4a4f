"""Staff roles as groups with permissions, kept in code and synced on migrate.

A role's group is found by its stable ``code``; the label is what people read.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

WORKSPACE = "core.access_workspace"


@dataclass(frozen=True)
class Role:
    code: str
    label: str | Promise
    permissions: tuple[str, ...]  # "app_label.codename"; "*" means every permission
    is_staff_role: bool = True


def _crud(app: str, *models: str, actions: tuple[str, ...] = ("view", "add", "change")) -> tuple:
    return tuple(f"{app}.{action}_{model}" for model in models for action in actions)


ROLES: tuple[Role, ...] = (
    Role("administrator", _("Administrator"), ("*",)),
    Role(
        "cataloguer",
        _("Cataloguer"),
        (WORKSPACE, "catalog.import_marc", "catalog.print_labels", "catalog.delete_item")
        + _crud("catalog", "record", "item", "contributor", "subject")
        + ("core.view_branch",),
    ),
    Role(
        "circulation",
        _("Circulation librarian"),
        (WORKSPACE, "catalog.view_record", "catalog.view_item", "catalog.change_item")
        + ("core.view_branch", "members.verify_member", "circulation.override_block")
        + _crud("members", "member", "visit")
        + _crud("circulation", "loan", "hold", "fine", "payment")
        + ("circulation.view_loanrule",),
    ),
    Role(
        "programs",
        _("Programmes coordinator"),
        (WORKSPACE, "catalog.view_record", "catalog.view_item", "core.view_branch")
        + ("members.view_member", "programs.manage_programs", "spaces.manage_bookings")
        + _crud("programs", "program", "event", "registration", "certificate")
        + _crud("spaces", "space", "equipment", "booking"),
    ),
    Role(
        "branch_manager",
        _("Branch manager"),
        (WORKSPACE, "catalog.print_labels", "core.view_auditentry")
        + ("members.verify_member", "members.erase_member", "circulation.override_block")
        + ("circulation.manage_loan_rules", "circulation.waive_fine")
        + ("programs.manage_programs", "spaces.manage_bookings")
        + _crud("programs", "program", "event", "registration", "programsettings")
        + _crud("spaces", "space", "equipment", "booking")
        + _crud("members", "member", "visit", "membercategory")
        + _crud("circulation", "loan", "hold", "fine", "payment", "loanrule")
        + _crud("catalog", "record", "item")
        + _crud(
            "core",
            "branch",
            "openinghours",
            "closedday",
            actions=("view", "add", "change", "delete"),
        ),
    ),
    # A tablet at the entrance signed in to this role shows the guest book and nothing else.
    Role("kiosk", _("Guest-book kiosk"), ("members.add_visit",)),
    Role("patron", _("Patron"), (), is_staff_role=False),
)
ROLES_BY_CODE = {role.code: role for role in ROLES}
STAFF_ROLES = tuple(role for role in ROLES if role.is_staff_role)


def _permissions_for(role: Role) -> list[Permission]:
    if role.permissions == ("*",):
        return list(Permission.objects.all())
    wanted = {tuple(name.split(".", 1)) for name in role.permissions}
    found = [
        perm
        for perm in Permission.objects.select_related("content_type")
        if (perm.content_type.app_label, perm.codename) in wanted
    ]
    return found


def sync_roles() -> None:
    """Create or update each role's group so it holds exactly the role's permissions."""
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.code)
        group.permissions.set(_permissions_for(role))


def sync_roles_after_migrate(sender, **kwargs) -> None:
    if getattr(sender, "label", None) != "accounts":
        return
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    # post_migrate reaches apps one by one; make every app's permissions now
    # so the groups can hold those of apps listed after this one.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    sync_roles()
