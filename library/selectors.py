import time
import uuid
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from .candidates import Candidate
from .models import Task

CANDIDATE_FIELDS = (
    "id",
    "category",
    "subcategory",
    "name",
    "description",
    "duration_minutes",
    "difficulty",
    "variation_group",
    "time_of_day_preference",
    "archetype_fit",
    "mode_fit",
    "number",
)


# The library changes when editors save; plans are made all day. Each process keeps the
# active library and checks one cheap aggregate per plan (count, newest update) to know
# whether to reload, with an age limit as a backstop for edits that bypass updated_at.
_CACHE_SECONDS = 60.0
_cache: dict = {"version": None, "loaded_at": 0.0, "candidates": []}


def active_candidates(include_inactive: bool = False) -> list[Candidate]:
    """Every active task (or every task) as plain data: one small query when unchanged."""
    if include_inactive:
        return _load(Task.objects.all())
    tasks = Task.objects.filter(is_active=True)
    version = tuple(tasks.aggregate(n=Count("id"), newest=Max("updated_at")).values())
    now = time.monotonic()
    if version != _cache["version"] or now - _cache["loaded_at"] > _CACHE_SECONDS:
        _cache.update(version=version, loaded_at=now, candidates=_load(tasks))
    return _cache["candidates"]


def _load(tasks) -> list[Candidate]:
    rows = tasks.values_list(*CANDIDATE_FIELDS)
    return [
        Candidate(
            id=str(pk),
            category=category,
            subcategory=subcategory,
            name=name,
            description=description,
            duration_minutes=duration,
            difficulty=difficulty,
            variation_group=group,
            time_of_day=time_of_day,
            archetype_fit=archetype_fit,
            mode_fit=mode_fit,
            number=number,
        )
        for (
            pk,
            category,
            subcategory,
            name,
            description,
            duration,
            difficulty,
            group,
            time_of_day,
            archetype_fit,
            mode_fit,
            number,
        ) in rows
    ]


MIN_ACTIVE_VARIANTS = 3  # fewer and rotation repeats too soon: variety at risk


def variation_groups() -> list[dict]:
    """Every group with its category, active and total counts, and variety warnings."""
    rows = (
        Task.objects.values("variation_group", "category")
        .annotate(
            active=Count("id", filter=Q(is_active=True)),
            total=Count("id"),
        )
        .order_by("category", "variation_group")
    )
    return [
        row
        | {
            "at_risk": row["active"] < MIN_ACTIVE_VARIANTS,
            "at_limit": row["active"] == MIN_ACTIVE_VARIANTS,
        }
        for row in rows
    ]


def groups_below_minimum(groups: set[str]) -> dict[str, int]:
    """Groups among these with fewer than the minimum active variants, with their count."""
    rows = (
        Task.objects.filter(variation_group__in=groups)
        .values("variation_group")
        .annotate(active=Count("id", filter=Q(is_active=True)))
    )
    return {
        row["variation_group"]: row["active"] for row in rows if row["active"] < MIN_ACTIVE_VARIANTS
    }


@dataclass(frozen=True, slots=True)
class TaskLabel:
    """What a page over outcomes shows of a task: its name and where it sits."""

    name: str
    category: str
    variation_group: str
    is_active: bool


def task_labels(category: str | None = None) -> dict[uuid.UUID, TaskLabel]:
    """Every task of the library (or of one category) by id, inactive ones included. One
    query; its cost is the library's size, never the history's."""
    tasks = Task.objects.order_by()
    if category is not None:
        tasks = tasks.filter(category=category)
    return {
        row[0]: TaskLabel(*row[1:])
        for row in tasks.values_list("id", "name", "category", "variation_group", "is_active")
    }
