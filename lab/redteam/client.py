"""HTTP as the reverse proxy in front would send it, and a tally of what came back.

README's production setup terminates TLS at a proxy on the same host that sets
`X-Forwarded-Proto: https` and `X-Forwarded-For`; the red team plays that proxy, so
`SECURE_SSL_REDIRECT` and the secure cookies stay as shipped, and each probe can come
from a client address of its own (failed-authentication budgets are per address).
"""

import time
from dataclasses import dataclass, field

import requests


@dataclass(frozen=True, slots=True)
class Answer:
    method: str
    path: str
    status: int
    content_type: str
    seconds: float
    retry_after: str | None
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def is_json(self) -> bool:
        return self.content_type.startswith("application/json")

    def json(self):
        return requests.models.complexjson.loads(self.body)

    @property
    def error_code(self) -> str | None:
        try:
            return self.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return None


@dataclass
class Tally:
    """Every API answer of a check: how many, how many 5xx, how many non-JSON errors."""

    requests: int = 0
    server_errors: list[Answer] = field(default_factory=list)
    non_json_errors: list[Answer] = field(default_factory=list)

    def add(self, answer: Answer) -> Answer:
        self.requests += 1
        if answer.status >= 500:
            self.server_errors.append(answer)
        if answer.status >= 400 and not answer.is_json:
            self.non_json_errors.append(answer)
        return answer

    def merge(self, other: "Tally") -> None:
        self.requests += other.requests
        self.server_errors += other.server_errors
        self.non_json_errors += other.non_json_errors

    def examples(self, answers: list[Answer], count: int = 3) -> str:
        return "; ".join(f"{a.status} {a.method} {a.path[:60]}" for a in answers[:count])


class Client:
    def __init__(self, base_url: str, address: str, headers: dict[str, str] | None = None):
        self.base_url = base_url
        self.headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": address,
            **(headers or {}),
        }

    def send(
        self,
        method: str,
        path: str,
        *,
        json=None,
        data: bytes | str | dict | None = None,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Answer:
        started = time.monotonic()
        # No session: the admin's cookies are Secure (HTTPS at the proxy) and a cookie jar
        # would not send them over this plain connection; callers pass them explicitly.
        response = requests.request(
            method,
            self.base_url + path,
            json=json,
            data=data,
            headers={**self.headers, **(headers or {})},
            cookies=cookies,
            allow_redirects=False,
            timeout=timeout,
        )
        return Answer(
            method,
            path,
            response.status_code,
            response.headers.get("Content-Type", ""),
            time.monotonic() - started,
            response.headers.get("Retry-After"),
            response.content,
            response.cookies.get_dict(),
        )
