"""Run as a separate process against a SQLite FILE: parallel first plans and feedback posts.

Usage: DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.core.sqlite_file_worker N
Prints one JSON object: the plan types and the feedback statuses the N threads got.
The test database of the suite is in memory, where SQLite's locking differs, so
tests/core/test_sqlite_concurrency.py runs this with the production settings on a file.
"""

import json
import os
import sys
import threading
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from rest_framework_api_key.models import APIKey  # noqa: E402

DAY = "2026-11-24"


def in_parallel(count: int, work) -> list:
    """Run work(n) in `count` threads released together; results in thread order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as exc:  # reported, not raised: the test reads the summary
            results[n] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main(count: int) -> dict:
    call_command("migrate", verbosity=0)
    call_command("loaddata", "task_library", verbosity=0)
    _, key = APIKey.objects.create_key(name="concurrency")
    connection.close()

    def client() -> APIClient:
        api = APIClient()
        api.credentials(HTTP_X_API_KEY=key)
        return api

    users = [uuid.uuid4() for _ in range(count)]

    def first_plan(n: int):
        body = {"user_id": str(users[n]), "archetype": "Peak Performer", "date": DAY}
        response = client().post("/api/v1/plans/generate", body, format="json")
        if response.status_code != 200:
            return f"{response.status_code}: {response.content[:200]!r}"
        return response.json()

    plans = in_parallel(count, first_plan)
    plan_types = [p["plan_type"] if isinstance(p, dict) else p for p in plans]
    # Feedback from every user at once, and several items of one user's plan at once.
    targets = [(users[n], plans[n]) for n in range(count)]
    if not all(isinstance(p, dict) for p in plans):
        return {"plan_types": plan_types, "feedback": [], "same_user_feedback": []}
    items = [t for block in plans[0]["content"]["time_blocks"] for t in block["tasks"]]

    def feedback(n: int):
        user, plan = targets[n]
        first = plan["content"]["time_blocks"][0]["tasks"][0]
        body = {"user_id": str(user), "plan_item_id": first["plan_item_id"], "completed": True}
        return client().post("/api/v1/feedback/task", body, format="json").status_code

    def same_user_feedback(n: int):
        item = items[n + 1]["plan_item_id"]
        body = {"user_id": str(users[0]), "plan_item_id": item, "completed": True}
        return client().post("/api/v1/feedback/task", body, format="json").status_code

    return {
        "journal_mode": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0],
        "plan_types": plan_types,
        "feedback": in_parallel(count, feedback),
        "same_user_feedback": in_parallel(count, same_user_feedback),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
