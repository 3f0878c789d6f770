import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from library.choices import ARCHETYPES, Category, Mode, TimeOfDay
from library.models import Task


class PlanType(models.TextChoices):
    DYNAMIC = "dynamic_routine", "Dynamic (task library)"
    STATIC = "static_routine", "Static default day"


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Plan(models.Model):
    """One user's plan for one date (the spec's existing plan storage)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id = models.UUIDField()
    date = models.DateField()
    archetype = models.CharField(max_length=50)
    plan_type = models.CharField(max_length=20, choices=PlanType.choices)
    model_used = models.CharField(max_length=50)
    readiness_mode = models.CharField(max_length=20, choices=Mode.choices)
    wake_time = models.TimeField()
    # Why a dynamic plan was not served ("" for dynamic plans).
    fallback_reason = models.CharField(max_length=50, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "plans"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["user_id", "date"], name="plans_one_per_user_per_date"),
            models.CheckConstraint(
                condition=Q(plan_type__in=PlanType.values), name="plans_plan_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(readiness_mode__in=Mode.values), name="plans_readiness_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(archetype__in=ARCHETYPES), name="plans_archetype_valid"
            ),
        ]
        indexes = [models.Index(fields=["date", "plan_type"], name="idx_plans_date_type")]

    def __str__(self) -> str:
        return f"{self.plan_type} plan for {self.user_id} on {self.date}"


class TimeBlock(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: time_blocks_position_unique (plan, position) serves plan lookups.
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="time_blocks", db_index=False
    )
    position = models.PositiveSmallIntegerField()
    block_name = models.CharField(max_length=50)
    start_time = models.TimeField()
    end_time = models.TimeField()
    zone_type = models.CharField(max_length=30)
    purpose = models.CharField(max_length=200)
    time_of_day = models.CharField(max_length=20, choices=TimeOfDay.choices)

    class Meta:
        db_table = "time_blocks"
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="time_blocks_position_unique")
        ]

    def __str__(self) -> str:
        return self.block_name


class PlanItem(models.Model):
    """A scheduled task; the unit users complete or skip and send feedback about."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: plan_items_position_unique (plan, position) serves plan lookups.
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items", db_index=False)
    # Indexed (the default): deleting a time block checks this foreign key per block.
    time_block = models.ForeignKey(TimeBlock, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    user_id = models.UUIDField()
    # The calendar date the task falls on (a late Wind Down can fall after midnight).
    scheduled_date = models.DateField()
    scheduled_time = models.TimeField()
    end_time = models.TimeField()
    title = models.CharField(max_length=200)
    description = models.TextField()
    category = models.CharField(max_length=50, choices=Category.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    estimated_duration_minutes = models.PositiveIntegerField()
    time_of_day = models.CharField(max_length=20, choices=TimeOfDay.choices)
    # Spec 1.1 additions to the existing plan_items table.
    task_library = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_items"
    )
    variation_group = models.CharField(max_length=100, blank=True, default="")
    is_dynamic = models.BooleanField(default=False)
    # What chose this task, and how likely that choice was (off-policy evaluation).
    policy = models.CharField(max_length=30, blank=True, default="")
    propensity = models.FloatField(null=True, blank=True)
    # Every candidate the slot considered with the policy's probability of it: task numbers
    # and float32 probabilities in about 97 bytes (routines/slot_log.py).
    slot_log = models.BinaryField(null=True, blank=True)
    # Set when the user swapped this task for another ("Not this one", feedback/swaps.py):
    # the item stays as history (its propensity logged, its outcome "swapped"), is no longer
    # one of the plan's tasks, and names its replacement. Not a foreign key: plan_items is
    # partitioned by month on PostgreSQL, and the replacement always shares its plan.
    replaced_by = models.UUIDField(null=True, blank=True)
    swapped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "plan_items"
        ordering = ["plan", "position"]
        # The task_library foreign key keeps its own index (deleting a task nulls its items).
        # Rotation, the weekly summary, feedback targets and evaluation of given users read
        # (user_id, scheduled_date); the dashboard, rollups and evaluation of everyone read a
        # date window. tests/feedback/test_query_plans.py checks the plans on PostgreSQL.
        indexes = [
            models.Index(fields=["user_id", "scheduled_date"], name="idx_plan_items_user_date"),
            models.Index(fields=["scheduled_date"], name="idx_plan_items_sched"),
            # Off-policy evaluation reads one day's logged items for a range of users
            # (feedback/evaluation.py): an exact range per day, whatever the table's size.
            models.Index(
                fields=["scheduled_date", "user_id"],
                name="idx_plan_items_logged_day_user",
                condition=Q(propensity__isnull=False),
            ),
            # The plan preview's swap counts per task (routines.selectors.swaps_by_task):
            # only swapped-out items, a small share of the table.
            models.Index(
                fields=["task_library", "scheduled_date"],
                name="idx_plan_items_swapped_task",
                condition=Q(replaced_by__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="plan_items_position_unique"),
            models.CheckConstraint(
                condition=Q(estimated_duration_minutes__gt=0), name="plan_items_duration_positive"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="plan_items_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(propensity__isnull=True) | Q(propensity__gt=0, propensity__lte=1),
                name="plan_items_propensity_in_0_1",
            ),
            models.CheckConstraint(
                condition=Q(replaced_by__isnull=True, swapped_at__isnull=True)
                | Q(replaced_by__isnull=False, swapped_at__isnull=False),
                name="plan_items_swap_recorded_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.scheduled_time}"

    def clean(self) -> None:
        if (self.replaced_by is None) != (self.swapped_at is None):
            raise ValidationError({"replaced_by": "set together with swapped_at, or neither"})

    @property
    def is_swapped(self) -> bool:
        """Swapped out for another task: history, no longer one of the plan's tasks."""
        return self.replaced_by is not None


class TaskRotationState(models.Model):
    """Which variant of a variation group a user saw last, and how often the group was used."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id = models.UUIDField()
    variation_group = models.CharField(max_length=100)
    last_used_date = models.DateField()
    task_library = models.ForeignKey(
        Task, null=True, on_delete=models.SET_NULL, related_name="rotation_states"
    )
    times_used = models.IntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "task_rotation_state"
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "variation_group"], name="task_rotation_state_user_group"
            ),
            models.CheckConstraint(
                condition=Q(times_used__gte=0), name="task_rotation_state_times_used_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} / {self.variation_group}"


class ChunkStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class NightlyRun(models.Model):
    """One nightly run fanned out on Celery: its day and how it was cut into chunks."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    day = models.DateField()
    chunk_count = models.PositiveIntegerField()
    batch_size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "nightly_runs"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-created_at"], name="idx_nightly_runs_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(chunk_count__gte=1, batch_size__gte=1),
                name="nightly_runs_sizes_positive",
            )
        ]

    def __str__(self) -> str:
        return f"nightly run {self.id} for {self.day}"


class NightlyChunk(models.Model):
    """One key range of a run's users (routines.sharding.key_range(position, chunk_count)).

    A worker claims it (running, with a lease), plans its users and marks it done; a worker
    that dies leaves it running until the lease expires and the redelivered task claims it
    again. Re-running a done chunk is a no-op.
    """

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(NightlyRun, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True, default="")
    users = models.PositiveIntegerField(default=0)
    plans_written = models.PositiveIntegerField(default=0)
    fallbacks = models.PositiveIntegerField(default=0)
    failed_users = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "nightly_chunks"
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="nightly_chunks_position"),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="nightly_chunks_position_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ChunkStatus.values), name="nightly_chunks_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"chunk {self.position} of {self.run_id}: {self.status}"
