"""Who may call the API: service keys for backends, Supabase JWTs for users.

All API views take their authentication from REST_FRAMEWORK settings, so access is
changed in one place. Which user_ids a caller may touch is decided in `access.py`.
"""

import uuid
from dataclasses import dataclass

import jwt
from django.conf import settings
from rest_framework import authentication, exceptions
from rest_framework_api_key.models import APIKey

from .key_usage import note_key_used


@dataclass(frozen=True, slots=True)
class ServiceClient:
    """A backend holding a service key: may act for any user_id."""

    key_id: str
    name: str
    is_authenticated: bool = True
    is_service: bool = True

    @property
    def throttle_key(self) -> str:
        return f"service:{self.key_id}"


@dataclass(frozen=True, slots=True)
class UserClient:
    """A signed-in app user: may read and write their own data only."""

    user_id: uuid.UUID
    is_authenticated: bool = True
    is_service: bool = False

    @property
    def throttle_key(self) -> str:
        return f"user:{self.user_id}"


class ServiceKeyAuthentication(authentication.BaseAuthentication):
    """`X-API-Key: <prefix>.<secret>`, checked against the hashed keys (revocable in admin)."""

    def authenticate(self, request):
        supplied = request.META.get(settings.API_KEY_CUSTOM_HEADER)
        if supplied is None:
            return None
        try:
            key = APIKey.objects.get_from_key(supplied)
        except APIKey.DoesNotExist:
            key = None
        if key is None or not key.is_valid(supplied):
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked API key.")
        if key.has_expired:
            raise exceptions.AuthenticationFailed("API key has expired.")
        note_key_used(key.id)
        return ServiceClient(key_id=key.id, name=key.name), key

    def authenticate_header(self, request) -> str:
        return 'X-API-Key, Bearer realm="api"'


class SupabaseJWTAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <access token>` as issued by Supabase Auth (HS256).

    The token must carry `exp`, `aud` = SUPABASE_JWT_AUDIENCE and `sub` = the user's UUID.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        token = token.strip()
        if not token:
            raise exceptions.AuthenticationFailed("Bearer token is missing.")
        if not settings.SUPABASE_JWT_SECRET:
            raise exceptions.AuthenticationFailed("User tokens are not accepted here.")
        try:
            claims = jwt.decode(
                token,
                settings.SUPABASE_JWT_SECRET,
                algorithms=["HS256"],
                audience=settings.SUPABASE_JWT_AUDIENCE,
                options={"require": ["exp", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise exceptions.AuthenticationFailed("Token has expired.") from exc
        except jwt.InvalidAudienceError as exc:
            raise exceptions.AuthenticationFailed("Token audience is not accepted.") from exc
        except jwt.PyJWTError as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        try:
            user_id = uuid.UUID(str(claims["sub"]))
        except ValueError as exc:
            raise exceptions.AuthenticationFailed("Token subject is not a user id.") from exc
        return UserClient(user_id=user_id), claims

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
