"""Faults: the database goes away and comes back; a seed file with one bad row."""

import json
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from library.models import Task


@pytest.fixture
def database_goes_away():
    """Point the connection at a database that cannot be reached, then restore it."""
    saved = dict(connection.settings_dict)

    def cut() -> None:
        connection.close()
        connection.settings_dict["PORT"] = "1"  # nothing listens there

    def restore() -> None:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    yield cut, restore
    restore()


@pytest.mark.postgres  # SQLite's in-memory test database cannot be cut off and restored
@pytest.mark.django_db(transaction=True)
def test_unreachable_database_gives_503_json_then_recovers(database_goes_away, service_key, client):
    cut, restore = database_goes_away
    user = uuid.uuid4()
    headers = {"HTTP_X_API_KEY": service_key}
    cut()
    response = client.get(f"/api/v1/feedback/profile/{user}", **headers)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200  # the process itself is fine
    restore()
    assert client.get("/readyz").status_code == 200
    assert client.get(f"/api/v1/feedback/profile/{user}", **headers).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_fixture_with_one_invalid_row_loads_nothing_and_names_the_row(tmp_path: Path):
    source = json.loads(Path("fixtures/task_library.json").read_text())
    rows = source[:3]
    bad = json.loads(json.dumps(rows[1]))
    bad["fields"]["archetype_fit"]["Peak Performer"] = 1.5
    fixture = tmp_path / "broken_library.json"
    fixture.write_text(json.dumps([rows[0], bad, rows[2]]))
    with pytest.raises(Exception) as raised:
        call_command("loaddata", str(fixture), verbosity=0)
    assert bad["pk"] in str(raised.value)
    assert not Task.objects.exists()
