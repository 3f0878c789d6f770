import time
import uuid

import jwt
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey


@pytest.fixture
def task_library(db):
    """The shipped task library, loaded exactly as `make run` loads it."""
    call_command("loaddata", "task_library", verbosity=0)


@pytest.fixture
def service_key(db) -> str:
    _, key = APIKey.objects.create_key(name="tests")
    return key


@pytest.fixture
def api_client(service_key):
    """A client sending a service key (X-API-Key), as the mobile backend does."""
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=service_key)
    return client


def user_token(
    user_id: uuid.UUID,
    expires_in: int = 3600,
    audience: str = "authenticated",
    secret: str | None = None,
    **claims,
) -> str:
    """An access token shaped like Supabase's (HS256, aud, exp, sub)."""
    payload = {
        "sub": str(user_id),
        "aud": audience,
        "exp": int(time.time()) + expires_in,
        "role": "authenticated",
        **claims,
    }
    return jwt.encode(payload, secret or settings.SUPABASE_JWT_SECRET, algorithm="HS256")


@pytest.fixture
def user_client():
    """A client for one app user: user_client(user_id) -> APIClient with their token."""

    def make(user_id: uuid.UUID, **token_options) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {user_token(user_id, **token_options)}")
        return client

    return make


@pytest.fixture
def anon_client():
    return APIClient()


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL's real row locking and concurrency."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"
