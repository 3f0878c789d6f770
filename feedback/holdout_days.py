"""Writing `holdout_user_days`: each active user-day with the user's holdout group.

Part of the nightly rollup (`feedback.rollups.rollup_days` calls it a calendar week at a
time, in the same transaction): the outcome model's active user-days of the range
(`feedback.outcomes.active_user_days`, the one definition), each labelled with the group
and bucket of `routines.holdout`. The group is a keyed hash, which SQL cannot compute on
both databases, so the rows pass through Python: the range's active user-days, never the
history before it.

While no holdout runs (HOLDOUT_SHARE = 0) nothing is read or written: the nightly run
costs what it did, and the rows of an earlier experiment stay readable.
"""

from datetime import date

from django.conf import settings

from routines import holdout

from .models import HoldoutUserDay
from .outcomes import active_user_days

INSERT_BATCH = 5000


def holdout_running() -> bool:
    return settings.HOLDOUT_SHARE > 0


def rollup_holdout_days(cursor, since: date, until: date, today: date) -> int:
    """Replace the rows of since..until (closed days); returns the rows written."""
    if not holdout_running():
        return 0
    table = HoldoutUserDay._meta.db_table
    cursor.execute(f"DELETE FROM {table} WHERE day >= %s AND day <= %s", [since, until])
    share, salt = settings.HOLDOUT_SHARE, settings.HOLDOUT_SALT
    rows = [
        HoldoutUserDay(
            user_id=day.user_id,
            day=day.day,
            group=holdout.Group.HOLDOUT
            if holdout.is_held_out(day.user_id, share, salt)
            else holdout.Group.TREATMENT,
            bucket=holdout.bucket_of(day.user_id, salt),
            outcomes=day.outcomes,
            completed=day.completed,
        )
        for day in active_user_days(since, until, today)
    ]
    HoldoutUserDay.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    return len(rows)
