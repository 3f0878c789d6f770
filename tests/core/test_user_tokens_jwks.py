"""User tokens signed with the project's asymmetric keys, over HTTP, against a local JWKS.

The key server (tests/core/supabase_keys.py) runs on 127.0.0.1; time for the key cache is a
FakeClock, so "a minute later" needs no waiting.
"""

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import date

import jwt
import pytest
from rest_framework.test import APIClient

from core.api import jwks
from routines.models import Plan
from routines.services import generate_plan
from tests.conftest import user_token
from tests.core.supabase_keys import (
    FakeClock,
    JWKSServer,
    closed_port_url,
    random_kid,
    sign,
    signing_key,
)
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 24)
ES = signing_key("ES256", "es-key-1")
RS = signing_key("RS256", "rs-key-1")
KEYS = {"ES256": ES, "RS256": RS}
ATTACKER = signing_key("ES256", "attacker")


class Project:
    """The Supabase project the tests talk to: its key server, issuer and cache clock."""

    def __init__(self, server: JWKSServer, clock: FakeClock) -> None:
        self.server, self.clock = server, clock

    @property
    def issuer(self) -> str:
        return f"{self.server.url}/auth/v1"

    def token(self, user_id, key=ES, **options) -> str:
        options.setdefault("issuer", self.issuer)
        return sign(key, user_id, **options)

    def client(self, user_id, key=ES, **options) -> APIClient:
        return bearer(self.token(user_id, key, **options))


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def supabase(settings, monkeypatch):
    server = JWKSServer(keys=[ES, RS]).start()
    clock = FakeClock()
    monkeypatch.setattr(jwks, "default_clock", clock)
    jwks.forget_keys()
    settings.SUPABASE_URL = server.url
    settings.SUPABASE_JWKS_TIMEOUT = 5.0  # generous: a loaded CI machine answers slowly
    yield Project(server, clock)
    jwks.forget_keys()
    server.stop()


@pytest.fixture
def owner(task_library):
    profile = ProfileFactory(archetype="Peak Performer")
    generate_plan(profile.user_id, "Peak Performer", DAY)
    return profile.user_id


def send(client: APIClient, endpoint: str, user_id, day: str = "2026-11-24"):
    if endpoint == "generate":
        body = {"user_id": str(user_id), "archetype": "Peak Performer", "date": day}
        return client.post("/api/v1/plans/generate", body, format="json")
    return client.get(f"/api/v1/plans/{user_id}/{day}/")


def error_code(response) -> str:
    return response.json()["error"]["code"]


# --- the owner / other user / anonymous grid -----------------------------------------------


@pytest.mark.parametrize("endpoint", ["generate", "plan"])
@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_owner_acts_for_themselves(supabase, owner, alg, endpoint):
    response = send(supabase.client(owner, KEYS[alg]), endpoint, owner)
    assert response.status_code in (200, 201)
    assert response.json()["user_id"] == str(owner)


@pytest.mark.parametrize("endpoint", ["generate", "plan"])
@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_another_users_plan_is_404_as_if_absent(supabase, owner, alg, endpoint):
    response = send(supabase.client(uuid.uuid4(), KEYS[alg]), endpoint, owner)
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert Plan.objects.count() == 1


@pytest.mark.parametrize("endpoint", ["generate", "plan"])
def test_anonymous_is_401(supabase, owner, endpoint):
    response = send(APIClient(), endpoint, owner)
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


# --- refused tokens ------------------------------------------------------------------------


def hs256_token(secret: bytes, header: dict, payload: dict) -> str:
    """HS256 by hand: PyJWT refuses to use a PEM public key as an HMAC secret."""

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def claims(project: Project, user_id) -> dict:
    return {
        "sub": str(user_id),
        "aud": "authenticated",
        "exp": int(time.time()) + 3600,
        "iss": project.issuer,
    }


def refused_token(case: str, project: Project, user_id) -> str:
    if case == "expired":
        return project.token(user_id, expires_in=-60)
    if case == "wrong_issuer":
        return project.token(user_id, issuer="https://other-project.supabase.co/auth/v1")
    if case == "no_issuer":
        return project.token(user_id, issuer=None)
    if case == "wrong_audience":
        return project.token(user_id, audience="anon")
    if case == "unknown_kid":
        return project.token(user_id, ATTACKER)
    if case == "no_kid":
        return jwt.encode(claims(project, user_id), ES.private_key, algorithm="ES256")
    if case == "signed_by_another_key":
        return project.token(user_id, ATTACKER, headers={"kid": ES.kid})
    if case == "hs256_with_public_key":
        header = {"alg": "HS256", "typ": "JWT", "kid": RS.kid}
        return hs256_token(RS.public_pem, header, claims(project, user_id))
    if case == "alg_none":
        return jwt.encode(claims(project, user_id), None, "none", headers={"kid": ES.kid})
    if case == "es256_header_on_rs256_key":
        return project.token(user_id, ATTACKER, headers={"kid": RS.kid})
    if case == "rs256_header_on_es256_key":
        return project.token(user_id, signing_key("RS256", "attacker-rsa"), headers={"kid": ES.kid})
    if case == "garbage":
        return "not.a.token"
    raise ValueError(case)


REFUSALS = [
    ("expired", "token_expired", "expired"),
    ("wrong_issuer", "wrong_issuer", "issuer"),
    ("no_issuer", "wrong_issuer", "issuer"),
    ("wrong_audience", "wrong_audience", "audience"),
    ("unknown_kid", "unknown_key", "key"),
    ("no_kid", "unknown_key", "kid"),
    ("signed_by_another_key", "bad_signature", "signature"),
    ("hs256_with_public_key", "bad_signature", "signature"),
    ("alg_none", "algorithm_not_allowed", "algorithm"),
    ("es256_header_on_rs256_key", "algorithm_not_allowed", "algorithm"),
    ("rs256_header_on_es256_key", "algorithm_not_allowed", "algorithm"),
    ("garbage", "invalid_token", "invalid"),
]


@pytest.mark.parametrize("endpoint", ["generate", "plan"])
@pytest.mark.parametrize("case,code,message", REFUSALS, ids=[case for case, *_ in REFUSALS])
def test_refused_tokens_are_401_naming_the_reason(supabase, owner, endpoint, case, code, message):
    response = send(bearer(refused_token(case, supabase, owner)), endpoint, owner, "2026-11-25")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert message in response.json()["error"]["message"].lower()
    assert response["WWW-Authenticate"]
    assert Plan.objects.count() == 1


def test_hs256_signed_with_the_public_key_is_refused_without_a_secret(supabase, owner, settings):
    settings.SUPABASE_JWT_SECRET = ""
    header = {"alg": "HS256", "typ": "JWT", "kid": RS.kid}
    token = hs256_token(RS.public_pem, header, claims(supabase, owner))
    response = send(bearer(token), "plan", owner)
    assert response.status_code == 401
    assert error_code(response) == "algorithm_not_allowed"


def test_asymmetric_tokens_are_refused_without_supabase_url(owner, settings):
    settings.SUPABASE_URL = ""
    response = send(bearer(sign(ES, owner, issuer=None)), "plan", owner)
    assert response.status_code == 401
    assert error_code(response) == "algorithm_not_allowed"


def test_no_token_system_configured_refuses_every_token(owner, settings):
    settings.SUPABASE_URL = ""
    settings.SUPABASE_JWT_SECRET = ""
    response = send(bearer(user_token(owner, secret="x" * 40)), "plan", owner)
    assert response.status_code == 401
    assert error_code(response) == "tokens_not_accepted"


# --- both systems during a migration ---------------------------------------------------------


def test_legacy_hs256_tokens_work_beside_the_jwks_and_need_the_issuer(supabase, owner):
    legacy = send(bearer(user_token(owner, iss=supabase.issuer)), "plan", owner)
    assert legacy.status_code == 200
    assert supabase.server.fetches == 0  # An HS256 token never needs the key set.
    no_issuer = send(bearer(user_token(owner)), "plan", owner)
    assert no_issuer.status_code == 401
    assert error_code(no_issuer) == "wrong_issuer"
    assert send(supabase.client(owner), "plan", owner).status_code == 200


# --- caching and rotation ------------------------------------------------------------------


def test_the_key_set_is_fetched_once_and_again_when_its_lifetime_ends(supabase, owner, settings):
    for key in (ES, RS, ES, RS, ES):
        assert send(supabase.client(owner, key), "plan", owner).status_code == 200
    assert supabase.server.fetches == 1
    supabase.clock.advance(settings.SUPABASE_JWKS_CACHE_SECONDS)
    assert send(supabase.client(owner), "plan", owner).status_code == 200
    assert supabase.server.fetches == 2


def test_rotation_new_key_is_picked_up_and_old_one_lasts_until_removed(supabase, owner, settings):
    old, new = ES, signing_key("ES256", "es-key-2")
    assert send(supabase.client(owner, old), "plan", owner).status_code == 200
    supabase.server.keys.append(new)  # Supabase publishes the new key, then signs with it.
    supabase.clock.advance(61)
    assert send(supabase.client(owner, new), "plan", owner).status_code == 200
    assert supabase.server.fetches == 2  # The unknown kid fetched the set once more.
    assert send(supabase.client(owner, old), "plan", owner).status_code == 200

    supabase.server.keys.remove(old)  # The old key is revoked in the dashboard.
    assert send(supabase.client(owner, old), "plan", owner).status_code == 200  # cached
    supabase.clock.advance(settings.SUPABASE_JWKS_CACHE_SECONDS)
    gone = send(supabase.client(owner, old), "plan", owner)
    assert gone.status_code == 401
    assert error_code(gone) == "unknown_key"
    assert send(supabase.client(owner, new), "plan", owner).status_code == 200
    assert supabase.server.fetches == 3


def test_a_new_key_within_a_minute_of_the_last_fetch_waits_for_the_minute(supabase, owner):
    new = signing_key("ES256", "es-key-3")
    assert send(supabase.client(owner), "plan", owner).status_code == 200
    supabase.server.keys.append(new)
    supabase.clock.advance(30)
    early = send(supabase.client(owner, new), "plan", owner)
    assert early.status_code == 401
    assert error_code(early) == "unknown_key"
    supabase.clock.advance(30)
    assert send(supabase.client(owner, new), "plan", owner).status_code == 200
    assert supabase.server.fetches == 2


def test_a_flood_of_unknown_kids_costs_one_fetch_a_minute(supabase, owner):
    def flood() -> None:
        for _ in range(25):
            token = supabase.token(owner, ATTACKER, headers={"kid": random_kid()})
            response = send(bearer(token), "plan", owner)
            assert response.status_code == 401
            assert error_code(response) == "unknown_key"

    flood()
    assert supabase.server.fetches == 1
    supabase.clock.advance(59)
    flood()
    assert supabase.server.fetches == 1
    supabase.clock.advance(1)
    flood()
    assert supabase.server.fetches == 2
    assert send(supabase.client(owner), "plan", owner).status_code == 200
    assert supabase.server.fetches == 2


# --- the key server down, slow or broken ---------------------------------------------------


def assert_unavailable(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert error_code(response) == "unavailable"
    assert "retry" in response.json()["error"]["message"]
    assert int(response["Retry-After"]) >= 1


def test_jwks_down_is_503_while_service_keys_and_legacy_tokens_still_work(
    owner, settings, api_client
):
    jwks.forget_keys()
    settings.SUPABASE_URL = closed_port_url()
    issuer = f"{settings.SUPABASE_URL}/auth/v1"
    assert_unavailable(send(bearer(sign(ES, owner, issuer=issuer)), "plan", owner))
    assert_unavailable(send(bearer(sign(RS, owner, issuer=issuer)), "generate", owner))
    assert send(api_client, "plan", owner).status_code == 200
    assert send(api_client, "generate", owner, "2026-11-25").status_code in (200, 201)
    assert send(bearer(user_token(owner, iss=issuer)), "plan", owner).status_code == 200
    jwks.forget_keys()


def test_slow_jwks_is_503_after_the_timeout_and_not_retried_within_the_minute(
    supabase, owner, settings
):
    settings.SUPABASE_JWKS_TIMEOUT = 0.2
    supabase.server.delay = 2.0
    assert_unavailable(send(supabase.client(owner), "plan", owner))
    assert_unavailable(send(supabase.client(owner, RS), "plan", owner))
    assert supabase.server.fetches == 1  # The second request did not wait again.
    supabase.server.delay = 0.0
    supabase.clock.advance(60)
    assert send(supabase.client(owner), "plan", owner).status_code == 200
    assert supabase.server.fetches == 2


@pytest.mark.parametrize("status,raw", [(500, b'{"error": "boom"}'), (200, b"<html>login</html>")])
def test_a_key_server_answering_something_else_is_503(supabase, owner, status, raw):
    supabase.server.status, supabase.server.raw = status, raw
    assert_unavailable(send(supabase.client(owner), "plan", owner))


def test_known_keys_keep_working_while_a_refetch_fails(supabase, owner):
    assert send(supabase.client(owner), "plan", owner).status_code == 200
    supabase.server.status = 500
    supabase.clock.advance(61)
    assert_unavailable(send(supabase.client(owner, ATTACKER), "plan", owner))  # kid unknown
    assert send(supabase.client(owner), "plan", owner).status_code == 200  # cache still fresh
    assert supabase.server.fetches == 2
