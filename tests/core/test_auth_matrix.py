"""Every API endpoint against every kind of caller (the wger-style access grid)."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from routines.services import generate_plan
from tests.conftest import user_token
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 24)


@pytest.fixture
def owner(task_library):
    """A user with a profile and a plan, so every endpoint has something to show."""
    profile = ProfileFactory(archetype="Peak Performer")
    stored = generate_plan(profile.user_id, "Peak Performer", DAY)
    return profile.user_id, stored.items[0].id


def requests_for(user_id, item_id):
    return {
        "generate": (
            "post",
            "/api/v1/plans/generate",
            {"user_id": str(user_id), "archetype": "Peak Performer", "date": "2026-11-24"},
        ),
        "plan": ("get", f"/api/v1/plans/{user_id}/2026-11-24/", None),
        "feedback": (
            "post",
            "/api/v1/feedback/task",
            {"user_id": str(user_id), "plan_item_id": str(item_id), "completed": True},
        ),
        "profile": ("get", f"/api/v1/feedback/profile/{user_id}", None),
        "profile_patch": ("patch", f"/api/v1/feedback/profile/{user_id}", {"current_mode": "low"}),
        "summary": (
            "get",
            f"/api/v1/feedback/summary/{user_id}/weekly?week_start=2026-11-23",
            None,
        ),
        "plans": ("get", f"/api/v1/plans/{user_id}?from=2026-11-20&to=2026-11-24", None),
        "undo": ("delete", f"/api/v1/feedback/task/{item_id}", None),
    }


ENDPOINTS = [
    "generate",
    "plan",
    "feedback",
    "profile",
    "profile_patch",
    "summary",
    "plans",
    "undo",
]


def send(client, endpoint, user_id, item_id):
    method, url, body = requests_for(user_id, item_id)[endpoint]
    return getattr(client, method)(url, body, format="json")


def client_with(**credentials) -> APIClient:
    client = APIClient()
    client.credentials(**credentials)
    return client


def revoked_key() -> str:
    key_obj, key = APIKey.objects.create_key(name="revoked")
    key_obj.revoked = True
    key_obj.save()
    return key


def expired_key() -> str:
    _, key = APIKey.objects.create_key(
        name="expired", expiry_date=timezone.now() - timedelta(days=1)
    )
    return key


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "caller,message",
    [
        ("anonymous", "credentials"),
        ("bad_key", "Invalid"),
        ("revoked_key", "revoked"),
        ("expired_key", "expired"),
        ("expired_token", "expired"),
        ("wrong_audience", "audience"),
        ("wrong_signature", "Invalid token"),
    ],
)
def test_refused_callers_get_401_json_and_nothing_changes(owner, endpoint, caller, message):
    user_id, item_id = owner
    credentials = {
        "anonymous": {},
        "bad_key": {"HTTP_X_API_KEY": "abcd1234.not-a-real-key"},
        "revoked_key": {"HTTP_X_API_KEY": revoked_key()},
        "expired_key": {"HTTP_X_API_KEY": expired_key()},
        "expired_token": {"HTTP_AUTHORIZATION": f"Bearer {user_token(user_id, expires_in=-60)}"},
        "wrong_audience": {"HTTP_AUTHORIZATION": f"Bearer {user_token(user_id, audience='anon')}"},
        "wrong_signature": {"HTTP_AUTHORIZATION": f"Bearer {user_token(user_id, secret='x' * 40)}"},
    }[caller]
    from feedback.models import UserTaskFeedback
    from profiles.models import UserPreferenceProfile

    before = UserPreferenceProfile.objects.get(user_id=user_id).current_mode
    response = send(client_with(**credentials), endpoint, user_id, item_id)
    assert response.status_code == 401
    assert message.lower() in response.json()["error"]["message"].lower()
    assert not UserTaskFeedback.objects.exists()
    assert UserPreferenceProfile.objects.get(user_id=user_id).current_mode == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_service_key_acts_for_any_user(owner, api_client, endpoint):
    user_id, item_id = owner
    assert send(api_client, endpoint, user_id, item_id).status_code in (200, 201, 204)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_users_act_for_themselves(owner, user_client, endpoint):
    user_id, item_id = owner
    status = send(user_client(user_id), endpoint, user_id, item_id).status_code
    assert status in (200, 201, 204)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_another_users_data_is_404_as_if_absent(owner, user_client, endpoint):
    from feedback.models import UserTaskFeedback
    from profiles.models import UserPreferenceProfile
    from routines.models import Plan

    user_id, item_id = owner
    stranger = user_client(uuid.uuid4())
    response = send(stranger, endpoint, user_id, item_id)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not UserTaskFeedback.objects.exists()
    assert UserPreferenceProfile.objects.get(user_id=user_id).current_mode == "medium"
    assert Plan.objects.count() == 1


def test_token_subject_must_be_a_uuid(owner):
    token = user_token("not-a-uuid")  # type: ignore[arg-type]
    client = client_with(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = send(client, "profile", *owner)
    assert response.status_code == 401


def test_token_without_exp_is_refused(owner, settings):
    import jwt

    token = jwt.encode(
        {"sub": str(owner[0]), "aud": "authenticated"},
        settings.SUPABASE_JWT_SECRET,
        algorithm="HS256",
    )
    response = send(client_with(HTTP_AUTHORIZATION=f"Bearer {token}"), "profile", *owner)
    assert response.status_code == 401


def test_create_api_key_prints_a_working_key_once(owner):
    from io import StringIO

    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    call_command("create_api_key", "mobile-backend", stdout=out, stderr=err)
    key = out.getvalue().strip()
    stored = APIKey.objects.get(name="mobile-backend")
    assert key not in stored.hashed_key and key.startswith(stored.prefix)
    assert "cannot be shown again" in err.getvalue()
    assert send(client_with(HTTP_X_API_KEY=key), "profile", *owner).status_code == 200


def test_create_api_key_refuses_a_duplicate_name(db):
    from io import StringIO

    from django.core.management import CommandError, call_command

    call_command("create_api_key", "dup", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="exists"):
        call_command("create_api_key", "dup")
