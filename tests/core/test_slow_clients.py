"""Slow clients against the real server: gunicorn with holisticos/gunicorn.py (gthread).

Sixteen connections send a feedback body a byte a second, three times the five sync
workers a two-core machine would run (the red team's six slow bodies stalled all five:
/healthz took 10 s). With the shipped config /healthz keeps answering and every slow
request is still served when its body completes. The same attack on sync workers shows
the test bites: /healthz stops answering. So did gthread workers with gunicorn's default
worker_connections (1000): a worker whose threads were all held kept accepting, and
/healthz waited behind the slow bodies (2 of 3 runs with ten of them).
"""

import json
import uuid

import pytest

from lab.redteam.server import gunicorn, manage, production_env
from lab.redteam.slow_clients import json_post_head, slow_bodies

SLOW_CONNECTIONS = 16
TRICKLE_SECONDS = 6


@pytest.fixture(scope="module")
def served_database(tmp_path_factory):
    """A migrated SQLite file and a service key, set up with README's commands."""
    folder = tmp_path_factory.mktemp("slow-clients")
    env = production_env(
        SECRET_KEY="slow-clients-test-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        SECURE_SSL_REDIRECT="false",
    )
    manage(env, "migrate", "--noinput", "-v0")
    key = manage(env, "create_api_key", "slow-clients").strip().splitlines()[-1]
    return env, key, folder


def attack(server, key: str):
    body = json.dumps(
        {"user_id": str(uuid.uuid4()), "plan_item_id": str(uuid.uuid4()), "completed": True}
    ).encode()
    head = json_post_head("/api/v1/feedback/task", body, {"X-API-Key": key})
    return slow_bodies(
        server.host, server.port, head, body, SLOW_CONNECTIONS, TRICKLE_SECONDS, probe_timeout=2
    )


def test_slow_bodies_do_not_stall_the_shipped_gthread_workers(served_database):
    env, key, folder = served_database
    with gunicorn(env, folder / "gthread.log") as server:  # workers and threads as shipped
        run = attack(server, key)
    assert len(run.healthz_seconds) >= TRICKLE_SECONDS - 2
    assert run.worst_healthz < 2.0, run.healthz_seconds  # every probe answered
    # Each slow request was held, not dropped: served once its body was complete.
    assert run.slow_statuses == [404] * SLOW_CONNECTIONS  # no such plan item


def test_a_worker_takes_no_more_connections_than_it_has_threads(monkeypatch):
    import importlib

    import holisticos.gunicorn as config

    for name in ("GUNICORN_THREADS", "GUNICORN_WORKER_CONNECTIONS", "GUNICORN_KEEPALIVE"):
        monkeypatch.delenv(name, raising=False)
    config = importlib.reload(config)
    assert config.worker_class == "gthread"
    assert config.worker_connections == config.threads
    assert config.keepalive == 0  # an idle kept-alive connection would hold a slot
    assert config.timeout * 1000 > 2 * 10_000  # well above the default statement timeout


def test_the_same_slow_bodies_stall_sync_workers(served_database):
    env, key, folder = served_database
    # gunicorn turns sync into gthread when threads > 1, hence GUNICORN_THREADS=1.
    sync = {**env, "GUNICORN_WORKER_CLASS": "sync", "GUNICORN_THREADS": "1"}
    sync["GUNICORN_WORKERS"] = "2"
    with gunicorn(sync, folder / "sync.log") as server:
        run = attack(server, key)
    assert run.worst_healthz == float("inf"), run.healthz_seconds
