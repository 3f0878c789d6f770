"""A stand-in for a Supabase project's key server: local ES256/RS256 keys served as a JWKS.

`JWKSServer` serves `/auth/v1/.well-known/jwks.json` from a thread on 127.0.0.1 and counts
the fetches; tests publish and withdraw keys, make it slow or make it answer garbage.
"""

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

JWKS_PATH = "/auth/v1/.well-known/jwks.json"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str
    private_key: object

    @property
    def public_jwk(self) -> dict:
        algorithm = jwt.algorithms.get_default_algorithms()[self.alg]
        jwk = algorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@cache
def signing_key(alg: str, kid: str) -> SigningKey:
    """A fresh key pair per (alg, kid), made once per test run (RSA is slow to generate)."""
    if alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    elif alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        raise ValueError(alg)
    return SigningKey(kid=kid, alg=alg, private_key=private)


def sign(
    key: SigningKey,
    user_id,
    issuer: str,
    expires_in: int = 3600,
    audience: str = "authenticated",
    headers: dict | None = None,
    **claims,
) -> str:
    """An access token shaped like Supabase Auth's, signed with `key` (kid in the header)."""
    payload = {
        "sub": str(user_id),
        "aud": audience,
        "exp": int(time.time()) + expires_in,
        "iss": issuer,
        "role": "authenticated",
        **claims,
    }
    if issuer is None:
        del payload["iss"]
    return jwt.encode(
        payload, key.private_key, algorithm=key.alg, headers={"kid": key.kid, **(headers or {})}
    )


@dataclass
class JWKSServer:
    """Serves `keys` as a JWKS. `delay` sleeps before answering; `raw` replaces the body."""

    keys: list[SigningKey] = field(default_factory=list)
    extra_jwks: list[dict] = field(default_factory=list)
    delay: float = 0.0
    raw: bytes | None = None
    status: int = 200
    fetches: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def body(self) -> bytes:
        if self.raw is not None:
            return self.raw
        jwks = [key.public_jwk for key in self.keys] + self.extra_jwks
        return json.dumps({"keys": jwks}).encode()

    def start(self) -> "JWKSServer":
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != JWKS_PATH:
                    self.send_error(404)
                    return
                owner.fetches += 1
                if owner.delay:
                    time.sleep(owner.delay)
                body = owner.body()
                try:
                    self.send_response(owner.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # The client gave up waiting (the slow-server tests).

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def closed_port_url() -> str:
    """A loopback URL nothing listens on: connecting is refused at once."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FakeClock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def random_kid() -> str:
    return str(uuid.uuid4())
