"""Who may call the API: service keys for backends, Supabase JWTs for users.

All API views take their authentication from REST_FRAMEWORK settings, so access is
changed in one place. Which user_ids a caller may touch is decided in `access.py`.
"""

import math
import uuid
from dataclasses import dataclass

import jwt
from django.conf import settings
from rest_framework import authentication, exceptions
from rest_framework_api_key.models import APIKey

from . import jwks
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
        # Revoked keys are not found at all (the package's usable keys), so `invalid_key`
        # covers unknown and revoked alike; an expired key is named as such, so the
        # calling service's operators know to renew rather than to hunt for a typo.
        if key is None or not key.is_valid(supplied):
            raise refused("invalid_key", "Invalid, expired or revoked API key.")
        if key.has_expired:
            raise refused("key_expired", "API key has expired.")
        note_key_used(key.id)
        return ServiceClient(key_id=key.id, name=key.name), key

    def authenticate_header(self, request) -> str:
        return 'X-API-Key, Bearer realm="api"'


class SigningKeysUnavailableError(exceptions.APIException):
    """503: a user token needs Supabase's signing keys and they cannot be fetched."""

    status_code = 503
    default_code = "unavailable"
    default_detail = (
        "User tokens cannot be checked right now (the signing keys are unreachable); retry soon."
    )

    def __init__(self, retry_after: float) -> None:
        super().__init__()
        # DRF's exception handler turns `wait` into a Retry-After header.
        self.wait = max(1, math.ceil(retry_after))


def refused(code: str, message: str) -> exceptions.AuthenticationFailed:
    """401 whose error code names the reason (`unknown_key`, `bad_signature`, ...)."""
    return exceptions.AuthenticationFailed(message, code=code)


def supabase_issuer() -> str | None:
    """The `iss` Supabase Auth puts in this project's tokens; None without SUPABASE_URL."""
    if not settings.SUPABASE_URL:
        return None
    return f"{settings.SUPABASE_URL.rstrip('/')}/auth/v1"


def _signing_key(kid) -> jwt.PyJWK:
    if not isinstance(kid, str) or not kid:
        raise refused("unknown_key", "Token names no signing key (kid).")
    key_set = jwks.signing_keys(
        settings.SUPABASE_URL, settings.SUPABASE_JWKS_TIMEOUT, settings.SUPABASE_JWKS_CACHE_SECONDS
    )
    try:
        return key_set.key_for(kid)
    except jwks.UnknownSigningKey as exc:
        raise refused(
            "unknown_key", "Token is signed with a key this project does not publish."
        ) from exc
    except jwks.SigningKeysUnavailable as exc:
        raise SigningKeysUnavailableError(exc.retry_after) from exc


def decode_user_token(token: str) -> dict:
    """The verified claims of a Supabase access token, or a 401 naming the reason.

    The header's `alg` only picks the system: HS256 is checked with SUPABASE_JWT_SECRET
    (legacy), ES256/RS256 with the project's published key named by `kid`, whose own
    algorithm is the only one allowed. Anything else is refused.
    """
    if not settings.SUPABASE_JWT_SECRET and not settings.SUPABASE_URL:
        raise refused("tokens_not_accepted", "User tokens are not accepted here.")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise refused("invalid_token", "Invalid token.") from exc
    alg = header.get("alg")
    if alg == "HS256" and settings.SUPABASE_JWT_SECRET:
        key, algorithms = settings.SUPABASE_JWT_SECRET, ["HS256"]
    elif alg in jwks.ASYMMETRIC_ALGORITHMS and settings.SUPABASE_URL:
        key = _signing_key(header.get("kid"))
        algorithms = [key.algorithm_name]
    else:
        raise refused("algorithm_not_allowed", f"Token algorithm {alg!r} is not accepted here.")
    issuer = supabase_issuer()
    try:
        return jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=settings.SUPABASE_JWT_AUDIENCE,
            issuer=issuer,
            options={"require": ["exp", "sub", "aud"] + (["iss"] if issuer else [])},
        )
    except jwt.ExpiredSignatureError as exc:
        raise refused("token_expired", "Token has expired.") from exc
    except jwt.InvalidAudienceError as exc:
        raise refused("wrong_audience", "Token audience is not accepted.") from exc
    except jwt.InvalidIssuerError as exc:
        raise refused("wrong_issuer", f"Token issuer is not {issuer}.") from exc
    except jwt.MissingRequiredClaimError as exc:
        if exc.claim == "iss":
            raise refused("wrong_issuer", f"Token has no issuer; expected {issuer}.") from exc
        raise refused("invalid_token", f"Token has no {exc.claim} claim.") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise refused(
            "algorithm_not_allowed", f"Token algorithm {alg!r} does not match its signing key."
        ) from exc
    except jwt.InvalidSignatureError as exc:
        raise refused("bad_signature", "Invalid token signature.") from exc
    except jwt.PyJWTError as exc:
        raise refused("invalid_token", "Invalid token.") from exc


class SupabaseJWTAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <access token>` as issued by Supabase Auth.

    Signed with the project's asymmetric keys (ES256/RS256, published as a JWKS at
    SUPABASE_URL) or, for legacy projects, with the shared SUPABASE_JWT_SECRET (HS256).
    The token must carry `exp`, `aud` = SUPABASE_JWT_AUDIENCE, `sub` = the user's UUID and,
    with SUPABASE_URL set, `iss` = SUPABASE_URL/auth/v1.
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
            raise refused("invalid_token", "Bearer token is missing.")
        claims = decode_user_token(token)
        try:
            user_id = uuid.UUID(str(claims["sub"]))
        except ValueError as exc:
            raise refused("invalid_token", "Token subject is not a user id.") from exc
        return UserClient(user_id=user_id), claims

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
