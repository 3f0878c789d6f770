from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.access import require_access
from core.api.schema import COMMON_ERRORS, USER_ID, error

from . import services
from .selectors import get_stored_plan
from .serializers import (
    GeneratePlanSerializer,
    PlanLookupSerializer,
    PlanSerializer,
)

GENERATE_EXAMPLE = OpenApiExample(
    "Peak Performer, medium day, waking at 06:30",
    value={
        "user_id": "2f6f1a52-3b7e-4d35-9a55-6f7c0f1f2a11",
        "archetype": "Peak Performer",
        "date": "2026-11-25",
        "mode": "medium",
        "preferences": {"wake_time": "06:30"},
    },
    request_only=True,
)


class PlanViewSet(viewsets.ViewSet):
    """Daily plans: generate (idempotent per user and date) and read back."""

    @extend_schema(
        operation_id="plans_generate",
        summary="Generate (or fetch) a user's plan for a date",
        description=(
            "Idempotent per user and date: an existing plan is returned unchanged unless "
            "`regenerate` is true. Falls back to the static default day if dynamic "
            "generation is disabled or fails."
        ),
        request=GeneratePlanSerializer,
        responses={
            200: PlanSerializer,
            400: error("Invalid field; `fields` names it and the allowed values."),
            404: error("A user token acting for another user."),
            **COMMON_ERRORS,
        },
        examples=[GENERATE_EXAMPLE],
        tags=["plans"],
    )
    def generate(self, request):
        serializer = GeneratePlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require_access(request, data["user_id"], "User")
        stored = services.generate_plan(
            user_id=data["user_id"],
            archetype=data["archetype"],
            day=data.get("date") or timezone.localdate(),
            mode=data.get("mode"),
            preferences=data.get("preferences") or {},
            regenerate=data["regenerate"],
        )
        return Response(PlanSerializer(stored).data, status=status.HTTP_200_OK)

    @extend_schema(
        operation_id="plans_retrieve",
        summary="Read a stored plan",
        parameters=[
            USER_ID,
            OpenApiParameter("date", OpenApiTypes.DATE, OpenApiParameter.PATH),
        ],
        responses={
            200: PlanSerializer,
            400: error("Malformed user_id or date."),
            404: error("No plan for this user and date (or not yours)."),
            **COMMON_ERRORS,
        },
        tags=["plans"],
    )
    def retrieve_for_date(self, request, user_id: str, date: str):
        lookup = PlanLookupSerializer(data={"user_id": user_id, "date": date})
        lookup.is_valid(raise_exception=True)
        user = lookup.validated_data["user_id"]
        require_access(request, user, "Plan")
        stored = get_stored_plan(user, lookup.validated_data["date"])
        if stored is None:
            raise NotFound("No plan for this user and date.")
        return Response(PlanSerializer(stored).data)
