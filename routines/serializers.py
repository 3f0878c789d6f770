from datetime import date, timedelta

from django.utils import timezone
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


def clock_label(value) -> str:
    """The spec's time format: "06:30 AM"."""
    return value.strftime("%I:%M %p")


def plan_payload(stored: StoredPlan) -> dict:
    """The spec's plan JSON (section 1.5), plus `id` and each task's `plan_item_id`."""
    plan = stored.plan
    return {
        "id": str(plan.id),
        "user_id": str(plan.user_id),
        "date": plan.date.isoformat(),
        "system": "HolisticOS",
        "content": {
            "time_blocks": [
                {
                    "block_name": block.block_name,
                    "start_time": clock_label(block.start_time),
                    "end_time": clock_label(block.end_time),
                    "zone_type": block.zone_type,
                    "purpose": block.purpose,
                    "tasks": [
                        {
                            "plan_item_id": str(item.id),
                            "task_library_id": (
                                str(item.task_library_id) if item.task_library_id else None
                            ),
                            "variation_group": item.variation_group or None,
                            "start_time": clock_label(item.scheduled_time),
                            "end_time": clock_label(item.end_time),
                            "title": item.title,
                            "description": item.description,
                            "task_type": item.category,
                            "priority": item.priority,
                            "estimated_duration_minutes": item.estimated_duration_minutes,
                        }
                        for item in stored.items_of(block)
                    ],
                }
                for block in stored.blocks
            ]
        },
        "archetype": plan.archetype,
        "plan_type": plan.plan_type,
        "model_used": plan.model_used,
        "readiness_mode": plan.readiness_mode,
    }


class PlanTaskSerializer(serializers.Serializer):
    plan_item_id = serializers.UUIDField(help_text="Send it back with task feedback.")
    task_library_id = serializers.UUIDField(allow_null=True)
    variation_group = serializers.CharField(allow_null=True)
    start_time = serializers.CharField(help_text='As in the spec, e.g. "06:30 AM".')
    end_time = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    task_type = serializers.CharField(help_text="The task's category.")
    priority = serializers.ChoiceField(choices=Priority.choices)
    estimated_duration_minutes = serializers.IntegerField()


class TimeBlockSerializer(serializers.Serializer):
    block_name = serializers.CharField()
    start_time = serializers.CharField()
    end_time = serializers.CharField()
    zone_type = serializers.CharField()
    purpose = serializers.CharField()
    tasks = PlanTaskSerializer(many=True)


class PlanContentSerializer(serializers.Serializer):
    time_blocks = TimeBlockSerializer(many=True)


class PlanSerializer(serializers.Serializer):
    """The spec's plan JSON (section 1.5), plus ids."""

    id = serializers.UUIDField()
    user_id = serializers.UUIDField()
    date = serializers.DateField()
    system = serializers.CharField()
    content = PlanContentSerializer()
    archetype = serializers.CharField()
    plan_type = serializers.ChoiceField(choices=PlanType.choices)
    model_used = serializers.CharField()
    readiness_mode = serializers.ChoiceField(choices=Mode.choices)
