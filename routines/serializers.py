from datetime import date, timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import StrictUUIDField, choice_field
from library.choices import Archetype, Mode

from .models import PlanType, Priority
from .selectors import StoredPlan

# Plans can be asked for up to a year either side of today; anything further is a typo.
PLAN_DATE_RANGE = timedelta(days=366)


def validate_plan_date(value: date) -> date:
    today = timezone.localdate()
    if abs(value - today) > PLAN_DATE_RANGE:
        raise serializers.ValidationError("Date must be within a year of today.")
    return value


class PreferencesSerializer(serializers.Serializer):
    wake_time = serializers.TimeField(
        required=False,
        input_formats=["%H:%M"],
        error_messages={"invalid": "Wake time must be HH:MM (24-hour), e.g. 06:30."},
    )


class GeneratePlanSerializer(serializers.Serializer):
    user_id = StrictUUIDField()
    archetype = choice_field("archetype", Archetype)
    date = serializers.DateField(required=False, validators=[validate_plan_date])
    mode = choice_field("mode", Mode, required=False, allow_null=True)
    preferences = PreferencesSerializer(required=False, allow_null=True)
    regenerate = serializers.BooleanField(required=False, default=False)


class PlanLookupSerializer(serializers.Serializer):
    user_id = StrictUUIDField()
    date = serializers.DateField()


@extend_schema_field(OpenApiTypes.STR)
class ClockField(serializers.Field):
    """The spec's time format: "06:30 AM"."""

    def to_representation(self, value) -> str:
        return value.strftime("%I:%M %p")


class BlankAsNullField(serializers.CharField):
    """Stored as "" (no value); the spec's JSON says null."""

    def to_representation(self, value) -> str | None:
        return value or None


class PlanTaskSerializer(serializers.Serializer):
    plan_item_id = serializers.UUIDField(source="id", help_text="Send it back with feedback.")
    task_library_id = serializers.UUIDField(allow_null=True)
    variation_group = BlankAsNullField(allow_null=True)
    start_time = ClockField(source="scheduled_time", help_text='As in the spec: "06:30 AM".')
    end_time = ClockField()
    title = serializers.CharField()
    description = serializers.CharField()
    task_type = serializers.CharField(source="category", help_text="The task's category.")
    priority = serializers.ChoiceField(choices=Priority.choices)
    estimated_duration_minutes = serializers.IntegerField()


class TimeBlockSerializer(serializers.Serializer):
    """A block with its tasks: built from (block, items) pairs of a StoredPlan."""

    block_name = serializers.CharField(source="block.block_name")
    start_time = ClockField(source="block.start_time")
    end_time = ClockField(source="block.end_time")
    zone_type = serializers.CharField(source="block.zone_type")
    purpose = serializers.CharField(source="block.purpose")
    tasks = PlanTaskSerializer(many=True, source="items")


class PlanContentSerializer(serializers.Serializer):
    time_blocks = TimeBlockSerializer(many=True, source="blocks_with_items")


class PlanSerializer(serializers.Serializer):
    """The spec's plan JSON (section 1.5), plus ids; instance: a StoredPlan.

    The one definition of the plan response: views return `PlanSerializer(stored).data`
    and the OpenAPI schema is generated from the same class.
    """

    id = serializers.UUIDField(source="plan.id")
    user_id = serializers.UUIDField(source="plan.user_id")
    date = serializers.DateField(source="plan.date")
    system = serializers.SerializerMethodField()
    content = PlanContentSerializer(source="*")
    archetype = serializers.CharField(source="plan.archetype")
    plan_type = serializers.ChoiceField(source="plan.plan_type", choices=PlanType.choices)
    model_used = serializers.CharField(source="plan.model_used")
    readiness_mode = serializers.ChoiceField(source="plan.readiness_mode", choices=Mode.choices)

    def get_system(self, stored: StoredPlan) -> str:
        return "HolisticOS"
