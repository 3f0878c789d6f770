"""Admin login attempts are limited per client address (django-axes)."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def attempt(address: str, password: str, **headers) -> int:
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(LOGIN, {"username": "admin", "password": password})
    return response.status_code


@pytest.fixture
def admin_user():
    return User.objects.create_superuser("admin", "admin@example.com", "right-password-123")


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_wrong_passwords_lock_the_address_out(admin_user):
    statuses = [attempt("203.0.113.7", "wrong") for _ in range(3)]
    assert statuses == [200, 200, 429]  # the login form again, twice; then locked
    # Locked: even the right password is refused from that address.
    assert attempt("203.0.113.7", "right-password-123") == 429
    # The admin logs in from elsewhere.
    assert attempt("198.51.100.4", "right-password-123") == 302


@override_settings(AXES_FAILURE_LIMIT=2)
def test_behind_the_proxy_each_client_is_counted_on_its_own(admin_user):
    via_proxy = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert [attempt("127.0.0.1", "wrong", **via_proxy) for _ in range(2)] == [200, 429]
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    assert attempt("127.0.0.1", "right-password-123", **other) == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_success_resets_the_count(admin_user):
    assert [attempt("203.0.113.9", "wrong") for _ in range(2)] == [200, 200]
    assert attempt("203.0.113.9", "right-password-123") == 302
    assert [attempt("203.0.113.9", "wrong") for _ in range(2)] == [200, 200]
