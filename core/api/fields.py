"""Serializer fields whose errors name the allowed values (the client can fix its request)."""

from django.db.models import TextChoices
from rest_framework import serializers


def choice_field(label: str, choices: type[TextChoices], **kwargs) -> serializers.ChoiceField:
    allowed = ", ".join(choices.values)
    return serializers.ChoiceField(
        choices=choices.choices,
        error_messages={
            "invalid_choice": f'"{{input}}" is not a valid {label}; allowed: {allowed}.'
        },
        **kwargs,
    )


class StrictUUIDField(serializers.UUIDField):
    """A UUID string only: DRF's UUIDField would also turn the number 42 into a UUID."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)
