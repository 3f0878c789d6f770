import uuid

from django.db import models
from django.db.models import Q

from library.choices import Mode, TimeOfDay
from library.models import Task
from routines.models import PlanItem


class SkipReason(models.TextChoices):
    TOO_HARD = "too_hard", "Too hard"
    NO_TIME = "no_time", "No time"
    NOT_INTERESTED = "not_interested", "Not interested"
    FORGOT = "forgot", "Forgot"


USER_NOTES_MAX_LENGTH = 2000


class UserTaskFeedback(models.Model):
    """What happened to one plan item: completed or skipped, when, and how it felt."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id = models.UUIDField()
    task_library = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    # Kept when a plan is regenerated: feedback is history, the copies below stay true.
    plan_item = models.ForeignKey(
        PlanItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    scheduled_date = models.DateField()
    scheduled_time = models.TimeField(null=True, blank=True)
    # Denormalised from the plan item so learning needs no join through plans.
    category = models.CharField(max_length=50, blank=True, default="")
    time_of_day = models.CharField(max_length=20, choices=TimeOfDay.choices, default="any")
    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_early_minutes = models.IntegerField(null=True, blank=True)
    satisfaction_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    user_notes = models.TextField(blank=True, default="", max_length=USER_NOTES_MAX_LENGTH)
    skipped = models.BooleanField(default=False)
    skip_reason = models.CharField(
        max_length=50, choices=SkipReason.choices, blank=True, default=""
    )
    mode_at_time = models.CharField(max_length=20, choices=Mode.choices, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "user_task_feedback"
        ordering = ["-scheduled_date", "-scheduled_time"]
        # user_id alone is the prefix of (user_id, scheduled_date) and of the unique
        # constraint; a boolean `completed` index was never chosen by the planner.
        indexes = [
            models.Index(fields=["scheduled_date"], name="idx_user_task_feedback_sched"),
            models.Index(fields=["user_id", "scheduled_date"], name="idx_feedback_user_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "plan_item"], name="user_task_feedback_one_per_plan_item"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction_rating__isnull=True)
                | Q(satisfaction_rating__gte=1, satisfaction_rating__lte=5),
                name="user_task_feedback_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(skip_reason="") | Q(skip_reason__in=SkipReason.values),
                name="user_task_feedback_skip_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(mode_at_time="") | Q(mode_at_time__in=Mode.values),
                name="user_task_feedback_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(skipped=False) | Q(completed=False),
                name="user_task_feedback_not_both_done_and_skipped",
            ),
        ]

    def __str__(self) -> str:
        state = "completed" if self.completed else "skipped"
        return f"{self.user_id} {state} on {self.scheduled_date}"


class PolicyEstimate(models.Model):
    """One run of evaluate_policy: a candidate policy scored on logged plans."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate_policy = models.CharField(max_length=30)
    logging_policies = models.CharField(max_length=100)
    since = models.DateField()
    until = models.DateField()
    events = models.PositiveIntegerField()
    users = models.PositiveIntegerField()
    logged_rate = models.FloatField()
    effective_sample_size = models.FloatField()
    supported = models.BooleanField()
    problems = models.TextField(blank=True, default="")
    # {"ips": {"value", "low", "high"}, "snips": {...}, "dr": {...}}
    estimates = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "policy_estimates"
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["candidate_policy", "-created_at"], name="idx_policy_estimate_latest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate_policy} {self.since}..{self.until}"


class UserOutcomeTotals(models.Model):
    """A user's lifetime outcome totals over the days folded so far (feedback/totals.py).

    Relearning adds the days after `folded_through` from the outcome model, so a feedback
    call reads a bounded window however long the user's history is. Only counts and the
    streak at the fold's edge: what these days taught each dimension lives in the profile.
    """

    user_id = models.UUIDField(primary_key=True)
    folded_through = models.DateField()
    outcomes = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    active_days = models.PositiveIntegerField(default=0)
    streak_last_day = models.DateField(null=True, blank=True)
    streak_run = models.PositiveIntegerField(default=0)
    longest_streak = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "user_outcome_totals"
        verbose_name_plural = "user outcome totals"
        constraints = [
            models.CheckConstraint(
                condition=Q(completed__lte=models.F("outcomes")),
                name="user_outcome_totals_completed_within_outcomes",
            ),
            models.CheckConstraint(
                condition=Q(streak_run__lte=models.F("longest_streak")),
                name="user_outcome_totals_run_within_longest",
            ),
            models.CheckConstraint(
                condition=Q(streak_last_day__isnull=True)
                | Q(streak_last_day__lte=models.F("folded_through")),
                name="user_outcome_totals_streak_within_fold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} through {self.folded_through}"


class UserTaskFirst(models.Model):
    """The first folded day on which a user completed a task: "distinct tasks ever
    completed" and a weekly summary's "new tasks" without reading the whole history."""

    id = models.BigAutoField(primary_key=True)
    user_id = models.UUIDField()
    task_library_id = models.UUIDField()
    first_completed_on = models.DateField()

    class Meta:
        db_table = "user_task_firsts"
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "task_library_id"], name="user_task_firsts_one_per_task"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} first completed {self.task_library_id} on {self.first_completed_on}"
