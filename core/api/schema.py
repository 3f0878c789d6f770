"""OpenAPI pieces shared by every endpoint: auth schemes, the error shape, parameters."""

import calendar
from datetime import date

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers


class ServiceKeyScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.auth.ServiceKeyAuthentication"
    name = "ServiceKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "Service key from `manage.py create_api_key`; acts for any user.",
        }


class SupabaseJWTScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.auth.SupabaseJWTAuthentication"
    name = "UserToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "The user's Supabase access token; acts for its `sub` only. Tokens signed "
                "with the project's JWT signing keys (ES256 or RS256, checked against the "
                "project's JWKS at `SUPABASE_URL/auth/v1/.well-known/jwks.json`, `iss` = "
                "`SUPABASE_URL/auth/v1`) and, for legacy projects, tokens signed with the "
                "shared JWT secret (HS256, `SUPABASE_JWT_SECRET`) are accepted. A refused "
                "token answers 401 whose error code names the reason (`token_expired`, "
                "`unknown_key`, `bad_signature`, `wrong_issuer`, `wrong_audience`, "
                "`algorithm_not_allowed`, `invalid_token`); 503 when the signing keys "
                "cannot be fetched."
            ),
        }


ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField())
                ),
            },
        )
    },
)


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


COMMON_ERRORS = {
    401: error("Missing, invalid, expired or revoked credentials."),
    413: error("Request body too large."),
    429: error("Too many requests for this key or user."),
    503: error("Database, or the signing keys that check user tokens, unavailable; retry."),
}

USER_ID = OpenApiParameter(
    "user_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The user's UUID."
)


def date_window_pattern(first: date, last: date, weekday: int | None = None) -> str:
    """A regular expression matching exactly the YYYY-MM-DD dates from `first` to `last`.

    OpenAPI 3.0 cannot bound a date, so a rule like "within a year of today" is stated as
    a pattern (built when the schema is generated): one alternative per month, each day
    range spelled by its tens digit. Generated clients and schemathesis then send only
    dates the server accepts.
    """
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        low = first.day if (year, month) == (first.year, first.month) else 1
        high = (
            last.day
            if (year, month) == (last.year, last.month)
            else calendar.monthrange(year, month)[1]
        )
        if weekday is None:
            days = _day_range(low, high)
        else:
            days = "|".join(
                f"{day:02d}"
                for day in range(low, high + 1)
                if calendar.weekday(year, month, day) == weekday
            )
        if days:
            months.append(f"{year:04d}-{month:02d}-(?:{days})")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"^(?:{'|'.join(months)})$"


def _day_range(low: int, high: int) -> str:
    parts = []
    for tens in range(low // 10, high // 10 + 1):
        first_unit = max(low, tens * 10) - tens * 10
        last_unit = min(high, tens * 10 + 9) - tens * 10
        units = str(first_unit) if first_unit == last_unit else f"[{first_unit}-{last_unit}]"
        parts.append(f"{tens}{units}")
    return "|".join(parts)


def without_slash_twins(endpoints: list) -> list:
    """drf-spectacular hook: drop `path/` where `path` is routed too (the slash policy)."""
    paths = {path for path, *_ in endpoints}
    return [e for e in endpoints if not (e[0].endswith("/") and e[0].rstrip("/") in paths)]


def require_nonempty_bodies(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: a body whose schema needs a property (minProperties) is itself
    required; drf-spectacular marks a PATCH body with no required field optional."""
    schemas = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body:
                continue
            for media in body.get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                if schemas.get(ref.rsplit("/", 1)[-1], {}).get("minProperties"):
                    body["required"] = True
    return result
