"""The Celery app: workers for the nightly run's chunks (`celery -A holisticos worker`).

Configured from Django's settings (the CELERY_ names); tasks are found in each app's
`tasks.py`. Nothing here runs unless a worker is started or CELERY_BROKER_URL is set.
"""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "holisticos.settings")

app = Celery("holisticos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _serve_worker_metrics(**_) -> None:
    """A worker's Prometheus metrics (chunk durations, failures) on its own port: it is not
    the web process, whose /metrics cannot see them. Run workers with `--pool solo` (one
    process a worker, scaled by processes or replicas) so they are all in this process."""
    from django.conf import settings

    if settings.CELERY_WORKER_METRICS_PORT:
        from prometheus_client import start_http_server

        start_http_server(settings.CELERY_WORKER_METRICS_PORT)
