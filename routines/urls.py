from django.urls import path

from .views import PlanViewSet

urlpatterns = [
    path("generate", PlanViewSet.as_view({"post": "generate"}), name="plan-generate"),
    path(
        "<str:user_id>/<str:date>/",
        PlanViewSet.as_view({"get": "retrieve_for_date"}),
        name="plan-detail",
    ),
]
