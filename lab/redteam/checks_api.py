"""Red-team checks on the API: hostile input, keys and tokens, rate limits, exposure."""

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace

import jwt
from django.conf import settings
from django.utils import timezone
from rest_framework_api_key.models import APIKey

from core.api import throttling
from tests.core import hostile_input as corpus

from .client import Client, Tally
from .report import Row

SQL_IN_URL = "%27%3B%20DROP%20TABLE%20plans%3B%20--"
JSON = {"Content-Type": "application/json"}


def first_plan(client: Client, user: uuid.UUID) -> SimpleNamespace:
    """A plan made through the API; its first item is what the feedback corpus aims at."""
    answer = client.send(
        "POST", "/api/v1/plans/generate", json={"user_id": str(user), "archetype": "Peak Performer"}
    )
    if answer.status != 200:
        raise RuntimeError(f"plan generation answered {answer.status}: {answer.body[:300]!r}")
    plan = answer.json()
    item = plan["content"]["time_blocks"][0]["tasks"][0]
    return SimpleNamespace(user_id=user, id=item["plan_item_id"], plan_type=plan["plan_type"])


def hostile_requests(item) -> list[tuple[str, str, bytes | None, dict[str, str]]]:
    """The corpus of tests/core/hostile_input.py as (method, path, body, headers)."""
    sent: list[tuple[str, str, bytes | None, dict[str, str]]] = []

    def post(path: str, body) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent.append(("POST", path, raw, JSON))

    for body in corpus.GENERATE_BODIES:
        post("/api/v1/plans/generate", body)
    for body in corpus.feedback_bodies(item):
        post("/api/v1/feedback/task", body)
    for body in corpus.PROFILE_BODIES:
        raw = json.dumps(body).encode()
        sent.append(("PATCH", f"/api/v1/feedback/profile/{uuid.uuid4()}", raw, JSON))
    for path in corpus.READ_PATHS:
        sent.append(("GET", path.format(sql=SQL_IN_URL, user=uuid.uuid4()), None, {}))
    for path in ("/api/v1/plans/generate", "/api/v1/feedback/task"):
        post(path, corpus.deep_json(corpus.NESTED_JSON_DEPTH).encode())
        post(path, {"user_notes": corpus.HUGE})
    for raw in corpus.UNDECODABLE_BODIES:
        post("/api/v1/feedback/task", raw)
    for week in corpus.CALENDAR_EDGE_WEEKS:
        path = f"/api/v1/feedback/summary/{item.user_id}/weekly?week_start={week}"
        sent.append(("GET", path, None, {}))
    for raw in corpus.MALFORMED_ITEM_IDS:
        sent.append(("DELETE", f"/api/v1/feedback/task/{raw}", None, {}))
    # Errors Django itself produces under /api/: unknown URL, wrong method, wrong media
    # type, a Host outside ALLOWED_HOSTS, a Content-Length over the cap.
    sent += [
        ("GET", "/api/v1/no-such-endpoint", None, {}),
        ("GET", "/api/v1/plans/generate", None, {}),
        ("PUT", "/api/v1/feedback/task", b"{}", JSON),
        ("POST", "/api/v1/feedback/task", b"completed=true", {"Content-Type": "text/plain"}),
        ("GET", f"/api/v1/feedback/profile/{item.user_id}", None, {"Host": "evil.example"}),
        ("POST", "/api/v1/plans/generate", b"{}", {**JSON, "Content-Length": "99999999"}),
    ]
    return sent


def hostile_input(client: Client, item, count_rows) -> tuple[Row, Tally]:
    tally = Tally()
    before = count_rows()
    outside_4xx = []
    for method, path, body, headers in hostile_requests(item):
        try:
            answer = tally.add(client.send(method, path, data=body, headers=headers))
        except OSError as exc:  # e.g. the server closed on an impossible Content-Length
            outside_4xx.append(f"{method} {path[:40]}: {type(exc).__name__}")
            continue
        if not 400 <= answer.status < 500:
            outside_4xx.append(f"{answer.status} {method} {path[:40]}")
    written = {name: count_rows()[name] - before[name] for name in before}
    measured = (
        f"{tally.requests} requests: {len(tally.server_errors)} x 5xx, "
        f"{len(tally.non_json_errors)} non-JSON errors, {len(outside_4xx)} outside 4xx, "
        f"{sum(written.values())} rows written"
    )
    if outside_4xx:
        measured += f" ({'; '.join(outside_4xx[:3])})"
    ok = not (tally.server_errors or tally.non_json_errors or outside_4xx or any(written.values()))
    row = Row("hostile corpus (tests/core/hostile_input.py)", "all 4xx JSON, 0 rows", measured, ok)
    return row, tally


def user_token(user: uuid.UUID, expires_in: int = 3600, secret: str | None = None) -> str:
    claims = {"sub": str(user), "aud": settings.SUPABASE_JWT_AUDIENCE, "role": "authenticated"}
    claims["exp"] = int(time.time()) + expires_in
    return jwt.encode(claims, secret or settings.SUPABASE_JWT_SECRET, algorithm="HS256")


def credentials(base_url: str, user: uuid.UUID, tally: Tally) -> list[Row]:
    """Expired and revoked keys, unknown keys and bad tokens: 401 JSON naming the reason."""
    _, expired = APIKey.objects.create_key(
        name=f"redteam-expired-{uuid.uuid4().hex[:6]}",
        expiry_date=timezone.now() - timedelta(days=1),
    )
    revoked_obj, revoked = APIKey.objects.create_key(name=f"redteam-revoked-{uuid.uuid4().hex[:6]}")
    revoked_obj.revoked = True
    revoked_obj.save()
    cases = {
        "expired key": {"X-API-Key": expired},
        "revoked key": {"X-API-Key": revoked},
        "unknown key": {"X-API-Key": "abcd1234.not-a-real-key"},
        "expired token": {"Authorization": f"Bearer {user_token(user, expires_in=-60)}"},
        "token, wrong secret": {"Authorization": f"Bearer {user_token(user, secret='x' * 40)}"},
        "no credentials": {},
    }
    rows = []
    for index, (name, headers) in enumerate(cases.items()):
        client = Client(base_url, f"198.51.100.{10 + index}", headers)
        answer = tally.add(client.send("GET", f"/api/v1/feedback/profile/{user}"))
        ok = answer.status == 401 and answer.is_json
        measured = f"{answer.status} {answer.error_code} ({answer.json()['error']['message']})"
        rows.append(Row(f"credentials: {name}", "401 JSON", measured, ok))
    return rows


def failed_auth_budget(base_url: str, tally: Tally) -> Row:
    limit, _ = throttling.parse_rate(settings.THROTTLE_RATE_AUTH_FAILURES)
    client = Client(base_url, "198.51.100.77", {"X-API-Key": "abcd1234.guessing"})
    answers = [tally.add(client.send("GET", f"/api/v1/feedback/profile/{uuid.uuid4()}"))]
    answers += [
        tally.add(client.send("GET", "/api/v1/feedback/profile/x")) for _ in range(limit + 4)
    ]
    statuses = [a.status for a in answers]
    refused = statuses.index(429) if 429 in statuses else None
    last = answers[-1]
    measured = (
        f"{refused} x 401, then 429 (Retry-After {last.retry_after})"
        if refused
        else (f"no 429 in {len(statuses)} bad keys")
    )
    ok = refused == limit and last.status == 429 and bool(last.retry_after)
    return Row("failed authentication, one address", f"{limit} x 401, then 429", measured, ok)


def shared_user_budget(base_url: str, tally: Tally) -> Row:
    """One user token, 130 requests spread over every worker: the limit holds in Redis."""
    limit, window = throttling.parse_rate(settings.THROTTLE_RATE_USER)
    user = uuid.uuid4()
    client = Client(base_url, "198.51.100.90", {"Authorization": f"Bearer {user_token(user)}"})
    total = limit + 10
    left = window - time.time() % window
    if left < 15:  # all requests inside one window, so the count is read in one place
        time.sleep(left + 0.5)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: client.send("GET", f"/api/v1/feedback/profile/{user}"), range(total))
        )
    for answer in answers:
        tally.add(answer)
    through = sum(a.status != 429 for a in answers)
    from django.core.cache import cache

    bucket = int(time.time() // window)
    counted = sum(cache.get(f"throttle:user:{user}:{b}") or 0 for b in (bucket - 1, bucket))
    measured = f"{through} of {total} through, {total - through} x 429; Redis count {counted}"
    ok = through == limit and counted == total
    return Row(
        f"user budget {settings.THROTTLE_RATE_USER} across workers",
        f"{limit} through",
        measured,
        ok,
    )


def exposure(base_url: str, tally: Tally) -> list[Row]:
    public = Client(base_url, "203.0.113.9")
    rows = []
    for path, expected in (("/metrics", 403), ("/api/schema/", 404), ("/api/docs/", 404)):
        answer = public.send("GET", path)
        if path.startswith("/api/"):
            tally.add(answer)
        ok = answer.status == expected
        rows.append(
            Row(f"{path} from a public client via the proxy", str(expected), str(answer.status), ok)
        )
    return rows
