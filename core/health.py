"""Probes for a load balancer: /healthz (process up) and /readyz (can serve traffic)."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView

from core.api.errors import STATUS_CODES, error_body
from core.client_address import client_address, in_networks

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def cache_reachable() -> bool:
    """The configured cache (throttle counts, key usage) takes a write and reads it back."""
    probe = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(probe, 1, timeout=5)
        found = cache.get(probe) == 1
        cache.delete(probe)
    except Exception:  # e.g. redis.ConnectionError: the backend's own error types
        logger.warning("Not ready: cache unreachable", exc_info=True)
        return False
    return found


@never_cache
def readyz(request):
    """Ready when the database answers, every migration is applied and the cache works."""
    if not cache_reachable():
        return JsonResponse({"status": "unavailable", "cache": "unreachable"}, status=503)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        logger.warning("Not ready: database unreachable", exc_info=exc)
        connection.close()  # a fresh connection next time, once the database is back
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if pending:
        return JsonResponse(
            {"status": "unavailable", "database": "ok", "pending_migrations": len(pending)},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "pending_migrations": 0})


def metrics_allowed(request) -> bool:
    """Open to METRICS_ALLOWED_NETWORKS or to `Authorization: Bearer <METRICS_TOKEN>`.

    The network check uses the client behind our proxies (core/client_address.py): a
    request forwarded by a proxy on this host is judged by the address it came from, not
    by the proxy's loopback address.
    """
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and constant_time_compare(header[7:], token):
        return True
    return in_networks(client_address(request), settings.METRICS_ALLOWED_NETWORKS)


def api_docs_allowed(request) -> bool:
    """The schema and docs: public with API_DOCS_PUBLIC, else staff or METRICS_ALLOWED_NETWORKS.

    No token here: `Authorization: Bearer` on these URLs is read as a user token by the API.
    """
    if settings.API_DOCS_PUBLIC:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return True
    return in_networks(client_address(request), settings.METRICS_ALLOWED_NETWORKS)


def api_docs_view(view):
    """Wraps the schema and docs views in `api_docs_allowed` (a 404 JSON when refused)."""

    def guarded(request, *args, **kwargs):
        if not api_docs_allowed(request):
            return JsonResponse(error_body(*STATUS_CODES[404]), status=404)
        return view(request, *args, **kwargs)

    return guarded


@never_cache
def metrics(request):
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return ExportToDjangoView(request)
