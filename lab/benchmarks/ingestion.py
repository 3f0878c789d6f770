"""Benchmark 3: feedback ingestion over HTTP through gunicorn, against a floor endpoint.

gunicorn serves the app on 127.0.0.1; the load comes from a second process
(load_client.py) with a fixed number of requests and a deadline. Afterwards the database
is counted: every posted item has exactly one feedback row, and every rating arrived.
"""

import json
import os
import random
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
from .stats import median, verdict

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
        "DJANGO_SETTINGS_MODULE": "lab.benchmarks.settings",
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
            [sys.executable, "-m", "lab.benchmarks.load_client", handle.name],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    return json.loads(out.strip().splitlines()[-1])


def _round_requests(users: int, seed: int) -> tuple[list, list, list]:
    """Fresh users' plans; their completions, then their ratings, and floor reads.

    Requests go in a seeded random order across users, as many phones would send them:
    in user order the 16 connections would all queue on one user's profile lock, which
    the 20-thread concurrency test covers and which is not a throughput figure.
    """
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
    order = random.Random(seed)
    order.shuffle(completions)
    order.shuffle(ratings)
    floor = [["GET", f"/bench/floor?item={i}", None] for _, i in items]
    order.shuffle(floor)
    return items, completions + ratings, floor


def run(users: int = 200, workers: int = 4, concurrency: int = 16, rounds: int = 3) -> dict:
    """Floor and feedback alternate for `rounds` rounds on one server; medians reported.

    Alternating matters: this machine's speed drifts between runs by a quarter or more,
    and a ratio of two loads run minutes apart would measure the drift.
    """
    reset_data()
    build_library(SHIPPED_LIBRARY_SIZE)
    _, key = APIKey.objects.create_key(name="bench")
    prepared = [_round_requests(users, seed) for seed in range(rounds)]
    port = free_port()
    server = start_gunicorn(port, workers)
    floors, feedbacks = [], []
    try:
        for _, feedback_requests, floor_requests in prepared:
            floors.append(load(port, floor_requests, key, concurrency))
            feedbacks.append(load(port, feedback_requests, key, concurrency))
    finally:
        server.terminate()
        server.wait(timeout=30)
    items = sum(len(batch[0]) for batch in prepared)
    rated = UserTaskFeedback.objects.filter(satisfaction_rating=4, completed_at__isnull=False)
    return {
        "items": items,
        "rounds": rounds,
        "floor": _median_result("floor: one indexed read", floors),
        "feedback": _median_result("POST /api/v1/feedback/task", feedbacks),
        "ratios": [
            b["per_second"] / a["per_second"] for a, b in zip(floors, feedbacks, strict=True)
        ],
        "rows": UserTaskFeedback.objects.count(),
        "rated_rows": rated.count(),
        "workers": workers,
        "concurrency": concurrency,
    }


def _median_result(name: str, results: list[dict]) -> LoadResult:
    errors: dict = {}
    for result in results:
        for status, count in result["errors"].items():
            errors[status] = errors.get(status, 0) + count
    return LoadResult(
        name,
        sent=sum(r["sent"] for r in results),
        per_second=median([r["per_second"] for r in results]),
        p50_ms=median([r["p50_ms"] for r in results]),
        p95_ms=median([r["p95_ms"] for r in results]),
        errors=errors,
    )


def report(result: dict) -> str:
    lines = [
        f"gunicorn with {result['workers']} workers on 127.0.0.1; a separate client process with "
        f"{result['concurrency']} connections; {result['items']} plan items over "
        f"{result['rounds']} rounds, each item posted twice (completion, then a star rating), "
        "as the mobile client does, in random order across users. Floor and feedback "
        "alternate round by round; rates and latencies are medians over the rounds, "
        "requests and errors are totals.",
        "",
        "| endpoint | requests | requests/s | p50 | p95 | errors |",
        "|---|---|---|---|---|---|",
    ]
    for r in (result["floor"], result["feedback"]):
        lines.append(
            f"| {r.name} | {r.sent} | {r.per_second:.0f} | {r.p50_ms:.1f} ms |"
            f" {r.p95_ms:.1f} ms | {sum(r.errors.values())} {r.errors or ''} |"
        )
    ratio = median(result["ratios"])
    rounds = ", ".join(f"{r:.0%}" for r in result["ratios"])
    lines += [
        "",
        f"Throughput: {ratio:.0%} of the floor, median of the rounds ({rounds}; target >= "
        f"{TARGET_SHARE_OF_FLOOR:.0%}: {verdict(ratio >= TARGET_SHARE_OF_FLOOR)}). Rows "
        f"afterwards: {result['rows']} feedback rows for {result['items']} items (none lost, "
        f"none duplicated); {result['rated_rows']} carry both the rating and the completion "
        "time (the second call erased nothing).",
    ]
    return "\n".join(lines)
