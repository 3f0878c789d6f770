"""A bounded load generator for loopback only: fixed requests, fixed deadline, then stops.

Run as its own process (python -m lab.benchmarks.load_client SPEC.json), so the
server and the client do not share an interpreter. Prints one JSON line of results.
"""

import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit

ALLOWED_HOSTS = {"127.0.0.1", "localhost", "::1"}


def run(spec: dict) -> dict:
    target = urlsplit(spec["base_url"])
    if target.hostname not in ALLOWED_HOSTS:
        raise SystemExit("load_client only targets this machine's loopback address")
    requests = spec["requests"]  # [[method, path, body or null], ...]
    headers = {"Content-Type": "application/json", **spec.get("headers", {})}
    deadline = time.monotonic() + spec.get("max_seconds", 120)
    lock = threading.Lock()
    cursor = {"next": 0}
    latencies: list[float] = []
    errors: dict[str, int] = {}

    def worker() -> None:
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                index = cursor["next"]
                cursor["next"] += 1
            if index >= len(requests):
                break
            method, path, body = requests[index]
            started = time.perf_counter()
            try:
                conn.request(
                    method,
                    path,
                    body=json.dumps(body) if body is not None else None,
                    headers=headers,
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if not (isinstance(status, int) and status < 400):
                    errors[str(status)] = errors.get(str(status), 0) + 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(spec.get("concurrency", 8))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - started
    latencies.sort()
    return {
        "sent": len(latencies),
        "seconds": duration,
        "per_second": len(latencies) / duration if duration else 0.0,
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else 0.0,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else 0.0,
        "errors": errors,
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        print(json.dumps(run(json.load(handle))))
