"""Keeping task_rotation_state current with one atomic upsert per plan (and one update
for the items a regeneration replaced).

`times_used` is incremented in the database (never read-modify-write), so two plans
generated at once for one user cannot lose an update. It counts the stored plan items
drawn from the group; replacing a plan takes the replaced items back out.
"""

import uuid
from collections import Counter
from datetime import date

from django.db import connection
from django.utils import timezone

from .models import TaskRotationState

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


def _prep(field_name: str, value):
    field = TaskRotationState._meta.get_field(field_name)
    return field.get_db_prep_value(value, connection, prepared=False)


_TAKE_BACK = """
UPDATE task_rotation_state
SET times_used = CASE WHEN times_used > ({removed}) THEN times_used - ({removed}) ELSE 0 END
WHERE user_id = %s AND variation_group IN ({groups})
"""


def _take_back(user_id: uuid.UUID, removed_groups: Counter) -> None:
    """Subtract the replaced plan's items from their groups' counts, in one statement."""
    whens = " ".join(["WHEN %s THEN %s"] * len(removed_groups))
    removed = f"CASE variation_group {whens} ELSE 0 END"
    pairs = [value for group, n in removed_groups.items() for value in (group, n)]
    sql = _TAKE_BACK.format(removed=removed, groups=", ".join(["%s"] * len(removed_groups)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*pairs, *pairs, _prep("user_id", user_id), *removed_groups])


def record_usage(
    user_id: uuid.UUID,
    day: date,
    added: list[tuple[uuid.UUID, str]],
    removed_groups: Counter | None = None,
) -> None:
    """Count plan items (task id, group) added for `day`, net of items a regeneration removed."""
    if removed_groups:
        _take_back(user_id, removed_groups)
    if not added:
        return
    counts = Counter(group for _, group in added)
    latest_task = {group: task_id for task_id, group in added}
    now = timezone.now()
    params: list = []
    for group, count in counts.items():
        params += [
            _prep("id", uuid.uuid4()),
            _prep("user_id", user_id),
            group,
            _prep("last_used_date", day),
            _prep("task_library", latest_task[group]),
            count,
            _prep("created_at", now),
            _prep("updated_at", now),
        ]
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(counts))
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(rows=rows), params)
