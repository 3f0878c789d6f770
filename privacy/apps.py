from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy: a user's data on request"
    default_auto_field = "django.db.models.BigAutoField"
