"""A long lock on the profile table, and slow clients, against the live server."""

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
from django.conf import settings
from django.db import connection

from profiles.models import UserPreferenceProfile

from .client import Answer, Client
from .report import Row
from .slow_clients import json_post_head, slow_bodies


def lock_connection() -> psycopg.Connection:
    """A plain psycopg connection to the same database (not Django's: it must stay open)."""
    params = connection.get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    return psycopg.connect(**params)


def under_lock(client: Client, user: uuid.UUID) -> list[tuple[str, Answer]]:
    """Requests that need the profile table, sent together while it is locked."""
    requests = {
        "read profile": ("GET", f"/api/v1/feedback/profile/{user}", None),
        "change profile": ("PATCH", f"/api/v1/feedback/profile/{user}", {"current_mode": "high"}),
        "first plan": (
            "POST",
            "/api/v1/plans/generate",
            {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer"},
        ),
        "plan of a known user": (
            "POST",
            "/api/v1/plans/generate",
            {"user_id": str(user), "archetype": "Peak Performer", "mode": "low"},
        ),
    }
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        futures = {
            name: pool.submit(client.send, method, path, json=body, timeout=120)
            for name, (method, path, body) in requests.items()
        }
        return [(name, future.result()) for name, future in futures.items()]


def profile_lock(base_url: str, key: str, user: uuid.UUID, hold_seconds: int = 40) -> list[Row]:
    timeout_s = settings.DATABASE_STATEMENT_TIMEOUT_MS / 1000
    client = Client(base_url, "198.51.100.60", {"X-API-Key": key})
    probe = Client(base_url, "198.51.100.61")
    table = UserPreferenceProfile._meta.db_table
    holder = lock_connection()
    holder.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
    locked_at = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=1) as background:
            answers_future = background.submit(under_lock, client, user)
            healthz = []
            while not answers_future.done():
                healthz.append(probe.send("GET", "/healthz", timeout=60).seconds)
                time.sleep(0.5)
            answers = answers_future.result()
        time.sleep(max(0.0, hold_seconds - (time.monotonic() - locked_at)))
    finally:
        holder.rollback()
        holder.close()
    rows = []
    for name, answer in answers:
        ok = (
            answer.status == 503
            and answer.is_json
            and bool(answer.retry_after)
            and answer.seconds <= timeout_s + 2
        )
        measured = (
            f"{answer.status} {answer.content_type.split(';')[0]} code={answer.error_code} "
            f"Retry-After={answer.retry_after} in {answer.seconds:.1f} s"
        )
        rows.append(
            Row(
                f"{hold_seconds} s lock on profiles: {name}",
                f"503 JSON + Retry-After within {timeout_s:.0f} s (+2)",
                measured,
                ok,
            )
        )
    worst = max(healthz)
    rows.append(
        Row(
            "/healthz during the lock",
            "< 1 s",
            f"worst {worst:.3f} s of {len(healthz)} probes",
            worst < 1,
        )
    )
    after = client.send("GET", f"/api/v1/feedback/profile/{user}")
    rows.append(Row("profile read after the lock", "200", str(after.status), after.status == 200))
    return rows


def slow_clients(server, key: str, connections: int = 16, trickle_seconds: int = 8) -> Row:
    body = json.dumps(
        {"user_id": str(uuid.uuid4()), "plan_item_id": str(uuid.uuid4()), "completed": True}
    ).encode()
    headers = {"X-API-Key": key, "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.70"}
    head = json_post_head("/api/v1/feedback/task", body, headers)
    run = slow_bodies(server.host, server.port, head, body, connections, trickle_seconds)
    served = sum(status == 404 for status in run.slow_statuses)
    measured = (
        f"/healthz worst {run.worst_healthz:.3f} s over {len(run.healthz_seconds)} probes; "
        f"{served} of {connections} slow requests served (404: no such item)"
    )
    ok = run.worst_healthz < 1 and served == connections
    return Row(
        f"{connections} bodies at 1 byte/s for {trickle_seconds} s",
        "/healthz < 1 s",
        measured,
        ok,
    )
