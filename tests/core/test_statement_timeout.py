"""A lock held longer than the statement timeout: a clean 503 JSON, not a hung worker."""

import time
import uuid

import psycopg
import pytest
from django.apps import apps
from django.db import connection


def profile_table() -> str:
    # Found by model name: the profile model is moving between apps.
    model = next(m for m in apps.get_models() if m.__name__ == "UserPreferenceProfile")
    return model._meta.db_table


@pytest.fixture
def short_statement_timeout():
    """This test's connection with a 1 s statement timeout (the default is 10 s)."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = options.get("options")
    connection.close()
    options["options"] = "-c statement_timeout=1000"
    yield
    connection.close()
    if saved is None:
        options.pop("options")
    else:
        options["options"] = saved


@pytest.fixture
def table_locked_elsewhere():
    """Another connection holds an exclusive lock on the profile table until the test ends."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    holder = psycopg.connect(**params)
    holder.execute(f'LOCK TABLE "{profile_table()}" IN ACCESS EXCLUSIVE MODE')
    yield
    holder.rollback()
    holder.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_default_statement_timeout_is_set_on_every_connection():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "10s"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_locked_table_gives_503_json_with_retry_after(
    service_key, client, short_statement_timeout, table_locked_elsewhere
):
    user = uuid.uuid4()
    headers = {"HTTP_X_API_KEY": service_key}
    started = time.monotonic()
    read = client.get(f"/api/v1/feedback/profile/{user}", **headers)
    assert time.monotonic() - started < 5  # the 1 s timeout: the lock is held until the end
    assert read.status_code == 503
    assert read["Content-Type"].startswith("application/json")
    assert read["Retry-After"]
    assert read.json()["error"]["code"] == "unavailable"
    write = client.patch(
        f"/api/v1/feedback/profile/{user}",
        {"archetype": "Peak Performer"},
        content_type="application/json",
        **headers,
    )
    assert write.status_code == 503
    assert write.json()["error"]["code"] == "unavailable"
