"""Which user_ids a caller may read and write."""

import uuid

from rest_framework.exceptions import NotFound


def can_act_for(request, user_id: uuid.UUID) -> bool:
    """Service keys act for anyone; a user acts only for themself."""
    caller = request.user
    if getattr(caller, "is_service", False):
        return True
    return getattr(caller, "user_id", None) == user_id


def require_access(request, user_id: uuid.UUID, what: str = "Resource") -> None:
    """Another user's data answers 404, exactly like data that does not exist."""
    if not can_act_for(request, user_id):
        raise NotFound(f"{what} not found.")
