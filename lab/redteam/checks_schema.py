"""Schemathesis against the live server, from the schema the service generates itself."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from .report import Row
from .server import manage

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def generated_requests(base_url: str, key: str, env, folder: Path, max_examples: int) -> Row:
    """`schemathesis run` over every operation; every exchange is read back from its HAR file.

    The schema comes from `manage.py spectacular` (with DEBUG off /api/schema/ is closed to
    the public, which the exposure rows check). Schemathesis' own `ignored_auth` check is
    left out: its unauthenticated requests would spend this address's failed-authentication
    budget and turn the rest of the run into 429s; credentials have rows of their own.
    """
    schema = folder / "openapi.yaml"
    manage(env, "spectacular", "--file", str(schema))
    har = folder / "schemathesis.har"
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            str(schema),
            "--url",
            base_url,
            "-H",
            f"X-API-Key: {key}",
            "-H",
            "X-Forwarded-Proto: https",
            "-H",
            "X-Forwarded-For: 198.51.100.80",
            "--checks",
            "all",
            "--exclude-checks",
            "ignored_auth",
            "--max-examples",
            str(max_examples),
            "--seed",
            "16",
            "--workers",
            "2",
            "--report",
            "har",
            "--report-har-path",
            str(har),
        ],
        cwd=folder,  # its example database (.schemathesis/) stays out of the checkout
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=900,
    )
    (folder / "schemathesis.out").write_text(run.stdout + run.stderr)
    entries = json.loads(har.read_text())["log"]["entries"]
    statuses = Counter(entry["response"]["status"] for entry in entries)
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    non_json = sum(
        1
        for entry in entries
        if entry["response"]["status"] >= 400
        and not entry["response"]["content"].get("mimeType", "").startswith("application/json")
    )
    summary = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    measured = (
        f"{len(entries)} requests ({summary}); {server_errors} x 5xx, {non_json} non-JSON errors; "
        f"schemathesis exit {run.returncode}"
    )
    ok = server_errors == 0 and non_json == 0 and len(entries) > 0
    return Row("schemathesis, every operation", "0 x 5xx, 0 non-JSON errors", measured, ok)
