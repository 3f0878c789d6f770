"""Writing the holdout's tables: each active user-day with its group, and their sums.

Part of the nightly rollup (`feedback.rollups.rollup_days` calls `rollup_holdout_days` a
calendar week at a time, in the same transaction): the outcome model's active user-days of
the range (`feedback.outcomes.active_user_days`, the one definition), each labelled with
the group and bucket of `routines.holdout`. The group is a keyed hash, which SQL cannot
compute on both databases, so the rows pass through Python: the range's active user-days,
never the history before it. Three tables:

- `holdout_user_days`: per user and active day (per-user data: erased and exported);
- `holdout_bucket_days`: their sums per day, group and bucket (what the bootstrap reads);
- `holdout_window_users`: distinct users per group in the dashboard's windows ending on
  the last closed day (`count_window_users`, once per run).

While no holdout runs (HOLDOUT_SHARE = 0) nothing is read or written: the nightly run
costs what it did, and the rows of an earlier experiment stay readable.
"""

from datetime import date, timedelta

from django.conf import settings

from routines import holdout

from .models import HoldoutBucketDay, HoldoutUserDay, HoldoutWindowUsers
from .outcomes import active_user_days
from .rollup_reads import window_users

INSERT_BATCH = 5000
WINDOWS = (7, 28, 90)  # the dashboard's windows of closed days (feedback/lift.py)


def holdout_running() -> bool:
    return settings.HOLDOUT_SHARE > 0


def rollup_holdout_days(cursor, since: date, until: date, today: date) -> int:
    """Replace the user-day and bucket rows of since..until (closed days); returns the
    user-day rows written."""
    if not holdout_running():
        return 0
    for model in (HoldoutUserDay, HoldoutBucketDay):
        table = model._meta.db_table
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
    HoldoutBucketDay.objects.bulk_create(bucket_sums(rows), batch_size=INSERT_BATCH)
    return len(rows)


def bucket_sums(rows: list[HoldoutUserDay]) -> list[HoldoutBucketDay]:
    """Sum user-days per (day, group, bucket). Pure."""
    sums: dict[tuple, list[int]] = {}
    for row in rows:
        total = sums.setdefault((row.day, row.group, row.bucket), [0, 0, 0])
        total[0] += 1
        total[1] += row.outcomes
        total[2] += row.completed
    return [
        HoldoutBucketDay(
            day=day, group=group, bucket=bucket, user_days=n, outcomes=seen, completed=done
        )
        for (day, group, bucket), (n, seen, done) in sorted(sums.items())
    ]


def count_window_users(until: date) -> None:
    """Store the dashboard windows' distinct users, for windows ending `until`."""
    if not holdout_running():
        return
    HoldoutWindowUsers.objects.filter(until=until).delete()
    HoldoutWindowUsers.objects.bulk_create(
        HoldoutWindowUsers(until=until, days=days, group=group, users=users)
        for days in WINDOWS
        for group, users in window_users(until - timedelta(days=days - 1), until).items()
    )
