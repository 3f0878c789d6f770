"""core.api.jwks: the key-set cache (fake fetch, fake clock) and the fetch (local server)."""

import jwt
import pytest

from core.api import jwks
from tests.core.supabase_keys import FakeClock, JWKSServer, closed_port_url, signing_key

ES = signing_key("ES256", "es-key-1")
RS = signing_key("RS256", "rs-key-1")


class FakeKeyServer:
    """Stands in for `fetch_key_set`: answers `keys`, or fails while `down`."""

    def __init__(self, *keys) -> None:
        self.keys = list(keys)
        self.down = False
        self.calls = 0

    def __call__(self, url: str, timeout: float) -> dict[str, jwt.PyJWK]:
        self.calls += 1
        if self.down:
            raise jwks.SigningKeysUnavailable("down", 0)
        return {key.kid: jwt.PyJWK(key.public_jwk) for key in self.keys}


def key_set(server: FakeKeyServer, clock: FakeClock, max_age: float = 600) -> jwks.KeySet:
    return jwks.KeySet(
        url="https://p.supabase.co/auth/v1/.well-known/jwks.json",
        timeout=1,
        max_age=max_age,
        clock=clock,
        fetch=server,
    )


def test_keys_are_fetched_once_and_kept_for_their_lifetime():
    server, clock = FakeKeyServer(ES, RS), FakeClock()
    keys = key_set(server, clock)
    assert keys.key_for(ES.kid).algorithm_name == "ES256"
    assert keys.key_for(RS.kid).algorithm_name == "RS256"
    clock.advance(599)
    keys.key_for(ES.kid)
    assert server.calls == 1
    clock.advance(1)
    keys.key_for(ES.kid)
    assert server.calls == 2


def test_unknown_kid_refetches_at_most_once_a_minute():
    server, clock = FakeKeyServer(ES), FakeClock()
    keys = key_set(server, clock)
    keys.key_for(ES.kid)
    for _ in range(100):
        with pytest.raises(jwks.UnknownSigningKey):
            keys.key_for("made-up")
    assert server.calls == 1
    server.keys.append(RS)
    clock.advance(60)
    assert keys.key_for(RS.kid).key_id == RS.kid
    assert server.calls == 2
    assert keys.fetch_count == 2


def test_a_failed_fetch_keeps_fresh_keys_and_is_not_retried_within_the_minute():
    server, clock = FakeKeyServer(ES), FakeClock()
    keys = key_set(server, clock)
    keys.key_for(ES.kid)
    server.down = True
    clock.advance(60)
    with pytest.raises(jwks.SigningKeysUnavailable) as failed:
        keys.key_for(RS.kid)
    assert failed.value.retry_after == 60
    assert keys.key_for(ES.kid).key_id == ES.kid  # Still within its lifetime.
    clock.advance(20)
    with pytest.raises(jwks.SigningKeysUnavailable) as waiting:
        keys.key_for(RS.kid)  # Not "unknown": the set could not be checked.
    assert waiting.value.retry_after == 40
    assert server.calls == 2


def test_stale_keys_are_dropped_when_the_refetch_fails():
    server, clock = FakeKeyServer(ES), FakeClock()
    keys = key_set(server, clock, max_age=120)
    keys.key_for(ES.kid)
    server.down = True
    clock.advance(120)
    with pytest.raises(jwks.SigningKeysUnavailable):
        keys.key_for(ES.kid)
    clock.advance(30)
    with pytest.raises(jwks.SigningKeysUnavailable):
        keys.key_for(ES.kid)
    assert server.calls == 2
    server.down = False
    clock.advance(30)
    assert keys.key_for(ES.kid).key_id == ES.kid
    assert server.calls == 3


def test_first_fetch_failing_is_unavailable_not_unknown():
    server, clock = FakeKeyServer(ES), FakeClock()
    server.down = True
    keys = key_set(server, clock)
    with pytest.raises(jwks.SigningKeysUnavailable):
        keys.key_for(ES.kid)


def test_signing_keys_is_one_per_process_and_follows_the_settings():
    jwks.forget_keys()
    first = jwks.signing_keys("https://a.supabase.co/", 3, 600)
    assert first.url == "https://a.supabase.co/auth/v1/.well-known/jwks.json"
    assert jwks.signing_keys("https://a.supabase.co", 3, 600) is first
    assert jwks.signing_keys("https://b.supabase.co", 3, 600) is not first
    jwks.forget_keys()


# --- fetch_key_set against a real (local) server ---------------------------------------------


@pytest.fixture
def server():
    running = JWKSServer(keys=[ES, RS]).start()
    yield running
    running.stop()


def test_fetch_reads_the_published_keys(server):
    keys = jwks.fetch_key_set(jwks.jwks_url(server.url), timeout=2)
    assert {kid: key.algorithm_name for kid, key in keys.items()} == {
        ES.kid: "ES256",
        RS.kid: "RS256",
    }


def test_fetch_ignores_keys_that_cannot_sign_user_tokens(server):
    es384 = {**ES.public_jwk, "kid": "p384", "alg": "ES384"}
    server.extra_jwks = [
        {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", "kid": "shared"},
        {**ES.public_jwk, "kid": "for-encryption", "use": "enc"},
        {key: value for key, value in ES.public_jwk.items() if key != "kid"},
        {**RS.public_jwk, "kid": "rs-as-es", "alg": "ES256"},
        es384,
        "not a key",
    ]
    keys = jwks.fetch_key_set(jwks.jwks_url(server.url), timeout=2)
    assert set(keys) == {ES.kid, RS.kid}


def test_an_empty_key_set_is_no_keys_not_an_error(server):
    server.keys = []
    assert jwks.fetch_key_set(jwks.jwks_url(server.url), timeout=2) == {}


@pytest.mark.parametrize(
    "status,raw",
    [
        (200, b"not json"),
        (200, b'["a list"]'),
        (200, b'{"keys": "nope"}'),
        (200, b'{"keys": []' + b" " * (jwks.MAX_RESPONSE_BYTES + 1) + b"}"),
        (503, b"{}"),
        (404, b"{}"),
    ],
)
def test_fetch_refuses_what_is_not_a_key_set(server, status, raw):
    server.status, server.raw = status, raw
    with pytest.raises(jwks.SigningKeysUnavailable):
        jwks.fetch_key_set(jwks.jwks_url(server.url), timeout=2)


def test_fetch_times_out(server):
    server.delay = 2.0
    with pytest.raises(jwks.SigningKeysUnavailable):
        jwks.fetch_key_set(jwks.jwks_url(server.url), timeout=0.2)


def test_fetch_from_a_closed_port_fails_at_once():
    with pytest.raises(jwks.SigningKeysUnavailable):
        jwks.fetch_key_set(jwks.jwks_url(closed_port_url()), timeout=2)
