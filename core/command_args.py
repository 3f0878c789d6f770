"""Parsing management-command arguments into usage errors instead of tracebacks."""

import uuid
from datetime import date

from django.core.management.base import CommandError


def iso_date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{flag} must be YYYY-MM-DD, got {text!r}") from exc


def uuid_arg(text: str, flag: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError as exc:
        raise CommandError(f"{flag} must be a UUID, got {text!r}") from exc
