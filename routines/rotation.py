"""Keeping task_rotation_state current with one atomic upsert per plan.

`times_used` is incremented in the database (never read-modify-write), so two plans
generated at once for one user cannot lose an update. It counts the stored plan items
drawn from the group; replacing a plan takes the replaced items back out.
"""

import uuid
from collections import Counter
from datetime import date

from django.db import connection
from django.db.models import F
from django.db.models.functions import Greatest
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


def record_usage(
    user_id: uuid.UUID,
    day: date,
    added: list[tuple[uuid.UUID, str]],
    removed_groups: Counter | None = None,
) -> None:
    """Count plan items (task id, group) added for `day`, net of items a regeneration removed."""
    if removed_groups:
        for group, count in removed_groups.items():
            TaskRotationState.objects.filter(user_id=user_id, variation_group=group).update(
                times_used=Greatest(F("times_used") - count, 0)
            )
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
