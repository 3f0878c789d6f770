"""Benchmark: the mobile app's resync calls against a user's history (issue 15).

Users with 30 and with 730 days of history (built as in history_growth: a plan a day
through the real services, most tasks answered), called side by side through the API
(in process, service key): the cohorts alternate call by call, so the noise of this shared
machine falls on both alike. The history ends on the real yesterday: the API runs on the
real clock (undo relearns as of today), so a history in the future would measure a state
no user can be in.

- page: GET /api/v1/plans/{user_id}?from=&to= (31 days, every task with its outcome)
- plan: GET /api/v1/plans/{user_id}/{date} (today's plan with its outcomes)
- generate: POST /api/v1/plans/generate for a stored day (the intent check included)
- undo: DELETE /api/v1/feedback/task/{id} of a task ticked just before (the tick untimed)

Target: each call at 730 days within 1.2x of its cost at 30 days.
"""

import uuid
from datetime import timedelta

from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from routines.models import PlanItem

from .history_growth import ARCHETYPE, Cost, build_history, growth_table, summarize, timed
from .plan_generation import SHIPPED_LIBRARY_SIZE, build_library, reset_data


def _timed(call) -> tuple[float, int]:
    elapsed, statements, response = timed(call)
    assert response.status_code < 300, (response.status_code, response.content[:200])
    return elapsed, statements


@override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False)
def run(histories=(30, 730), users=1, rounds=10) -> list[Cost]:
    reset_data()
    build_library(SHIPPED_LIBRARY_SIZE)
    cohorts = {days: [uuid.uuid4() for _ in range(users)] for days in histories}
    today = timezone.localdate()
    for days, people in cohorts.items():
        for user in people:
            build_history(user, days, today)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=APIKey.objects.create_key(name="bench-resync")[1])
    yesterday = today - timedelta(days=1)
    page = {"from": (yesterday - timedelta(days=30)).isoformat(), "to": yesterday.isoformat()}
    samples: dict[tuple[str, int], list[tuple[float, int]]] = {}

    def sample(operation: str, days: int, call) -> None:
        samples.setdefault((operation, days), []).append(_timed(call))

    for round_ in range(rounds):
        for index in range(users):
            for days, people in cohorts.items():
                user = people[index]
                body = {"user_id": str(user), "archetype": ARCHETYPE}
                body["date"] = yesterday.isoformat()
                sample("page", days, lambda u=user: client.get(f"/api/v1/plans/{u}", page))
                sample("plan", days, lambda u=user: client.get(f"/api/v1/plans/{u}/{yesterday}"))
                sample(
                    "generate",
                    days,
                    lambda b=body: client.post("/api/v1/plans/generate", b, format="json"),
                )
                item = PlanItem.objects.filter(
                    user_id=user, scheduled_date=yesterday, position=round_
                ).get()
                tick = {"user_id": str(user), "plan_item_id": str(item.id), "completed": True}
                client.post("/api/v1/feedback/task", tick, format="json")
                sample("undo", days, lambda i=item: client.delete(f"/api/v1/feedback/task/{i.id}"))
    return summarize(samples)


def report(results: list[Cost]) -> str:
    return growth_table(results, "call", "each call")
