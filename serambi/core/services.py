from typing import Any

from django.db import models

from .models import AuditEntry


def record_audit(
    *, by: Any, action: str, target: models.Model | None = None, data: dict | None = None
) -> AuditEntry:
    """Write one audit entry; called inside the service's own transaction."""
    actor = by if getattr(by, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        data=data or {},
    )
