"""The swap endpoint: POST /api/v1/plans/{user_id}/{date}/items/{plan_item_id}/swap.

Under the plans' path (holisticos/urls.py mounts it beside `routines.urls.plan_routes`), but
a feedback view: a swap records an outcome and relearns, and plans never write feedback.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from core.api.access import require_access
from core.api.errors import error_body
from core.api.fields import path_uuid
from core.api.routes import api_path
from core.api.schema import COMMON_ERRORS, USER_ID, error
from routines.serializers import PlanLookupSerializer

from .plan_state import PLAN_FEEDBACK
from .serializers import PlanAfterSwapSerializer
from .swaps import SwapRefused, swap_task


class SwapViewSet(viewsets.ViewSet):
    """Swapping one task of a plan."""

    @extend_schema(
        operation_id="plans_swap_task",
        summary='Swap a task for another in the same slot ("Not this one")',
        description=(
            "Replaces the task with another for the same slot, drawn by the user's policy "
            "under the plan's rules (category and part of the day, difficulty for the mode, "
            "rotation, one task per variation group a day, the time until the next task), "
            "leaving out the swapped task and every task of that day's plan. Answers the "
            "plan as generate does, plus `swap` (the new task's `plan_item_id`). The "
            'swapped task is recorded as swapped: the profile learns from it like a "not '
            'interested" skip. Idempotent per task: a task already swapped answers the '
            "same plan and replacement (`replayed: true`) and changes nothing. Only today's "
            "plan or a later one; at most SWAPS_PER_ITEM swaps of one slot and "
            "SWAPS_PER_DAY of one plan (README); a completed or skipped task, or a slot no "
            "other task fits, answers 409 and nothing changes."
        ),
        parameters=[
            USER_ID,
            OpenApiParameter("date", OpenApiTypes.DATE, OpenApiParameter.PATH),
            OpenApiParameter(
                "plan_item_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The task."
            ),
        ],
        request=None,
        responses={
            200: PlanAfterSwapSerializer,
            400: error("Malformed user_id, date or plan_item_id; `fields` names it."),
            404: error("No plan for this user and date, or no such task in it (or not yours)."),
            409: error(
                "Not swappable now: the day is over, the task is completed or skipped, a "
                "limit is reached, or no other task fits; `fields` names the field."
            ),
            **COMMON_ERRORS,
        },
        tags=["plans"],
    )
    def swap(self, request, user_id: str, date: str, plan_item_id: str):
        lookup = PlanLookupSerializer(data={"user_id": user_id, "date": date})
        lookup.is_valid(raise_exception=True)
        user = lookup.validated_data["user_id"]
        require_access(request, user, "Plan")
        item_id = path_uuid(plan_item_id, "plan_item_id")
        try:
            result = swap_task(user, lookup.validated_data["date"], item_id)
        except SwapRefused as refused:
            body = error_body(refused.code, refused.message, {refused.field: [refused.message]})
            return Response(body, status=refused.status)
        stored = result.stored
        context = {
            "outcomes": PLAN_FEEDBACK.outcomes(user, stored.items),
            "swap": result,
        }
        return Response(PlanAfterSwapSerializer(stored, context=context).data, status.HTTP_200_OK)


def swap_routes() -> list:
    return api_path(
        "<str:user_id>/<str:date>/items/<str:plan_item_id>/swap",
        SwapViewSet.as_view({"post": "swap"}),
        "plan-item-swap",
    )
