"""The whole red-team run: README's production steps, then every check, as table rows."""

import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from feedback.models import UserTaskFeedback
from profiles.models import UserPreferenceProfile
from routines.models import Plan

from . import checks_admin, checks_api, checks_load, checks_schema
from .client import Client, Tally
from .report import Row
from .server import gunicorn, manage

# README "Running in production", steps 2 to 4 (step 3's `make serve` also collects static).
README_STEPS = (
    ("migrate", ("migrate", "--noinput")),
    ("seed_library", ("seed_library",)),
    ("collectstatic", ("collectstatic", "--noinput")),
    ("check --deploy", ("check", "--deploy", "--fail-level", "WARNING")),
)


def count_rows() -> dict[str, int]:
    return {
        "plans": Plan.objects.count(),
        "feedback": UserTaskFeedback.objects.count(),
        "profiles": UserPreferenceProfile.objects.count(),
    }


def readme_steps(env) -> tuple[Row, str]:
    """Run the steps; returns their row and a fresh service key (step 4)."""
    failed = []
    for name, args in README_STEPS:
        try:
            manage(env, *args)
        except subprocess.CalledProcessError as exc:
            failed.append(f"{name}: {(exc.stderr or exc.stdout).strip().splitlines()[-1:]}")
    key = manage(env, "create_api_key", f"redteam-{uuid.uuid4().hex[:8]}").strip().splitlines()[-1]
    names = ", ".join(name for name, _ in README_STEPS) + ", create_api_key"
    measured = "all exit 0" if not failed else "; ".join(failed)
    return Row(f"README steps: {names}", "exit 0", measured, not failed), key


def unreachable_cache(env, key: str, folder: Path) -> list[Row]:
    """The same service with its Redis gone: not ready, and the API answers 503 JSON."""
    dead = {**env, "CACHE_URL": "redis://127.0.0.1:1/0", "GUNICORN_WORKERS": "1"}
    with gunicorn(dead, folder / "gunicorn-no-cache.log") as server:
        probe = Client(server.base_url, "198.51.100.95", {"X-API-Key": key})
        ready = probe.send("GET", "/readyz")
        api = probe.send("GET", f"/api/v1/feedback/profile/{uuid.uuid4()}")
        alive = probe.send("GET", "/healthz")
    return [
        Row(
            "Redis unreachable: /readyz, API, /healthz",
            "503, 503 JSON, 200",
            f"{ready.status} {ready.body.decode()[:40]}, {api.status} {api.error_code}, "
            f"{alive.status}",
            (ready.status, api.status, api.is_json, alive.status) == (503, 503, True, 200),
        )
    ]


def run(max_examples: int, lock_seconds: int, say) -> list[Row]:
    env = dict(os.environ)
    folder = Path(tempfile.mkdtemp(prefix="holisticos-redteam-"))
    started = time.monotonic()

    def log(message: str) -> None:
        say(f"[{time.monotonic() - started:4.0f} s] {message}")

    log(f"work files in {folder}")
    row, key = readme_steps(env)
    rows = [row]
    with gunicorn(env, folder / "gunicorn.log") as server:
        base = server.base_url
        log(f"gunicorn (holisticos/gunicorn.py) up at {base}")
        ready = Client(base, "127.0.0.1").send("GET", "/readyz")
        rows.append(
            Row(
                "/readyz with Redis",
                "200",
                f"{ready.status} {ready.body.decode()[:80]}",
                ready.status == 200,
            )
        )
        api = Client(base, "198.51.100.5", {"X-API-Key": key})
        user = uuid.uuid4()
        item = checks_api.first_plan(api, user)
        rows.append(
            Row(
                "first plan", "dynamic_routine", item.plan_type, item.plan_type == "dynamic_routine"
            )
        )
        tally = Tally()
        log("hostile corpus")
        row, corpus_tally = checks_api.hostile_input(api, item, count_rows)
        rows.append(row)
        tally.merge(corpus_tally)
        log(f"schemathesis ({max_examples} examples an operation)")
        rows.append(checks_schema.generated_requests(base, key, env, folder, max_examples))
        log("credentials, budgets, exposure")
        rows += checks_api.credentials(base, user, tally)
        rows.append(checks_api.failed_auth_budget(base, tally))
        rows.append(checks_api.shared_user_budget(base, tally))
        rows += checks_api.exposure(base, tally)
        log("admin grid")
        rows.append(checks_admin.admin_grid(base))
        log("slow clients")
        rows.append(checks_load.slow_clients(server, key))
        log(f"{lock_seconds} s lock on the profile table")
        rows += checks_load.profile_lock(base, key, user, lock_seconds)
        errors = len(tally.server_errors)
        non_json = len(tally.non_json_errors)
        measured = f"{tally.requests} requests: {errors} x 5xx, {non_json} non-JSON errors"
        if errors or non_json:
            measured += f" ({tally.examples(tally.server_errors + tally.non_json_errors)})"
        rows.append(
            Row(
                "hand-sent API requests, all checks",
                "0 x 5xx, 0 non-JSON",
                measured,
                not (errors or non_json),
            )
        )
    log("the same service with Redis unreachable")
    rows += unreachable_cache(env, key, folder)
    log("done")
    return rows
