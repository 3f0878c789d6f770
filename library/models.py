import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q

from .choices import ARCHETYPES, MODES, Category, Difficulty, TimeOfDay
from .validators import validate_fit_map, validate_string_list


def default_archetype_fit() -> dict[str, float]:
    return {archetype: 0.5 for archetype in ARCHETYPES}


def default_mode_fit() -> dict[str, float]:
    return {mode: 0.5 for mode in MODES}


# Shipped tasks carry their number in the fixture (1, 2, ...); tasks editors create are
# numbered from here, so a task added to the fixture later never collides with one of theirs.
FIRST_EDITOR_NUMBER = 10_001


def number_new_tasks(tasks: list["Task"]) -> None:
    """Give each task without a number the next free editor number (one query).

    Two editors creating tasks at the same instant can pick the same number; the unique
    constraint then refuses the second save instead of letting two tasks share it.
    """
    missing = [task for task in tasks if task.number is None]
    if not missing:
        return
    highest = Task.objects.filter(number__gte=FIRST_EDITOR_NUMBER).aggregate(n=Max("number"))["n"]
    start = max(highest or 0, FIRST_EDITOR_NUMBER - 1) + 1
    for offset, task in enumerate(missing):
        task.number = start + offset


def _fit_map_constraint(field: str, keys: tuple[str, ...], name: str) -> models.CheckConstraint:
    """Every expected key present and inside [0, 1], enforced by the database itself."""
    condition = Q(**{f"{field}__has_keys": list(keys)})
    for key in keys:
        condition &= Q(**{f"{field}__{key}__gte": 0.0}) & Q(**{f"{field}__{key}__lte": 1.0})
    return models.CheckConstraint(condition=condition, name=name)


class Task(models.Model):
    """One curated task; tasks sharing a variation_group are interchangeable variants."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A small stable number: logged slot propensities name tasks by it (two bytes, not a
    # 36-character id). Never reused or changed once given, or old logs would name the
    # wrong task; loaddata and seed_library keep the fixture's numbers.
    number = models.PositiveIntegerField(unique=True, editable=False)
    category = models.CharField(max_length=50, choices=Category.choices)
    subcategory = models.CharField(max_length=50, blank=True, default="")
    name = models.CharField(max_length=200)
    description = models.TextField()
    duration_minutes = models.PositiveIntegerField(help_text="Minutes, 1-240.")
    difficulty = models.CharField(
        max_length=20, choices=Difficulty.choices, default=Difficulty.BEGINNER
    )
    archetype_fit = models.JSONField(default=default_archetype_fit)
    mode_fit = models.JSONField(default=default_mode_fit)
    tags = models.JSONField(default=list, blank=True)
    variation_group = models.CharField(max_length=100)
    time_of_day_preference = models.CharField(
        max_length=20, choices=TimeOfDay.choices, default=TimeOfDay.ANY
    )
    equipment_needed = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "task_library"
        ordering = ["category", "variation_group", "name"]
        indexes = [
            models.Index(fields=["category"], name="idx_task_library_category"),
            models.Index(fields=["difficulty"], name="idx_task_library_difficulty"),
            models.Index(fields=["variation_group"], name="idx_task_library_var_group"),
            models.Index(fields=["is_active", "category"], name="idx_task_library_active_cat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="task_library_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(difficulty__in=Difficulty.values),
                name="task_library_difficulty_valid",
            ),
            models.CheckConstraint(
                condition=Q(time_of_day_preference__in=TimeOfDay.values),
                name="task_library_time_of_day_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0) & Q(duration_minutes__lte=240),
                name="task_library_duration_range",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="task_library_name_not_empty"),
            models.CheckConstraint(
                condition=~Q(variation_group=""), name="task_library_variation_group_not_empty"
            ),
            _fit_map_constraint("archetype_fit", ARCHETYPES, "task_library_archetype_fit_range"),
            _fit_map_constraint("mode_fit", MODES, "task_library_mode_fit_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.category})"

    def save(self, *args, **kwargs) -> None:
        number_new_tasks([self])
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        for field, keys, label in (
            ("archetype_fit", ARCHETYPES, "Archetype fit"),
            ("mode_fit", MODES, "Mode fit"),
        ):
            try:
                validate_fit_map(getattr(self, field), keys, label)
            except ValidationError as exc:
                errors[field] = exc.messages
        for field, label in (("tags", "Tags"), ("equipment_needed", "Equipment")):
            try:
                validate_string_list(getattr(self, field), label)
            except ValidationError as exc:
                errors[field] = exc.messages
        if self.duration_minutes is not None and not 0 < self.duration_minutes <= 240:
            errors["duration_minutes"] = ["Duration must be between 1 and 240 minutes."]
        if errors:
            raise ValidationError(errors)
