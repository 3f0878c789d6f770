from django.urls import path

from .views import FeedbackViewSet

urlpatterns = [
    path("task", FeedbackViewSet.as_view({"post": "record"}), name="feedback-task"),
    path(
        "profile/<str:user_id>",
        FeedbackViewSet.as_view({"get": "profile", "patch": "update_profile"}),
        name="feedback-profile",
    ),
    path(
        "summary/<str:user_id>/weekly",
        FeedbackViewSet.as_view({"get": "weekly"}),
        name="feedback-weekly-summary",
    ),
]
