"""Reading profiles and the user's own calendar (their zone decides what "today" is)."""

import uuid
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone

from .models import UserPreferenceProfile


def get_profile(user_id: uuid.UUID) -> UserPreferenceProfile | None:
    return UserPreferenceProfile.objects.filter(user_id=user_id).first()


def profiles_by_user(user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, UserPreferenceProfile]:
    """Many users' profiles in one query (the nightly batch)."""
    return {p.user_id: p for p in UserPreferenceProfile.objects.filter(user_id__in=user_ids)}


def user_zone(profile: UserPreferenceProfile | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(profile.timezone if profile else "UTC")


def local_today(profile: UserPreferenceProfile | None, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(user_zone(profile)).date()
