from datetime import timedelta

from django.http import HttpResponse
from django.template.loader import render_to_string
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from core.api.access import can_act_for, require_access
from core.api.fields import path_uuid
from core.api.schema import COMMON_ERRORS, USER_ID, error
from profiles import services as profile_services
from profiles.selectors import get_profile, local_today

from . import services
from .plan_state import plan_item_owner
from .selectors import weekly_summary
from .serializers import (
    FeedbackRecordedSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
    TaskFeedbackSerializer,
    WeeklySummaryQuerySerializer,
    WeeklySummarySerializer,
)

COMPLETION_EXAMPLE = OpenApiExample(
    "Completion, as the mobile client sends it",
    value={
        "user_id": "2f6f1a52-3b7e-4d35-9a55-6f7c0f1f2a11",
        "plan_item_id": "0f278950-89a2-4c87-a876-53e2e9842bd3",
        "completed": True,
        "completed_at": "2026-11-25T06:41:07.512",
        "satisfaction_rating": None,
        "skip_reason": None,
        "user_notes": None,
    },
    request_only=True,
)


class FeedbackViewSet(viewsets.ViewSet):
    """Task feedback, the learned profile and the weekly summary."""

    @extend_schema(
        operation_id="feedback_record",
        summary="Record a completion or skip (upsert per plan item)",
        description=(
            "One row per user and plan item: later calls update it, and fields left out or "
            "null keep their recorded value. The user's profile is relearned in the same "
            "transaction."
        ),
        request=TaskFeedbackSerializer,
        responses={
            201: FeedbackRecordedSerializer,
            200: FeedbackRecordedSerializer,
            400: error("Invalid field; `fields` names it."),
            404: error("No such plan item for this user."),
            **COMMON_ERRORS,
        },
        examples=[COMPLETION_EXAMPLE],
        tags=["feedback"],
    )
    def record(self, request):
        serializer = TaskFeedbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require_access(request, data["user_id"], "Plan item")
        try:
            result = services.record_feedback(
                user_id=data["user_id"],
                plan_item_id=data["plan_item_id"],
                completed=data["completed"],
                completed_at=data.get("completed_at"),
                satisfaction_rating=data.get("satisfaction_rating"),
                skip_reason=data.get("skip_reason"),
                user_notes=data.get("user_notes"),
            )
        except services.PlanItemNotFound as exc:
            raise NotFound("Plan item not found for this user.") from exc
        except services.FeedbackRejected as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc
        return Response(
            FeedbackRecordedSerializer(result).data,
            status=status.HTTP_201_CREATED if result.row_created else status.HTTP_200_OK,
        )

    @extend_schema(
        operation_id="feedback_undo",
        summary="Undo: remove what is recorded on a plan item, and relearn",
        description=(
            "Deletes the item's feedback (completion, rating, skip, notes) and relearns the "
            "profile in the same transaction. Idempotent: 204 whether or not anything was "
            "recorded."
        ),
        parameters=[
            OpenApiParameter(
                "plan_item_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The task."
            )
        ],
        request=None,
        responses={
            204: OpenApiResponse(description="Nothing is recorded on the item now."),
            400: error("Malformed plan_item_id, or a task swapped for another."),
            404: error("No such plan item (or not yours)."),
            **COMMON_ERRORS,
        },
        tags=["feedback"],
    )
    def undo(self, request, plan_item_id: str):
        item_id = path_uuid(plan_item_id, "plan_item_id")
        owner = plan_item_owner(item_id)
        if owner is None or not can_act_for(request, owner):
            raise NotFound("Plan item not found.")
        try:
            services.remove_feedback(owner, item_id)
        except services.PlanItemNotFound as exc:  # deleted by a replan a moment ago
            raise NotFound("Plan item not found.") from exc
        except services.FeedbackRejected as exc:  # a swapped-out task
            raise ValidationError({exc.field: [exc.message]}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="feedback_profile_retrieve",
        summary="The user's learned preference profile",
        parameters=[USER_ID],
        responses={
            200: ProfileSerializer,
            400: error("Malformed user_id."),
            404: error("No profile: the user has no plan or feedback yet (or not yours)."),
            **COMMON_ERRORS,
        },
        tags=["feedback"],
    )
    def profile(self, request, user_id: str):
        user = path_uuid(user_id)
        require_access(request, user, "Profile")
        profile = get_profile(user)
        if profile is None:
            raise NotFound("Profile not found.")
        return Response(ProfileSerializer(profile).data)

    @extend_schema(
        operation_id="feedback_profile_update",
        summary="Set the user's mode, archetype or time zone (creates the profile)",
        parameters=[USER_ID],
        request=ProfileUpdateSerializer,
        responses={
            200: ProfileSerializer,
            201: ProfileSerializer,
            400: error("Invalid value."),
            404: error("No profile yet and no archetype to create one, or not yours."),
            **COMMON_ERRORS,
        },
        examples=[
            OpenApiExample("Low-energy day", value={"current_mode": "low"}, request_only=True)
        ],
        tags=["feedback"],
    )
    def update_profile(self, request, user_id: str):
        user = path_uuid(user_id)
        require_access(request, user, "Profile")
        serializer = ProfileUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            profile, created = profile_services.update_profile(
                user,
                archetype=data.get("archetype"),
                current_mode=data.get("current_mode"),
                timezone_name=data.get("timezone"),
            )
        except profile_services.ProfileNotFound as exc:
            raise NotFound(
                "No profile for this user yet; include archetype to create one."
            ) from exc
        return Response(
            ProfileSerializer(profile).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        operation_id="feedback_weekly_summary",
        summary="Weekly personalization summary",
        description="A week without plans or feedback is a summary of zeros, not a 404.",
        parameters=[USER_ID, WeeklySummaryQuerySerializer],
        responses={
            (200, "application/json"): WeeklySummarySerializer,
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="Email page."),
            400: error("Malformed user_id, week_start not a Monday within a year, bad format."),
            404: error("No profile: the user has no plan yet (or not yours)."),
            **COMMON_ERRORS,
        },
        tags=["feedback"],
    )
    def weekly(self, request, user_id: str):
        user = path_uuid(user_id)
        require_access(request, user, "Profile")
        query = WeeklySummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        profile = get_profile(user)
        if profile is None:
            raise NotFound("Profile not found.")
        week_start = query.validated_data.get("week_start")
        if week_start is None:
            today = local_today(profile)
            week_start = today - timedelta(days=today.weekday())
        summary = weekly_summary(profile, week_start)
        if query.validated_data["format"] == "html":
            html = render_to_string("feedback/weekly_summary.html", {"s": summary})
            return HttpResponse(html, content_type="text/html; charset=utf-8")
        return Response(WeeklySummarySerializer(summary).data)
