"""Input fields of the feedback API whose rules the schema states (issue 15).

Each field's OpenAPI form says exactly what its parser accepts (a pattern, an enum, a
range), so generated clients and schemathesis send only what the server takes.
"""

import re
import zoneinfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import StrictCharField, StrictDateField
from core.api.schema import date_window_pattern
from routines.serializers import PLAN_DATE_RANGE

from .models import USER_NOTES_MAX_LENGTH

# A date and a time (to the minute at least), with an optional fraction and offset: what
# Dart's toIso8601String() sends (local, no offset) and what any other client would. The
# calendar is spelled out (month lengths, 29 February in leap years) so that the pattern
# accepts exactly what the parser does.
_YEAR = r"(?:[1-9]\d{3}|0[1-9]\d{2}|00[1-9]\d|000[1-9])"
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|02-(?:0[1-9]|1\d|2[0-8]))"
)
_LEAP_DAY = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
CLIENT_DATETIME_PATTERN = (
    rf"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_DAY})"
    r"T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$"
)
_CLIENT_DATETIME = re.compile(CLIENT_DATETIME_PATTERN, re.ASCII)
# Text the database can store: PostgreSQL refuses NUL in text columns.
NO_NUL_PATTERN = r"^[^\u0000]*$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": CLIENT_DATETIME_PATTERN,
        "description": (
            "ISO 8601 date and time, e.g. 2026-11-25T06:41:07.512 (local time, no offset, as "
            "Dart's toIso8601String() sends it: read in the user's time zone, the profile's "
            "`timezone`) or 2026-11-25T05:41:07Z / +01:00 (an instant). A date alone is "
            "refused. At most a day in the future and at most a day before the task's "
            "scheduled time."
        ),
    }
)
class ClientDateTimeField(serializers.Field):
    """ISO 8601 with or without an offset. The Dart client's toIso8601String() omits the
    offset for local times; those stay naive here and are read in the user's zone."""

    default_error_messages = {
        "invalid": "Must be an ISO 8601 date and time, e.g. 2026-11-24T07:05:00."
    }

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _CLIENT_DATETIME.match(data):
            self.fail("invalid")
        try:
            value = parse_datetime(data)
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid")
        return value

    def to_representation(self, value):
        return value.isoformat()


@extend_schema_field(
    {"type": "string", "maxLength": USER_NOTES_MAX_LENGTH, "pattern": NO_NUL_PATTERN}
)
class NotesField(StrictCharField):
    """Free text; no NUL characters (DRF refuses them: PostgreSQL cannot store them)."""


# The zones the schema lists and the server accepts: one set, so the two cannot differ
# (ZoneInfo alone would also load a file path such as "posixrules").
TIME_ZONES = frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> str:
    if value not in TIME_ZONES:
        raise serializers.ValidationError(
            f'"{value}" is not an IANA time zone such as Europe/Berlin.'
        )
    return value


@extend_schema_field(
    {
        "type": "string",
        "enum": sorted(TIME_ZONES),
        "description": "An IANA time zone, e.g. Europe/Berlin.",
    }
)
class TimeZoneField(StrictCharField):
    """An IANA zone name; the schema lists them (the ones this server knows)."""


class WeekStartField(StrictDateField):
    """A Monday within a year of today (routines' plan window): the weeks with plans."""

    default_error_messages = {
        "not_monday": "week_start must be a Monday.",
        "out_of_range": "week_start must be within a year of today.",
    }

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if parsed.weekday() != 0:
            self.fail("not_monday")
        if abs(parsed - timezone.localdate()) > PLAN_DATE_RANGE:
            self.fail("out_of_range")
        return parsed


class WeekStartFieldSchema(OpenApiSerializerFieldExtension):
    """States "a Monday within a year of today" as a pattern built on each request."""

    target_class = WeekStartField

    def map_serializer_field(self, auto_schema, direction):
        today = timezone.localdate()
        pattern = date_window_pattern(today - PLAN_DATE_RANGE, today + PLAN_DATE_RANGE, 0)
        return {
            "type": "string",
            "format": "date",
            "pattern": pattern,
            "description": "A Monday (YYYY-MM-DD) within a year of today; default this week.",
        }
