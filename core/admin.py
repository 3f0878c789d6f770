from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

# The package's own admin, plus when each key was last used (core.models.ServiceKeyUsage).
admin.site.unregister(APIKey)


@admin.register(APIKey)
class ServiceKeyAdmin(APIKeyModelAdmin):
    list_display = (*APIKeyModelAdmin.list_display, "last_used")
    list_select_related = ("usage",)

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "last_used")

    @admin.display(description="Last used (to the minute)", ordering="usage__last_used_at")
    def last_used(self, key: APIKey) -> str:
        usage = getattr(key, "usage", None)
        return usage.last_used_at.strftime("%Y-%m-%d %H:%M UTC") if usage else "never"
