import uuid

from django.db import models
from django.db.models import Q

from library.choices import ARCHETYPES, CATEGORIES, DAY_PARTS, Mode, TimeOfDay
from library.models import Task
from routines.models import PlanItem


class SkipReason(models.TextChoices):
    TOO_HARD = "too_hard", "Too hard"
    NO_TIME = "no_time", "No time"
    NOT_INTERESTED = "not_interested", "Not interested"
    FORGOT = "forgot", "Forgot"


class LearningPhase(models.TextChoices):
    DISCOVERY = "discovery", "Discovery"
    ESTABLISHMENT = "establishment", "Establishment"
    MASTERY = "mastery", "Mastery"


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
    modified_by_user = models.BooleanField(default=False)
    mode_at_time = models.CharField(max_length=20, choices=Mode.choices, blank=True, default="")
    weather = models.CharField(max_length=50, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "user_task_feedback"
        ordering = ["-scheduled_date", "-scheduled_time"]
        indexes = [
            models.Index(fields=["user_id"], name="idx_user_task_feedback_user_id"),
            models.Index(fields=["scheduled_date"], name="idx_user_task_feedback_sched"),
            models.Index(fields=["completed"], name="idx_user_task_feedback_done"),
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


def default_category_affinity() -> dict[str, float]:
    return {category: 0.5 for category in CATEGORIES}


def default_time_of_day_performance() -> dict[str, float]:
    return {part: 0.5 for part in DAY_PARTS}


class UserPreferenceProfile(models.Model):
    """What the engine has learned about one user (spec 1.1, user_preference_profile)."""

    user_id = models.UUIDField(primary_key=True)
    archetype = models.CharField(max_length=50)
    category_affinity = models.JSONField(default=default_category_affinity)
    subcategory_affinity = models.JSONField(default=dict, blank=True)
    time_of_day_performance = models.JSONField(default=default_time_of_day_performance)
    complexity_tolerance = models.FloatField(default=0.5)
    variety_seeking_score = models.FloatField(default=0.5)
    current_mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.MEDIUM)
    learning_phase = models.CharField(
        max_length=20, choices=LearningPhase.choices, default=LearningPhase.DISCOVERY
    )
    total_tasks_completed = models.IntegerField(default=0)
    total_tasks_scheduled = models.IntegerField(default=0)
    completion_rate = models.FloatField(default=0.0)
    longest_streak = models.IntegerField(default=0)
    current_streak = models.IntegerField(default=0)
    unique_tasks_tried = models.IntegerField(default=0)
    discovery_start_date = models.DateField(null=True, blank=True)
    profile_confidence = models.FloatField(default=0.0)
    # Raw completed/seen counts per learned dimension: what the adaptive scorer samples from.
    evidence = models.JSONField(default=dict, blank=True)
    # IANA zone of the user's local day, for "today" in streaks and early/late minutes.
    timezone = models.CharField(max_length=64, default="UTC")
    last_analyzed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "user_preference_profile"
        indexes = [
            models.Index(fields=["archetype"], name="idx_user_profile_archetype"),
            models.Index(fields=["learning_phase"], name="idx_user_profile_phase"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(archetype__in=ARCHETYPES), name="user_pref_profile_archetype_valid"
            ),
            models.CheckConstraint(
                condition=Q(current_mode__in=Mode.values), name="user_pref_profile_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(learning_phase__in=LearningPhase.values),
                name="user_pref_profile_phase_valid",
            ),
            models.CheckConstraint(
                condition=Q(completion_rate__gte=0.0, completion_rate__lte=1.0)
                & Q(profile_confidence__gte=0.0, profile_confidence__lte=1.0)
                & Q(complexity_tolerance__gte=0.0, complexity_tolerance__lte=1.0)
                & Q(variety_seeking_score__gte=0.0, variety_seeking_score__lte=1.0),
                name="user_pref_profile_scores_in_unit_range",
            ),
            models.CheckConstraint(
                condition=Q(total_tasks_completed__gte=0)
                & Q(total_tasks_scheduled__gte=0)
                & Q(longest_streak__gte=0)
                & Q(current_streak__gte=0)
                & Q(unique_tasks_tried__gte=0),
                name="user_pref_profile_counts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile {self.user_id} ({self.archetype})"


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
