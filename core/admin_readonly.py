from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Learned and recorded data: staff inspect it, the engine alone writes it."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
