from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    """What the engine knows about each user: the preference profile and how it is learned."""

    name = "profiles"
    verbose_name = "User profiles"
    default_auto_field = "django.db.models.BigAutoField"
