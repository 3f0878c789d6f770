"""Erasing a user: every row holding their id or pointing at their plans, in one transaction."""

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from profiles.services import lock_profile

from .models import ErasureRecord
from .tables import user_tables

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Erasure:
    # Table -> rows deleted (or, for a dry run, rows that would be).
    rows: dict[str, int]
    dry_run: bool

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def subject_hash(user_id: uuid.UUID) -> str:
    """HMAC-SHA256 of the user id under the erasure salt (why a secret: models.ErasureRecord)."""
    key = settings.PRIVACY_ERASURE_SALT.encode()
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()


class _DryRun(Exception):
    """Raised inside the erasure's transaction to roll a dry run back."""


def erase_user(user_id: uuid.UUID, now: datetime | None = None, dry_run: bool = False) -> Erasure:
    """Delete everything held about the user and record that it happened; idempotent.

    The profile row is locked first: feedback calls and the nightly batch's write lock it
    too, so an erasure either waits for them (and deletes what they wrote) or they find
    no profile afterwards and write nothing (routines.nightly). One statement per table
    and column, each an index range, whatever the user's history and the tables' size;
    nothing is read into Python. A dry run is the same erasure, rolled back: its counts
    are exactly what a real one would delete, and it writes nothing.
    """
    now = now or timezone.now()
    digest = subject_hash(user_id)
    rows: dict[str, int] = {}
    try:
        with transaction.atomic():
            lock_profile(user_id)
            with connection.cursor() as cursor:
                for table in user_tables():
                    rows[table.table] = 0
                    for sql, params in table.deletes(user_id):
                        cursor.execute(sql, params)
                        rows[table.table] += cursor.rowcount
            if dry_run:
                raise _DryRun
            _record(digest, now)
    except _DryRun:
        return Erasure(rows, dry_run=True)
    # The hash, not the id: the log must not undo what the erasure did.
    logger.info(
        "User data erased",
        extra={"subject_hash": digest, "rows": sum(rows.values())},
    )
    return Erasure(rows, dry_run=False)


def erasure_preview(user_id: uuid.UUID) -> Erasure:
    """What erase_user would delete, per table (the --dry-run); writes nothing."""
    return erase_user(user_id, dry_run=True)


def was_erased(user_id: uuid.UUID) -> ErasureRecord | None:
    """The operator's proof: the record of this user's erasure, if there is one."""
    return ErasureRecord.objects.filter(subject_hash=subject_hash(user_id)).first()


def _record(digest: str, now: datetime) -> None:
    """One row per person: the first erasure's time kept, a repeat moves the last."""
    if ErasureRecord.objects.filter(subject_hash=digest).update(last_erased_at=now):
        return
    try:
        with transaction.atomic():
            ErasureRecord.objects.create(
                subject_hash=digest, first_erased_at=now, last_erased_at=now
            )
    except IntegrityError:
        # A concurrent erasure of the same user (no profile row to serialise on) won.
        ErasureRecord.objects.filter(subject_hash=digest).update(last_erased_at=now)
