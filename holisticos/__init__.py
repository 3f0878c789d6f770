# The Celery app loads with Django, so tasks sent from a command or a view use its settings.
from .celery import app as celery_app

__all__ = ("celery_app",)
