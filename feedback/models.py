import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from library.choices import Mode, TimeOfDay
from library.models import Task
from routines.holdout import BUCKETS, Group
from routines.models import PlanItem, PlanType


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
    # The user swapped the task for another before doing it (feedback/swaps.py): an explicit
    # rejection, the outcome "swapped" (feedback/outcomes.py). Always a skip, never a done.
    # A database default too: bulk loaders and benchmarks insert rows with column lists
    # written before swaps existed.
    swapped = models.BooleanField(default=False, db_default=False)
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
            models.CheckConstraint(
                condition=Q(swapped=False) | Q(skipped=True, completed=False),
                name="user_task_feedback_swap_is_a_skip",
            ),
        ]

    def __str__(self) -> str:
        state = "completed" if self.completed else "swapped" if self.swapped else "skipped"
        return f"{self.user_id} {state} on {self.scheduled_date}"

    def clean(self) -> None:
        if self.swapped and (self.completed or not self.skipped):
            raise ValidationError({"swapped": "a swapped task is skipped, not completed"})


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


# ---- rollups: anonymous daily aggregates (feedback/rollups.py writes them) ------------------
#
# None of these tables holds a user id: the dashboards of many users read counts that cannot
# be traced back to a person, and erasing a user's data never has to touch them (a person's
# rows are already mixed into counts of everyone planned the same day).


# The grouping key of a daily outcome rollup besides its day and task.
ROLLUP_GROUP = ("category", "variation_group", "policy", "archetype", "readiness_mode")


class DailyOutcomeRollup(models.Model):
    """Per day and group: the planned items and their outcomes, as the outcome model says.

    `planned` counts the stored plan items dated that day (by the item's own
    `scheduled_date`), unexposed ones included; the outcome columns count the outcome model's
    rows (feedback outcomes survive a replaced plan, so outcomes may exceed `planned`). The
    group's variation group, policy and archetype come from the plan item and its plan, and
    are "" for feedback whose item was replaced; the mode is the outcome model's (the mode at
    feedback time, the plan's readiness mode for planned and unanswered items).
    """

    day = models.DateField()
    category = models.CharField(max_length=50)
    # Not a foreign key: a rollup is history and keeps the id of a task deleted since.
    task_library_id = models.UUIDField(null=True, blank=True)
    variation_group = models.CharField(max_length=100, blank=True, default="")
    policy = models.CharField(max_length=30, blank=True, default="")
    archetype = models.CharField(max_length=50, blank=True, default="")
    readiness_mode = models.CharField(max_length=20, choices=Mode.choices, blank=True, default="")
    planned = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    skipped_too_hard = models.PositiveIntegerField(default=0)
    skipped_no_time = models.PositiveIntegerField(default=0)
    skipped_not_interested = models.PositiveIntegerField(default=0)
    skipped_forgot = models.PositiveIntegerField(default=0)
    skipped_other = models.PositiveIntegerField(default=0)  # no reason given
    unanswered = models.PositiveIntegerField(default=0)
    # Swapped for another task before the day was over (an explicit rejection).
    swapped = models.PositiveIntegerField(default=0, db_default=0)
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "daily_outcome_rollups"
        ordering = ["day", "category"]
        indexes = [
            # Every reader asks for a window of days (the dashboard, task performance).
            models.Index(fields=["day", "category"], name="idx_outcome_rollup_day"),
        ]
        constraints = [
            # NULL never equals NULL in a unique index, so rows without a task get their own.
            models.UniqueConstraint(
                fields=["day", "task_library_id", *ROLLUP_GROUP],
                condition=Q(task_library_id__isnull=False),
                name="outcome_rollup_one_per_task_group",
            ),
            models.UniqueConstraint(
                fields=["day", *ROLLUP_GROUP],
                condition=Q(task_library_id__isnull=True),
                name="outcome_rollup_one_per_taskless_group",
            ),
            models.CheckConstraint(
                condition=Q(rating_sum__gte=models.F("rating_count"))
                & Q(rating_sum__lte=models.F("rating_count") * 5),
                name="outcome_rollup_ratings_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(readiness_mode="") | Q(readiness_mode__in=Mode.values),
                name="outcome_rollup_mode_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category} {self.task_library_id or '-'}"

    def clean(self) -> None:
        if not self.rating_count <= self.rating_sum <= 5 * self.rating_count:
            raise ValidationError({"rating_sum": "must lie between 1 and 5 times rating_count"})

    @property
    def skipped(self) -> int:
        return (
            self.skipped_too_hard
            + self.skipped_no_time
            + self.skipped_not_interested
            + self.skipped_forgot
            + self.skipped_other
        )


class DailyPlanRollup(models.Model):
    """Per plan date and kind: plans, their items, and the items that received feedback.

    Counted by the plan's date (not the item's): the dashboard's plan success rate and
    feedback collection rate have always been per plan date, and a late Wind Down item can
    fall after midnight.
    """

    day = models.DateField()
    plan_type = models.CharField(max_length=20, choices=PlanType.choices)
    archetype = models.CharField(max_length=50)
    readiness_mode = models.CharField(max_length=20, choices=Mode.choices)
    plans = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    items_with_feedback = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "daily_plan_rollups"
        ordering = ["day", "plan_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "plan_type", "archetype", "readiness_mode"],
                name="plan_rollup_one_per_group",
            ),
            models.CheckConstraint(
                condition=Q(items_with_feedback__lte=models.F("items")),
                name="plan_rollup_feedback_within_items",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.plan_type}: {self.plans} plans"

    def clean(self) -> None:
        if self.items_with_feedback > self.items:
            raise ValidationError({"items_with_feedback": "cannot exceed items"})


class HydrationVarietyRollup(models.Model):
    """Hydration variety for one stretch of days inside one calendar week (Monday first).

    The spec's "3+ different hydration tasks in 7 days" is counted per user and calendar
    week, cut to the dashboard's window, so it needs each user's distinct tasks and cannot
    be summed from anonymous daily rows. Instead every stretch first_day..last_day that a
    window can cut from a week (at most 28 a week, by plan date) stores two counts: the
    users with a hydration task in it (user-weeks) and those with 3 or more distinct ones.
    Any window is then a few rows, exactly as the per-user count, without user ids.
    """

    first_day = models.DateField()
    last_day = models.DateField()
    user_weeks = models.PositiveIntegerField(default=0)
    varied = models.PositiveIntegerField(default=0)  # user-weeks with 3+ distinct tasks

    class Meta:
        db_table = "hydration_variety_rollups"
        ordering = ["last_day", "first_day"]
        constraints = [
            # last_day first: a window reads (and a recompute deletes) by last day.
            models.UniqueConstraint(
                fields=["last_day", "first_day"], name="hydration_variety_one_per_stretch"
            ),
            models.CheckConstraint(
                condition=Q(first_day__lte=models.F("last_day")),
                name="hydration_variety_stretch_ordered",
            ),
            models.CheckConstraint(
                condition=Q(varied__lte=models.F("user_weeks")),
                name="hydration_variety_within_user_weeks",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_day}..{self.last_day}: {self.varied}/{self.user_weeks}"

    def clean(self) -> None:
        if self.first_day and self.last_day and self.first_day > self.last_day:
            raise ValidationError({"first_day": "must not be after last_day"})
        if self.varied > self.user_weeks:
            raise ValidationError({"varied": "cannot exceed user_weeks"})


class HoldoutUserDay(models.Model):
    """One user's active day (the outcome model's: see `feedback.outcomes.active_user_days`)
    with the user's holdout group: what the lift and its bootstrap over users are read from.

    Unlike the anonymous rollups it keeps the user id: the number of users in each group
    is a count of distinct users, and a user who asks to be erased or exported takes these
    rows along (`privacy` finds the table by its `user_id` column). `bucket` is the user's
    random cluster (`routines.holdout.bucket_of`), summed per day into `holdout_bucket_days`
    for the bootstrap. The group is the assignment when the day was rolled up. Written by
    the nightly rollup while a holdout runs (HOLDOUT_SHARE > 0); see feedback/holdout_days.py.
    """

    user_id = models.UUIDField()
    day = models.DateField()
    group = models.CharField(max_length=10, choices=Group.choices)
    bucket = models.PositiveSmallIntegerField()
    outcomes = models.PositiveIntegerField()  # completed, skipped or unanswered that day
    completed = models.PositiveIntegerField()

    class Meta:
        db_table = "holdout_user_days"
        ordering = ["day", "user_id"]
        indexes = [
            # Distinct users per group over a window (an index-only scan on PostgreSQL).
            models.Index(fields=["day", "group", "user_id"], name="idx_holdout_day_users"),
        ]
        constraints = [
            # user_id first: erasure and export find a user's rows by it.
            models.UniqueConstraint(fields=["user_id", "day"], name="holdout_day_one_per_user"),
            models.CheckConstraint(
                condition=Q(group__in=Group.values), name="holdout_day_group_valid"
            ),
            models.CheckConstraint(condition=Q(bucket__lt=BUCKETS), name="holdout_day_bucket"),
            # An active day has at least one outcome (the feedback that made it active).
            models.CheckConstraint(
                condition=Q(outcomes__gte=1) & Q(completed__lte=models.F("outcomes")),
                name="holdout_day_counts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} ({self.group}): {self.completed}/{self.outcomes}"

    def clean(self) -> None:
        if self.bucket is not None and self.bucket >= BUCKETS:
            raise ValidationError({"bucket": f"must be below {BUCKETS}"})
        if self.outcomes is not None and self.outcomes < 1:
            raise ValidationError({"outcomes": "an active day has at least one outcome"})
        if (self.completed or 0) > (self.outcomes or 0):
            raise ValidationError({"completed": "cannot exceed outcomes"})


class HoldoutBucketDay(models.Model):
    """Per day, holdout group and bucket: the active user-days and their outcomes.

    The anonymous sums of `holdout_user_days` that the lift's bootstrap resamples (a bucket
    is a random cluster of users): at most 2 x BUCKETS rows a day whatever the number of
    users, so a 90-day window is a small read. Written with them (feedback/holdout_days.py).
    """

    day = models.DateField()
    group = models.CharField(max_length=10, choices=Group.choices)
    bucket = models.PositiveSmallIntegerField()
    user_days = models.PositiveIntegerField()
    outcomes = models.PositiveIntegerField()
    completed = models.PositiveIntegerField()

    class Meta:
        db_table = "holdout_bucket_days"
        ordering = ["day", "group", "bucket"]
        constraints = [
            models.UniqueConstraint(fields=["day", "group", "bucket"], name="holdout_bucket_one"),
            models.CheckConstraint(
                condition=Q(group__in=Group.values), name="holdout_bucket_group_valid"
            ),
            models.CheckConstraint(condition=Q(bucket__lt=BUCKETS), name="holdout_bucket_range"),
            models.CheckConstraint(
                condition=Q(completed__lte=models.F("outcomes")), name="holdout_bucket_counts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.group}/{self.bucket}: {self.completed}/{self.outcomes}"

    def clean(self) -> None:
        if (self.completed or 0) > (self.outcomes or 0):
            raise ValidationError({"completed": "cannot exceed outcomes"})


class HoldoutWindowUsers(models.Model):
    """Distinct users of each group active in the `days` days ending `until`.

    A count of distinct users cannot be summed from daily rows, and counting them from
    `holdout_user_days` costs the whole window (9 s for a 90-day window of 1.6 million
    user-days, docs/performance.md section 13). The nightly rollup counts them once for the
    dashboard's windows ending on the last closed day; other ranges count live.
    """

    until = models.DateField()
    days = models.PositiveSmallIntegerField()
    group = models.CharField(max_length=10, choices=Group.choices)
    users = models.PositiveIntegerField()

    class Meta:
        db_table = "holdout_window_users"
        ordering = ["until", "days", "group"]
        constraints = [
            models.UniqueConstraint(fields=["until", "days", "group"], name="holdout_window_one"),
            models.CheckConstraint(condition=Q(days__gte=1), name="holdout_window_days"),
        ]

    def __str__(self) -> str:
        return f"{self.days} days to {self.until}, {self.group}: {self.users} users"
