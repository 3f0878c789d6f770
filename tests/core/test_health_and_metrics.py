import uuid
from datetime import date

import pytest
from django.db import OperationalError

from routines.services import generate_plan

pytestmark = pytest.mark.django_db


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["pending_migrations"] == 0


def test_readyz_fails_when_database_unreachable(client, monkeypatch):
    from core import health

    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

        def close(self):
            pass

    monkeypatch.setattr(health, "connection", Unreachable())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    monkeypatch.undo()
    assert client.get("/readyz").status_code == 200  # recovers once the database is back


def test_readyz_fails_with_pending_migrations(client, monkeypatch):
    from core import health

    monkeypatch.setattr(health.MigrationExecutor, "migration_plan", lambda self, targets: [1, 2])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["pending_migrations"] == 2


def metric_value(text: str, name: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_plans_and_feedback(client, api_client, task_library, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    before = client.get("/metrics").content.decode()
    stored = generate_plan(uuid.uuid4(), "Peak Performer", date(2026, 11, 24))
    api_client.post(
        "/api/v1/feedback/task",
        {
            "user_id": str(stored.plan.user_id),
            "plan_item_id": str(stored.items[0].id),
            "completed": True,
        },
        format="json",
    )
    after = client.get("/metrics").content.decode()
    for name in (
        "dynamic_plans_generated_total",
        "task_feedback_recorded_total",
        "task_library_selection_seconds_count",
        "plan_generation_seconds_count",
    ):
        assert metric_value(after, name) == metric_value(before, name) + 1, name
    assert "plan_fallbacks_total" in after
    assert "django_http_requests_total_by_method_total" in after


def test_metrics_closed_to_other_networks(client, settings):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer wrong"
        ).status_code
        == 403
    )
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token"
        ).status_code
        == 200
    )
    settings.METRICS_ALLOWED_NETWORKS = ["203.0.113.0/24"]
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 200
