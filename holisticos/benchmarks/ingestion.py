"""Benchmark 3: feedback ingestion over HTTP through gunicorn, against a floor endpoint.

gunicorn serves the app on 127.0.0.1; the load comes from a second process
(load_client.py) with a fixed number of requests and a deadline. Afterwards the database
is counted: every posted item has exactly one feedback row, and every rating arrived.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from rest_framework_api_key.models import APIKey

from feedback.models import UserTaskFeedback
from routines.services import generate_plan

from .plan_generation import SHIPPED_LIBRARY_SIZE, build_library, reset_data
from .stats import verdict

DAY = date(2027, 3, 1)
TARGET_SHARE_OF_FLOOR = 0.5


@dataclass
class LoadResult:
    name: str
    sent: int
    per_second: float
    p50_ms: float
    p95_ms: float
    errors: dict


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "holisticos.benchmarks.settings",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_ACCESSLOG": "",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:holisticos.gunicorn",
            "--access-logfile",
            "/dev/null",
            "holisticos.wsgi",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def load(port: int, requests: list, key: str, concurrency: int) -> dict:
    spec = {
        "base_url": f"http://127.0.0.1:{port}",
        "requests": requests,
        "headers": {"X-API-Key": key},
        "concurrency": concurrency,
        "max_seconds": 180,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(spec, handle)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "holisticos.benchmarks.load_client", handle.name],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    return json.loads(out.strip().splitlines()[-1])


def run(users: int = 200, workers: int = 4, concurrency: int = 16) -> dict:
    reset_data()
    build_library(SHIPPED_LIBRARY_SIZE)
    _, key = APIKey.objects.create_key(name="bench")
    items = []
    for _ in range(users):
        stored = generate_plan(uuid.uuid4(), "Peak Performer", DAY)
        items += [(str(item.user_id), str(item.id)) for item in stored.items]
    completions = [
        [
            "POST",
            "/api/v1/feedback/task",
            {
                "user_id": u,
                "plan_item_id": i,
                "completed": True,
                "completed_at": None,
                "satisfaction_rating": None,
                "skip_reason": None,
                "user_notes": None,
            },
        ]
        for u, i in items
    ]
    ratings = [
        [
            "POST",
            "/api/v1/feedback/task",
            {"user_id": u, "plan_item_id": i, "completed": True, "satisfaction_rating": 4},
        ]
        for u, i in items
    ]
    floor = [["GET", f"/bench/floor?item={i}", None] for _, i in items]
    port = free_port()
    server = start_gunicorn(port, workers)
    try:
        floor_result = load(port, floor, key, concurrency)
        feedback_result = load(port, completions + ratings, key, concurrency)
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = UserTaskFeedback.objects.count()
    rated = UserTaskFeedback.objects.filter(satisfaction_rating=4, completed_at__isnull=False)
    return {
        "items": len(items),
        "floor": LoadResult("floor: one indexed read", **_pick(floor_result)),
        "feedback": LoadResult("POST /api/v1/feedback/task", **_pick(feedback_result)),
        "rows": rows,
        "rated_rows": rated.count(),
        "workers": workers,
        "concurrency": concurrency,
    }


def _pick(result: dict) -> dict:
    return {k: result[k] for k in ("sent", "per_second", "p50_ms", "p95_ms", "errors")}


def report(result: dict) -> str:
    lines = [
        f"gunicorn with {result['workers']} workers on 127.0.0.1; a separate client process with "
        f"{result['concurrency']} keep-alive connections; {result['items']} plan items, each "
        "posted twice (completion, then a star rating), as the mobile client does.",
        "",
        "| endpoint | requests | requests/s | p50 | p95 | errors |",
        "|---|---|---|---|---|---|",
    ]
    for r in (result["floor"], result["feedback"]):
        lines.append(
            f"| {r.name} | {r.sent} | {r.per_second:.0f} | {r.p50_ms:.1f} ms |"
            f" {r.p95_ms:.1f} ms | {sum(r.errors.values())} {r.errors or ''} |"
        )
    ratio = result["feedback"].per_second / result["floor"].per_second
    lines += [
        "",
        f"Throughput: {ratio:.0%} of the floor (target >= {TARGET_SHARE_OF_FLOOR:.0%}: "
        f"{verdict(ratio >= TARGET_SHARE_OF_FLOOR)}). Rows afterwards: {result['rows']} "
        "feedback rows "
        f"for {result['items']} items (none lost, none duplicated); {result['rated_rows']} "
        "carry both the rating and the completion time (the second call erased nothing).",
    ]
    return "\n".join(lines)
