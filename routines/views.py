from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core.api.access import require_access
from core.api.schema import COMMON_ERRORS, USER_ID, error
from profiles.selectors import get_profile, local_today

from . import intent
from .selectors import StoredPlan, get_stored_plan, plan_page
from .serializers import (
    PLAN_PAGE_DAYS,
    GeneratePlanSerializer,
    PlanLookupSerializer,
    PlanPageSerializer,
    PlanRangeQuerySerializer,
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

    # What is recorded on plans: feedback's reader, passed in by holisticos/urls.py.
    feedback: intent.PlanFeedback = intent.NoFeedback()

    def _answer(self, user_id, plans: list[StoredPlan], **context) -> dict:
        items = [item for stored in plans for item in stored.items]
        return {"outcomes": self.feedback.outcomes(user_id, items), **context}

    @extend_schema(
        operation_id="plans_generate",
        summary="Generate (or fetch) a user's plan for a date",
        description=(
            "Idempotent per user and date: a stored plan is returned unless `regenerate` "
            "is true, or the request's `mode` or `archetype` differs from the stored "
            "plan's (or the stored plan is a static fallback after an error) and nothing "
            "on it has feedback yet: then it is replanned. With feedback recorded the "
            "stored plan is returned and `change_not_applied` says why. The request's "
            "`mode` and `archetype` become the profile's (`current_mode`), which the "
            "first plan creates. Without `date`: the user's local today. Falls back to "
            "the static default day if dynamic generation is disabled or fails."
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
        answer = intent.plan_for_request(
            user_id=data["user_id"],
            archetype=data["archetype"],
            day=data.get("date"),
            mode=data.get("mode"),
            preferences=data.get("preferences") or {},
            regenerate=data["regenerate"],
            feedback=self.feedback,
        )
        context = self._answer(
            data["user_id"], [answer.stored], change_not_applied=answer.change_not_applied
        )
        return Response(PlanSerializer(answer.stored, context=context).data, status.HTTP_200_OK)

    @extend_schema(
        operation_id="plans_list",
        summary="A user's plans, newest first (resync)",
        description=(
            f"Plans dated `from`..`to`, at most {PLAN_PAGE_DAYS} days a page, newest "
            "first; `next` is the URL of the older days. Each task carries its recorded "
            f"`outcome`. Without `to`: the user's local today; without `from`: "
            f"{PLAN_PAGE_DAYS} days up to `to`."
        ),
        parameters=[USER_ID, PlanRangeQuerySerializer],
        responses={
            200: PlanPageSerializer,
            400: error("Malformed user_id, from or to; from after to."),
            404: error("Not yours."),
            **COMMON_ERRORS,
        },
        tags=["plans"],
    )
    def list_plans(self, request, user_id: str):
        lookup = PlanLookupSerializer(data={"user_id": user_id}, partial=True)
        lookup.is_valid(raise_exception=True)
        user = lookup.validated_data["user_id"]
        require_access(request, user, "Plan")
        query = PlanRangeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = plan_page(
            user,
            query.validated_data.get("from"),
            query.validated_data.get("to"),
            local_today(get_profile(user)),
            PLAN_PAGE_DAYS,
        )
        data = PlanPageSerializer(page, context=self._answer(user, page.plans)).data
        if page.older is not None:
            url = request.build_absolute_uri()
            url = replace_query_param(url, "from", page.older[0].isoformat())
            data["next"] = replace_query_param(url, "to", page.older[1].isoformat())
        return Response(data)

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
        return Response(PlanSerializer(stored, context=self._answer(user, [stored])).data)
