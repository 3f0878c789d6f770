"""The export document's parts: each row of the export is written by these classes, and the
OpenAPI schema of the export and erase endpoints is generated from the same classes."""

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import StrictUUIDField
from feedback.models import UserTaskFeedback
from profiles.models import UserPreferenceProfile
from routines.models import Plan, PlanItem, TaskRotationState, TimeBlock

OUTCOMES = ["completed", "skipped", "swapped", "unanswered", "unexposed", "pending"]


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?$",
        "example": "06:30:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the user's zone, HH:MM:SS. Not OpenAPI's `format: time`, which
    is RFC 3339's full-time and needs an offset these times do not have (a schemathesis run
    against the live server flagged every exported plan)."""


class RowSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.TimeField: LocalTimeField,
    }


class ProfileExportSerializer(RowSerializer):
    class Meta:
        model = UserPreferenceProfile
        fields = "__all__"


class TimeBlockExportSerializer(RowSerializer):
    class Meta:
        model = TimeBlock
        exclude = ["plan"]


class PlanItemExportSerializer(RowSerializer):
    outcome = serializers.ChoiceField(
        OUTCOMES,
        source="export_outcome",
        help_text="What happened to the item, by the engine's one outcome model: completed "
        "or skipped (you said so), swapped (you swapped it for another task), unanswered "
        "(its day ended, you used the app that day, nothing said about this task), "
        "unexposed (nothing at all that day), pending.",
    )

    class Meta:
        model = PlanItem
        exclude = ["plan"]


class PlanExportSerializer(RowSerializer):
    time_blocks = TimeBlockExportSerializer(many=True, source="export_blocks")
    items = PlanItemExportSerializer(many=True, source="export_items")

    class Meta:
        model = Plan
        fields = "__all__"


class FeedbackExportSerializer(RowSerializer):
    class Meta:
        model = UserTaskFeedback
        fields = "__all__"


class RotationExportSerializer(RowSerializer):
    class Meta:
        model = TaskRotationState
        fields = "__all__"


class ExportDocumentSerializer(serializers.Serializer):
    """The whole document (schema only: it is streamed part by part, privacy.export)."""

    user_id = StrictUUIDField()
    exported_at = serializers.DateTimeField()
    profile = ProfileExportSerializer(allow_null=True)
    profile_explained = serializers.DictField(
        child=serializers.CharField(), help_text="Each profile field, in plain words."
    )
    rotation_state = RotationExportSerializer(many=True)
    plans = PlanExportSerializer(many=True, help_text="Oldest first.")
    feedback = FeedbackExportSerializer(
        many=True, help_text="Oldest first, notes included; also feedback on replaced plans."
    )
    other_tables = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        help_text="Rows of any other table that holds your id or points at your plans.",
    )
