from django.contrib import admin

from core.admin_readonly import ReadOnlyAdmin

from .models import UserPreferenceProfile


@admin.register(UserPreferenceProfile)
class UserPreferenceProfileAdmin(ReadOnlyAdmin):
    list_display = (
        "user_id",
        "archetype",
        "learning_phase",
        "current_mode",
        "completion_rate",
        "profile_confidence",
        "current_streak",
    )
    list_filter = ("archetype", "learning_phase", "current_mode")
    search_fields = ("user_id",)
