from core.api.routes import api_path

from .intent import PlanFeedback
from .views import PlanViewSet


def plan_routes(feedback: PlanFeedback) -> list:
    """The plan API; `feedback` answers what is recorded on plans (wired in holisticos/urls.py:
    routines never import feedback)."""

    def view(actions):
        return PlanViewSet.as_view(actions, feedback=feedback)

    return [
        *api_path("generate", view({"post": "generate"}), "plan-generate"),
        *api_path("<str:user_id>", view({"get": "list_plans"}), "plan-list"),
        *api_path("<str:user_id>/<str:date>", view({"get": "retrieve_for_date"}), "plan-detail"),
    ]
