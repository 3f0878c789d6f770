"""Slow clients: connections that send a request body a byte a second, and /healthz meanwhile.

With sync workers each such connection holds a whole worker until its body is complete,
so a handful stalls the service (the red team's six against five workers: /healthz took
10 s). With gthread workers a slow body holds one thread of workers x threads.
"""

import contextlib
import socket
import threading
import time
from dataclasses import dataclass

PROBE = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


@dataclass(frozen=True, slots=True)
class SlowRun:
    connections: int
    healthz_seconds: list[float]  # inf: no answer within the probe's timeout
    slow_statuses: list[int | None]  # what each slow client got once its body was complete

    @property
    def worst_healthz(self) -> float:
        return max(self.healthz_seconds)


def healthz_seconds(host: str, port: int, timeout: float) -> float:
    started = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(PROBE)
            answered = sock.recv(12).startswith(b"HTTP/1.1 200")
    except OSError:
        return float("inf")
    return time.monotonic() - started if answered else float("inf")


def _status(sock: socket.socket) -> int | None:
    try:
        head = sock.recv(64)
        return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else None
    except (OSError, ValueError, IndexError):
        return None


def slow_bodies(
    host: str,
    port: int,
    request_head: bytes,
    body: bytes,
    connections: int,
    trickle_seconds: int,
    probe_timeout: float = 3.0,
) -> SlowRun:
    """Open `connections` requests whose body arrives one byte a second.

    `request_head` is the request line and headers (Content-Length included, blank line
    included). While the bodies trickle for `trickle_seconds`, /healthz is asked once a
    second on fresh connections; then the bodies are completed and each slow client's
    status read (so a body the server dropped shows up as None).
    """
    if len(body) <= trickle_seconds:
        raise ValueError("the body must outlast the trickle")
    socks = [socket.create_connection((host, port), timeout=30) for _ in range(connections)]
    for sock in socks:
        sock.sendall(request_head)
    stop = threading.Event()

    def trickle() -> None:
        for offset in range(trickle_seconds):
            for sock in socks:
                # A connection the server dropped shows up as a missing status.
                with contextlib.suppress(OSError):
                    sock.sendall(body[offset : offset + 1])
            if stop.wait(1.0):
                return

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    time.sleep(1.5)  # every slow request is inside the server by now
    probes = []
    while trickler.is_alive() and len(probes) < trickle_seconds - 1:
        probes.append(healthz_seconds(host, port, probe_timeout))
        time.sleep(max(0.0, 1.0 - min(probes[-1], 1.0)))
    stop.set()
    trickler.join()
    statuses = []
    for sock in socks:
        with contextlib.suppress(OSError):
            sock.sendall(body[trickle_seconds:])
        statuses.append(_status(sock))
        sock.close()
    return SlowRun(connections, probes, statuses)


def json_post_head(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode()
