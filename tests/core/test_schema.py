"""The OpenAPI schema is complete and warning-free, and the API honours it."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def generate_schema() -> dict:
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


def test_schema_generation_is_clean_and_documents_every_endpoint():
    schema = generate_schema()
    paths = schema["paths"]
    expected = {
        ("/api/v1/plans/generate", "post"),
        ("/api/v1/plans/{user_id}/{date}", "get"),  # also served with the slash
        ("/api/v1/plans/{user_id}", "get"),
        ("/api/v1/feedback/task/{plan_item_id}", "delete"),
        ("/api/v1/feedback/task", "post"),
        ("/api/v1/feedback/profile/{user_id}", "get"),
        ("/api/v1/feedback/profile/{user_id}", "patch"),
        ("/api/v1/feedback/summary/{user_id}/weekly", "get"),
        ("/api/v1/users/{user_id}/export", "get"),
        ("/api/v1/users/{user_id}", "delete"),
    }
    documented = {(path, method) for path, ops in paths.items() for method in ops}
    assert expected <= documented
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ServiceKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": schemes["ServiceKey"]["description"],
    }
    assert schemes["UserToken"]["scheme"] == "bearer"
    for system in ("ES256", "RS256", "jwks.json", "HS256", "SUPABASE_JWT_SECRET"):
        assert system in schemes["UserToken"]["description"]
    for path, method in expected:
        operation = paths[path][method]
        assert operation.get("summary"), (path, method)
        assert {"ServiceKey": []} in operation["security"]
        assert {"UserToken": []} in operation["security"]
        assert "401" in operation["responses"] and "429" in operation["responses"]
    generate = paths["/api/v1/plans/generate"]["post"]
    assert generate["requestBody"]["content"]["application/json"]["examples"]


def test_no_time_is_documented_as_rfc3339_full_time():
    """OpenAPI's `format: time` is RFC 3339's full-time, offset included; every time the API
    sends is a local wall-clock time without one (issue 16's rerun: schemathesis against the
    live server flagged each exported plan)."""

    def formats(node):
        if isinstance(node, dict):
            yield node.get("format")
            for value in node.values():
                yield from formats(value)
        elif isinstance(node, list):
            for value in node:
                yield from formats(value)

    assert "time" not in set(formats(generate_schema()))


def test_deploy_checks_are_clean_with_production_settings():
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        },
        "ENV_FILE": "/nonexistent/.env",
        "DJANGO_SETTINGS_MODULE": "holisticos.settings",
        "SECRET_KEY": "p7VJ0b_3Yq9wT2xR8mN4kL6hG1fD5sA0zX9cV2bN7mQ4wE8rT1yU3iO6pA5sD2fG",
        "ALLOWED_HOSTS": "api.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_log_lines_are_json_with_context():
    import json
    import logging

    from django.conf import settings
    from pythonjsonlogger.json import JsonFormatter

    config = settings.LOGGING["formatters"]["json"]
    formatter = JsonFormatter(fmt=config["fmt"], rename_fields=config["rename_fields"])
    record = logging.LogRecord(
        "routines.services",
        logging.ERROR,
        __file__,
        1,
        "Dynamic plan generation failed",
        None,
        None,
    )
    record.user_id = "2f6f1a52-3b7e-4d35-9a55-6f7c0f1f2a11"
    line = json.loads(formatter.format(record))
    assert line["level"] == "ERROR"
    assert line["logger"] == "routines.services"
    assert line["message"] == "Dynamic plan generation failed"
    assert line["user_id"] == "2f6f1a52-3b7e-4d35-9a55-6f7c0f1f2a11"
    assert "time" in line
