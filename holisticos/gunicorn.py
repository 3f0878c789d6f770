"""gunicorn settings (`gunicorn -c python:holisticos.gunicorn holisticos.wsgi`).

Every value can be overridden with GUNICORN_* environment variables.

Timeouts, from the inside out (README, "Running in production"):
- DATABASE_STATEMENT_TIMEOUT_MS (10 s): PostgreSQL cancels a statement, e.g. one waiting
  on a lock; the request answers 503 JSON with Retry-After.
- GUNICORN_TIMEOUT (30 s): a worker silent for this long is killed and its clients get
  gunicorn's bare error page. It must stay above the statement timeout.
- The reverse proxy's read timeout should be above both.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# gthread: each worker serves GUNICORN_THREADS requests at once, and idle keep-alive
# connections wait in the worker's event loop instead of holding a thread. With sync
# workers five slow request bodies held all five workers; a slow client now holds one
# thread of workers x threads. Bodies should still be buffered by the reverse proxy in
# front (nginx does by default), so the app only ever sees complete requests.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak can never take a node down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
