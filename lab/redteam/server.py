"""A gunicorn process serving this checkout with holisticos/gunicorn.py, on a free port.

Used by the red-team run and by tests/core/test_slow_clients.py: both need the real
server (worker class, threads, timeouts), not Django's test client.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
HEALTHZ_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(**overrides: str) -> dict[str, str]:
    """DEBUG off and no developer .env: what a production process sees, plus `overrides`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUNICORN_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(ENV_FILE="/nonexistent/.env", DEBUG="false", LOG_LEVEL="WARNING")
    env.update(overrides)
    return env


def manage(env: Mapping[str, str], *args: str, timeout: float = 600) -> str:
    """Run `manage.py <args>` as README's steps do; its stdout, or CalledProcessError."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return done.stdout


@dataclass(frozen=True, slots=True)
class Server:
    host: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def wait_until_up(host: str, port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection((host, port), timeout=1) as sock:
                sock.sendall(HEALTHZ_REQUEST)
                if sock.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s")


@contextmanager
def gunicorn(env: Mapping[str, str], log: Path, boot_timeout: float = 60) -> Iterator[Server]:
    """`gunicorn -c python:holisticos.gunicorn holisticos.wsgi` (README, step 3), stopped after.

    GUNICORN_* variables in `env` tune it as they would in production; the bind address is
    a free loopback port.
    """
    host, port = "127.0.0.1", free_port()
    env = {"GUNICORN_ACCESSLOG": "/dev/null", **env, "GUNICORN_BIND": f"{host}:{port}"}
    with open(log, "w") as output:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "python:holisticos.gunicorn", "holisticos.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(host, port, process, boot_timeout)
        yield Server(host, port, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
