"""Editors' bulk operations on the library."""

from django.db import transaction
from django.utils import timezone

from .models import Task, number_new_tasks


def set_active(task_ids: list, active: bool) -> int:
    # updated_at moves too: plan generation's library cache watches it.
    return (
        Task.objects.filter(id__in=task_ids)
        .exclude(is_active=active)
        .update(is_active=active, updated_at=timezone.now())
    )


@transaction.atomic
def duplicate_as_variation(tasks: list[Task]) -> list[Task]:
    """Copy each task into its own variation group, inactive until an editor finishes it."""
    copies = []
    for task in tasks:
        copy = Task(
            category=task.category,
            subcategory=task.subcategory,
            name=f"{task.name} (new variation)"[:200],
            description=task.description,
            duration_minutes=task.duration_minutes,
            difficulty=task.difficulty,
            archetype_fit=dict(task.archetype_fit),
            mode_fit=dict(task.mode_fit),
            tags=list(task.tags),
            variation_group=task.variation_group,
            time_of_day_preference=task.time_of_day_preference,
            equipment_needed=list(task.equipment_needed),
            is_active=False,
        )
        copy.full_clean()
        copies.append(copy)
    number_new_tasks(copies)
    return Task.objects.bulk_create(copies)
