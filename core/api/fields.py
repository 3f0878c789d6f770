"""Serializer fields whose errors name the allowed values (the client can fix its request)."""

import re
import uuid
from datetime import date

from django.db.models import TextChoices
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.utils import html


def choice_field(label: str, choices: type[TextChoices], **kwargs) -> serializers.ChoiceField:
    allowed = ", ".join(choices.values)
    return serializers.ChoiceField(
        choices=choices.choices,
        error_messages={
            "invalid_choice": f'"{{input}}" is not a valid {label}; allowed: {allowed}.'
        },
        **kwargs,
    )


def path_uuid(raw: str, name: str = "user_id") -> uuid.UUID:
    """A UUID from the URL path; otherwise a 400 naming the path parameter."""
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise ValidationError({name: ["Must be a valid UUID."]}) from exc


class QueryChoiceField(serializers.ChoiceField):
    """A choice in the query string where "?name=" is an invalid choice, not left out.

    DRF reads an empty query value of an optional field as absent (form semantics), so
    "?format=" answered as if no format were asked for, against the schema's enum.
    """

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


class StrictBooleanField(serializers.BooleanField):
    """true or false only: DRF's BooleanField would also take 0, 1, "yes" or "on"."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictCharField(serializers.CharField):
    """Text only: DRF's CharField would also turn the number 5 into "5"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """A UUID string only: DRF's UUIDField would also turn the number 42 into a UUID."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


# Dates the service can plan and summarise: a week before or after stays inside Python's
# calendar (year 1 - 9999), so date arithmetic can never overflow into a 500.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_DATE = re.compile(DATE_PATTERN, re.ASCII)


class StrictDateField(serializers.DateField):
    """YYYY-MM-DD only: Python's ISO parser would also take "2026-W48-3" or "20261125"."""

    default_error_messages = {"invalid": "Date must be YYYY-MM-DD, e.g. 2026-11-25."}

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "":
            return ""  # "?to=" is a malformed date; DRF would treat it as left out
        return super().get_value(dictionary)

    def to_internal_value(self, value):
        if not isinstance(value, str) or not _DATE.match(value):
            self.fail("invalid")
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail("invalid")


class ServiceDateField(StrictDateField):
    """A date between EARLIEST_DATE and LATEST_DATE; outside it a 400 naming the field."""

    default_error_messages = {
        "out_of_range": f"Date must be between {EARLIEST_DATE} and {LATEST_DATE}.",
    }

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            self.fail("out_of_range")
        return parsed
