"""Keeping task_rotation_state current with one atomic upsert for a whole write (one plan
or a nightly batch), and one update for the items a regeneration replaced.

`times_used` is incremented in the database (never read-modify-write), so two plans
generated at once for one user cannot lose an update. It counts the stored plan items
drawn from the group; replacing a plan takes the replaced items back out.
"""

import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import date

from django.db import connection
from django.utils import timezone

from .models import TaskRotationState

# Rows per statement: well under SQLite's and PostgreSQL's parameter limits.
ROWS_PER_STATEMENT = 500

_UPSERT = """
INSERT INTO task_rotation_state
    (id, user_id, variation_group, last_used_date, task_library_id, times_used,
     created_at, updated_at)
VALUES {rows}
ON CONFLICT (user_id, variation_group) DO UPDATE SET
    times_used = task_rotation_state.times_used + excluded.times_used,
    last_used_date = CASE WHEN excluded.last_used_date >= task_rotation_state.last_used_date
        THEN excluded.last_used_date ELSE task_rotation_state.last_used_date END,
    task_library_id = CASE WHEN excluded.last_used_date >= task_rotation_state.last_used_date
        THEN excluded.task_library_id ELSE task_rotation_state.task_library_id END,
    updated_at = excluded.updated_at
"""

# VALUES columns are column1..3 in both PostgreSQL and SQLite (neither needs an alias list).
_TAKE_BACK = """
UPDATE task_rotation_state
SET times_used = CASE WHEN times_used > removed.column3
    THEN times_used - removed.column3 ELSE 0 END
FROM (VALUES {rows}) AS removed
WHERE task_rotation_state.user_id = removed.column1
    AND task_rotation_state.variation_group = removed.column2
"""


def _prep(field_name: str, value):
    field = TaskRotationState._meta.get_field(field_name)
    return field.get_db_prep_value(value, connection, prepared=False)


def _chunks(rows: Sequence[list], size: int = ROWS_PER_STATEMENT) -> Iterator[Sequence[list]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _execute_rows(template: str, row_sql: str, rows: Sequence[list]) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(rows):
            sql = template.format(rows=", ".join([row_sql] * len(chunk)))
            cursor.execute(sql, [value for row in chunk for value in row])


def _take_back(removed: Mapping[uuid.UUID, Counter]) -> None:
    """Subtract replaced plans' items from their groups' counts, never below zero."""
    rows = [
        [_prep("user_id", user_id), group, count]
        for user_id, groups in removed.items()
        for group, count in groups.items()
    ]
    if rows:
        # Typed casts so PostgreSQL knows the VALUES columns' types without a table.
        placeholder = "(%s, %s, CAST(%s AS integer))"
        if connection.vendor == "postgresql":
            placeholder = "(CAST(%s AS uuid), %s, CAST(%s AS integer))"
        _execute_rows(_TAKE_BACK, placeholder, rows)


def record_usage(
    day: date,
    added: Mapping[uuid.UUID, Sequence[tuple[uuid.UUID, str]]],
    removed: Mapping[uuid.UUID, Counter] | None = None,
) -> None:
    """Count plan items (task id, group) added for `day` per user, net of the items a
    regeneration removed, for any number of users in a constant number of statements."""
    if removed:
        _take_back(removed)
    now = _prep("created_at", timezone.now())
    day_value = _prep("last_used_date", day)
    rows = []
    for user_id, items in added.items():
        counts = Counter(group for _, group in items)
        latest_task = {group: task_id for task_id, group in items}
        user_value = _prep("user_id", user_id)
        rows += [
            [
                _prep("id", uuid.uuid4()),
                user_value,
                group,
                day_value,
                _prep("task_library", latest_task[group]),
                count,
                now,
                now,
            ]
            for group, count in counts.items()
        ]
    if rows:
        _execute_rows(_UPSERT, "(%s, %s, %s, %s, %s, %s, %s, %s)", rows)
