"""Settings come from the environment: checked in a fresh interpreter per case."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def read_settings(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, holisticos.settings as s;"
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "ENABLE_DYNAMIC_PLANS",
            "FEEDBACK_COLLECTION_ENABLED",
            "TASK_LIBRARY_VERSION",
            "SCORING_POLICY",
            "HOLDOUT_SHARE",
            "HOLDOUT_SALT",
            "DATABASE_URL",
            "SUPABASE_URL",
            "SUPABASE_JWKS_TIMEOUT",
            "SUPABASE_JWKS_CACHE_SECONDS",
        }
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "PYTHONPATH": str(ROOT), "ENV_FILE": "/nonexistent/.env", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(result.stderr)
    return json.loads(result.stdout)


PROD = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "api.example.com"}


def test_flags_default_on():
    values = read_settings(
        PROD, "ENABLE_DYNAMIC_PLANS", "FEEDBACK_COLLECTION_ENABLED", "TASK_LIBRARY_VERSION"
    )
    assert values == {
        "ENABLE_DYNAMIC_PLANS": True,
        "FEEDBACK_COLLECTION_ENABLED": True,
        "TASK_LIBRARY_VERSION": "v1",
    }


@pytest.mark.parametrize("raw", ["false", "0", "off", "False"])
def test_flag_off_reads_as_off(raw):
    values = read_settings(
        PROD | {"ENABLE_DYNAMIC_PLANS": raw, "FEEDBACK_COLLECTION_ENABLED": raw},
        "ENABLE_DYNAMIC_PLANS",
        "FEEDBACK_COLLECTION_ENABLED",
    )
    assert values == {"ENABLE_DYNAMIC_PLANS": False, "FEEDBACK_COLLECTION_ENABLED": False}


def test_database_url_selects_postgresql():
    values = read_settings(
        PROD | {"DATABASE_URL": "postgres://u@db.internal:5432/hos"}, "DATABASES"
    )
    assert "postgresql" in values["DATABASES"]["default"]["ENGINE"]
    assert values["DATABASES"]["default"]["NAME"] == "hos"


def test_prepared_statements_can_be_switched_off():
    assert read_settings(PROD, "DATABASE_PREPARED_STATEMENTS")["DATABASE_PREPARED_STATEMENTS"]
    off = read_settings(
        PROD | {"DATABASE_PREPARED_STATEMENTS": "false"}, "DATABASE_PREPARED_STATEMENTS"
    )
    assert off["DATABASE_PREPARED_STATEMENTS"] is False


def test_sqlite_is_the_default_database():
    values = read_settings(PROD, "DATABASES")
    assert "sqlite3" in values["DATABASES"]["default"]["ENGINE"]


def test_secret_key_required_without_debug():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        read_settings({"ALLOWED_HOSTS": "api.example.com"}, "DEBUG")


def test_allowed_hosts_required_without_debug():
    with pytest.raises(RuntimeError, match="ALLOWED_HOSTS"):
        read_settings({"SECRET_KEY": "x" * 50}, "DEBUG")


def test_debug_allows_running_without_secrets():
    values = read_settings({"DEBUG": "true"}, "DEBUG", "ALLOWED_HOSTS")
    assert values["DEBUG"] is True
    assert "127.0.0.1" in values["ALLOWED_HOSTS"]


def test_supabase_url_defaults_off_with_a_short_jwks_timeout():
    values = read_settings(
        PROD, "SUPABASE_URL", "SUPABASE_JWKS_TIMEOUT", "SUPABASE_JWKS_CACHE_SECONDS"
    )
    assert values == {
        "SUPABASE_URL": "",
        "SUPABASE_JWKS_TIMEOUT": 3.0,
        "SUPABASE_JWKS_CACHE_SECONDS": 600,
    }


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://abcd.supabase.co/", "https://abcd.supabase.co"),
        ("http://127.0.0.1:54321", "http://127.0.0.1:54321"),
        ("http://localhost:54321", "http://localhost:54321"),
        ("http://[::1]:54321", "http://[::1]:54321"),
    ],
)
def test_supabase_url_is_https_or_loopback(url, expected):
    assert read_settings(PROD | {"SUPABASE_URL": url}, "SUPABASE_URL")["SUPABASE_URL"] == expected


@pytest.mark.parametrize(
    "url", ["http://abcd.supabase.co", "http://10.0.0.5:8000", "ftp://abcd.supabase.co", "abcd"]
)
def test_supabase_url_over_plain_http_is_refused(url):
    with pytest.raises(RuntimeError, match="SUPABASE_URL"):
        read_settings(PROD | {"SUPABASE_URL": url}, "SUPABASE_URL")


@pytest.mark.parametrize(
    "name,value", [("SUPABASE_JWKS_TIMEOUT", "0"), ("SUPABASE_JWKS_CACHE_SECONDS", "30")]
)
def test_jwks_timeout_and_cache_lifetime_are_bounded(name, value):
    with pytest.raises(RuntimeError, match=name):
        read_settings(PROD | {name: value}, name)


def test_sqlite_waits_for_writers_in_wal_with_immediate_transactions():
    options = read_settings(PROD, "DATABASES")["DATABASES"]["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "journal_mode=WAL" in options["init_command"]


def test_postgresql_gets_a_statement_timeout_below_the_worker_timeout():
    url = {"DATABASE_URL": "postgres://u@db.internal:5432/hos"}
    values = read_settings(PROD | url, "DATABASES", "DATABASE_STATEMENT_TIMEOUT_MS")
    assert values["DATABASE_STATEMENT_TIMEOUT_MS"] == 10_000
    assert "-c statement_timeout=10000" in values["DATABASES"]["default"]["OPTIONS"]["options"]
    from holisticos import gunicorn

    assert values["DATABASE_STATEMENT_TIMEOUT_MS"] < gunicorn.timeout * 1000
    custom = read_settings(PROD | url | {"DATABASE_STATEMENT_TIMEOUT_MS": "3000"}, "DATABASES")
    assert "statement_timeout=3000" in custom["DATABASES"]["default"]["OPTIONS"]["options"]


def test_metrics_and_api_docs_closed_by_default_without_debug():
    values = read_settings(PROD, "METRICS_ALLOWED_NETWORKS", "API_DOCS_PUBLIC")
    assert values == {"METRICS_ALLOWED_NETWORKS": [], "API_DOCS_PUBLIC": False}
    debug = read_settings({"DEBUG": "true"}, "METRICS_ALLOWED_NETWORKS", "API_DOCS_PUBLIC")
    assert debug == {
        "METRICS_ALLOWED_NETWORKS": ["127.0.0.0/8", "::1/128"],
        "API_DOCS_PUBLIC": True,
    }


def test_holdout_is_off_by_default():
    assert read_settings(PROD, "HOLDOUT_SHARE", "HOLDOUT_SALT") == {
        "HOLDOUT_SHARE": 0.0,
        "HOLDOUT_SALT": "",
    }


@pytest.mark.parametrize(
    "env, message",
    [
        ({"HOLDOUT_SHARE": "0.6", "HOLDOUT_SALT": "s"}, "HOLDOUT_SHARE must be between"),
        ({"HOLDOUT_SHARE": "-0.1", "HOLDOUT_SALT": "s"}, "HOLDOUT_SHARE must be between"),
        ({"HOLDOUT_SHARE": "0.05"}, "HOLDOUT_SALT must be set"),
    ],
)
def test_bad_holdout_settings_refuse_to_start(env, message):
    with pytest.raises(RuntimeError, match=message):
        read_settings(PROD | env, "HOLDOUT_SHARE")


def test_holdout_share_and_salt_are_read():
    values = read_settings(
        PROD | {"HOLDOUT_SHARE": "0.05", "HOLDOUT_SALT": "exp-1"}, "HOLDOUT_SHARE", "HOLDOUT_SALT"
    )
    assert values == {"HOLDOUT_SHARE": 0.05, "HOLDOUT_SALT": "exp-1"}
