from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import QueryChoiceField, StrictUUIDField, choice_field
from library.choices import Archetype, Mode
from profiles.models import UserPreferenceProfile
from routines.serializers import PlanSerializer

from .fields import (
    ClientDateTimeField,
    NotesField,
    TimeZoneField,
    WeekStartField,
    validate_timezone,
)
from .models import USER_NOTES_MAX_LENGTH, SkipReason
from .summary import WeeklySummary


class TaskFeedbackSerializer(serializers.Serializer):
    """The spec's payload (1.6/1.7) exactly as the mobile client sends it."""

    user_id = StrictUUIDField()
    plan_item_id = StrictUUIDField()
    completed = serializers.BooleanField()
    completed_at = ClientDateTimeField(required=False, allow_null=True)
    satisfaction_rating = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=5,
        error_messages={
            "min_value": "Rating must be from 1 to 5.",
            "max_value": "Rating must be from 1 to 5.",
        },
    )
    skip_reason = choice_field("skip_reason", SkipReason, required=False, allow_null=True)
    user_notes = NotesField(
        required=False, allow_null=True, allow_blank=True, max_length=USER_NOTES_MAX_LENGTH
    )

    def to_internal_value(self, data):
        if (
            isinstance(data, dict)
            and "completed" in data
            and not isinstance(data["completed"], bool)
        ):
            # Do not let "yes" or 1 pass as a boolean: the client sends true/false.
            raise serializers.ValidationError({"completed": ["Must be true or false."]})
        return super().to_internal_value(data)


class ProfileUpdateSerializer(serializers.Serializer):
    archetype = choice_field("archetype", Archetype, required=False)
    current_mode = choice_field("mode", Mode, required=False)
    timezone = TimeZoneField(required=False, max_length=64, validators=[validate_timezone])

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                "Send at least one of archetype, current_mode, timezone."
            )
        return attrs


class ProfileUpdateSchema(OpenApiSerializerExtension):
    """States the "at least one field" rule (minProperties) in the schema."""

    target_class = ProfileUpdateSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        return {**schema, "minProperties": 1}


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = UserPreferenceProfile
        fields = [
            "user_id",
            "archetype",
            "category_affinity",
            "subcategory_affinity",
            "time_of_day_performance",
            "complexity_tolerance",
            "variety_seeking_score",
            "current_mode",
            "learning_phase",
            "total_tasks_completed",
            "total_tasks_scheduled",
            "completion_rate",
            "longest_streak",
            "current_streak",
            "unique_tasks_tried",
            "discovery_start_date",
            "profile_confidence",
            "daily_capacity",
            "timezone",
            "last_analyzed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WeeklySummaryQuerySerializer(serializers.Serializer):
    week_start = WeekStartField(required=False)
    format = QueryChoiceField(choices=["json", "html"], required=False, default="json")


@extend_schema_field(OpenApiTypes.DATETIME)
class OffsetDateTimeField(serializers.Field):
    """ISO 8601 with the offset it was recorded in (the user's zone for a local time)."""

    def to_representation(self, value) -> str:
        return value.isoformat()


class FeedbackRecordedSerializer(serializers.Serializer):
    """The feedback response; instance: a `services.Recorded` (its first row is answered)."""

    status = serializers.SerializerMethodField(help_text='Always "success" (the spec).')
    recorded = serializers.BooleanField(help_text="False when feedback collection is off.")
    created = serializers.BooleanField(required=False, source="row_created")
    feedback_id = serializers.UUIDField(required=False, source="row.id")
    completed = serializers.BooleanField(required=False, source="row.completed")
    completed_at = OffsetDateTimeField(required=False, allow_null=True, source="row.completed_at")
    completed_early_minutes = serializers.IntegerField(
        required=False, allow_null=True, source="row.completed_early_minutes"
    )
    satisfaction_rating = serializers.IntegerField(
        required=False, allow_null=True, source="row.satisfaction_rating"
    )
    skip_reason = serializers.CharField(required=False, allow_null=True, source="row.skip_reason")

    def get_status(self, result) -> str:
        return "success"

    def to_representation(self, result):
        if not result.recorded:
            return {"status": "success", "recorded": False}
        data = super().to_representation(result)
        data["skip_reason"] = data["skip_reason"] or None
        return data


class CategoryWeekSerializer(serializers.Serializer):
    """One category's week, from the outcome model (README, "The outcome model")."""

    category = serializers.CharField()
    scheduled = serializers.IntegerField(help_text="Plan items dated in the week.")
    with_feedback = serializers.IntegerField(help_text="Items answered: completed or skipped.")
    completed = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="Explicit skips.")
    unanswered = serializers.IntegerField(
        help_text="No word on a day the user was active: counted as not completed."
    )
    outcomes = serializers.IntegerField(help_text="completed + skipped + unanswered.")
    swapped = serializers.IntegerField(
        help_text="Tasks swapped for another (not among `scheduled` or `outcomes`)."
    )
    completion_rate = serializers.SerializerMethodField(help_text="completed / outcomes.")

    def get_completion_rate(self, category) -> float:
        return round(category.rate, 4)


class PlanShapeSerializer(serializers.Serializer):
    """The next plans' size and category mix; instance: a `routines.shaping.DayShape`."""

    mode = serializers.CharField()
    tasks_per_day = serializers.IntegerField(source="size")
    full_plan_size = serializers.IntegerField(
        source="full_size", help_text="The mode's full layout: what the plan holds unlearned."
    )
    daily_capacity = serializers.IntegerField(
        source="capacity",
        allow_null=True,
        help_text="Tasks a day learned from what the user completes; null until learned.",
    )
    fewer_per_day = serializers.DictField(
        child=serializers.IntegerField(), source="fewer", help_text="category -> fewer slots"
    )
    more_per_day = serializers.DictField(
        child=serializers.IntegerField(), source="more", help_text="category -> more slots"
    )


class WeeklySummarySerializer(serializers.Serializer):
    """The weekly summary response; instance: a `summary.WeeklySummary`.

    The one definition of the response: the view returns `.data`, the schema is built
    from the same class.
    """

    user_id = serializers.UUIDField()
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    tasks_scheduled = serializers.IntegerField()
    tasks_completed = serializers.IntegerField()
    completion_rate = serializers.FloatField()
    previous_week_completion_rate = serializers.FloatField(
        source="previous_completion_rate",
        allow_null=True,
        help_text="null without a previous week.",
    )
    tasks_unanswered = serializers.IntegerField(
        help_text="Items left unanswered on days the user was active."
    )
    tasks_swapped = serializers.IntegerField(
        help_text='Tasks swapped for another ("Not this one"); not among tasks_scheduled.'
    )
    completion_rate_change_points = serializers.FloatField(
        allow_null=True, source="completion_rate_change"
    )
    current_streak = serializers.IntegerField()
    longest_streak = serializers.IntegerField()
    new_tasks_tried = serializers.SerializerMethodField()
    new_task_names = serializers.ListField(child=serializers.CharField(), source="new_tasks_tried")
    strongest_category = serializers.CharField(allow_null=True)
    weakest_category = serializers.CharField(allow_null=True)
    categories = CategoryWeekSerializer(many=True)
    learning_phase = serializers.CharField()
    current_mode = serializers.CharField()
    changes_for_next_week = serializers.ListField(child=serializers.CharField(), source="changes")
    next_plans = PlanShapeSerializer(
        source="next_shape",
        allow_null=True,
        help_text="Size and category mix of the next plans, as the planner will shape them.",
    )

    def get_new_tasks_tried(self, summary: WeeklySummary) -> int:
        return len(summary.new_tasks_tried)


class SwapSerializer(serializers.Serializer):
    """What a swap did; instance: a `swaps.SwapResult`."""

    swapped_plan_item_id = serializers.UUIDField(
        source="swapped.id", help_text="The task swapped out (the one the request named)."
    )
    plan_item_id = serializers.UUIDField(
        source="replacement.id", help_text="The task now in its slot: send it back with feedback."
    )
    replayed = serializers.BooleanField(
        help_text="True when the task had already been swapped (a retried request): nothing "
        "changed, and the answer is the same plan and replacement."
    )


class PlanAfterSwapSerializer(PlanSerializer):
    """The plan as generate answers it, plus `swap`; instance: the StoredPlan, the swap in
    the context. Swapped-out tasks are no longer among the blocks' tasks."""

    swap = serializers.SerializerMethodField()

    @extend_schema_field(SwapSerializer)
    def get_swap(self, stored) -> dict:
        return SwapSerializer(self.context["swap"]).data
