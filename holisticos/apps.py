from django.apps import AppConfig


class HolisticOSConfig(AppConfig):
    """Cross-cutting glue: API auth, errors, health and the create_api_key command."""

    name = "holisticos"
    verbose_name = "HolisticOS"

    def ready(self) -> None:
        from .api import schema  # noqa: F401  registers the OpenAPI auth extensions
