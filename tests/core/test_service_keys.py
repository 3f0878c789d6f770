"""Service keys: expiry is enforced, and each key's last use is visible in admin."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from core.models import ServiceKeyUsage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def profile_read(key: str):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    return client.get(f"/api/v1/feedback/profile/{uuid.uuid4()}")


def test_key_expiring_tomorrow_works_and_expired_yesterday_is_401():
    _, current = APIKey.objects.create_key(
        name="current", expiry_date=timezone.now() + timedelta(days=1)
    )
    _, expired = APIKey.objects.create_key(
        name="expired", expiry_date=timezone.now() - timedelta(days=1)
    )
    assert profile_read(current).status_code == 404  # authenticated; no such profile
    response = profile_read(expired)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "API key has expired."
    assert response.json()["error"]["code"] == "key_expired"


def test_revoked_and_unknown_keys_are_401_invalid_key():
    key_obj, revoked = APIKey.objects.create_key(name="revoked")
    key_obj.revoked = True
    key_obj.save()
    for key in (revoked, "abcd1234.not-a-real-key"):
        response = profile_read(key)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_key"


def test_expired_key_leaves_no_usage_stamp():
    key_obj, key = APIKey.objects.create_key(
        name="expired", expiry_date=timezone.now() - timedelta(days=1)
    )
    profile_read(key)
    assert not ServiceKeyUsage.objects.filter(key=key_obj).exists()


def test_last_use_is_stamped_at_most_once_a_minute(django_assert_num_queries):
    key_obj, key = APIKey.objects.create_key(name="busy")
    assert profile_read(key).status_code == 404
    first = ServiceKeyUsage.objects.get(key=key_obj).last_used_at
    assert timezone.now() - first < timedelta(minutes=1)
    ServiceKeyUsage.objects.filter(key=key_obj).update(last_used_at=first - timedelta(hours=1))
    profile_read(key)  # within the minute: no second write
    assert ServiceKeyUsage.objects.get(key=key_obj).last_used_at == first - timedelta(hours=1)
    cache.clear()  # the minute has passed
    profile_read(key)
    assert ServiceKeyUsage.objects.get(key=key_obj).last_used_at > first - timedelta(minutes=1)


def test_admin_key_list_shows_last_used(client):
    used_obj, used = APIKey.objects.create_key(name="used-key")
    APIKey.objects.create_key(name="idle-key")
    profile_read(used)
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-root-123"))
    text = client.get(reverse("admin:rest_framework_api_key_apikey_changelist")).content.decode()
    assert "Last used" in text
    stamp = ServiceKeyUsage.objects.get(key=used_obj).last_used_at
    assert stamp.strftime("%Y-%m-%d %H:%M UTC") in text
    assert "never" in text
