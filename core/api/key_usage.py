"""Stamps a service key's last use, cheaply: one database write per key per minute at most."""

import logging

from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

logger = logging.getLogger(__name__)

# A key's "last used" is accurate to this many seconds.
STAMP_INTERVAL_SECONDS = 60


def note_key_used(key_id: str) -> None:
    """Record that `key_id` was accepted now, unless it was recorded in the last minute.

    `cache.add` is atomic in every shared cache, so across workers only one request a
    minute per key reaches the database. A failed stamp never fails the request.
    """
    from core.models import ServiceKeyUsage

    try:
        if not cache.add(f"service-key-used:{key_id}", 1, timeout=STAMP_INTERVAL_SECONDS):
            return
    except Exception:  # the cache is down: the throttle answers 503 right after
        logger.warning("Cache unavailable; last use of key %s not recorded", key_id)
        return
    try:
        ServiceKeyUsage.objects.update_or_create(
            key_id=key_id, defaults={"last_used_at": timezone.now()}
        )
    except DatabaseError:
        logger.warning("Could not record use of service key %s", key_id, exc_info=True)
