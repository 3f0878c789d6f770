"""The Supabase project's public signing keys (JWKS), fetched and cached per process.

Supabase Auth signs access tokens with asymmetric keys (ES256 or RS256, each with a `kid`)
and publishes the public halves at `<project URL>/auth/v1/.well-known/jwks.json`.

- The key set is cached for `max_age` seconds, then fetched again on the next token.
- A token naming an unknown `kid` triggers one refetch: this is how a rotation reaches
  us (Supabase publishes the new key before it signs with it).
- Whatever the trigger, the endpoint is fetched at most once per `min_interval` (a
  minute): a flood of made-up `kid`s costs one fetch, and an outage costs one fetch
  (bounded by `timeout`) a minute instead of one per request.
- A failed fetch keeps the keys we have until their lifetime ends; after that, and for an
  unknown `kid` while the endpoint is failing, callers get `SigningKeysUnavailable`.

Time comes from `clock` (seconds, monotonic), so tests can move it.
"""

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

import jwt

logger = logging.getLogger(__name__)

# Asymmetric algorithms Supabase signs user tokens with; keys of any other kind are ignored.
ASYMMETRIC_ALGORITHMS = frozenset({"ES256", "RS256"})
MIN_REFETCH_SECONDS = 60.0
# A real key set is a few kilobytes; anything far larger is not one.
MAX_RESPONSE_BYTES = 256 * 1024


class UnknownSigningKey(Exception):
    """The token's `kid` is not in the (freshly fetched) key set."""


class SigningKeysUnavailable(Exception):
    """The key set cannot be fetched (down, slow, not a key set) and the cache cannot answer."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def jwks_url(project_url: str) -> str:
    return f"{project_url.rstrip('/')}/auth/v1/.well-known/jwks.json"


def fetch_key_set(url: str, timeout: float) -> dict[str, jwt.PyJWK]:
    """GET the key set and keep its usable signing keys, by `kid`.

    Raises SigningKeysUnavailable when the endpoint fails or answers something that is not
    a key set. A well-formed set without usable keys is an empty result, not an error.
    """
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SigningKeysUnavailable(f"Fetching {url} failed: {exc}", 0) from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise SigningKeysUnavailable(f"{url} answered more than {MAX_RESPONSE_BYTES} bytes", 0)
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise SigningKeysUnavailable(f"{url} did not answer JSON", 0) from exc
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise SigningKeysUnavailable(f"{url} did not answer a key set", 0)
    try:
        key_set = jwt.PyJWKSet.from_dict(document)
    except jwt.exceptions.MissingCryptographyError:
        raise
    except jwt.PyJWKSetError:
        return {}  # No keys, or none PyJWT can use: every `kid` is unknown.
    return {
        key.key_id: key
        for key in key_set
        if key.key_id
        and key.algorithm_name in ASYMMETRIC_ALGORITHMS
        and key.public_key_use in (None, "sig")
    }


@dataclass
class KeySet:
    """One process's view of one JWKS endpoint. Thread-safe."""

    url: str
    timeout: float
    max_age: float
    min_interval: float = MIN_REFETCH_SECONDS
    clock: Callable[[], float] = time.monotonic
    fetch: Callable[[str, float], dict[str, jwt.PyJWK]] = fetch_key_set
    fetch_count: int = 0
    _keys: dict[str, jwt.PyJWK] = field(default_factory=dict, repr=False)
    _fetched_at: float | None = None
    _attempted_at: float | None = None
    _last_attempt_failed: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def key_for(self, kid: str) -> jwt.PyJWK:
        """The public key named `kid`, fetching the set when stale or when `kid` is new."""
        key = self._fresh_key(kid, self.clock())
        if key is not None:
            return key
        with self._lock:
            now = self.clock()
            key = self._fresh_key(kid, now)  # Another thread may have fetched meanwhile.
            if key is not None:
                return key
            if not self._may_fetch(now):
                if self._is_fresh(now) and not self._last_attempt_failed:
                    raise UnknownSigningKey(kid)
                raise SigningKeysUnavailable(
                    f"{self.url} failed recently", self._next_fetch_in(now)
                )
            self._refresh(now)
            key = self._keys.get(kid)
            if key is None:
                raise UnknownSigningKey(kid)
            return key

    def _fresh_key(self, kid: str, now: float) -> jwt.PyJWK | None:
        return self._keys.get(kid) if self._is_fresh(now) else None

    def _is_fresh(self, now: float) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < self.max_age

    def _may_fetch(self, now: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= self.min_interval

    def _next_fetch_in(self, now: float) -> float:
        if self._attempted_at is None:
            return 0.0
        return max(0.0, self.min_interval - (now - self._attempted_at))

    def _refresh(self, now: float) -> None:
        self._attempted_at = now
        self.fetch_count += 1
        try:
            keys = self.fetch(self.url, self.timeout)
        except SigningKeysUnavailable as exc:
            self._last_attempt_failed = True
            logger.warning("Supabase signing keys unavailable: %s", exc)
            if not self._is_fresh(now):
                self._keys = {}
            raise SigningKeysUnavailable(str(exc), self.min_interval) from exc
        self._last_attempt_failed = False
        added = sorted(set(keys) - set(self._keys))
        removed = sorted(set(self._keys) - set(keys))
        self._keys, self._fetched_at = keys, now
        logger.info(
            "Supabase signing keys fetched: kids %s (new %s, gone %s)", sorted(keys), added, removed
        )


# Tests replace this to move time; every KeySet made by `signing_keys` reads it.
default_clock: Callable[[], float] = time.monotonic
_current: KeySet | None = None
_current_lock = threading.Lock()


def signing_keys(project_url: str, timeout: float, max_age: float) -> KeySet:
    """The process's key set for this configuration (a new one when the settings change)."""
    global _current
    url = jwks_url(project_url)
    with _current_lock:
        current = _current
        if current is None or (current.url, current.timeout, current.max_age) != (
            url,
            timeout,
            max_age,
        ):
            current = _current = KeySet(
                url=url, timeout=timeout, max_age=max_age, clock=default_clock
            )
        return current


def forget_keys() -> None:
    """Drop the cached key set (tests; a process normally keeps it for its lifetime)."""
    global _current
    with _current_lock:
        _current = None
