from django.db.models import Case, IntegerField, QuerySet, Value, When

from .models import Branch

# The order people expect on a list of service points: the central library first.
_KIND_ORDER = Case(
    *(When(kind=kind, then=Value(position)) for position, kind in enumerate(Branch.Kind.values)),
    output_field=IntegerField(),
)


def service_points(*, active_only: bool = True) -> QuerySet[Branch]:
    """Branches in display order (central, branches, mobile units, school corners), with hours."""
    branches = Branch.objects.all() if not active_only else Branch.objects.filter(is_active=True)
    return branches.prefetch_related("opening_hours").order_by(_KIND_ORDER, "name")
