"""Everything under /api/ answers JSON, even errors raised outside DRF views."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from core.client_address import client_address

from . import throttling
from .errors import STATUS_CODES, error_body

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


class ApiErrorsMiddleware:
    """Caps API request bodies (413) and turns HTML error pages into the JSON error shape.

    Django answers unknown URLs, oversized bodies and crashes outside DRF with HTML
    (a debug page with DEBUG on); API clients get `{"error": {...}}` instead.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        from django.conf import settings

        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            too_big = int(length) > settings.API_MAX_BODY_BYTES
        except ValueError:
            too_big = False
        if too_big:
            return _json(
                413, "too_large", f"Request body over {settings.API_MAX_BODY_BYTES} bytes."
            )
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            code, message = STATUS_CODES.get(response.status_code, ("error", "Request failed."))
            return _json(response.status_code, code, message)
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("Database unavailable", exc_info=exception)
            return _json(503, "unavailable", "The service is temporarily unavailable; retry soon.")
        logger.exception("Unhandled error", exc_info=exception)
        return _json(500, "server_error", "Something went wrong on our side; please retry.")


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _json(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse(error_body(code, message), status=status)
    if status == 503:
        response["Retry-After"] = "5"
    return response


class FailedAuthThrottleMiddleware:
    """Limits refused credentials per client address (THROTTLE_RATE_AUTH_FAILURES).

    Authentication runs before DRF's throttles, which only see callers who got in, so
    guessing keys or replaying bad tokens would otherwise never slow down. Every 401 under
    /api/ counts against the client address; past the limit the address gets 429 before
    its credentials are even checked, until the window moves on.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        budget = _auth_failure_budget(request)
        if budget is None:
            return self.get_response(request)
        try:
            if throttling.spent(budget) >= budget.limit:
                response = _json(429, "throttled", "Too many failed authentication attempts.")
                response["Retry-After"] = str(throttling.seconds_to_next_window(budget))
                return response
        except Exception:  # the cache is down: authentication itself still protects
            logger.warning("Failed-authentication throttle unavailable", exc_info=True)
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code == 401:
            try:
                throttling.hit(budget)
            except Exception:
                logger.warning("Failed-authentication throttle unavailable", exc_info=True)
        return response


def _auth_failure_budget(request) -> "throttling.Budget | None":
    from django.conf import settings

    parsed = throttling.parse_rate(settings.THROTTLE_RATE_AUTH_FAILURES)
    if parsed is None:
        return None
    return throttling.Budget("auth_failure", client_address(request), *parsed)
