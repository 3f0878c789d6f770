"""API rate limits, counted atomically in the shared cache.

Budgets (THROTTLE_RATE_*; `N/second|minute|hour|day`):
- a user token: one budget per user ("user");
- a service key: one per key and acted-for user ("service_user"), so one busy user cannot
  use up a backend's whole allowance, and a total per key ("service");
- failed authentication: one per client address ("auth_failure", see middleware).

Counts are sliding-window estimates (this window's count plus the previous window's,
weighted by how much of it still overlaps) kept with `cache.add` + `cache.incr`, which are
atomic in Redis and Memcached: every worker shares one count, and concurrent requests
cannot overwrite each other's hits as DRF's read-modify-write history can.
"""

import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class CacheUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable; retry soon."
    default_code = "unavailable"


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    if not rate:
        return None
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0]]


@dataclass(frozen=True, slots=True)
class Budget:
    scope: str
    ident: str
    limit: int
    window: int

    def key(self, bucket: int) -> str:
        return f"throttle:{self.scope}:{self.ident}:{bucket}"


def now() -> float:
    return time.time()


def _estimate(budget: Budget, current: int, moment: float) -> float:
    bucket, into = divmod(moment, budget.window)
    previous = cache.get(budget.key(int(bucket) - 1)) or 0
    return previous * (1 - into / budget.window) + current


def spent(budget: Budget) -> float:
    """How much of the budget is used, without using any."""
    moment = now()
    current = cache.get(budget.key(int(moment // budget.window))) or 0
    return _estimate(budget, current, moment)


def hit(budget: Budget) -> float:
    """Count one request; returns the budget used, this request included."""
    moment = now()
    key = budget.key(int(moment // budget.window))
    cache.add(key, 0, timeout=2 * budget.window + 1)
    try:
        current = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, timeout=2 * budget.window + 1)
        current = cache.incr(key)
    return _estimate(budget, current, moment)


def seconds_to_next_window(budget: Budget) -> int:
    return max(1, int(budget.window - now() % budget.window) + 1)


def acted_for_user(request, view) -> str | None:
    """The user_id a service call acts for (URL or JSON body), if it is a UUID."""
    raw = (getattr(view, "kwargs", None) or {}).get("user_id")
    if raw is None and request.method not in ("GET", "HEAD", "OPTIONS"):
        data = request.data
        raw = data.get("user_id") if isinstance(data, dict) else None
    try:
        return str(uuid.UUID(str(raw))) if raw is not None else None
    except ValueError:
        return None  # refused by validation anyway


class CallerRateThrottle(BaseThrottle):
    """The per-caller budgets above; a request must fit all of them."""

    THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES

    def budget(self, scope: str, ident: str) -> Budget | None:
        parsed = parse_rate(self.THROTTLE_RATES.get(scope))
        return Budget(scope, ident, *parsed) if parsed else None

    def budgets(self, request, view) -> list[Budget]:
        caller = request.user
        if not caller.is_service:
            return [self.budget("user", str(caller.user_id))]
        found = [self.budget("service", str(caller.key_id))]
        user = acted_for_user(request, view)
        if user is not None:
            found.append(self.budget("service_user", f"{caller.key_id}:{user}"))
        return found

    def allow_request(self, request, view) -> bool:
        caller = request.user
        if caller is None or not getattr(caller, "is_authenticated", False):
            return True  # refused by authentication first
        self.exceeded: Budget | None = None
        try:
            for budget in filter(None, self.budgets(request, view)):
                if hit(budget) > budget.limit and self.exceeded is None:
                    self.exceeded = budget
        except exceptions.APIException:
            raise
        except Exception as exc:  # the cache (Redis) is down: 503, not a 500
            raise CacheUnavailable() from exc
        return self.exceeded is None

    def wait(self) -> int | None:
        return seconds_to_next_window(self.exceeded) if self.exceeded else None
