from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_editors_group(sender, **kwargs) -> None:
    from .editors import ensure_editors_group

    ensure_editors_group()


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "Task library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # After the last app's permissions exist (post_migrate runs once per app, in
        # INSTALLED_APPS order; the group is topped up each time, so the last run sees all).
        post_migrate.connect(_ensure_editors_group, dispatch_uid="library-editors-group")
