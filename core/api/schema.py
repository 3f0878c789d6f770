"""OpenAPI pieces shared by every endpoint: auth schemes, the error shape, parameters."""

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
