from django.db import models
from django.db.models import Q

from library.choices import ARCHETYPES, CATEGORIES, DAY_PARTS, Mode


class LearningPhase(models.TextChoices):
    DISCOVERY = "discovery", "Discovery"
    ESTABLISHMENT = "establishment", "Establishment"
    MASTERY = "mastery", "Mastery"


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
    # Tasks a day that suit the user, learned from what they complete (profiles.capacity);
    # None until there is enough evidence: the mode's full plan. The planner keeps the plan
    # size inside the day's mode bounds (routines.layout.PLAN_SIZE).
    daily_capacity = models.PositiveSmallIntegerField(null=True, blank=True)
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
            models.CheckConstraint(
                condition=Q(daily_capacity__isnull=True)
                | Q(daily_capacity__gte=1, daily_capacity__lte=20),
                name="user_pref_profile_capacity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile {self.user_id} ({self.archetype})"
