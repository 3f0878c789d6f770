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
# gthread: each worker serves GUNICORN_THREADS requests at once. With sync workers five
# slow request bodies held all five workers; a slow client now holds one thread of
# workers x threads. Bodies should still be buffered by the reverse proxy in front (nginx
# does by default), so the app only ever sees complete requests.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# One connection per thread. A gthread worker accepts while it has fewer than
# worker_connections open and queues each on its thread pool at once: with gunicorn's
# default (1000) a worker whose threads were all held by slow bodies kept accepting, and
# the requests it took (/healthz too) waited behind them. Ten slow bodies on 5 workers x 8
# threads left /healthz unanswered for 3 s in 2 of 3 runs (issue 16's rerun). At one
# connection per thread a busy worker stops accepting and an idle one takes the request.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", threads))
# No keep-alive: an idle kept-alive connection would hold one of those slots. The proxy in
# front opens a connection per request (nginx's default towards an upstream). A connection
# that sends nothing for 5 s (gunicorn's wait for a first byte) is then closed.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Recycle workers now and then so a slow leak can never take a node down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
