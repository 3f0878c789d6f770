from datetime import date, timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import StrictBooleanField, StrictDateField, StrictUUIDField, choice_field
from core.api.schema import date_window_pattern
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


class PlanDateField(StrictDateField):
    """A plan date: YYYY-MM-DD within PLAN_DATE_RANGE of today."""

    def __init__(self, **kwargs):
        super().__init__(validators=[validate_plan_date], **kwargs)


class PlanDateFieldSchema(OpenApiSerializerFieldExtension):
    """States "within a year of today" in the schema, as a pattern built on each request."""

    target_class = PlanDateField

    def map_serializer_field(self, auto_schema, direction):
        today = timezone.localdate()
        return {
            "type": "string",
            "format": "date",
            "pattern": date_window_pattern(today - PLAN_DATE_RANGE, today + PLAN_DATE_RANGE),
            "description": (
                "YYYY-MM-DD, at most 366 days before or after today (server date); "
                "left out: the user's local today (the profile's time zone)."
            ),
        }


@extend_schema_field(
    {"type": "string", "pattern": r"^(?:[01]\d|2[0-3]):[0-5]\d$", "example": "06:30"}
)
class WakeTimeField(serializers.TimeField):
    """HH:MM, 24-hour."""


class PreferencesSerializer(serializers.Serializer):
    wake_time = WakeTimeField(
        required=False,
        input_formats=["%H:%M"],
        error_messages={"invalid": "Wake time must be HH:MM (24-hour), e.g. 06:30."},
    )


class GeneratePlanSerializer(serializers.Serializer):
    user_id = StrictUUIDField()
    archetype = choice_field("archetype", Archetype)
    date = PlanDateField(required=False)
    mode = choice_field("mode", Mode, required=False, allow_null=True)
    preferences = PreferencesSerializer(required=False, allow_null=True)
    regenerate = StrictBooleanField(required=False, default=False)


class PlanLookupSerializer(serializers.Serializer):
    user_id = StrictUUIDField()
    date = StrictDateField()


# A resync page: at most this many days of plans (a month), newest first.
PLAN_PAGE_DAYS = 31


class PlanRangeQuerySerializer(serializers.Serializer):
    """`from` and `to` (Python keywords, hence get_fields): the days to resync, within
    the plan window (a year either side of today: no plan is dated outside it). `from`
    after `to` is an empty range: an empty page."""

    def get_fields(self):
        return {
            "from": PlanDateField(required=False),
            "to": PlanDateField(required=False),
        }


@extend_schema_field(OpenApiTypes.STR)
class ClockField(serializers.Field):
    """The spec's time format: "06:30 AM"."""

    def to_representation(self, value) -> str:
        return value.strftime("%I:%M %p")


class BlankAsNullField(serializers.CharField):
    """Stored as "" (no value); the spec's JSON says null."""

    def to_representation(self, value) -> str | None:
        return value or None


class RecordedOutcomeSerializer(serializers.Serializer):
    """What the user recorded for a task (feedback), so an app can resync its ticks."""

    completed = serializers.BooleanField()
    completed_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was completed (UTC); null unless completed."
    )
    satisfaction_rating = serializers.IntegerField(allow_null=True, min_value=1, max_value=5)
    skip_reason = serializers.CharField(
        allow_null=True, help_text="too_hard, no_time, not_interested or forgot; or null."
    )


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
    outcome = serializers.SerializerMethodField(
        help_text="The recorded feedback on this task; null while it has none."
    )

    @extend_schema_field(RecordedOutcomeSerializer(allow_null=True))
    def get_outcome(self, item) -> dict | None:
        outcome = self.context.get("outcomes", {}).get(item.id)
        return None if outcome is None else RecordedOutcomeSerializer(outcome).data


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


class ChangeNotAppliedSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=["plan_has_feedback"])
    requested_mode = serializers.CharField(allow_null=True)
    requested_archetype = serializers.CharField()
    message = serializers.CharField()


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

    change_not_applied = serializers.SerializerMethodField(
        help_text=(
            "Set only by generate: the request asked for another mode or archetype than "
            "the stored plan's, and the plan was kept because feedback is recorded on it. "
            "null when the request was applied (and on every read)."
        )
    )

    def get_system(self, stored: StoredPlan) -> str:
        return "HolisticOS"

    @extend_schema_field(ChangeNotAppliedSerializer(allow_null=True))
    def get_change_not_applied(self, stored: StoredPlan) -> dict | None:
        kept = self.context.get("change_not_applied")
        return None if kept is None else ChangeNotAppliedSerializer(kept).data


class PlanPageSerializer(serializers.Serializer):
    """One page of a user's plans, newest first; instance: a `selectors.PlanPage`.

    `from` and `to` are Python keywords, hence get_fields.
    """

    def get_fields(self):
        return {
            "user_id": serializers.UUIDField(),
            "from": serializers.DateField(source="first", help_text="The page's first day."),
            "to": serializers.DateField(source="last", help_text="The page's last day."),
            "next": serializers.CharField(
                allow_null=True, help_text="The URL of the next (older) page; null on the last."
            ),
            "results": PlanSerializer(many=True, source="plans"),
        }
