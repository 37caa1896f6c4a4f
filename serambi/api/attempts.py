"""Failed sign-ins counted in Django's cache, to slow down password guessing.

Each username and each client address has a window that opens at its first
failure and lasts :data:`WINDOW_SECONDS`; once a window holds its limit of
failures, sign-ins for that username (or from that address) are refused
until it closes, even with the right password. Successful sign-ins are not
counted. The cache is shared by every app server (a database cache by
default), so the limits hold behind a load balancer too.

The count is read and written in two steps, so a burst of parallel guesses
may slip a few past the limit; the limit is a brake, not a lock.
"""

import hashlib
import math
import time

from django.core.cache import cache

WINDOW_SECONDS = 15 * 60
FAILURES_PER_USERNAME = 5
FAILURES_PER_ADDRESS = 20


def _digest(value: str) -> str:
    # Keys stay short and free of characters some cache backends refuse.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _counters(*, username: str, client_ip: str) -> list[tuple[str, int]]:
    return [
        (f"api:signin-failures:user:{_digest(username.strip().casefold())}", FAILURES_PER_USERNAME),
        (f"api:signin-failures:ip:{_digest(client_ip)}", FAILURES_PER_ADDRESS),
    ]


def _window(key: str, now: float) -> tuple[int, float]:
    """Failures so far and when the window closes; a fresh window when none is open."""
    entry = cache.get(key)
    if isinstance(entry, list | tuple) and len(entry) == 2 and entry[1] > now:
        return int(entry[0]), float(entry[1])
    return 0, now + WINDOW_SECONDS


def seconds_until_allowed(*, username: str, client_ip: str) -> int | None:
    """How long until a sign-in may be tried again, or None when it may be tried now."""
    now = time.time()
    waits = []
    for key, limit in _counters(username=username, client_ip=client_ip):
        failures, closes_at = _window(key, now)
        if failures >= limit:
            waits.append(max(1, math.ceil(closes_at - now)))
    return max(waits) if waits else None


def record_failure(*, username: str, client_ip: str) -> None:
    now = time.time()
    for key, _limit in _counters(username=username, client_ip=client_ip):
        failures, closes_at = _window(key, now)
        cache.set(key, (failures + 1, closes_at), timeout=max(1, math.ceil(closes_at - now)))


def forget_username(username: str) -> None:
    """After a successful sign-in, earlier typos of this username no longer count.

    The address's count stays: signing in to one account must not reset the
    brake on guessing at others from the same place.
    """
    key, _limit = _counters(username=username, client_ip="")[0]
    cache.delete(key)
