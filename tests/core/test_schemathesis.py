"""Property-based API tests generated from our own OpenAPI schema (bounded, in-process).

Every generated request must get a documented status and content type, a response
matching its schema, a 4xx for data the schema forbids, schema-valid data accepted, and
never a 5xx: every default check. So every rule the server enforces is stated in the
schema (issue 15): a plan date within a year of today and a Monday week_start as patterns
built when the schema is generated, IANA time zones as an enum, no NUL in text, the
offset-less local completed_at as a pattern. Derandomized: the same cases every run.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_api_key.models import APIKey

from holisticos.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

# Bounded for CI; SCHEMATHESIS_MAX_EXAMPLES=300 for a deeper local run.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))


@pytest.fixture
def schemathesis_key(db, task_library):
    """A service key; requests go straight to the WSGI app inside the test transaction.

    Like Django's test client, keep the request signals from closing the test's database
    connection after each request (on PostgreSQL that would end the transaction).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    _, key = APIKey.objects.create_key(name="schemathesis")
    yield key
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,  # no replay of examples saved by earlier runs: the same cases every run
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_honours_its_schema(case, schemathesis_key):
    case.call_and_validate(headers={"X-API-Key": schemathesis_key})
