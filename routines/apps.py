from django.apps import AppConfig


class RoutinesConfig(AppConfig):
    name = "routines"
    verbose_name = "Plans and rotation"
    default_auto_field = "django.db.models.BigAutoField"
