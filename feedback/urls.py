from core.api.routes import api_path

from .views import FeedbackViewSet

urlpatterns = [
    *api_path("task", FeedbackViewSet.as_view({"post": "record"}), "feedback-task"),
    *api_path(
        "task/<str:plan_item_id>",
        FeedbackViewSet.as_view({"delete": "undo"}),
        "feedback-task-undo",
    ),
    *api_path(
        "profile/<str:user_id>",
        FeedbackViewSet.as_view({"get": "profile", "patch": "update_profile"}),
        "feedback-profile",
    ),
    *api_path(
        "summary/<str:user_id>/weekly",
        FeedbackViewSet.as_view({"get": "weekly"}),
        "feedback-weekly-summary",
    ),
]
