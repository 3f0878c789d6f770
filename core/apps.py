from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared glue under every app: API auth, errors, throttling, health, metrics, SQL rows."""

    name = "core"
    verbose_name = "HolisticOS core"

    def ready(self) -> None:
        from .api import schema  # noqa: F401  registers the OpenAPI auth extensions
