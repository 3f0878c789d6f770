"""Checking the folded totals against a recomputation from the raw rows, and repairing.

Used by the `outcome_totals` command and by the tests that compare folding day by day with
folding everything at once on random histories.
"""

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from profiles.models import UserPreferenceProfile

from .models import UserOutcomeTotals, UserTaskFirst
from .outcomes import EPOCH
from .totals import TOTAL_FIELDS, add_part, range_parts, recompute_completions


@dataclass(frozen=True, slots=True)
class Mismatch:
    user_id: uuid.UUID
    field: str
    stored: object
    recomputed: object


def users_with_totals(batch_size: int) -> Iterator[list[uuid.UUID]]:
    """Every user with a totals row, in user_id order, one bounded batch at a time."""
    after = None
    while True:
        rows = UserOutcomeTotals.objects.order_by("user_id")
        if after is not None:
            rows = rows.filter(user_id__gt=after)
        batch = list(rows.values_list("user_id", flat=True)[:batch_size])
        if not batch:
            return
        yield batch
        after = batch[-1]


def check_totals(user_ids: Sequence[uuid.UUID], repair: bool = False) -> list[Mismatch]:
    """Recompute each user's fold from the raw rows and compare it with the stored one.

    Exact while the plan items of the folded days are kept: retention (prune_history)
    removes old items, and with them the unanswered outcomes of those days, so after it
    the recomputed `outcomes` of a user with pruned days is lower than the stored count,
    which stays right. `repair` writes the recomputed rows.
    """
    with transaction.atomic():
        # The profile locks relearning holds: no fold or feedback moves the rows meanwhile.
        list(
            UserPreferenceProfile.objects.select_for_update()
            .filter(user_id__in=user_ids)
            .values_list("user_id", flat=True)
        )
        return _check(user_ids, repair)


def _check(user_ids: Sequence[uuid.UUID], repair: bool) -> list[Mismatch]:
    stored = {t.user_id: t for t in UserOutcomeTotals.objects.filter(user_id__in=user_ids)}
    firsts: dict[uuid.UUID, dict] = {}
    for first in UserTaskFirst.objects.filter(user_id__in=user_ids):
        firsts.setdefault(first.user_id, {})[first.task_library_id] = first.first_completed_on
    mismatches = []
    by_through: dict[date, list[uuid.UUID]] = {}
    for user, totals in stored.items():
        by_through.setdefault(totals.folded_through, []).append(user)
    for through, users in by_through.items():
        fresh = range_parts(users, EPOCH, through)
        for user in users:
            totals, part = stored[user], fresh[user]
            expected = UserOutcomeTotals(user_id=user, folded_through=through)
            add_part(expected, part, through)
            for name in TOTAL_FIELDS[1:-1]:
                if getattr(totals, name) != getattr(expected, name):
                    mismatches.append(
                        Mismatch(user, name, getattr(totals, name), getattr(expected, name))
                    )
            if firsts.get(user, {}) != part.firsts:
                mismatches.append(Mismatch(user, "firsts", firsts.get(user, {}), part.firsts))
            if repair and any(m.user_id == user for m in mismatches):
                for name in TOTAL_FIELDS[1:-1]:
                    setattr(totals, name, getattr(expected, name))
                recompute_completions(totals)
    return mismatches
