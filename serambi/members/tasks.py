"""Members' background work, enqueued daily by ``serambi worker``."""

from django_tasks import task

from . import services


@task()
def expire_memberships_task() -> int:
    """Active members whose card ran out become expired (the desk sees it at once anyway)."""
    return services.expire_memberships()
